"""APScheduler 3 in memory, jobs with stable ids re-added at every start; durable state lives in our tables,
so a restart or a missed run loses nothing (each job picks up whatever is due)."""
from __future__ import annotations

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.container import Container
from services.contests.lifecycle import advance as advance_contests
from services.bonuses import awards as bonuses
from services.partners import tiers
from services.ledger.entries import release_due
from services.tracking import postback_log
from services.stats.alerts import check_alerts
from services.stats.rollups import roll_up
from services.payouts.schedule import parse_schedule, run_scheduled
from services.retention import potm
from services.retention.digest import run_digest
from services.retention.nudge import run_nudges
from services.retention.summary import send_summary

log = logging.getLogger(__name__)


def add_retention_jobs(scheduler: AsyncIOScheduler, container: Container) -> None:
    """Retention automation (services/retention), each job switchable in config. Every one is idempotent per
    period in the database, so a late, repeated or second run sends nothing twice."""
    settings, deps = container.settings, container.deps
    program = ZoneInfo(settings.program_timezone)
    grace = {"replace_existing": True, "misfire_grace_time": 6 * 3600}
    if settings.retention_digest_enabled:  # hourly: whoever is at Monday 10:00+ in their own zone
        scheduler.add_job(run_digest, "cron", minute=7, args=[deps], id="retention_digest", **grace)
    if settings.retention_nudge_enabled:
        scheduler.add_job(run_nudges, "cron", hour=11, minute=0, timezone=program, args=[deps],
                          id="retention_nudge", **grace)
    if settings.retention_tiers_monthly:  # the daily "tiers" job only promotes meanwhile
        scheduler.add_job(tiers.recalculate_monthly, "cron", day=1, hour=3, minute=30, timezone=program,
                          args=[deps], id="tiers_monthly", **grace)
    if settings.retention_partner_of_month_enabled:
        scheduler.add_job(potm.propose, "cron", day=1, hour=10, minute=0, timezone=program, args=[deps],
                          id="retention_partner_of_month", **grace)
    if settings.retention_morning_summary_enabled:
        hour, minute = (int(part) for part in settings.morning_summary_time.split(":"))
        scheduler.add_job(send_summary, "cron", hour=hour, minute=minute, timezone=program, args=[deps],
                          id="retention_morning_summary", **grace)


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
    add_retention_jobs(scheduler, container)
    scheduler.add_job(postback_log.purge, "cron", hour=4, minute=0, args=[container.deps], id="postback_log_purge",
                      replace_existing=True)
    # Stats: closed hours folded into the click rollup; link alerts judged each hour once it is folded.
    delay = timedelta(minutes=container.settings.stats_rollup_delay_minutes)
    scheduler.add_job(roll_up, "interval", minutes=10, args=[container.deps], kwargs={"delay": delay},
                      id="stats_rollup", replace_existing=True)
    scheduler.add_job(check_alerts, "cron", minute=(delay.seconds // 60 + 2) % 60, args=[container.deps],
                      id="stats_alerts", replace_existing=True)
    # Contests: announced → running → finished → settled (standings frozen, managers asked), podium notices.
    scheduler.add_job(advance_contests, "interval", minutes=1, args=[container.deps], id="contests",
                      replace_existing=True)
    # Scheduled payouts (PAYOUT_SCHEDULE): idempotent per period, so a late or repeated run adds nothing.
    trigger = parse_schedule(container.deps.config.payout_schedule)
    if trigger is not None:
        scheduler.add_job(run_scheduled, trigger, args=[container.deps], id="payouts_scheduled",
                          replace_existing=True, misfire_grace_time=6 * 3600)
    return scheduler
