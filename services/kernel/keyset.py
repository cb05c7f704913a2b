"""Keyset paging on (created_at, id): stable under inserts, unlike OFFSET. A page is the rows strictly after the
last one the reader saw, in the same total order, so rows added between two requests never shift a page."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_

Position = tuple[datetime, int]  # (created_at, id) of the last row seen


def after(created: Any, ident: Any, position: Position | None) -> Any:
    """SQL: rows after `position` in (created, ident) order; True without one."""
    if position is None:
        return and_(True)
    at, last = position
    # Expanded rather than a row-value comparison: SQLite and PostgreSQL both use the index range for it.
    return or_(created > at, and_(created == at, ident > last))


def window(created: Any, start: datetime | None, end: datetime | None) -> list[Any]:
    """SQL conditions of the half-open period [start, end)."""
    found = []
    if start is not None:
        found.append(created >= start)
    if end is not None:
        found.append(created < end)
    return found
