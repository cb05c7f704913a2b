"""Composition root: builds the engine, use cases and adapters from Settings. Nothing else knows every part."""
from __future__ import annotations

import logging
from decimal import Decimal
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.shared_state import SharedState, build_shared_state
from bot.supervisor import Supervisor
from services.app import Services
from services.dashboard.tokens import derive_secret
from services.db.engine import make_engine, make_session_factory
from services.db.uow import UnitOfWorkFactory
from services.kernel.deps import Deps, ProgramConfig, TierRule
from services.messaging.outbox import OutboxDispatcher
from services.tracking.click_store import SqliteClickStore
from services.tracking.clicks import ClickService
from services.kernel.ports import Clock, Notifier, SystemClock

log = logging.getLogger(__name__)


def program_config(settings: Settings) -> ProgramConfig:
    return ProgramConfig(
        default_locale=settings.default_locale,
        auto_approve=settings.auto_approve,
        public_base_url=settings.public_base_url.rstrip("/"),
        vk_group_id=settings.vk_group_id,
        postback_secret=settings.postback_secret,
        postback_ip_allowlist=tuple(settings.postback_ip_allowlist),
        postback_max_age_seconds=settings.postback_max_age_seconds,
        postback_log_days=settings.postback_log_days,
        ip_hash_secret=settings.ip_hash_secret or "",  # unset: main() puts the generated one here
        fraud_min_seconds=settings.fraud_min_seconds,
        click_flood_per_hour=settings.click_flood_per_hour,
        click_flood_cap_factor=settings.click_flood_cap_factor,
        payout_details_key=settings.payout_details_key or "",  # unset: main() puts the generated one here
        min_payout=tuple(sorted(settings.min_payout.items())),
        program_timezone=settings.program_timezone,
        bonus_hold_days=settings.bonus_hold_days,
        adjustment_manager_limit=tuple(sorted(settings.adjustment_manager_limit.items())),
        payout_schedule=settings.payout_schedule,
        support_chat_id=str(settings.support_chat_id) if settings.support_chat_id else "",
        support_sla_minutes=settings.support_sla_minutes,
        dashboard_secret=settings.dashboard_secret or derive_secret(settings.telegram_bot_token, settings.vk_token),
        stats_rollup_delay_minutes=settings.stats_rollup_delay_minutes,
        stats_alert_hours=settings.stats_alert_hours,
        stats_alert_drop_percent=settings.stats_alert_drop_percent,
        stats_alert_min_clicks=settings.stats_alert_min_clicks,
        stats_alert_min_conversions=settings.stats_alert_min_conversions,
        support_messages_per_minute=settings.support_messages_per_minute,
        tiers=(
            TierRule("certified", Decimal("0"), Decimal("30")),
            TierRule("gold", settings.tier_gold_threshold, Decimal("35"),
                     tuple(sorted(settings.tier_gold_foreign_thresholds.items()))),
            TierRule("platinum", settings.tier_platinum_threshold, Decimal("40"),
                     tuple(sorted(settings.tier_platinum_foreign_thresholds.items()))),
        ),
        tier_currency=settings.tier_currency,
    )


@dataclass
class TelegramRuntime:
    bot: Any  # aiogram Bot: typed loosely so importing the container never imports aiogram
    dispatcher: Any  # aiogram Dispatcher


@dataclass
class Container:
    settings: Settings
    engine: AsyncEngine
    deps: Deps
    services: Services
    notifiers: dict[str, Notifier] = field(default_factory=dict)
    outbox: OutboxDispatcher | None = None
    telegram: TelegramRuntime | None = None
    vk_bot: Any = None  # vkbottle Bot, when VK is on
    clicks: ClickService | None = None
    pollers: dict[str, Supervisor] = field(default_factory=dict)  # "telegram", "vk": their state for /healthz
    shared: SharedState | None = None

    def attach_notifier(self, notifier: Notifier) -> None:
        self.notifiers[notifier.messenger] = notifier

    def start_outbox(self, rates: dict[str, float] | None = None) -> OutboxDispatcher:
        self.outbox = OutboxDispatcher(self.deps, self.notifiers, rates=rates,
                                       limiters=self.shared.limiters if self.shared else None)
        self.deps.signals.on_outbox_written(self.outbox.wake)
        return self.outbox

    def click_service(self) -> ClickService:
        """The click route's service, built once: its link cache listens for link changes from use cases."""
        if self.clicks is None:
            self.clicks = ClickService(self.deps, store=SqliteClickStore.for_url(self.settings.database_url))
            self.deps.signals.on_link_changed(self.clicks.invalidate)
        return self.clicks

    async def close(self) -> None:
        if self.shared is not None:
            await self.shared.close()
        await self.engine.dispose()


def build_container(settings: Settings, clock: Clock | None = None) -> Container:
    engine = make_engine(settings.database_url)
    shared = build_shared_state(settings, engine)
    deps = Deps(uow=UnitOfWorkFactory(make_session_factory(engine)), clock=clock or SystemClock(),
                config=program_config(settings), signals=shared.signals)
    return Container(settings=settings, engine=engine, deps=deps, services=Services(deps, user_locks=shared.user_locks),
                     shared=shared)
