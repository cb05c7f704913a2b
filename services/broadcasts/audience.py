"""Who a broadcast reaches: approved partners in a segment, one messenger account each, minus those who muted
"news" and accounts that blocked the bot. The same query counts (the manager's summary) and fills the
recipient rows (at the start of delivery, so a scheduled broadcast reaches the segment as it is then)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, insert, select

from services.db.broadcast_models import BroadcastRecipient
from services.db.models import MessengerAccount, Partner
from services.db.tracking_models import Click, NotificationMute, TrackingLink
from services.db.uow import UnitOfWork
from services.kernel import validation
from services.partners.quiet import quiet_until
from services.partners.status import PartnerStatus

KINDS = ("all", "tier", "messenger", "lang", "offer", "active", "inactive", "ids")
MAX_IDS = 100_000  # partner ids in one uploaded CSV
MAX_CSV_BYTES = 2_000_000
NEWS = "news"  # the mute kind of Settings → Notifications that broadcasts respect


@dataclass(frozen=True)
class Target:
    partner_id: int
    account_id: int
    messenger: str
    chat_id: str
    timezone: str
    quiet_start: int | None
    quiet_end: int | None


def parse_ids(data: bytes) -> list[int]:
    """Partner ids from an uploaded CSV (or any text): every whole number in it, in order, once. A header line
    or other columns with words are ignored; ids are then checked against approved partners anyway."""
    if len(data) > MAX_CSV_BYTES:
        raise validation.Invalid("bc-err-csv-size")
    text = data.decode(errors="replace").removeprefix("\ufeff")
    seen: dict[int, None] = {}
    for line in text.splitlines():
        first = re.split(r"[,;\t]", line.strip(), maxsplit=1)[0].strip().strip('"')
        if first.isdigit() and len(first) <= 18:
            seen.setdefault(int(first), None)
    if not seen:
        raise validation.Invalid("bc-err-csv-empty")
    if len(seen) > MAX_IDS:
        raise validation.Invalid("bc-err-csv-size")
    return list(seen)


def _partners(audience: dict[str, Any], now: datetime):  # noqa: ANN202 (a SQLAlchemy select)
    kind, value = audience.get("kind", "all"), audience.get("value")
    query = select(Partner.id).where(Partner.status == PartnerStatus.APPROVED)
    query = query.where(~exists().where(NotificationMute.partner_id == Partner.id, NotificationMute.kind == NEWS))
    if kind == "tier":
        query = query.where(Partner.tier == str(value))
    elif kind == "lang":
        query = query.where(Partner.locale == str(value))
    elif kind == "offer":
        query = query.where(exists().where(TrackingLink.partner_id == Partner.id,
                                           TrackingLink.offer_id == int(value)))
    elif kind in ("active", "inactive"):
        since = now - timedelta(days=int(value))
        clicked = exists().where(Click.partner_id == Partner.id, Click.created_at >= since)
        query = query.where(clicked if kind == "active" else ~clicked)
    return query  # "ids": filtered in targets() — 100 000 bound parameters exceed SQLite's and asyncpg's limits


async def targets(uow: UnitOfWork, audience: dict[str, Any], now: datetime) -> list[Target]:
    """One reachable account per partner: the messenger asked for, else the one they joined with first."""
    partners = _partners(audience, now).subquery()
    accounts = select(MessengerAccount.partner_id, func.min(MessengerAccount.id).label("account_id")).where(
        MessengerAccount.partner_id.in_(select(partners.c.id)), MessengerAccount.unreachable_at.is_(None))
    if audience.get("kind") == "messenger":
        accounts = accounts.where(MessengerAccount.messenger == str(audience.get("value")))
    chosen = accounts.group_by(MessengerAccount.partner_id).subquery()
    rows = await uow.session.execute(
        select(MessengerAccount.partner_id, MessengerAccount.id, MessengerAccount.messenger, MessengerAccount.chat_id,
               Partner.timezone, Partner.quiet_start, Partner.quiet_end)
        .join(chosen, chosen.c.account_id == MessengerAccount.id)
        .join(Partner, Partner.id == MessengerAccount.partner_id)
        .order_by(MessengerAccount.id))
    found = [Target(*row) for row in rows]
    if audience.get("kind") == "ids":
        wanted = {int(i) for i in audience.get("ids") or ()}
        found = [t for t in found if t.partner_id in wanted]
    return found


async def count(uow: UnitOfWork, audience: dict[str, Any], now: datetime) -> dict[str, int]:
    """Recipients per messenger, for the manager's summary."""
    found: dict[str, int] = {}
    for target in await targets(uow, audience, now):
        found[target.messenger] = found.get(target.messenger, 0) + 1
    return found


async def materialize(uow: UnitOfWork, broadcast_id: int, audience: dict[str, Any], now: datetime) -> int:
    """The recipient rows, inside the transaction that moves the broadcast to running (so exactly once). A
    partner inside their quiet hours gets it when their window ends (not_before), not never."""
    rows = [{"broadcast_id": broadcast_id, "partner_id": t.partner_id, "account_id": t.account_id,
             "messenger": t.messenger, "chat_id": t.chat_id, "status": "pending", "attempts": 0,
             "not_before": quiet_until(now, t.timezone, t.quiet_start, t.quiet_end) or now}
            for t in await targets(uow, audience, now)]
    for start in range(0, len(rows), 1000):
        await uow.session.execute(insert(BroadcastRecipient), rows[start:start + 1000])
    return len(rows)
