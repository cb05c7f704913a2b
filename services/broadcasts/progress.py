"""What the manager sees of a broadcast under way: counts, the live progress Screen (bar, sent / failed /
unreachable, rate, ETA, Pause / Resume / Cancel), the final report (through the outbox) and the CSV of failures."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select

from services.broadcasts.actions import Control, FailuresCsv
from services.broadcasts.model import RecipientStatus as R
from services.broadcasts.model import Status
from services.db.broadcast_models import Broadcast, BroadcastRecipient
from services.db.uow import UnitOfWork
from services.kernel.deps import Deps
from services.kernel.dto import Button, Screen

B = BroadcastRecipient
BAR = 12
PROGRESS_RANDOM_BASE = 1_000_000_000  # VK random_id of a progress message: below every broadcast's own id
REPORT_KIND = "broadcast_report"  # not a quiet kind: the manager asked for it


@dataclass(frozen=True)
class Counts:
    sent: int = 0
    failed: int = 0
    unreachable: int = 0
    pending: int = 0  # due now or in flight
    waiting: int = 0  # held back by the recipient's quiet hours

    @property
    def total(self) -> int:
        return self.sent + self.failed + self.unreachable + self.pending + self.waiting

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.unreachable


async def counts(uow: UnitOfWork, broadcast_id: int, now: datetime) -> Counts:
    later = func.coalesce(func.sum(case((B.not_before > now, 1), else_=0)), 0)
    rows = await uow.session.execute(select(B.status, func.count(), later).where(B.broadcast_id == broadcast_id)
                                     .group_by(B.status))
    found = {"sent": 0, "failed": 0, "unreachable": 0, "pending": 0, "waiting": 0}
    for status, n, waiting in rows:
        if status == R.PENDING:
            found["waiting"] += int(waiting)
            found["pending"] += n - int(waiting)
        elif status == R.SENDING:
            found["pending"] += n
        else:
            found[str(status)] += n
    return Counts(**found)


def _duration(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 60}:{seconds % 60:02d}"


def screen(broadcast: Broadcast, c: Counts, now: datetime, *, edit: bool = False) -> Screen:
    total = c.total or 1
    filled = round(BAR * c.done / total)
    elapsed = (now - broadcast.started_at).total_seconds() if broadcast.started_at else 0.0
    rate = c.done / elapsed if elapsed > 0 else 0.0
    eta = _duration(c.pending / rate) if rate > 0 and c.pending else "—"
    status = broadcast.status
    rows: list[tuple[Button, ...]] = []
    if status == Status.RUNNING:
        rows.append((Button("bc-btn-pause", Control(broadcast.id, "pause").pack()),
                     Button("bc-btn-cancel", Control(broadcast.id, "cancel").pack(), style="negative")))
    elif status == Status.PAUSED:
        rows.append((Button("bc-btn-resume", Control(broadcast.id, "resume").pack(), style="positive"),
                     Button("bc-btn-cancel", Control(broadcast.id, "cancel").pack(), style="negative")))
    elif c.failed + c.unreachable:
        rows.append((Button("bc-btn-csv", FailuresCsv(broadcast.id).pack()),))
    return Screen("bc-progress", {
        "id": str(broadcast.id), "state": str(status), "bar": "▓" * filled + "░" * (BAR - filled),
        "percent": str(100 * c.done // total), "sent": str(c.sent), "failed": str(c.failed),
        "unreachable": str(c.unreachable), "pending": str(c.pending), "waiting": str(c.waiting),
        "total": str(c.total), "rate": f"{rate:.1f}", "eta": eta,
    }, buttons=tuple(rows), edit=edit)


async def report(uow: UnitOfWork, deps: Deps, broadcast_id: int) -> None:
    """The final report to the broadcast's author, written with the transaction that ends the broadcast."""
    broadcast = await uow.session.get(Broadcast, broadcast_id)
    assert broadcast is not None
    c = await counts(uow, broadcast_id, deps.clock.now())
    buttons = ((Button("bc-btn-csv", FailuresCsv(broadcast_id).pack()),),) if c.failed + c.unreachable else ()
    text = Screen("bc-report", {"id": str(broadcast_id), "state": str(broadcast.status), "sent": str(c.sent),
                                "failed": str(c.failed), "unreachable": str(c.unreachable),
                                "left": str(c.pending + c.waiting)}, buttons=buttons)
    await uow.outbox.add(messenger=broadcast.messenger, chat_id=broadcast.chat_id, locale=broadcast.locale,
                         kind=REPORT_KIND, screen=text.to_dict(), now=deps.clock.now(),
                         dedupe_key=f"bc-report:{broadcast_id}")


async def failures_csv(uow: UnitOfWork, broadcast_id: int) -> bytes:
    """partner_id, messenger, chat_id, status, error — every recipient not reached (and, for a cancelled
    broadcast, those never tried)."""
    rows = await uow.session.execute(
        select(B.partner_id, B.messenger, B.chat_id, B.status, B.error).where(
            B.broadcast_id == broadcast_id, B.status != R.SENT).order_by(B.id))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["partner_id", "messenger", "chat_id", "status", "error"])
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return ("\ufeff" + out.getvalue()).encode()  # a BOM: spreadsheet apps then read UTF-8 right
