"""The poller supervisor: restarts with capped exponential backoff and jitter, one log line per failure streak,
ends only on stop(). Time is injected (a fake sleep records the delays): nothing here waits for a clock."""
from __future__ import annotations

import asyncio
import logging

import pytest

from bot.supervisor import DOWN, STOPPED, UP, Supervisor


class FakeSleep:
    def __init__(self) -> None:
        self.delays: list[float] = []
        self.hold = False  # True: the next sleep never ends by itself (only stop() ends the wait)

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        if self.hold:
            await asyncio.Event().wait()


class Script:
    """A poller that fails `failures` times, then comes up and polls until told to fail or stop."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.attempts = 0
        self.polling = asyncio.Event()
        self.crash = asyncio.Event()

    async def __call__(self, supervisor: Supervisor) -> None:
        self.attempts += 1
        if self.failures:
            self.failures -= 1
            raise ConnectionError("Cannot connect to host api.telegram.org:443")
        supervisor.up()
        self.polling.set()
        await self.crash.wait()
        self.crash.clear()
        self.polling.clear()
        raise RuntimeError("long poll server lookup failed")


def test_delay_doubles_from_base_is_capped_and_jittered():
    supervisor = Supervisor("x", Script(0), base=1.0, cap=60.0, jitter=lambda: 1.0)
    assert [supervisor.delay(n) for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]
    low = Supervisor("x", Script(0), base=1.0, cap=60.0, jitter=lambda: 0.0)
    assert [low.delay(n) for n in (1, 2, 7, 1000)] == [0.5, 1, 30, 30]  # never sooner than half the step


async def test_fails_at_start_then_recovers_with_one_warning_per_streak(caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG, logger="bot.supervisor")
    sleep, script = FakeSleep(), Script(failures=4)
    supervisor = Supervisor("telegram", script, base=1.0, cap=5.0, sleep=sleep, jitter=lambda: 1.0)
    task = asyncio.create_task(supervisor.run_forever())
    await asyncio.wait_for(script.polling.wait(), 5)
    assert supervisor.state == UP and script.attempts == 5
    assert sleep.delays == [1, 2, 4, 5]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "telegram is unavailable (ConnectionError" in warnings[0].getMessage()
    assert any("telegram is back after 4 failed attempt(s)" in r.getMessage() for r in caplog.records)

    # Up, then down again: a new streak, backoff from the base again, one more warning.
    caplog.clear()
    script.crash.set()
    await asyncio.wait_for(script.polling.wait(), 5)
    assert sleep.delays[4:] == [1]
    assert [r.levelno for r in caplog.records].count(logging.WARNING) == 1

    supervisor.stop()
    script.crash.set()  # the owner stops the poller itself (stop_polling / cancel); here it just ends
    await asyncio.wait_for(task, 5)
    assert supervisor.state == STOPPED


async def test_stop_ends_a_backoff_wait_at_once():
    sleep, script = FakeSleep(), Script(failures=1)
    sleep.hold = True
    supervisor = Supervisor("vk", script, sleep=sleep)
    task = asyncio.create_task(supervisor.run_forever())
    while not sleep.delays:  # until it is waiting to retry (each turn lets the task run)
        await asyncio.sleep(0)
    assert supervisor.state == DOWN
    supervisor.stop()
    await asyncio.wait_for(task, 5)
    assert supervisor.state == STOPPED and script.attempts == 1


async def test_a_poller_that_returns_is_restarted_too():
    sleep = FakeSleep()
    runs = []

    async def ends_quietly(supervisor: Supervisor) -> None:
        runs.append(1)
        if len(runs) == 3:
            supervisor.stop()

    supervisor = Supervisor("vk", ends_quietly, sleep=sleep, jitter=lambda: 1.0)
    await asyncio.wait_for(supervisor.run_forever(), 5)
    assert len(runs) == 3 and sleep.delays == [1, 2]


async def test_cancelling_the_task_propagates():
    async def forever(supervisor: Supervisor) -> None:
        supervisor.up()
        await asyncio.Event().wait()

    supervisor = Supervisor("telegram", forever)
    task = asyncio.create_task(supervisor.run_forever())
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
