"""A partner's way up this month's plans: for each ladder (scope + metric + currency) the figure so far, the
steps reached and the next one. Balance and Stats show it; the REST API can reuse it."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from services.bonuses.awards import CLAWED
from services.bonuses.rules import CONVERSIONS, figures, period_of
from services.db.bonus_models import BonusAward, BonusRule
from services.db.tracking_models import Offer
from services.db.uow import UnitOfWork
from services.kernel.deps import Deps
from services.kernel.dto import Screen
from services.kernel.money import format_money


@dataclass(frozen=True)
class Step:
    threshold: Decimal
    amount: Decimal
    currency: str  # the bonus's
    reached: bool  # awarded and not clawed back


@dataclass(frozen=True)
class Ladder:
    offer: str | None  # the offer's name; None: every offer
    metric: str
    currency: str
    figure: Decimal
    steps: tuple[Step, ...]

    @property
    def next_step(self) -> Step | None:
        return next((s for s in self.steps if not s.reached), None)


async def ladders(uow: UnitOfWork, deps: Deps, partner_id: int) -> tuple[str, list[Ladder]]:
    """(this month, the partner's ladders) from the active rules."""
    zone = deps.config.program_timezone
    period = period_of(deps.clock.now(), zone)
    rules = (await uow.session.scalars(select(BonusRule).where(BonusRule.active.is_(True))
                                       .order_by(BonusRule.threshold, BonusRule.id))).all()
    if not rules:
        return period, []
    awarded = set((await uow.session.scalars(select(BonusAward.rule_id).where(
        BonusAward.partner_id == partner_id, BonusAward.period == period, BonusAward.status != CLAWED))).all())
    groups: dict[tuple[int | None, str, str], list[BonusRule]] = defaultdict(list)
    for rule in rules:
        groups[(rule.offer_id, rule.metric, rule.currency if rule.metric != CONVERSIONS else "")].append(rule)
    names = dict((await uow.session.execute(select(Offer.id, Offer.name))).all())
    found = []
    for (offer_id, metric, currency), steps in groups.items():
        figure = (await figures(uow, steps[0], period, zone, [partner_id])).get(partner_id, Decimal(0))
        found.append(Ladder(names.get(offer_id) if offer_id else None, metric, currency or steps[0].currency, figure,
                            tuple(Step(r.threshold, r.amount, r.currency, r.id in awarded) for r in steps)))
    return period, found


# Lines are figures and symbols only (the same in every language): 🛒 approved conversions, 💵 approved sales.
ICON = {CONVERSIONS: "🛒", "revenue": "💵"}


def _measure(ladder: Ladder, value: Decimal) -> str:
    return f"{value.normalize():f}" if ladder.metric == CONVERSIONS else format_money(value, ladder.currency)


def line(ladder: Ladder) -> str:
    """"★ 7 / 10 ✓ +500.00 RUB · 50 → +3 000.00 RUB": figures only, so one line reads the same in every language."""
    scope = ladder.offer or "★"
    parts = [f"{'✅' if s.reached else '▫️'} {_measure(ladder, s.threshold)} → +{format_money(s.amount, s.currency)}"
             for s in ladder.steps]
    upcoming = ladder.next_step
    to_go = f" ({_measure(ladder, upcoming.threshold - ladder.figure)} →)" if upcoming else ""
    return f"{scope} · {ICON[ladder.metric]} {_measure(ladder, ladder.figure)}{to_go}\n  " + "\n  ".join(parts)


async def progress_screen(uow: UnitOfWork, deps: Deps, partner_id: int) -> Screen | None:
    period, found = await ladders(uow, deps, partner_id)
    if not found:
        return None
    return Screen("bonus-progress", {"period": period, "lines": "\n".join(line(ladder) for ladder in found)})
