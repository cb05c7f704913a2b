"""Ports: what use cases need from the outside world, as Protocols. Adapters implement them."""
from __future__ import annotations

from collections.abc import Sequence
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


@dataclass(frozen=True)
class Post:
    """A broadcast as its author wrote it: one text for every recipient (no locale), formatting as the
    messenger it was composed in knows it (Telegram MessageEntity dicts; other messengers send the plain text),
    an optional photo (caption = text) and an optional link button under it."""

    key: str  # stable per broadcast ("bc:12"): caches of the photo uploaded once per messenger
    text: str
    entities: tuple[dict, ...] = ()
    photo: Attachment | None = None
    button_label: str | None = None
    button_url: str | None = None


@dataclass(frozen=True)
class PostResult:
    """What became of one recipient of a post: `ref` set = delivered; `unreachable` = they blocked the bot (or
    the account is gone) and no retry can help; else `error` says why it failed."""

    chat_id: str
    ref: str | None = None
    unreachable: bool = False
    error: str | None = None


class PostSender(Protocol):
    """The Notifier's broadcast side: one post to up to `max_peers` chats per platform call (Telegram 1, VK 100).
    Per-recipient outcomes come back as PostResults; DeliveryError(retry_after=…) means the platform asked the
    whole bot to slow down (Telegram 429, VK 6/9) and nothing of this call was delivered."""

    messenger: str
    max_peers: int

    async def post(self, chat_ids: Sequence[str], post: Post, dedupe_id: int) -> list[PostResult]:
        ...


class FileSource(Protocol):
    """Downloads an attachment from the messenger it came from, to re-upload it to another one."""

    async def fetch(self, attachment: Attachment) -> tuple[bytes, str]:  # content, file name
        ...
