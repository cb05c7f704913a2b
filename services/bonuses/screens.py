"""/admin → Bonuses (managers: the monthly plans' steps) and the partner's progress screen (Balance, Stats)."""
from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any

from sqlalchemy import select, update

from services.bonuses import progress
from services.bonuses.awards import threshold_text
from services.bonuses.rules import CONVERSIONS, METRICS
from services.db.bonus_models import BonusRule
from services.db.tracking_models import Offer
from services.db.uow import UnitOfWork
from services.kernel import validation
from services.kernel.actions import ActionData, ActionTable
from services.kernel.deps import Deps
from services.kernel.dto import Button, Incoming, Reply, Screen, Toast
from services.kernel.forms import Abort, Field, Form, FormRunner
from services.kernel.money import format_money
from services.staff.roles import MANAGER_ROLES, AccessDenied, has_role, require_role

RULE_FORM = "bonus_rule"
ALL_OFFERS = 0


class Home(ActionData, prefix="bon:home"):
    pass


class New(ActionData, prefix="bon:new"):
    pass


class Archive(ActionData, prefix="bon:arc"):
    rule: int


def _offer(value: str) -> int:
    text = value.strip().removeprefix("#")
    if not text.isdigit():
        raise validation.Invalid("bon-err-offer")
    return int(text)


def _bonus(value: str) -> str:
    amount, _, currency = value.strip().rpartition(" ")
    if not amount:
        amount, currency = currency, "RUB"
    return f"{validation.decimal_text(amount, minimum='0.01', maximum='10000000', key='bon-err-amount')} " \
           f"{validation.currency(currency)}"


def _rule_line(rule: BonusRule, offers: dict[int, str]) -> str:
    scope = offers.get(rule.offer_id, f"#{rule.offer_id}") if rule.offer_id else "★"
    measure = threshold_text(rule)
    return f"#{rule.id} · {scope} · {progress.ICON[rule.metric]} ≥ {measure} → +{format_money(rule.amount, rule.currency)}"


class BonusScreens:
    def __init__(self, deps: Deps, forms: FormRunner) -> None:
        self.deps = deps
        self.forms = forms
        forms.register(Form(RULE_FORM, [
            Field("offer", "bon-ask-offer", _offer, choices=((ALL_OFFERS, "bon-offer-all"),)),
            Field("metric", "bon-ask-metric", choices=tuple((m, f"bon-metric-{m}") for m in METRICS)),
            Field("threshold", "bon-ask-threshold",
                  partial(validation.decimal_text, minimum="1", maximum="1000000000", key="bon-err-threshold")),
            Field("bonus", "bon-ask-bonus", _bonus),  # a revenue plan counts sales in the bonus's currency
        ], self._created))
        self.on_action = ActionTable()  # bon:…
        self.on_action.on(Home, lambda inc, _: self.home(inc))
        self.on_action.on(New, lambda inc, _: self.new(inc))
        self.on_action.on(Archive, lambda inc, a: self.archive(inc, a.rule))

    async def progress(self, partner_id: int) -> Screen | None:
        """The partner's plans this month, or None when the program has none."""
        async with self.deps.uow(readonly=True) as uow:
            return await progress.progress_screen(uow, self.deps, partner_id)

    async def home(self, inc: Incoming, *, toast: Toast | None = None) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            if not await has_role(uow, inc, MANAGER_ROLES):
                return Reply(toast=Toast("err-not-allowed", alert=True)) if inc.action else \
                    Reply.of(Screen("err-not-allowed"))
            screen = await self._list(uow, edit=inc.action is not None)
        return Reply(screens=[screen], toast=toast)

    async def _list(self, uow: UnitOfWork, *, edit: bool) -> Screen:
        rules = (await uow.session.scalars(select(BonusRule).where(BonusRule.active.is_(True))
                                           .order_by(BonusRule.offer_id, BonusRule.metric, BonusRule.threshold))).all()
        offers = dict((await uow.session.execute(select(Offer.id, Offer.name))).all())
        rows = [(Button("bon-btn-archive", Archive(r.id).pack(), {"id": str(r.id)}),) for r in rules[:20]]
        rows.append((Button("bon-btn-new", New().pack(), style="primary"),))
        return Screen("bon-home", {"items": "\n".join(_rule_line(r, offers) for r in rules) or "—",
                                   "zone": self.deps.config.program_timezone}, buttons=tuple(rows), edit=edit)

    async def new(self, inc: Incoming) -> Reply:
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, MANAGER_ROLES):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            reply = await self.forms.begin(uow, inc, RULE_FORM, {})
            await uow.commit()
        return reply

    async def _created(self, uow: UnitOfWork, inc: Incoming, data: dict[str, Any]) -> Reply:
        try:
            await require_role(uow, inc, MANAGER_ROLES)
        except AccessDenied:
            return Reply.of(Screen("err-not-allowed"))
        offer_id = int(data["offer"]) or None
        if offer_id is not None and await uow.session.get(Offer, offer_id) is None:
            raise Abort(Reply.of(Screen("bon-err-no-offer", {"id": str(offer_id)})))
        amount, _, currency = data["bonus"].partition(" ")
        threshold = Decimal(data["threshold"])
        if data["metric"] == CONVERSIONS and threshold != threshold.to_integral_value():
            raise Abort(Reply.of(Screen("bon-err-threshold")))
        uow.session.add(BonusRule(offer_id=offer_id, metric=data["metric"], threshold=threshold,
                                  amount=Decimal(amount), currency=currency, active=True,
                                  created_by=f"{inc.messenger}:{inc.user_id}", created_at=self.deps.clock.now()))
        await uow.session.flush()
        return Reply(screens=[await self._list(uow, edit=False)], toast=Toast("bon-created"))

    async def archive(self, inc: Incoming, rule_id: int) -> Reply:
        """No new awards from it; what it paid stays and may still be clawed back on refunds."""
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, MANAGER_ROLES):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            await uow.session.execute(update(BonusRule).where(BonusRule.id == rule_id, BonusRule.active.is_(True))
                                      .values(active=False, archived_at=self.deps.clock.now()))
            await uow.commit()
        return await self.home(inc, toast=Toast("bon-archived"))
