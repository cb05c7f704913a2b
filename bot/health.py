"""GET /healthz: the state of each part, for a load balancer and for a person. States only: no exception text
(it can carry hosts, paths or credentials) ever leaves the process — the log has the details.

200 while the database answers (clicks and postbacks work), with "status": "degraded" if a messenger or the
click writer is down; 503 only when the database does not answer."""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import text

from bot.container import Container
from services.tracking.clicks import ClickService

log = logging.getLogger(__name__)


async def health(container: Container, clicks: ClickService | None) -> tuple[int, dict[str, Any]]:
    report: dict[str, Any] = {}
    try:
        # Read-only: never queues behind (or blocks) a writer on SQLite.
        async with container.deps.uow(readonly=True) as uow:
            await uow.session.execute(text("SELECT 1"))
            backlog, oldest = await uow.outbox.backlog()
        report["database"] = "up"
        age = (container.deps.clock.now() - oldest).total_seconds() if oldest else 0
        report["outbox"] = {"backlog": backlog, "oldest_seconds": max(0, int(age))}
    except Exception:
        log.warning("health check: the database does not answer", exc_info=True)
        report["database"] = "down"
        report["outbox"] = "unknown"
    for messenger in ("telegram", "vk"):
        supervisor = container.pollers.get(messenger)
        report[messenger] = supervisor.state if supervisor is not None else "off"
    report["click_writer"] = _click_writer(clicks)
    # Visitors redirected without a recorded click since start (the store was down, paused or full).
    report["clicks_unrecorded"] = clicks.unrecorded if clicks is not None else 0
    if report["database"] != "up":
        return 503, {"status": "error", **report}
    sick = [name for name in ("telegram", "vk", "click_writer") if report[name] not in ("up", "off")]
    return 200, {"status": "degraded" if sick else "ok", **report}


def _click_writer(clicks: ClickService | None) -> str:
    if clicks is None:
        return "off"
    if not clicks.writer.running:
        return "down"
    if clicks.writer.backoff.waiting():  # failing: left alone for a moment, visitors go on without a click
        return "paused"
    # The SQLite store's writer process: no pid while it is down (it restarts at the next click).
    has_process = hasattr(clicks.writer.store, "pid")
    return "down" if has_process and getattr(clicks.writer.store, "pid") is None else "up"
