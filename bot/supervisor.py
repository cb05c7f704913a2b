"""Keeps a poller (Telegram long polling, VK Bots Long Poll) alive: the libraries retry inside their polling
loops, but their start (getMe, the long-poll server lookup) raises when the network or the platform is down.
A poller that fails or ends is restarted with capped exponential backoff and jitter; only stop() ends it, so
one unreachable messenger never takes the process (and the web side with it) down."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

STARTING, UP, DOWN, STOPPED = "starting", "up", "down", "stopped"


class Supervisor:
    """run(supervisor) starts the poller and calls supervisor.up() once the platform answered, then polls until
    it fails. state: starting → up, down while waiting to retry, stopped after stop()."""

    def __init__(self, name: str, run: Callable[[Supervisor], Awaitable[None]], *, base: float = 1.0,
                 cap: float = 300.0, sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
                 jitter: Callable[[], float] = random.random) -> None:
        self.name = name
        self._run = run
        self.base, self.cap = base, cap
        self._sleep = sleep
        self._jitter = jitter
        self.state = STARTING
        self.failures = 0  # in the current streak: reset by up()
        self._stopping = asyncio.Event()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def up(self) -> None:
        if self.failures:
            log.info("%s is back after %d failed attempt(s)", self.name, self.failures)
        self.failures = 0
        self.state = UP

    async def until_stopped(self) -> None:
        """For a "poller" that only registers (webhooks): stay up until stopped."""
        await self._stopping.wait()

    def stop(self) -> None:
        """No more attempts; a backoff wait in progress ends now. The poller itself is stopped by its owner."""
        self._stopping.set()

    def delay(self, failures: int) -> float:
        """Exponential from base, capped; "equal jitter" (half fixed, half random) so restarts of many
        processes after one outage spread out yet never retry sooner than half the step."""
        step = min(self.cap, self.base * 2 ** min(failures - 1, 30))
        return step / 2 + step / 2 * self._jitter()

    async def run_forever(self) -> None:
        while not self.stopping:
            try:
                await self._run(self)
                problem = "polling ended"
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # anything: the network, the platform, a bad token — retried all the same
                problem = f"{type(exc).__name__}: {exc}"
            if self.stopping:
                break
            self.failures += 1
            self.state = DOWN
            delay = self.delay(self.failures)
            # Once per streak at WARNING: an outage of hours must not write a line per attempt.
            if self.failures == 1:
                log.warning("%s is unavailable (%s); retrying with backoff (at most %gs apart) until it answers",
                            self.name, problem, self.cap)
            else:
                log.debug("%s attempt %d failed (%s); next in %.1fs", self.name, self.failures, problem, delay)
            await self._wait(delay)
        self.state = STOPPED

    async def _wait(self, delay: float) -> None:
        sleeper = asyncio.ensure_future(self._sleep(delay))
        stopper = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({sleeper, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, stopper):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
