"""Weekly digest: on Monday from 10:00 in each partner's own time zone, last week's clicks, conversions and
earnings against the week before, with the Stats area's chart as a photo.

The job runs hourly and takes the partners whose local time is Monday, 10:00 or later (a run missed by an
outage catches up the same day). Once per partner and week: the outbox rows carry the dedupe key
"digest:<partner>:<monday>", checked before any work is done and unique in the table, so a re-run, a second
process or a restart sends nothing twice. Muted ("digest") partners cost nothing; quiet hours hold the row.
The chart is rendered here, once per partner, and kept in outbox_files until it is delivered (an outbox row
holds no bytes); files older than FILE_DAYS are purged by the job.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from services.db.models import OutboxMessage, Partner
from services.db.retention_models import OutboxFile
from services.kernel.deps import Deps
from services.kernel.dto import Attachment, Button, Screen
from services.kernel.money import format_money
from services.messaging import notify
from services.messaging.files import STORED
from services.partners.status import PartnerStatus
from services.stats.chart import render_png
from services.stats.periods import between, zone_of
from services.stats.queries import EARNING, Figures, partner_stats

log = logging.getLogger(__name__)

KIND = "digest"
LOCAL_HOUR = 10
FILE_DAYS = 14


def due_week(now: datetime, tz: str) -> date | None:
    """The Monday starting last week, when it is Monday 10:00 or later where the partner lives; else None."""
    local = now.astimezone(zone_of(tz))
    if local.weekday() != 0 or local.hour < LOCAL_HOUR:
        return None
    return local.date() - timedelta(days=7)


def change(now: Decimal | int, before: Decimal | int) -> str:
    """"+25 %", "−10 %", "0 %"; "new" when there was nothing before (a percentage of zero means nothing)."""
    if not before:
        return "new" if now else "0 %"
    percent = (Decimal(now) - Decimal(before)) * 100 / Decimal(before)
    whole = int(percent.quantize(Decimal(1)))
    return f"+{whole} %" if whole > 0 else f"−{-whole} %" if whole < 0 else "0 %"


def _money(values: dict[str, Decimal]) -> str:
    return ", ".join(format_money(amount, cur) for cur, amount in sorted(values.items())) or "0"


def _converted(figures: Figures) -> int:
    return sum(figures.conversions.get(status, 0) for status in EARNING)


@dataclass
class DigestRun:
    sent: list[int]  # partner ids written to the outbox this run
    skipped: int = 0  # already done this week, or muted


async def run_digest(deps: Deps) -> DigestRun:
    """The hourly job."""
    now = deps.clock.now()
    run = DigestRun([])
    async with deps.uow() as uow:
        await uow.session.execute(delete(OutboxFile).where(OutboxFile.created_at < now - timedelta(days=FILE_DAYS)))
        await uow.commit()
    async with deps.uow(readonly=True) as uow:
        zones = (await uow.session.scalars(select(Partner.timezone).where(
            Partner.status == PartnerStatus.APPROVED).distinct())).all()
        due = {zone: week for zone in zones if (week := due_week(now, zone)) is not None}
        partners = (await uow.session.execute(select(Partner.id, Partner.timezone).where(
            Partner.status == PartnerStatus.APPROVED, Partner.timezone.in_(list(due))).order_by(Partner.id))).all() \
            if due else []
    for partner_id, zone in partners:
        if await send_digest(deps, partner_id, due[zone]):
            run.sent.append(partner_id)
        else:
            run.skipped += 1
    if run.sent:
        log.info("weekly digest: %d partner(s)", len(run.sent))
        deps.wake_outbox()
    return run


def dedupe_key(partner_id: int, monday: date) -> str:
    return f"digest:{partner_id}:{monday:%Y%m%d}"


async def send_digest(deps: Deps, partner_id: int, monday: date) -> bool:
    """One partner's digest for the week starting `monday` (local); False when done before or muted."""
    key = dedupe_key(partner_id, monday)
    async with deps.uow(readonly=True) as uow:
        partner = await uow.partners.get(partner_id)
        if partner is None or await notify.is_muted(uow, partner_id, KIND):
            return False
        if await uow.session.scalar(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.dedupe_key.like(f"{key}:%"))):
            return False
        week = between(monday, monday + timedelta(days=6), partner.timezone)
        before = between(monday - timedelta(days=7), monday - timedelta(days=1), partner.timezone)
        report = await partner_stats(uow, partner_id, week, "day")
        previous = (await partner_stats(uow, partner_id, before, "day")).totals
        locale = partner.locale
    png = await asyncio.to_thread(render_png, report, locale)  # matplotlib: CPU seconds, off the event loop
    now, totals = deps.clock.now(), report.totals
    screen_args = {
        "from": week.label_args["from"], "to": week.label_args["to"],
        "clicks": totals.clicks, "clicks_change": change(totals.clicks, previous.clicks),
        "conversions": _converted(totals), "conversions_change": change(_converted(totals), _converted(previous)),
        "earnings": _money(totals.earnings), "earnings_before": _money(previous.earnings),
    }
    try:
        async with deps.uow() as uow:
            partner = await uow.partners.get(partner_id)
            if partner is None or partner.status != PartnerStatus.APPROVED:
                return False
            file = OutboxFile(name=f"digest-{monday:%Y%m%d}.png", data=png, created_at=now)
            uow.session.add(file)
            await uow.session.flush()
            screen = Screen("digest", screen_args, buttons=((Button("digest-btn-stats", f"st:v:{week.code}:day"),),),
                            attachments=(Attachment("photo", STORED, str(file.id), name=file.name),), as_caption=True)
            written = await notify.to_partner(uow, deps, partner, screen, kind=KIND, dedupe_key=key)
            await uow.commit()
    except IntegrityError:  # another process wrote this week's digest between the check and here
        return False
    return written > 0
