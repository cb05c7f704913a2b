"""In-process change signals: "outbox rows were written", "a link's target changed".

Use cases raise a signal after their commit; the parts that care (the outbox dispatcher, the click route's link
cache) subscribe when they are built. Deps holds one Signals object from the start, so nothing is patched onto
Deps after construction. With several processes a Redis-backed subclass fans the same signals out (Production
scale); losing a signal only delays things until the next poll or the cache TTL, never loses a fact.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)


class Signals:
    def __init__(self) -> None:
        self._outbox: list[Callable[[], None]] = []
        self._links: list[Callable[[str | None], None]] = []

    def on_outbox_written(self, callback: Callable[[], None]) -> None:
        self._outbox.append(callback)

    def on_link_changed(self, callback: Callable[[str | None], None]) -> None:
        self._links.append(callback)

    def outbox_written(self) -> None:
        for callback in self._outbox:
            self._call(callback)

    def link_changed(self, code: str | None = None) -> None:
        """`code` stopped redirecting or changed target; None = many links at once (an offer paused/edited)."""
        for callback in self._links:
            self._call(callback, code)

    @staticmethod
    def _call(callback: Callable[..., None], *args: object) -> None:
        try:
            callback(*args)
        except Exception:  # a subscriber's failure must not undo the caller's committed work
            log.exception("signal subscriber %r failed", callback)
