"""Ports: what use cases need from the outside world, as Protocols. Adapters implement them."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from services.dto import Attachment, Screen


class Clock(Protocol):
    def now(self) -> datetime:  # timezone-aware UTC
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class DeliveryError(Exception):
    """Raised by a Notifier. `retry_after` set → try again later; `permanent` → never retry."""

    def __init__(self, message: str, *, retry_after: float | None = None, permanent: bool = False) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent


class Notifier(Protocol):
    """Delivers one Screen to one chat of one messenger. `dedupe_id` lets the platform drop a repeat send.

    Returns the platform's id of the (last) message sent, so replies to it can be traced back."""

    messenger: str

    async def send(self, chat_id: str, screen: Screen, locale: str, dedupe_id: int,
                   thread_id: str | None = None) -> str | None:
        ...


class FileSource(Protocol):
    """Downloads an attachment from the messenger it came from, to re-upload it to another one."""

    async def fetch(self, attachment: Attachment) -> tuple[bytes, str]:  # content, file name
        ...
