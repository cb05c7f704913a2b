"""Conversions' status history: every transition is recorded in the transaction that makes it, and read back in
bulk for the REST API. Recording started with migration 0020; a conversion older than that has no events."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from services.db.api_models import ConversionEvent
from services.db.uow import UnitOfWork


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
