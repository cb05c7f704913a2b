"""APScheduler 3 in memory, jobs with stable ids re-added at every start; durable state lives in our tables,
so a restart or a missed run loses nothing (each job picks up whatever is due)."""
from __future__ import annotations

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.container import Container
from services import tiers

log = logging.getLogger(__name__)


def build_scheduler(container: Container) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1,
                                                               "misfire_grace_time": 300})
    services = container.services
    scheduler.add_job(services.support.remind_overdue, "interval", minutes=1, id="support_sla",
                      replace_existing=True)
    scheduler.add_job(tiers.recalculate, "cron", hour=3, minute=0, args=[container.deps], id="tiers",
                      replace_existing=True)
    return scheduler
