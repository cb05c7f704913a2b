"""The partner's side of payouts: details in Settings (set:pay…), request and history from Balance (pay:…)."""
from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any

from services.db.uow import UnitOfWork
from services.kernel import validation
from services.kernel.actions import ActionTable
from services.kernel.deps import Deps
from services.kernel.dto import Button, Incoming, Reply, Screen, Toast
from services.kernel.forms import Field, Form, FormRunner
from services.kernel.money import format_money
from services.ledger import entries as ledger
from services.payouts import details as payout_details
from services.payouts import queries
from services.payouts.cipher import DetailsCipher
from services.payouts.service import actor_of, minimum_for, request_in, save_details

DETAILS_FORM = "payout_details:"  # + method
REQUEST_FORM = "payout_request"
STATUS_MARK = {"requested": "⏳", "approved": "✅", "paid": "💸", "rejected": "❌"}
_amount = partial(validation.decimal_text, minimum="0.01", maximum="1000000000")


async def approved_partner(uow: UnitOfWork, inc: Incoming):  # type: ignore[no-untyped-def]
    account = await uow.accounts.get(inc.messenger, inc.user_id)
    partner = await uow.partners.get(account.partner_id) if account else None
    return partner if partner is not None and partner.status == "approved" else None


class PartnerPayoutScreens:
    def __init__(self, deps: Deps, forms: FormRunner, settings_actions: ActionTable) -> None:
        self.deps = deps
        self.forms = forms
        self.cipher = DetailsCipher(deps)
        for method in payout_details.METHODS:
            forms.register(Form(DETAILS_FORM + method, [
                Field("value", f"pay-ask-{method}", partial(payout_details.parse, method))], self._details_done))
        forms.register(Form(REQUEST_FORM, [
            Field("amount", "pay-ask-amount", _amount, choices=(("all", "pay-btn-all"),))], self._request_done,
            prompt_args=lambda data: {k: data.get(k, "") for k in ("currency", "available", "minimum", "masked")}))
        settings_actions.add(r"set:pay", self.details_menu)
        settings_actions.add(r"set:pay:(card|account|crypto|ewallet)", self.start_details, int_groups=False)
        self.on_action = ActionTable()  # pay:…
        self.on_action.add(r"pay:req", self.start_request)
        self.on_action.add(r"pay:req:([A-Z]{3})", self.start_request, int_groups=False)
        self.on_action.add(r"pay:hist", self.history)

    # ---- details ----------------------------------------------------------------------------------------------

    async def details_menu(self, inc: Incoming) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            partner = await approved_partner(uow, inc)
            if partner is None:
                return Reply.of(Screen("err-approved-only"))
            on_file = await queries.details_of(uow, partner.id)
        methods = tuple(Button(f"pay-btn-method-{m}", f"set:pay:{m}") for m in payout_details.METHODS)
        return Reply.of(Screen("pay-details", {
            "has": "yes" if on_file else "no", "method": on_file.method if on_file else "",
            "masked": on_file.masked if on_file else ""},
            buttons=(methods[:2], methods[2:], (Button("btn-back", "set:home"),)), edit=True))

    async def start_details(self, inc: Incoming, method: str) -> Reply:
        await self.cipher.ready()
        async with self.deps.uow() as uow:
            if await approved_partner(uow, inc) is None:
                return Reply.of(Screen("err-approved-only"))
            reply = await self.forms.begin(uow, inc, DETAILS_FORM + method, {})
            await uow.commit()
        return reply

    async def details_text(self, inc: Incoming) -> Reply:
        """Typed details go to the form engine once the key is loaded (never inside its transaction)."""
        await self.cipher.ready()
        return await self.forms.on_text(inc)

    async def _details_done(self, uow: UnitOfWork, inc: Incoming, data: dict[str, Any]) -> Reply:
        partner = await approved_partner(uow, inc)
        if partner is None:
            return Reply.of(Screen("err-approved-only"))
        value: payout_details.Details = data["value"]
        await save_details(uow, self.deps, partner.id, value, self.cipher.encrypt(value.value), actor_of(inc))
        return Reply.of(Screen("pay-details-saved", {"method": value.method, "masked": value.masked},
                               buttons=((Button("pay-btn-request", "pay:req"),), (Button("btn-back", "set:pay"),))))

    # ---- request ----------------------------------------------------------------------------------------------

    async def start_request(self, inc: Incoming, currency: str | None = None) -> Reply:
        async with self.deps.uow() as uow:
            partner = await approved_partner(uow, inc)
            if partner is None:
                return Reply.of(Screen("err-approved-only"))
            on_file = await queries.details_of(uow, partner.id)
            if on_file is None:
                return Reply.of(Screen("pay-need-details", buttons=((Button("pay-btn-details", "set:pay"),),)))
            sums = await ledger.balances(uow, partner.id)
            available = {cur: b.get(ledger.AVAILABLE, ledger.ZERO) for cur, b in sorted(sums.items())}
            negative = [cur for cur, amount in available.items() if amount < 0]
            if negative:
                return Reply.of(Screen("pay-negative", {"currencies": ", ".join(
                    format_money(available[cur], cur) for cur in negative)}))
            eligible = [cur for cur, amount in available.items() if amount > 0 and amount >= minimum_for(self.deps, cur)]
            if currency is not None and currency not in eligible:
                return Reply(toast=Toast("err-stale-button"))
            if not eligible:
                return Reply.of(Screen("pay-nothing", {
                    "minimums": ", ".join(format_money(m, c) for c, m in self.deps.config.min_payout) or "—",
                    "available": ", ".join(format_money(a, c) for c, a in available.items()) or "0.00"}))
            if currency is None and len(eligible) > 1:
                return Reply.of(Screen("pay-choose-currency", buttons=tuple(
                    (Button("pay-currency", f"pay:req:{cur}", {"amount": format_money(available[cur], cur)}),)
                    for cur in eligible[:9])))
            chosen = currency or eligible[0]
            reply = await self.forms.begin(uow, inc, REQUEST_FORM, {
                "currency": chosen, "available": format_money(available[chosen], chosen),
                "minimum": format_money(minimum_for(self.deps, chosen), chosen), "masked": on_file.masked})
            await uow.commit()
        return reply

    async def _request_done(self, uow: UnitOfWork, inc: Incoming, data: dict[str, Any]) -> Reply:
        partner = await approved_partner(uow, inc)
        if partner is None:
            return Reply.of(Screen("err-approved-only"))
        amount = None if data["amount"] == "all" else Decimal(data["amount"])
        result = await request_in(uow, self.deps, partner.id, data["currency"], amount, actor=actor_of(inc))
        if result.outcome == "requested":
            assert result.amount is not None
            return Reply.of(Screen("pay-requested", {"id": str(result.payout_id), "masked": result.masked,
                                                     "amount": format_money(result.amount, result.currency)}))
        money = partial(format_money, currency=result.currency)
        return Reply.of(Screen("pay-refused", {
            "outcome": result.outcome, "available": money(result.available or ledger.ZERO),
            "minimum": money(result.minimum or ledger.ZERO)}))

    # ---- history ----------------------------------------------------------------------------------------------

    async def history(self, inc: Incoming) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            partner = await approved_partner(uow, inc)
            if partner is None:
                return Reply.of(Screen("err-approved-only"))
            payouts = await queries.history(uow, partner.id)
        lines = [f"{STATUS_MARK.get(p.status, '•')} #{p.id} · {p.created_at:%d.%m.%Y} · "
                 f"{format_money(p.amount, p.currency)} · {p.masked}"
                 + (f" · {p.reference}" if p.status == "paid" and p.reference else "")
                 + (f" · {p.reason[:100]}" if p.status == "rejected" and p.reason else "") for p in payouts]
        return Reply.of(Screen("pay-history", {"items": "\n".join(lines) or "—"}))
