"""Partner of the month. On the 1st (program time zone) the approved partner with the highest approved revenue
of the month before — in the tier currency, the one the tiers are measured in — is proposed to managers with
Approve / Skip. One proposal per month (the month is the row's key), decided exactly once by a conditional
update, role-checked here; nobody decides on themselves. Approved, it is announced to every approved partner
(kind "partner_of_month": muteable, held by quiet hours) and the winner is congratulated personally.

Names: the winner's display name (the name from their application) unless they switched "show my name in
announcements" off in Settings (on by default: being named is the point of the award, and one tap hides it);
then "Partner #<id>". Managers see in the proposal which of the two will be shown.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from services.db.models import Partner
from services.db.retention_models import PartnerOfMonth
from services.db.tracking_models import Conversion
from services.db.uow import UnitOfWork
from services.kernel.deps import Deps
from services.kernel.dto import Button, Incoming, Reply, Screen, Toast
from services.kernel.enums import ConversionStatus
from services.kernel.money import format_money
from services.messaging import notify
from services.partners.status import PartnerStatus
from services.retention import actions as act
from services.staff.roles import MANAGER_ROLES, has_role, own_partner_id
from services.stats.periods import zone_of

log = logging.getLogger(__name__)

KIND = "partner_of_month"  # to partners: muteable
STAFF_KIND = "retention"
PROPOSED, APPROVED, SKIPPED = "proposed", "approved", "skipped"


def previous_month(now: datetime, tz: str) -> tuple[str, datetime, datetime]:
    """("2026-11", its first instant, the next month's first instant) for the month before `now` in `tz`."""
    zone = zone_of(tz)
    local = now.astimezone(zone).date()
    first_this = local.replace(day=1)
    first_last = (first_this - timedelta(days=1)).replace(day=1)
    return (f"{first_last:%Y-%m}", datetime.combine(first_last, time(), zone),
            datetime.combine(first_this, time(), zone))


def display_name(partner: Partner) -> str:
    """The name to announce, or "" when the partner is to be shown as "Partner #id" (the locale's words)."""
    return (partner.name or "").strip() if partner.announce else ""


async def top_partner(uow: UnitOfWork, currency: str, start: datetime, end: datetime) -> tuple[int, Decimal] | None:
    total = func.sum(func.coalesce(Conversion.sale_amount, Conversion.commission))
    row = (await uow.session.execute(
        select(Conversion.partner_id, total.label("total"))
        .join(Partner, Partner.id == Conversion.partner_id)
        .where(Conversion.status == ConversionStatus.APPROVED, Conversion.payable.is_(True),
               Conversion.currency == currency, Conversion.updated_at >= start, Conversion.updated_at < end,
               Partner.status == PartnerStatus.APPROVED)
        .group_by(Conversion.partner_id).order_by(total.desc(), Conversion.partner_id).limit(1))).first()
    if row is None or not row[1]:
        return None
    # SQLite sums NUMERIC as floats: back to cents exactly (each value has at most 4 places).
    return int(row[0]), Decimal(str(row[1])).quantize(Decimal("0.01"))


def _month_code(month: str) -> int:
    return int(month.replace("-", ""))


def proposal_screen(award: PartnerOfMonth, partner: Partner, *, decided_by: str = "", edit: bool = False) -> Screen:
    args = {"month": award.month, "partner_id": partner.id, "name": (partner.name or "").strip() or "—",
            "shown": display_name(partner) or "hidden", "revenue": format_money(award.revenue, award.currency),
            "status": award.status, "who": decided_by}
    buttons: tuple[tuple[Button, ...], ...] = ()
    if award.status == PROPOSED:
        code = _month_code(award.month)
        buttons = ((Button("potm-btn-approve", act.PotmApprove(code).pack(), style="positive"),
                    Button("potm-btn-skip", act.PotmSkip(code).pack(), style="negative")),)
    return Screen("potm-proposal", args, buttons=buttons, edit=edit)


@dataclass
class ProposeResult:
    month: str
    partner_id: int | None
    created: bool


async def propose(deps: Deps) -> ProposeResult:
    """The monthly job: one proposal for last month, or none (no revenue, or already proposed)."""
    month, start, end = previous_month(deps.clock.now(), deps.config.program_timezone)
    async with deps.uow() as uow:
        if await uow.session.get(PartnerOfMonth, month) is not None:
            return ProposeResult(month, None, False)
        top = await top_partner(uow, deps.config.tier_currency, start, end)
        if top is None:
            return ProposeResult(month, None, False)
        partner = await uow.partners.get(top[0])
        assert partner is not None
        award = PartnerOfMonth(month=month, partner_id=partner.id, revenue=top[1], currency=deps.config.tier_currency,
                               status=PROPOSED, created_at=deps.clock.now())
        uow.session.add(award)
        try:
            await uow.session.flush()
        except IntegrityError:  # another process proposed this month first
            return ProposeResult(month, None, False)
        await notify.to_staff(uow, deps, MANAGER_ROLES, proposal_screen(award, partner), kind=STAFF_KIND,
                              dedupe_key=f"potm:{month}:proposal")
        await uow.commit()
    deps.wake_outbox()
    log.info("partner of the month %s proposed: #%d", month, partner.id)
    return ProposeResult(month, partner.id, True)


async def decide(deps: Deps, inc: Incoming, month_code: int, approve: bool) -> Reply:
    month = f"{month_code // 100:04d}-{month_code % 100:02d}"
    async with deps.uow() as uow:
        if not await has_role(uow, inc, MANAGER_ROLES):
            return Reply(toast=Toast("err-not-allowed", alert=True))
        award = await uow.session.get(PartnerOfMonth, month)
        if award is None:
            return Reply(toast=Toast("err-stale-button"))
        partner = await uow.partners.get(award.partner_id)
        assert partner is not None
        if await own_partner_id(uow, inc) == award.partner_id:
            return Reply(toast=Toast("potm-own", alert=True))
        who = f"{inc.messenger}:{inc.user_id}"
        status = APPROVED if approve else SKIPPED
        won = (await uow.session.execute(
            update(PartnerOfMonth).where(PartnerOfMonth.month == month, PartnerOfMonth.status == PROPOSED)
            .values(status=status, decided_by=who, decided_at=deps.clock.now())
            .execution_options(synchronize_session=False))).rowcount == 1  # type: ignore[attr-defined]
        await uow.session.refresh(award)
        name = inc.first_name or (f"@{inc.username}" if inc.username else inc.user_id)
        if not won:  # a second manager, or a double tap: the first decision stands
            return Reply(screens=[proposal_screen(award, partner, edit=True)],
                         toast=Toast("potm-already", {"status": award.status}))
        if approve:
            await announce(uow, deps, award, partner)
        await uow.commit()
    deps.wake_outbox()
    return Reply(screens=[proposal_screen(award, partner, decided_by=name, edit=True)],
                 toast=Toast("potm-decided", {"status": status}))


async def announce(uow: UnitOfWork, deps: Deps, award: PartnerOfMonth, winner: Partner) -> int:
    """To every approved partner (the winner gets a congratulation of their own), in the caller's transaction."""
    shown = display_name(winner)
    partners = (await uow.session.scalars(select(Partner).where(Partner.status == PartnerStatus.APPROVED)
                                          .order_by(Partner.id))).all()
    written = 0
    for partner in partners:
        if partner.id == winner.id:
            screen = Screen("potm-you", {"month": award.month, "revenue": format_money(award.revenue, award.currency)})
        else:
            screen = Screen("potm-announce", {"month": award.month, "name": shown or "hidden",
                                              "partner_id": winner.id})
        written += await notify.to_partner(uow, deps, partner, screen, kind=KIND,
                                           dedupe_key=f"potm:{award.month}:{partner.id}")
    return written
