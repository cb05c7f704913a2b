"""Read side of conversions for the REST API: a page in (created_at, id) order with filters, status history
alongside (services/tracking/history.py)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from services.db.api_models import ConversionEvent
from services.db.tracking_models import Conversion
from services.db.uow import UnitOfWork
from services.kernel.keyset import Position, after, window
from services.tracking.history import events_for


@dataclass(frozen=True)
class ConversionFilter:
    start: datetime | None = None  # created_at >= start
    end: datetime | None = None  # created_at < end
    partner_ids: Sequence[int] = ()
    offer_ids: Sequence[int] = ()
    link_ids: Sequence[int] = ()
    statuses: Sequence[str] = ()


@dataclass(frozen=True)
class ConversionRecord:
    conversion: Any  # a Conversion, or a row of its columns (the same attribute names)
    history: list[ConversionEvent]


async def conversions_page(uow: UnitOfWork, where: ConversionFilter, position: Position | None,
                           limit: int) -> list[ConversionRecord]:
    # Plain rows of the table's columns, not ORM objects: a page is read, never changed, and loading entities
    # (identity map, state tracking) cost more than the query itself.
    query = select(*Conversion.__table__.columns).where(after(Conversion.created_at, Conversion.id, position),
                                     *window(Conversion.created_at, where.start, where.end))
    if where.partner_ids:
        query = query.where(Conversion.partner_id.in_(where.partner_ids))
    if where.offer_ids:
        query = query.where(Conversion.offer_id.in_(where.offer_ids))
    if where.link_ids:
        query = query.where(Conversion.link_id.in_(where.link_ids))
    if where.statuses:
        query = query.where(Conversion.status.in_(where.statuses))
    rows = list((await uow.session.execute(query.order_by(Conversion.created_at, Conversion.id).limit(limit))).all())
    history = await events_for(uow, (c.id for c in rows))
    return [ConversionRecord(c, history.get(c.id, [])) for c in rows]


async def conversion(uow: UnitOfWork, conversion_id: int) -> ConversionRecord | None:
    found = await uow.session.get(Conversion, conversion_id)
    if found is None:
        return None
    return ConversionRecord(found, (await events_for(uow, [conversion_id])).get(conversion_id, []))
