"""Read side of payouts: the managers' queue and card, a partner's history, the CSV export. Details appear
only as stored masked ("•••• 4242"); nothing here can decrypt them."""
from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from services.db.models import Partner
from services.db.payout_models import Payout, PayoutDetails
from services.db.tracking_models import Conversion
from services.db.uow import UnitOfWork
from services.kernel.keyset import Position, after, window
from services.ledger import entries as ledger
from services.payouts.service import OPEN

FLAG_WINDOW = timedelta(days=30)
CSV_COLUMNS = ("id", "partner_id", "partner", "amount", "currency", "status", "method", "kind", "details",
               "source", "reference", "reason", "decided_by", "created_at", "updated_at")


@dataclass(frozen=True)
class QueueItem:
    payout_id: int
    partner_id: int
    partner_name: str | None
    amount: Decimal
    currency: str
    status: str
    created_at: datetime


@dataclass(frozen=True)
class PayoutCard:
    payout: Payout
    partner_name: str | None
    tier: str
    balances: dict[str, dict[str, Decimal]]
    flags: dict[str, int]  # fraud flags on the partner's conversions of the last 30 days, with counts
    paid_before: int  # payouts of this partner already paid


async def count_open(uow: UnitOfWork) -> int:
    return int(await uow.session.scalar(select(func.count()).select_from(Payout).where(Payout.status.in_(OPEN)))
               or 0)


async def queue(uow: UnitOfWork, limit: int = 5, offset: int = 0) -> list[QueueItem]:
    """Open payouts, oldest first: they have waited longest."""
    rows = (await uow.session.execute(
        select(Payout, Partner.name).join(Partner, Partner.id == Payout.partner_id)
        .where(Payout.status.in_(OPEN)).order_by(Payout.created_at, Payout.id).limit(limit).offset(offset))).all()
    return [QueueItem(p.id, p.partner_id, name, p.amount, p.currency, p.status, p.created_at) for p, name in rows]


async def recent_flags(uow: UnitOfWork, partner_id: int, since: datetime) -> dict[str, int]:
    rows = (await uow.session.scalars(select(Conversion.flags).where(
        Conversion.partner_id == partner_id, Conversion.created_at >= since, Conversion.flags.is_not(None),
        Conversion.flags != ""))).all()
    return dict(Counter(flag for flags in rows for flag in flags.split(",") if flag).most_common())


async def card(uow: UnitOfWork, payout_id: int, now: datetime) -> PayoutCard | None:
    payout = await uow.session.get(Payout, payout_id)
    partner = await uow.partners.get(payout.partner_id) if payout else None
    if payout is None or partner is None:
        return None
    paid_before = int(await uow.session.scalar(select(func.count()).select_from(Payout).where(
        Payout.partner_id == partner.id, Payout.status == "paid", Payout.id != payout_id)) or 0)
    return PayoutCard(payout, partner.name, partner.tier, await ledger.balances(uow, partner.id),
                      await recent_flags(uow, partner.id, now - FLAG_WINDOW), paid_before)


async def history(uow: UnitOfWork, partner_id: int, limit: int = 10) -> list[Payout]:
    return list((await uow.session.scalars(select(Payout).where(Payout.partner_id == partner_id)
                                           .order_by(Payout.id.desc()).limit(limit))).all())


async def details_of(uow: UnitOfWork, partner_id: int) -> PayoutDetails | None:
    return await uow.session.get(PayoutDetails, partner_id)


async def export_csv(uow: UnitOfWork, statuses: tuple[str, ...] | None = None) -> str:
    """Payouts as CSV for accounting (oldest first), details masked as everywhere else."""
    query = select(Payout, Partner.name).join(Partner, Partner.id == Payout.partner_id)
    if statuses:
        query = query.where(Payout.status.in_(statuses))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for p, name in (await uow.session.execute(query.order_by(Payout.created_at, Payout.id))).all():
        writer.writerow((p.id, p.partner_id, name or "", f"{p.amount:.2f}", p.currency, p.status, p.method, p.kind,
                         p.masked, p.source, p.reference or "", p.reason or "", p.decided_by or "",
                         p.created_at.isoformat(), p.updated_at.isoformat()))
    return out.getvalue()


async def payouts_page(uow: UnitOfWork, *, start: datetime | None, end: datetime | None,
                       partner_ids: Sequence[int], statuses: Sequence[str], position: Position | None,
                       limit: int) -> list[Payout]:
    """Payouts created in [start, end) in (created_at, id) order after `position` (the REST API's pages)."""
    query = select(Payout).where(after(Payout.created_at, Payout.id, position),
                                 *window(Payout.created_at, start, end))
    if partner_ids:
        query = query.where(Payout.partner_id.in_(partner_ids))
    if statuses:
        query = query.where(Payout.status.in_(statuses))
    return list((await uow.session.scalars(query.order_by(Payout.created_at, Payout.id).limit(limit))).all())
