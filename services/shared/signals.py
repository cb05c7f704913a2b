"""Change signals fanned out to every process through Redis pub/sub: a link archived in the bot process drops
from the click cache of every web worker; an outbox row written anywhere wakes the dispatchers now.

Losing a message (Redis restarted) only delays: dispatchers still poll, caches still expire by TTL."""
from __future__ import annotations

import asyncio
import json
import logging
import secrets
from contextlib import suppress
from typing import Any

from services.kernel.signals import Signals

log = logging.getLogger(__name__)


class RedisSignals(Signals):
    def __init__(self, redis: Any, channel: str = "partnerbot:signals") -> None:
        super().__init__()
        self.redis = redis
        self.channel = channel
        self.origin = secrets.token_hex(6)  # our own messages come back too: we already acted on them
        self._listener: asyncio.Task[None] | None = None
        self._pending: set[asyncio.Task[Any]] = set()
        self._last: asyncio.Task[Any] | None = None

    def outbox_written(self) -> None:
        super().outbox_written()
        self._publish({"s": "outbox"})

    def link_changed(self, code: str | None = None) -> None:
        super().link_changed(code)
        self._publish({"s": "link", "code": code})

    def _publish(self, message: dict[str, Any]) -> None:
        payload = json.dumps({**message, "o": self.origin})
        # Each publish waits for the one before it: signals reach the others in the order they were raised.
        previous = self._last
        task = asyncio.get_running_loop().create_task(self._send(payload, previous))
        self._last = task
        self._pending.add(task)  # keep a reference until sent
        task.add_done_callback(self._pending.discard)

    async def _send(self, payload: str, previous: asyncio.Task[Any] | None) -> None:
        if previous is not None and not previous.done():
            await asyncio.wait([previous])
        try:
            await self.redis.publish(self.channel, payload)
        except Exception:
            log.warning("could not publish a signal (others catch up by polling / TTL)", exc_info=True)

    async def start(self) -> None:
        """Subscribes before returning, so no signal published after start() is missed."""
        pubsub = self.redis.pubsub()
        await pubsub.subscribe(self.channel)
        self._listener = asyncio.create_task(self._listen(pubsub), name="signals")

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with suppress(asyncio.CancelledError):
                await self._listener
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)

    async def _listen(self, pubsub: Any) -> None:
        try:
            while True:
                try:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                except Exception:
                    log.warning("signal subscription lost; resubscribing", exc_info=True)
                    await asyncio.sleep(1.0)
                    with suppress(Exception):
                        await pubsub.subscribe(self.channel)
                    continue
                if message is not None:
                    self._dispatch(message.get("data"))
        finally:
            with suppress(Exception):
                await pubsub.aclose()

    def _dispatch(self, data: Any) -> None:
        try:
            message = json.loads(data)
        except (TypeError, ValueError):
            return
        if not isinstance(message, dict) or message.get("o") == self.origin:
            return
        if message.get("s") == "outbox":
            Signals.outbox_written(self)
        elif message.get("s") == "link":
            code = message.get("code")
            Signals.link_changed(self, code if isinstance(code, str) else None)
