"""APScheduler 3 in memory, jobs with stable ids re-added at every start; durable state lives in our tables."""
from __future__ import annotations

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.container import Container


def build_scheduler(container: Container) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1,
                                                               "misfire_grace_time": 300})
    # Jobs of later features (hold release, SLA reminders, digests) are added here with stable ids.
    return scheduler
