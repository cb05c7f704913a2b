"""Ports: what use cases need from the outside world, as Protocols. Adapters implement them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from services.kernel.dto import Attachment, Screen


class Clock(Protocol):
    def now(self) -> datetime:  # timezone-aware UTC
        ...


class ClickMetrics(Protocol):
    """What the click path tells staff (services.tracking.clicks.ClickService implements it)."""

    unrecorded: int  # visitors redirected without a recorded click since start (click store down or full)


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class DeliveryError(Exception):
    """Raised by a Notifier. `retry_after` set → try again later; `permanent` → never retry."""

    def __init__(self, message: str, *, retry_after: float | None = None, permanent: bool = False) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent


@dataclass(frozen=True)
class Delivered:
    """What the platform called the message: replies to it (or posts in its thread) lead back to its subject."""

    ref: str
    thread: str | None = None
    also: tuple[str, ...] = ()  # further messages of the same Screen (its attachments)


NEW_THREAD = "new"  # thread_id asking the notifier to open a forum topic (named by screen.args["topic"])


class Notifier(Protocol):
    """Delivers one Screen to one chat of one messenger. `dedupe_id` lets the platform drop a repeat send."""

    messenger: str

    async def send(self, chat_id: str, screen: Screen, locale: str, dedupe_id: int,
                   thread_id: str | None = None) -> Delivered | None:
        ...

    async def edit(self, chat_id: str, ref: str, screen: Screen, locale: str) -> bool:
        """Replaces the text and buttons of a message sent earlier (`ref` from Delivered). False when it can no
        longer be edited (deleted, too old): the caller sends a new one. Rate limits raise DeliveryError."""
        ...


class FileSource(Protocol):
    """Downloads an attachment from the messenger it came from, to re-upload it to another one."""

    async def fetch(self, attachment: Attachment) -> tuple[bytes, str]:  # content, file name
        ...
