"""Scheduled payouts (PAYOUT_SCHEDULE): at each scheduled time, a request for every approved partner whose
available money in a currency reaches the minimum and who has details on file; a reminder to add details for
those who have none.

Formats (times in UTC; "@HH:MM" is optional, 09:00 by default):
    monthly:<1-28>[@HH:MM]     e.g. monthly:1 — on the 1st of every month
    weekly:<mon..sun>[@HH:MM]  e.g. weekly:fri@12:00
    a five-field cron expression, e.g. "0 9 1,15 * *" — firing at most once a day

Each run belongs to a period — the scheduled time it stands for — and does its work once per partner and
period (a unique (partner, currency, period) on payouts, a deduplicated reminder), so a second process, a retry
or a restart within the period adds nothing.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from services.db.models import OutboxMessage, Partner
from services.db.payout_models import Payout, PayoutDetails
from services.db.tracking_models import LedgerEntry
from services.kernel.deps import Deps
from services.kernel.dto import Button, Screen
from services.kernel.money import format_money
from services.ledger import entries as ledger
from services.messaging import notify
from services.payouts.service import PAYOUT_KIND, minimum_for, partner_screen, request_in

log = logging.getLogger(__name__)

ACTOR = "schedule"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SHORTHAND = re.compile(r"(monthly|weekly):([a-z0-9]+)(?:@([0-9]{2}):([0-9]{2}))?")
MIN_GAP = timedelta(days=1)


def parse_schedule(text: str) -> CronTrigger | None:
    """The trigger of PAYOUT_SCHEDULE ("" → None: off); ValueError with what is wrong otherwise."""
    text = text.strip().lower()
    if not text:
        return None
    match = _SHORTHAND.fullmatch(text)
    if match:
        unit, when, hour, minute = match.groups()
        hour, minute = int(hour or 9), int(minute or 0)
        if hour > 23 or minute > 59:
            raise ValueError("the time after @ must be HH:MM (00:00–23:59)")
        if unit == "monthly":
            if not when.isdigit() or not 1 <= int(when) <= 28:
                raise ValueError("monthly:<day> takes a day 1–28 (every month has it)")
            return CronTrigger(day=int(when), hour=hour, minute=minute, timezone=UTC)
        if when not in DAYS:
            raise ValueError(f"weekly:<day> takes one of {', '.join(DAYS)}")
        return CronTrigger(day_of_week=when, hour=hour, minute=minute, timezone=UTC)
    if len(text.split()) != 5:
        raise ValueError("expected monthly:<day>, weekly:<day> or a five-field cron expression")
    try:
        trigger = CronTrigger.from_crontab(text, timezone=UTC)
    except ValueError as exc:
        raise ValueError(f"not a valid cron expression: {exc}") from None
    fires, at = [], datetime(2026, 1, 1, tzinfo=UTC)
    for _ in range(40):
        at = trigger.get_next_fire_time(None, at)
        if at is None:
            break
        fires.append(at)
        at += timedelta(seconds=1)
    if len(fires) < 2 or any(b - a < MIN_GAP for a, b in zip(fires, fires[1:])):
        raise ValueError("the schedule must fire at most once a day")
    return trigger


def period_of(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The latest scheduled time at or before `now`: the period a run at `now` belongs to."""
    reach = MIN_GAP
    while reach < timedelta(days=800):
        first = trigger.get_next_fire_time(None, now - reach)
        if first is not None and first <= now:
            while True:
                following = trigger.get_next_fire_time(None, first + timedelta(seconds=1))
                if following is None or following > now:
                    return first
                first = following
        reach *= 2
    return None


@dataclass
class RunResult:
    period: str | None
    created: list[int] = field(default_factory=list)  # payout ids
    reminded: list[int] = field(default_factory=list)  # partner ids told to add details
    skipped: dict[int, str] = field(default_factory=dict)  # partner id → why (already done, negative…)


async def _candidates(deps: Deps) -> list[tuple[int, str, Decimal]]:
    """(partner, currency, available) of approved partners with money available, by partner."""
    async with deps.uow(readonly=True) as uow:
        rows = (await uow.session.execute(
            select(LedgerEntry.partner_id, LedgerEntry.currency, func.sum(LedgerEntry.amount))
            .join(Partner, Partner.id == LedgerEntry.partner_id)
            .where(Partner.status == "approved", LedgerEntry.bucket == ledger.AVAILABLE)
            .group_by(LedgerEntry.partner_id, LedgerEntry.currency)
            .order_by(LedgerEntry.partner_id, LedgerEntry.currency))).all()
    return [(p, c, Decimal(total or 0).quantize(Decimal("0.0001"))) for p, c, total in rows]


async def run_scheduled(deps: Deps) -> RunResult:
    """The scheduler job. Does nothing when PAYOUT_SCHEDULE is off."""
    trigger = parse_schedule(deps.config.payout_schedule)
    fired = period_of(trigger, deps.clock.now()) if trigger is not None else None
    result = RunResult(f"{fired:%Y-%m-%dT%H:%M}" if fired else None)
    if result.period is None:
        return result
    for partner_id, currency, available in await _candidates(deps):
        if available < minimum_for(deps, currency):
            continue
        try:
            async with deps.uow() as uow:
                if await uow.session.get(PayoutDetails, partner_id) is None:
                    await _remind(uow, deps, partner_id, currency, available, result)
                else:
                    done = await uow.session.scalar(select(Payout.id).where(
                        Payout.partner_id == partner_id, Payout.currency == currency, Payout.period == result.period))
                    outcome = await request_in(uow, deps, partner_id, currency, None, actor=ACTOR, source="schedule",
                                               period=result.period) if done is None else None
                    if outcome is not None and outcome.payout_id is not None:
                        payout = await uow.session.get(Payout, outcome.payout_id)
                        await notify.to_partner(uow, deps, await uow.partners.get(partner_id),  # type: ignore[arg-type]
                                                partner_screen(payout), kind=PAYOUT_KIND,  # type: ignore[arg-type]
                                                dedupe_key=f"payout:{payout.id}:scheduled")  # type: ignore[union-attr]
                        result.created.append(outcome.payout_id)
                    else:
                        result.skipped[partner_id] = outcome.outcome if outcome else "already_done"
                await uow.commit()
        except IntegrityError:  # another process did this partner's period first
            result.skipped[partner_id] = "already_done"
    if result.created:
        async with deps.uow() as uow:  # one message to managers per run, not one per partner
            await notify.to_staff(uow, deps, notify.MANAGER_ROLES, Screen("pam-scheduled", {
                "count": len(result.created), "period": result.period},
                buttons=((Button("admin-btn-payouts", "pam:list"),),)), kind=PAYOUT_KIND,
                dedupe_key=f"payout-run:{result.period}:{result.created[0]}")
            await uow.commit()
    log.info("scheduled payouts %s: %d created, %d reminded", result.period, len(result.created),
             len(result.reminded))
    if result.created or result.reminded:
        deps.wake_outbox()
    return result


async def _remind(uow, deps: Deps, partner_id: int, currency: str, available: Decimal,  # type: ignore[no-untyped-def]
                  result: RunResult) -> None:
    key = f"payout-remind:{result.period}:{partner_id}"
    partner = await uow.partners.get(partner_id)
    if partner is None or partner_id in result.reminded:
        return
    if await uow.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.dedupe_key.like(f"{key}:%"))):
        result.skipped[partner_id] = "already_reminded"
        return
    await notify.to_partner(uow, deps, partner, Screen("pay-remind-details", {
        "amount": format_money(available, currency)}, buttons=((Button("pay-btn-details", "set:pay"),),)),
        kind=PAYOUT_KIND, dedupe_key=key)
    result.reminded.append(partner_id)
