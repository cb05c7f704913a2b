"""/admin → Balance adjustments, on both messengers: the two-step credit / debit, admins' approvals and limits."""
from __future__ import annotations

import re
from decimal import Decimal
from functools import partial
from typing import Any

from sqlalchemy import func, select

from services.adjustments import actions as act
from services.adjustments import service
from services.db.adjustment_models import BalanceAdjustment
from services.db.uow import UnitOfWork
from services.kernel import validation
from services.kernel.actions import ActionTable
from services.kernel.deps import Deps
from services.kernel.dto import Button, Incoming, Reply, Screen, Toast
from services.kernel.forms import Abort, Field, Form, FormRunner
from services.kernel.money import format_money
from services.ledger import entries as ledger
from services.staff.roles import ADMIN_ROLES, MANAGER_ROLES, AccessDenied, has_role

PARTNER_FORM, AMOUNT_FORM, LIMIT_FORM = "adj_partner", "adj_amount", "adj_limit"
RECENT = 8
_AMOUNT = re.compile(r"^(?:([A-Za-z]{3})\s*)?([+-]?[\d\s\u00a0.,]+?)\s*(?:([A-Za-z]{3}))?$")


def parse_partner(value: str) -> int:
    text = value.strip().removeprefix("#").strip()
    if not text.isdigit() or not 0 < int(text) < 10**18:
        raise validation.Invalid("adj-err-partner")
    return int(text)


def parse_amount(value: str, *, currency: str, signed: bool = True, minimum: str = "0.01") -> str:
    """"+1 500", "-200 USD", "USD 20,5" → "1500 RUB" / "-200 USD" / "20.5 USD" (JSON-safe, exact)."""
    found = _AMOUNT.match(value.strip())
    if found is None or (found.group(1) and found.group(3)):
        raise validation.Invalid("adj-err-amount")
    code = validation.currency(found.group(1) or found.group(3) or currency)
    number = found.group(2).replace(" ", "").replace("\u00a0", "")
    sign = "-" if number.startswith("-") else ""
    text = validation.decimal_text(number.lstrip("+-"), minimum=minimum, maximum=str(service.MAX_AMOUNT),
                                   key="adj-err-amount")
    if sign and not signed:
        raise validation.Invalid("adj-err-amount")
    return f"{sign}{text} {code}"


def split_amount(text: str) -> tuple[Decimal, str]:
    number, _, currency = text.partition(" ")
    return Decimal(number), currency


def _signed(amount: Decimal, currency: str) -> str:
    return ("+" if amount > 0 else "") + format_money(amount, currency)


class AdjustmentScreens:
    def __init__(self, deps: Deps, forms: FormRunner) -> None:
        self.deps = deps
        self.forms = forms
        default = deps.config.tier_currency
        forms.register(Form(PARTNER_FORM, [Field("partner", "adj-ask-partner", parse_partner)], self._partner_chosen))
        forms.register(Form(AMOUNT_FORM, [
            Field("amount", "adj-ask-amount", partial(parse_amount, currency=default)),
            Field("reason", "adj-ask-reason", partial(validation.text_length, max_len=500, min_len=3)),
        ], self._typed, prompt_args=lambda data: {"partner": data.get("name", ""),
                                                  "balance": data.get("balance", "")}))
        forms.register(Form(LIMIT_FORM, [Field("limit", "adj-ask-limit", partial(
            parse_amount, currency=default, signed=False, minimum="0"))], self._limit_typed))
        self.on_action = ActionTable()  # adj:…
        self.on_action.on(act.Home, lambda inc, _: self.home(inc))
        self.on_action.on(act.New, lambda inc, _: self.new(inc))
        self.on_action.on(act.Confirm, lambda inc, a: self.confirm(inc, a.adjustment))
        self.on_action.on(act.Cancel, lambda inc, a: self.cancel(inc, a.adjustment))
        self.on_action.on(act.Approve, lambda inc, a: self.decide(inc, a.adjustment, True))
        self.on_action.on(act.Reject, lambda inc, a: self.decide(inc, a.adjustment, False))
        self.on_action.on(act.Pending, lambda inc, _: self.pending(inc))
        self.on_action.on(act.Limits, lambda inc, _: self.limits(inc))
        self.on_action.on(act.SetLimit, lambda inc, _: self.set_limit(inc))

    # ---- the list ------------------------------------------------------------------------------------------

    async def home(self, inc: Incoming) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            if not await has_role(uow, inc, MANAGER_ROLES):  # typed /adjust gets a message, a button a toast
                return Reply(toast=Toast("err-not-allowed", alert=True)) if inc.action else \
                    Reply.of(Screen("err-not-allowed"))
            admin = await has_role(uow, inc, ADMIN_ROLES)
            pending = await uow.session.scalar(select(func.count()).select_from(BalanceAdjustment)
                                               .where(BalanceAdjustment.status == service.PENDING))
            recent = (await uow.session.scalars(
                select(BalanceAdjustment).where(BalanceAdjustment.status != service.DRAFT)
                .order_by(BalanceAdjustment.id.desc()).limit(RECENT))).all()
        lines = [f"#{r.id} · {r.created_at:%d.%m %H:%M} · #{r.partner_id} · {_signed(r.amount, r.currency)} · "
                 f"{r.status} · {r.requested_by_name or r.requested_by} · {r.reason[:60]}" for r in recent]
        rows: list[tuple[Button, ...]] = [(Button("adj-btn-new", act.New().pack(), style="primary"),)]
        if admin:
            rows.append((Button("adj-btn-pending", act.Pending().pack(), {"count": pending or 0}),))
        rows.append((Button("adj-btn-limits", act.Limits().pack()),))
        return Reply.of(Screen("adj-home", {"items": "\n".join(lines) or "—", "pending": pending or 0},
                               buttons=tuple(rows), edit=inc.action is not None))

    async def pending(self, inc: Incoming) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            if not await has_role(uow, inc, ADMIN_ROLES):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            rows = (await uow.session.scalars(select(BalanceAdjustment).where(
                BalanceAdjustment.status == service.PENDING).order_by(BalanceAdjustment.id).limit(10))).all()
        if not rows:
            return Reply(toast=Toast("adj-none-pending"))
        return Reply(screens=[service.approval_card(row) for row in rows])

    # ---- the two steps ---------------------------------------------------------------------------------------

    async def new(self, inc: Incoming) -> Reply:
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, MANAGER_ROLES):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            reply = await self.forms.begin(uow, inc, PARTNER_FORM, {})
            await uow.commit()
        return reply

    async def _partner_chosen(self, uow: UnitOfWork, inc: Incoming, data: dict[str, Any]) -> Reply:
        partner = await uow.partners.get(data["partner"])
        if partner is None:
            raise Abort(Reply.of(Screen("adj-err-no-partner", {"id": str(data["partner"])}),
                                 self.forms.forms[PARTNER_FORM].prompt(0, {})))
        money = await ledger.balances(uow, partner.id)
        balance = "; ".join(format_money(b[ledger.AVAILABLE], cur) for cur, b in sorted(money.items())) or "0.00"
        return await self.forms.begin(uow, inc, AMOUNT_FORM, {
            "partner": partner.id, "name": f"{partner.name or '—'} (#{partner.id})", "balance": balance})

    async def _typed(self, uow: UnitOfWork, inc: Incoming, data: dict[str, Any]) -> Reply:
        amount, currency = split_amount(data["amount"])
        try:
            result = await service.draft(uow, self.deps, inc, int(data["partner"]), amount, currency, data["reason"])
        except AccessDenied:
            return Reply.of(Screen("err-not-allowed"))
        if result.adjustment_id is None:
            return Reply.of(Screen(f"adj-outcome-{result.outcome}", {"who": ""}))
        available = (await ledger.balances(uow, int(data["partner"]))).get(currency, {}).get(ledger.AVAILABLE,
                                                                                            ledger.ZERO)
        admin = await has_role(uow, inc, ADMIN_ROLES)
        needs = not admin and abs(amount) > await service.limit_for(uow, self.deps, currency)
        return Reply.of(Screen("adj-confirm", {
            "partner": data.get("name", ""), "amount": _signed(amount, currency), "reason": data["reason"],
            "before": format_money(available, currency), "after": format_money(available + amount, currency),
            "approval": "yes" if needs else "no"},
            buttons=((Button("adj-btn-confirm", act.Confirm(result.adjustment_id).pack(), style="positive"),
                      Button("btn-cancel", act.Cancel(result.adjustment_id).pack())),)))

    async def confirm(self, inc: Incoming, adjustment_id: int) -> Reply:
        return await self._step(inc, lambda uow: service.confirm(uow, self.deps, inc, adjustment_id))

    async def cancel(self, inc: Incoming, adjustment_id: int) -> Reply:
        return await self._step(inc, lambda uow: service.cancel(uow, self.deps, inc, adjustment_id))

    async def decide(self, inc: Incoming, adjustment_id: int, approve: bool) -> Reply:
        return await self._step(inc, lambda uow: service.decide(uow, self.deps, inc, adjustment_id, approve))

    async def _step(self, inc: Incoming, call: Any) -> Reply:
        async with self.deps.uow() as uow:
            try:
                result: service.Result = await call(uow)
            except AccessDenied:
                return Reply(toast=Toast("err-not-allowed", alert=True))
            await uow.commit()
        self.deps.wake_outbox()
        if result.outcome in ("already_decided", "not_found", "own"):
            return Reply(toast=Toast(f"adj-outcome-{result.outcome}", {"who": result.decided_by or "—"}, alert=True))
        async with self.deps.uow(readonly=True) as uow:
            row = await uow.session.get(BalanceAdjustment, result.adjustment_id)
        assert row is not None
        return Reply.of(Screen("adj-result", {**service.card_args(row), "outcome": result.outcome}, edit=True))

    # ---- limits ----------------------------------------------------------------------------------------------

    async def limits(self, inc: Incoming, *, edit: bool = True) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            if not await has_role(uow, inc, MANAGER_ROLES):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            admin = await has_role(uow, inc, ADMIN_ROLES)
            found = await service.limits(uow, self.deps)
        lines = "\n".join(f"{cur}: {format_money(amount, cur)}" for cur, amount in sorted(found.items())) or "—"
        rows = ((Button("adj-btn-set-limit", act.SetLimit().pack()),),) if admin else ()
        return Reply.of(Screen("adj-limits", {"items": lines}, buttons=(*rows, (Button("btn-back", act.Home().pack()),)),
                               edit=edit))

    async def set_limit(self, inc: Incoming) -> Reply:
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, ADMIN_ROLES):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            reply = await self.forms.begin(uow, inc, LIMIT_FORM, {})
            await uow.commit()
        return reply

    async def _limit_typed(self, uow: UnitOfWork, inc: Incoming, data: dict[str, Any]) -> Reply:
        amount, currency = split_amount(data["limit"])
        try:
            await service.set_limit(uow, self.deps, inc, currency, amount)
        except AccessDenied:  # the role was taken away while the form was open
            return Reply.of(Screen("err-not-allowed"))
        found = await service.limits(uow, self.deps)
        lines = "\n".join(f"{cur}: {format_money(a, cur)}" for cur, a in sorted(found.items()))
        return Reply.of(Screen("adj-limits", {"items": lines}, buttons=((Button("btn-back", act.Home().pack()),),)))
