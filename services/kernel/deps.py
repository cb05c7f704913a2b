"""What every use case needs, bundled once by the composition root."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from services.db.uow import UnitOfWorkSource
from services.kernel.ports import Clock, SystemClock
from services.kernel.signals import Signals


@dataclass(frozen=True)
class TierRule:
    name: str  # certified | gold | platinum
    threshold: Decimal  # monthly approved revenue (sale amounts) from which the tier applies
    revshare_percent: Decimal


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
    ip_hash_secret: str = ""  # key of the IP hash (HMAC; raw IPs are never stored): IP_HASH_SECRET or generated
    fraud_min_seconds: int = 10  # a conversion sooner than this after its click is flagged
    click_flood_per_hour: int = 30  # clicks from one IP hash per hour above this are flagged
    tiers: tuple[TierRule, ...] = DEFAULT_TIERS
    # Payouts
    payout_details_key: str = ""  # PAYOUT_DETAILS_KEY; empty: a key generated once and kept in app_secrets
    min_payout: tuple[tuple[str, Decimal], ...] = (("RUB", Decimal("1000")), ("USD", Decimal("20")),
                                                  ("EUR", Decimal("20")))  # currencies not listed: any amount
    payout_schedule: str = ""  # PAYOUT_SCHEDULE (services.payouts.schedule); empty: partners ask themselves
    # Support
    support_chat_id: str = ""  # Telegram staff group; empty → tickets go to support staff privately
    support_sla_minutes: int = 60


@dataclass
class Deps:
    uow: UnitOfWorkSource  # uow() writes; uow(readonly=True) only reads and never takes the write lock
    clock: Clock = field(default_factory=SystemClock)
    config: ProgramConfig = field(default_factory=ProgramConfig)
    signals: Signals = field(default_factory=Signals)

    def wake_outbox(self) -> None:
        """After a commit that wrote outbox rows: delivery starts now instead of at the next poll."""
        self.signals.outbox_written()

    def invalidate_links(self, code: str | None = None) -> None:
        """A link stopped redirecting (archived: its code; offer paused/edited: None = all): the click route's
        cache drops it now instead of after its TTL."""
        self.signals.link_changed(code)
