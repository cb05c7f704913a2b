"""APScheduler 3 in memory, jobs with stable ids re-added at every start; durable state lives in our tables,
so a restart or a missed run loses nothing (each job picks up whatever is due)."""
from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.container import Container
from services.bonuses import awards as bonuses
from services.partners import tiers
from services.ledger.entries import release_due
from services.tracking import postback_log
from services.stats.alerts import check_alerts
from services.stats.rollups import roll_up
from services.payouts.schedule import parse_schedule, run_scheduled

log = logging.getLogger(__name__)


def build_scheduler(container: Container) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1,
                                                               "misfire_grace_time": 300})
    services = container.services
    scheduler.add_job(services.support.remind_overdue, "interval", minutes=1, id="support_sla",
                      replace_existing=True)
    # Hold → available: often over what fell due lately, and a daily full sweep for anything an outage left.
    scheduler.add_job(release_due, "interval", minutes=10, args=[container.deps],
                      kwargs={"horizon": timedelta(days=2)}, id="release_recent", replace_existing=True)
    scheduler.add_job(release_due, "cron", hour=2, minute=30, args=[container.deps], id="release_all",
                      replace_existing=True)
    # Milestone bonuses: steps reached / lost (refunds) this month and last, then holds that ended.
    scheduler.add_job(bonuses.evaluate, "interval", minutes=10, args=[container.deps], id="bonus_evaluate",
                      replace_existing=True)
    scheduler.add_job(bonuses.release_due, "interval", minutes=10, args=[container.deps], id="bonus_release",
                      replace_existing=True)
    scheduler.add_job(tiers.recalculate, "cron", hour=3, minute=0, args=[container.deps], id="tiers",
                      replace_existing=True)
    scheduler.add_job(postback_log.purge, "cron", hour=4, minute=0, args=[container.deps], id="postback_log_purge",
                      replace_existing=True)
    # Stats: closed hours folded into the click rollup; link alerts judged each hour once it is folded.
    delay = timedelta(minutes=container.settings.stats_rollup_delay_minutes)
    scheduler.add_job(roll_up, "interval", minutes=10, args=[container.deps], kwargs={"delay": delay},
                      id="stats_rollup", replace_existing=True)
    scheduler.add_job(check_alerts, "cron", minute=(delay.seconds // 60 + 2) % 60, args=[container.deps],
                      id="stats_alerts", replace_existing=True)
    # Scheduled payouts (PAYOUT_SCHEDULE): idempotent per period, so a late or repeated run adds nothing.
    trigger = parse_schedule(container.deps.config.payout_schedule)
    if trigger is not None:
        scheduler.add_job(run_scheduled, trigger, args=[container.deps], id="payouts_scheduled",
                          replace_existing=True, misfire_grace_time=6 * 3600)
    return scheduler
