"""Milestone bonuses: reaching a step, releasing its hold, clawing it back. Scheduler jobs, idempotent and safe
to run twice at once.

Ledger keys, per award and round (services/ledger/entries.py explains the ledger):

    bonus:<award>:<round>:award              +amount into "hold" (kind "bonus"), released after the hold
    bonus:<award>:<round>:release:hold       −amount from "hold"       } the release pair
    bonus:<award>:<round>:release:available  +amount into "available"  }
    bonus:<award>:<round>:clawback           −amount from where the money is (kind "bonus_reversal")

Every state change of an award is a conditional UPDATE from the state that was read, so a release and a clawback
racing each other (or two runs of one job) apply once, in one order, and the ledger follows that order.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from services.bonuses.rules import CONVERSIONS, figures, period_of, previous_period
from services.db.bonus_models import BonusAward, BonusRule
from services.db.models import Partner
from services.db.tracking_models import Offer
from services.db.uow import UnitOfWork
from services.kernel.deps import Deps
from services.kernel.dto import Screen
from services.kernel.money import format_money
from services.ledger import entries as ledger
from services.messaging import notify
from services.partners.status import PartnerStatus

log = logging.getLogger(__name__)

HELD, RELEASED, CLAWED = "held", "released", "clawed_back"
BONUS, REVERSAL = "bonus", "bonus_reversal"  # ledger kinds; "bonus" is also the (never muted) outbox kind


@dataclass
class Outcome:
    awarded: list[int] = field(default_factory=list)  # award ids
    clawed: list[int] = field(default_factory=list)
    released: int = 0


def key(award: BonusAward, event: str) -> str:
    return f"bonus:{award.id}:{award.round}:{event}"


def threshold_text(rule: BonusRule) -> str:
    if rule.metric == CONVERSIONS:
        return f"{rule.threshold.normalize():f}"
    return format_money(rule.threshold, rule.currency)


async def _hold_days(uow: UnitOfWork, deps: Deps, rule: BonusRule) -> int:
    if rule.offer_id is not None:
        offer = await uow.session.get(Offer, rule.offer_id)
        if offer is not None:
            return offer.hold_days
    return deps.config.bonus_hold_days


async def _move(uow: UnitOfWork, award_id: int, leaving: str, entering: str, **values: object) -> bool:
    done = await uow.session.execute(
        update(BonusAward).where(BonusAward.id == award_id, BonusAward.status == leaving)
        .values(status=entering, **values).execution_options(synchronize_session=False))
    return done.rowcount == 1  # type: ignore[attr-defined]


async def _announce(uow: UnitOfWork, deps: Deps, award: BonusAward, rule: BonusRule, text_key: str,
                    **extra: str) -> None:
    partner = await uow.partners.get(award.partner_id)
    if partner is None:
        return
    await notify.to_partner(uow, deps, partner, Screen(text_key, {
        "amount": format_money(award.amount, award.currency), "metric": rule.metric,
        "threshold": threshold_text(rule), "period": award.period, **extra}), BONUS,
        dedupe_key=f"{key(award, text_key)}")


async def _reach(uow: UnitOfWork, deps: Deps, rule: BonusRule, partner_id: int, period: str, figure: Decimal,
                 existing: BonusAward | None, now: datetime) -> BonusAward | None:
    """The step reached: a new award, or a clawed-back one reached again (next round). None: someone else did."""
    release_at = now + timedelta(days=await _hold_days(uow, deps, rule))
    if existing is None:
        award = BonusAward(rule_id=rule.id, partner_id=partner_id, period=period, status=HELD, round=1,
                           figure=figure, amount=rule.amount, currency=rule.currency, release_at=release_at,
                           created_at=now)
        try:
            async with uow.session.begin_nested():  # a concurrent run inserted it: only this award is skipped
                uow.session.add(award)
                await uow.session.flush()
        except IntegrityError:
            return None
    else:
        if not await _move(uow, existing.id, CLAWED, HELD, round=existing.round + 1, figure=figure,
                           release_at=release_at, released_at=None, clawed_at=None, claw_reason=None):
            return None
        award = await uow.session.get(BonusAward, existing.id, populate_existing=True)
        assert award is not None
    await ledger.add_entry(uow, key=key(award, "award"), partner_id=partner_id, conversion_id=None, kind=BONUS,
                           bucket=ledger.HOLD, amount=award.amount, currency=award.currency, now=now,
                           release_at=award.release_at)
    await _announce(uow, deps, award, rule, "bonus-reached", hold=str((release_at - now).days))
    return award


async def _claw(uow: UnitOfWork, deps: Deps, rule: BonusRule, award: BonusAward, figure: Decimal,
                now: datetime) -> bool:
    reason = f"{figure.normalize():f} < {rule.threshold.normalize():f}"
    for _ in range(2):  # the release job may move it held → released between our read and our update
        seen = award.status
        if seen not in (HELD, RELEASED):
            return False
        if await _move(uow, award.id, seen, CLAWED, clawed_at=now, claw_reason=reason):
            await ledger.add_entry(uow, key=key(award, "clawback"), partner_id=award.partner_id,
                                   conversion_id=None, kind=REVERSAL,
                                   bucket=ledger.HOLD if seen == HELD else ledger.AVAILABLE,
                                   amount=-award.amount, currency=award.currency, now=now)
            await _announce(uow, deps, award, rule, "bonus-clawed",
                            figure=threshold_text_for(rule, figure))
            return True
        refreshed = await uow.session.get(BonusAward, award.id, populate_existing=True)
        if refreshed is None:
            return False
        award = refreshed
    return False


def threshold_text_for(rule: BonusRule, figure: Decimal) -> str:
    return f"{figure.normalize():f}" if rule.metric == CONVERSIONS else format_money(figure, rule.currency)


async def evaluate(deps: Deps) -> Outcome:
    """Awards every step reached and claws back every step lost, in this month and the last (late approvals and
    refunds of last month's conversions still move last month's steps)."""
    zone = deps.config.program_timezone
    now = deps.clock.now()
    current = period_of(now, zone)
    outcome = Outcome()
    async with deps.uow() as uow:
        rules = (await uow.session.scalars(select(BonusRule).order_by(BonusRule.id))).all()
        approved = set((await uow.session.scalars(select(Partner.id).where(
            Partner.status == PartnerStatus.APPROVED))).all()) if rules else set()
        for period in (previous_period(current), current):
            for rule in rules:
                awards = {a.partner_id: a for a in (await uow.session.scalars(select(BonusAward).where(
                    BonusAward.rule_id == rule.id, BonusAward.period == period))).all()}
                reached = await figures(uow, rule, period, zone)
                for partner_id, award in awards.items():
                    figure = reached.get(partner_id, Decimal(0))
                    if figure < rule.threshold and await _claw(uow, deps, rule, award, figure, now):
                        outcome.clawed.append(award.id)
                if not rule.active:
                    continue
                for partner_id, figure in sorted(reached.items()):
                    award = awards.get(partner_id)
                    if figure < rule.threshold or partner_id not in approved or \
                            (award is not None and award.status != CLAWED):
                        continue
                    made = await _reach(uow, deps, rule, partner_id, period, figure, award, now)
                    if made is not None:
                        outcome.awarded.append(made.id)
        await uow.commit()
    if outcome.awarded or outcome.clawed:
        log.info("bonuses: %d steps reached, %d clawed back", len(outcome.awarded), len(outcome.clawed))
        deps.wake_outbox()
    return outcome


async def release_due(deps: Deps) -> int:
    """Held awards whose hold ended become available money."""
    released = 0
    async with deps.uow() as uow:
        now = deps.clock.now()
        due = (await uow.session.scalars(select(BonusAward).where(
            BonusAward.status == HELD, BonusAward.release_at <= now).order_by(BonusAward.id).limit(500))).all()
        for award in due:
            if not await _move(uow, award.id, HELD, RELEASED, released_at=now):
                continue  # clawed back or released by a concurrent run
            for bucket, sign in ((ledger.HOLD, -1), (ledger.AVAILABLE, 1)):
                await ledger.add_entry(uow, key=key(award, f"release:{bucket}"), partner_id=award.partner_id,
                                       conversion_id=None, kind=ledger.RELEASE, bucket=bucket,
                                       amount=sign * award.amount, currency=award.currency, now=now)
            released += 1
        await uow.commit()
    return released
