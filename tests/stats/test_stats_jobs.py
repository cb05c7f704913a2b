"""The stats jobs are scheduled under stable ids (re-added at every start, never duplicated)."""
from __future__ import annotations

from bot.config import Settings
from bot.container import build_container
from bot.scheduler import build_scheduler
from services.stats.alerts import check_alerts
from services.stats.rollups import roll_up


async def test_stats_jobs_have_stable_ids():
    container = build_container(Settings(_env_file=None, stats_rollup_delay_minutes=7, stats_alert_hours=12))
    try:
        scheduler = build_scheduler(container)
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert jobs["stats_rollup"].func is roll_up and jobs["stats_alerts"].func is check_alerts
        assert str(jobs["stats_alerts"].trigger) == "cron[minute='9']"  # after the hour's rollup delay
        assert container.deps.config.stats_alert_hours == 12
    finally:
        await container.close()
