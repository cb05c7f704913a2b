"""Writing messages for other people into the outbox, inside the caller's transaction."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select

from services.db.models import MessengerAccount, OutboxMessage, Partner
from services.db.tracking_models import NotificationMute
from services.db.uow import UnitOfWork
from services.kernel.deps import Deps
from services.kernel.dto import Screen
from services.messaging.status import OutboxStatus
from services.partners.quiet import QUIET_KINDS, quiet_until
from services.staff.roles import MANAGER_ROLES  # noqa: F401  (re-exported: tracking imports it from here)

# Kinds a partner may mute in Settings → Notifications. Decisions on their application etc. always arrive.
MUTABLE_KINDS = ("conversion", "l2_conversion", "subpartner", "hold_released", "news", "alerts", "materials",
                 "contest", "digest", "nudge", "partner_of_month")


async def is_muted(uow: UnitOfWork, partner_id: int, kind: str) -> bool:
    found = await uow.session.scalar(select(NotificationMute.id).where(
        NotificationMute.partner_id == partner_id, NotificationMute.kind == kind))
    return found is not None


def partner_rows(partner: Partner, accounts: Iterable[MessengerAccount], screen: Screen, kind: str, now: datetime,
                 dedupe_key: str | None = None) -> list[dict[str, Any]]:
    """The outbox rows (column values) of one notice to a partner who has not muted its kind: one per messenger
    account, in the partner's language. The one definition behind to_partner and the postback batch, which
    loads partners, accounts and mutes for many notices at once and inserts the rows together."""
    not_before = None
    if kind in QUIET_KINDS:
        not_before = quiet_until(now, partner.timezone, partner.quiet_start, partner.quiet_end)
    stored = screen.to_dict()
    return [dict(
        messenger=account.messenger, chat_id=account.chat_id, locale=partner.locale, kind=kind, screen=stored,
        partner_id=partner.id, dedupe_key=f"{dedupe_key}:{account.id}" if dedupe_key else None,
        status=OutboxStatus.PENDING, attempts=0, next_attempt_at=max(now, not_before) if not_before else now,
        created_at=now) for account in accounts]


async def to_partner(uow: UnitOfWork, deps: Deps, partner: Partner, screen: Screen, kind: str,
                     dedupe_key: str | None = None) -> int:
    """One outbox row per messenger account of the partner, in the partner's language — unless they muted
    this kind of message in Settings. Kinds in QUIET_KINDS wait for the end of the partner's quiet hours."""
    if kind in MUTABLE_KINDS and await is_muted(uow, partner.id, kind):
        return 0
    rows = partner_rows(partner, await uow.accounts.for_partner(partner.id), screen, kind, deps.clock.now(),
                        dedupe_key)
    for row in rows:
        uow.session.add(OutboxMessage(**row))
    if rows:
        await uow.session.flush()
    return len(rows)


async def staff_locale(uow: UnitOfWork, deps: Deps, messenger: str, external_id: str) -> str:
    account = await uow.accounts.get(messenger, external_id)
    if account is not None:
        partner = await uow.partners.get(account.partner_id)
        if partner is not None:
            return partner.locale
    return deps.config.default_locale


async def to_staff(uow: UnitOfWork, deps: Deps, roles: Iterable[str], screen: Screen, kind: str,
                   dedupe_key: str | None = None) -> int:
    """One outbox row per staff member holding any of `roles` (private chat: chat id = user id)."""
    now = deps.clock.now()
    count = 0
    for messenger, external_id in await uow.staff.with_roles(roles):
        await uow.outbox.add(
            messenger=messenger, chat_id=external_id,
            locale=await staff_locale(uow, deps, messenger, external_id), kind=kind, screen=screen.to_dict(),
            now=now, dedupe_key=f"{dedupe_key}:{messenger}:{external_id}" if dedupe_key else None,
        )
        count += 1
    return count
