"""What every use case needs, bundled once by the composition root."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from services.db.uow import UnitOfWorkSource
from services.kernel.ports import ClickMetrics, Clock, FileSource, SystemClock
from services.kernel.signals import Signals


@dataclass(frozen=True)
class TierRule:
    name: str  # certified | gold | platinum
    threshold: Decimal  # monthly approved revenue (sale amounts) in ProgramConfig.tier_currency for this tier
    revshare_percent: Decimal
    # The same in other currencies, (("USD", Decimal("1100")), …); revenue in a currency not listed never counts.
    foreign_thresholds: tuple[tuple[str, Decimal], ...] = ()


DEFAULT_TIERS: tuple[TierRule, ...] = (
    TierRule("certified", Decimal("0"), Decimal("30")),
    TierRule("gold", Decimal("100000"), Decimal("35")),
    TierRule("platinum", Decimal("500000"), Decimal("40")),
)


@dataclass(frozen=True)
class ProgramConfig:
    default_locale: str = "ru"
    auto_approve: bool = False
    public_base_url: str = "http://127.0.0.1:8080"
    telegram_bot_username: str = ""
    vk_group_id: int = 0
    # Tracking
    postback_secret: str = ""
    postback_ip_allowlist: tuple[str, ...] = ()  # IPs or CIDR networks; empty = any
    postback_max_age_seconds: int = 0  # replay window for postbacks carrying a signed `ts`; 0 = off
    postback_log_days: int = 90  # postback_log rows older than this are deleted; 0 = kept forever
    ip_hash_secret: str = ""  # key of the IP hash (HMAC; raw IPs are never stored): IP_HASH_SECRET or generated
    fraud_min_seconds: int = 10  # a conversion sooner than this after its click is flagged
    click_flood_per_hour: int = 30  # clicks from one IP hash per hour above this are flagged
    click_flood_cap_factor: int = 10  # past this × click_flood_per_hour, clicks are counted, not stored; 0 = never
    tiers: tuple[TierRule, ...] = DEFAULT_TIERS
    tier_currency: str = "RUB"  # the currency of TierRule.threshold
    # Payouts
    payout_details_key: str = ""  # PAYOUT_DETAILS_KEY; empty: a key generated once and kept in app_secrets
    min_payout: tuple[tuple[str, Decimal], ...] = (("RUB", Decimal("1000")), ("USD", Decimal("20")),
                                                  ("EUR", Decimal("20")))  # currencies not listed: any amount
    # |amount| of one manual adjustment a manager applies without an admin, per currency; not listed: always asks
    adjustment_manager_limit: tuple[tuple[str, Decimal], ...] = (("EUR", Decimal("100")), ("RUB", Decimal("5000")),
                                                                 ("USD", Decimal("100")))
    # The program's calendar: monthly bonus plans, contests, and /kpi days of staff who are not partners themselves
    program_timezone: str = "Europe/Moscow"
    bonus_hold_days: int = 30  # hold of a program-wide bonus step (an offer's step holds as long as the offer's)
    payout_schedule: str = ""  # PAYOUT_SCHEDULE (services.payouts.schedule); empty: partners ask themselves
    # Support
    support_chat_id: str = ""  # Telegram staff group; empty → tickets go to support staff privately
    support_sla_minutes: int = 60
    # Stats: clicks of an hour are rolled up this long after it closed; link alerts (services/stats/alerts.py)
    stats_rollup_delay_minutes: int = 5
    stats_alert_hours: int = 6
    stats_alert_drop_percent: int = 70
    stats_alert_min_clicks: int = 30
    stats_alert_min_conversions: int = 3
    # Web dashboard: key of its signed links and session cookies (empty → a per-process key)
    dashboard_secret: str = field(default="", repr=False)
    support_messages_per_minute: int = 12  # a partner's messages into tickets; an album of 10 photos still fits


@dataclass
class Deps:
    uow: UnitOfWorkSource  # uow() writes; uow(readonly=True) only reads and never takes the write lock
    clock: Clock = field(default_factory=SystemClock)
    config: ProgramConfig = field(default_factory=ProgramConfig)
    signals: Signals = field(default_factory=Signals)
    click_metrics: ClickMetrics | None = None  # set where the click route runs; the staff menu shows it
    # messenger → how to download a file a person sent there (a manager's banner); set by the composition root
    files: dict[str, FileSource] = field(default_factory=dict)

    def wake_outbox(self) -> None:
        """After a commit that wrote outbox rows: delivery starts now instead of at the next poll."""
        self.signals.outbox_written()

    def invalidate_links(self, code: str | None = None) -> None:
        """A link stopped redirecting (archived: its code; offer paused/edited: None = all): the click route's
        cache drops it now instead of after its TTL."""
        self.signals.link_changed(code)
