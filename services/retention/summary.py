"""Managers' morning summary, at MORNING_SUMMARY_TIME in the program's time zone, to managers and admins: what
waits for them — pending applications, payout requests, flagged conversions, open tickets — each with a count
and the age of the oldest. Once a day (the outbox dedupe key carries the local date), an all-clear included:
a summary that stops arriving means the bot stopped, not that nothing waits."""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError

from services.db.models import Application
from services.db.payout_models import Payout
from services.db.support_models import Ticket
from services.db.tracking_models import Conversion
from services.db.uow import UnitOfWork
from services.kernel.deps import Deps
from services.kernel.dto import Screen
from services.messaging import notify
from services.staff.roles import MANAGER_ROLES
from services.stats.periods import zone_of

log = logging.getLogger(__name__)

KIND = "summary"
# item → (model, "what waits" condition); the oldest is by created_at
QUEUES = {
    "applications": (Application, Application.decision == "pending"),
    "payouts": (Payout, Payout.status == "requested"),
    "flagged": (Conversion, and_(Conversion.review == "pending", Conversion.status.in_(("pending", "approved")))),
    "tickets": (Ticket, Ticket.status == "open"),  # waiting for staff (answered ones wait for the partner)
}


def age_hours(now: datetime, oldest: datetime | None) -> int:
    return max(0, int((now - oldest).total_seconds() // 3600)) if oldest is not None else 0


async def waiting(uow: UnitOfWork, now: datetime) -> dict[str, int]:
    """{"applications": n, "applications_hours": age of the oldest in whole hours, …}."""
    found: dict[str, int] = {}
    for name, (model, condition) in QUEUES.items():
        count, oldest = (await uow.session.execute(
            select(func.count(), func.min(model.created_at)).where(condition))).one()
        found[name], found[f"{name}_hours"] = int(count or 0), age_hours(now, oldest)
    return found


async def send_summary(deps: Deps) -> int:
    """The daily job; returns how many staff members it was written for (0: done today already)."""
    now = deps.clock.now()
    day = now.astimezone(zone_of(deps.config.program_timezone)).date()
    try:
        async with deps.uow() as uow:
            args = await waiting(uow, now)
            args["total"] = sum(args[name] for name in QUEUES)
            written = await notify.to_staff(uow, deps, MANAGER_ROLES, Screen("summary-morning", args), kind=KIND,
                                            dedupe_key=f"summary:{day:%Y%m%d}")
            await uow.commit()
    except IntegrityError:  # sent today already (a re-run, a second process)
        return 0
    log.info("morning summary to %d staff member(s): %s", written, args)
    deps.wake_outbox()
    return written
