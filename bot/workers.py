"""WEB_WORKERS > 1: the parent process migrates once, then runs N copies of the bot that share one port
(SO_REUSEPORT: the kernel spreads connections), restarts a worker that dies, and passes the stop signal on.

Each worker serves /r, /postback, /healthz and webhooks and runs an outbox dispatcher (rows are leased, so no two
send the same message); the scheduler runs in whichever worker holds the leadership; with long polling only
worker 0 polls (Telegram allows one getUpdates consumer)."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys

from bot.config import Settings
from services.db.migrate import upgrade_async

log = logging.getLogger("bot.workers")
WORKER_ENV = "BOT_WORKER"  # set in each worker: its index
MIGRATED_ENV = "BOT_MIGRATED"  # set by the parent: workers skip migrations
RESTART_BACKOFF = (1.0, 60.0)


def worker_index() -> int | None:
    value = os.environ.get(WORKER_ENV)
    return int(value) if value is not None and value.isdigit() else None


async def run_workers(settings: Settings, stop: asyncio.Event | None = None) -> int:
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    await upgrade_async(settings.database_url)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    keepers = [asyncio.create_task(_keep(index, stop), name=f"worker-{index}") for index in range(settings.web_workers)]
    log.info("%d workers started", settings.web_workers)
    await asyncio.gather(*keepers)
    log.info("all workers stopped")
    return 0


async def _keep(index: int, stop: asyncio.Event) -> None:
    """Runs worker `index` until stop; a worker that exits on its own is restarted with backoff."""
    failures = 0
    while not stop.is_set():
        env = {**os.environ, WORKER_ENV: str(index), MIGRATED_ENV: "1"}
        proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", env=env)
        waiter = asyncio.create_task(proc.wait())
        stopper = asyncio.create_task(stop.wait())
        await asyncio.wait([waiter, stopper], return_when=asyncio.FIRST_COMPLETED)
        if stop.is_set():
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
            await waiter
            return
        stopper.cancel()
        failures += 1
        delay = min(RESTART_BACKOFF[1], RESTART_BACKOFF[0] * 2 ** min(failures - 1, 10))
        log.error("worker %d exited with %s; restarting in %.0f s", index, proc.returncode, delay)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
