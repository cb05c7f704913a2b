"""Read side of partners for the REST API: a page in (created_at, id) order, and which messengers each uses."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import or_, select

from services.db.models import MessengerAccount, Partner
from services.db.uow import UnitOfWork
from services.kernel.keyset import Position, after, window
from services.partners.status import PartnerStatus


async def partners_page(uow: UnitOfWork, *, start: datetime | None, end: datetime | None, ids: Sequence[int],
                        statuses: Sequence[str], position: Position | None, limit: int) -> list[Partner]:
    query = select(Partner).where(after(Partner.created_at, Partner.id, position),
                                  *window(Partner.created_at, start, end))
    if ids:
        query = query.where(Partner.id.in_(ids))
    if statuses:
        query = query.where(Partner.status.in_(statuses))
    return list((await uow.session.scalars(query.order_by(Partner.created_at, Partner.id).limit(limit))).all())


async def partner_ids_after(uow: UnitOfWork, after_id: int | None, ids: Sequence[int], limit: int) -> list[int]:
    """Ids of partners that were ever approved (those who can have figures), ascending, after `after_id`."""
    query = select(Partner.id).where(or_(Partner.approved_at.is_not(None), Partner.status == PartnerStatus.APPROVED))
    if after_id is not None:
        query = query.where(Partner.id > after_id)
    if ids:
        query = query.where(Partner.id.in_(ids))
    return list((await uow.session.scalars(query.order_by(Partner.id).limit(limit))).all())


async def messengers_of(uow: UnitOfWork, partner_ids: Iterable[int]) -> dict[int, list[str]]:
    """{partner id: the messengers they have accounts in, sorted} — the kind only, never an account id."""
    ids = sorted(set(partner_ids))
    found: dict[int, set[str]] = {}
    if ids:
        rows = await uow.session.execute(select(MessengerAccount.partner_id, MessengerAccount.messenger)
                                         .where(MessengerAccount.partner_id.in_(ids)))
        for partner_id, messenger in rows:
            found.setdefault(partner_id, set()).add(messenger)
    return {pid: sorted(kinds) for pid, kinds in found.items()}
