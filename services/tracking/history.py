"""Conversions' status history: every transition is recorded in the transaction that makes it, and read back in
bulk for the REST API. Recording started with migration 0020; a conversion older than that has no events."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select

from services.db.api_models import ConversionEvent
from services.db.tracking_models import Conversion
from services.db.uow import UnitOfWork
from services.kernel.keyset import Position, after, window


def record(uow: UnitOfWork, conversion_id: int, old: str | None, new: str, source: str, at: datetime) -> None:
    """Called once per transition by commissions.apply_status_change (the caller owns the transition)."""
    uow.session.add(ConversionEvent(conversion_id=conversion_id, from_status=old, to_status=new, source=source,
                                    created_at=at))


async def events_for(uow: UnitOfWork, conversion_ids: Iterable[int]) -> dict[int, list[ConversionEvent]]:
    """{conversion id: its events, oldest first}; ids without events are absent."""
    ids = sorted(set(conversion_ids))
    found: dict[int, list[ConversionEvent]] = {}
    if not ids:
        return found
    rows = await uow.session.scalars(select(ConversionEvent).where(ConversionEvent.conversion_id.in_(ids))
                                     .order_by(ConversionEvent.conversion_id, ConversionEvent.id))
    for event in rows:
        found.setdefault(event.conversion_id, []).append(event)
    return found


async def events_page(uow: UnitOfWork, *, start: datetime | None, end: datetime | None,
                      conversion_ids: Sequence[int], partner_ids: Sequence[int], position: Position | None,
                      limit: int) -> list[tuple[ConversionEvent, int]]:
    """(event, its conversion's partner id) in (created_at, id) order after `position`: the append-only feed a
    BI tool follows to pick up every status change since its last sync."""
    query = (select(ConversionEvent, Conversion.partner_id)
             .join(Conversion, Conversion.id == ConversionEvent.conversion_id)
             .where(after(ConversionEvent.created_at, ConversionEvent.id, position),
                    *window(ConversionEvent.created_at, start, end)))
    if conversion_ids:
        query = query.where(ConversionEvent.conversion_id.in_(conversion_ids))
    if partner_ids:
        query = query.where(Conversion.partner_id.in_(partner_ids))
    rows = await uow.session.execute(query.order_by(ConversionEvent.created_at, ConversionEvent.id).limit(limit))
    return [(event, partner_id) for event, partner_id in rows]
