"""Paging of button lists: ◀ ▶ under a list whose page number is in the screen's text."""
from __future__ import annotations

from services.kernel.dto import Button


def pager(prefix: str, page: int, pages: int) -> tuple[Button, ...]:
    """Buttons to the neighbouring pages, reached by the action `<prefix><page>`; none for a single page."""
    row = []
    if page > 0:
        row.append(Button("page-prev", f"{prefix}{page - 1}"))
    if page + 1 < pages:
        row.append(Button("page-next", f"{prefix}{page + 1}"))
    return tuple(row)
