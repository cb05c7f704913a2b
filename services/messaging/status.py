"""An outbox row's delivery status. StrEnum: equal to the string stored in the DB."""
from __future__ import annotations

from enum import StrEnum


class OutboxStatus(StrEnum):
    """pending → sending (leased to one dispatcher) → sent | failed; a failed attempt goes back to pending."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
