"""A support ticket's status. StrEnum: equal to the string stored in the DB."""
from __future__ import annotations

from enum import StrEnum


class TicketStatus(StrEnum):
    """open → answered → closed; a partner's message re-opens an answered ticket."""

    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"


ACTIVE = (TicketStatus.OPEN, TicketStatus.ANSWERED)
