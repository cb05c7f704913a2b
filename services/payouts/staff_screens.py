"""/admin → Payouts: the managers' queue (oldest first), a payout's card, and the decisions (pam:…)."""
from __future__ import annotations

from functools import partial
from typing import Any

from services.db.uow import UnitOfWork
from services.kernel import validation
from services.kernel.actions import ID, ActionTable
from services.kernel.deps import Deps
from services.kernel.dto import Button, Incoming, Reply, Screen, Toast
from services.kernel.forms import Field, Form, FormRunner
from services.kernel.money import format_money
from services.ledger import entries as ledger
from services.messaging import notify
from services.payouts import queries
from services.payouts.partner_screens import STATUS_MARK
from services.payouts.service import APPROVED, REQUESTED, DecisionResult, decide, decide_in
from services.staff.roles import AccessDenied, has_role, own_partner_id

PAGE = 5
PAID_FORM, REJECT_FORM = "payout_paid", "payout_reject"


def _done_toast(result: DecisionResult) -> Toast:
    return Toast("pam-done", {"outcome": result.outcome, "who": result.decided_by or "—"},
                 alert=result.outcome in ("already_decided", "illegal", "not_found", "own"))


class StaffPayoutScreens:
    def __init__(self, deps: Deps, forms: FormRunner) -> None:
        self.deps = deps
        self.forms = forms
        ids = {"prompt_args": lambda data: {"id": data.get("payout")}}
        forms.register(Form(PAID_FORM, [Field("reference", "pam-ask-reference",
                                              partial(validation.text_length, max_len=128))], self._paid, **ids))
        forms.register(Form(REJECT_FORM, [Field("reason", "pam-ask-reason",
                                                partial(validation.text_length, max_len=500, min_len=3))],
                            self._rejected, **ids))
        self.on_action = ActionTable()  # pam:…
        self.on_action.add(r"pam:list", self.queue)
        self.on_action.add(rf"pam:list:{ID}", self.queue)
        self.on_action.add(rf"pam:card:{ID}", self.card)
        self.on_action.add(rf"pam:ok:{ID}", self.approve)
        self.on_action.add(rf"pam:paid:{ID}", lambda inc, pid: self._open_form(inc, pid, PAID_FORM, APPROVED))
        self.on_action.add(rf"pam:no:{ID}", lambda inc, pid: self._open_form(inc, pid, REJECT_FORM, None))

    async def queue(self, inc: Incoming, page: int = 0) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            if not await has_role(uow, inc, notify.MANAGER_ROLES):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            total = await queries.count_open(uow)
            items = await queries.queue(uow, limit=PAGE, offset=page * PAGE)
        lines = [f"{STATUS_MARK[i.status]} #{i.payout_id} · {i.created_at:%d.%m %H:%M} · "
                 f"{format_money(i.amount, i.currency)} · {i.partner_name or '—'} (#{i.partner_id})" for i in items]
        rows: list[tuple[Button, ...]] = [
            (Button("pam-item", f"pam:card:{i.payout_id}", {"id": str(i.payout_id),
                                                             "amount": format_money(i.amount, i.currency)}),)
            for i in items]
        nav = ([Button("btn-prev", f"pam:list:{page - 1}")] if page > 0 else []) + \
            ([Button("btn-next", f"pam:list:{page + 1}")] if (page + 1) * PAGE < total else [])
        if nav:
            rows.append(tuple(nav))
        return Reply.of(Screen("pam-queue", {"count": total, "items": "\n".join(lines) or "—"}, buttons=tuple(rows),
                               edit=True))

    async def _card_screen(self, uow: UnitOfWork, payout_id: int, edit: bool) -> Screen | None:
        found = await queries.card(uow, payout_id, self.deps.clock.now())
        if found is None:
            return None
        p = found.payout
        balances = "; ".join(f"{format_money(b.get(ledger.AVAILABLE, ledger.ZERO), cur)} · "
                             f"{format_money(b.get(ledger.HOLD, ledger.ZERO), cur)}"
                             for cur, b in sorted(found.balances.items())) or "0.00"
        rows: list[tuple[Button, ...]] = []
        if p.status == REQUESTED:
            rows.append((Button("pam-btn-approve", f"pam:ok:{p.id}", style="positive"),
                         Button("pam-btn-reject", f"pam:no:{p.id}", style="negative")))
        elif p.status == APPROVED:
            rows.append((Button("pam-btn-paid", f"pam:paid:{p.id}", style="positive"),
                         Button("pam-btn-reject", f"pam:no:{p.id}", style="negative")))
        rows.append((Button("btn-back", "pam:list"),))
        return Screen("pam-card", {
            "id": str(p.id), "amount": format_money(p.amount, p.currency), "status": p.status,
            "partner": found.partner_name or "—", "partner_id": str(p.partner_id), "tier": found.tier,
            "method": p.method, "masked": p.masked, "source": p.source, "created": f"{p.created_at:%d.%m.%Y %H:%M}",
            "balances": balances, "paid_before": str(found.paid_before),
            "flags": ", ".join(f"{flag} ×{n}" for flag, n in found.flags.items()) or "—",
            "who": p.decided_by or "", "reference": p.reference or "", "reason": (p.reason or "")[:300],
        }, buttons=tuple(rows), edit=edit)

    async def card(self, inc: Incoming, payout_id: int, *, toast: Toast | None = None, edit: bool = True) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            if not await has_role(uow, inc, notify.MANAGER_ROLES):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            screen = await self._card_screen(uow, payout_id, edit)
        return Reply(screens=[screen] if screen else [], toast=toast or (None if screen else Toast("err-stale-button")))

    async def approve(self, inc: Incoming, payout_id: int) -> Reply:
        try:
            result = await decide(self.deps, inc, payout_id, "approve")
        except AccessDenied:
            return Reply(toast=Toast("err-not-allowed", alert=True))
        return await self.card(inc, payout_id, toast=_done_toast(result))

    async def _open_form(self, inc: Incoming, payout_id: int, form: str, needs: str | None) -> Reply:
        """The reference / reason form; a payout already past that point answers at once, without a form."""
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, notify.MANAGER_ROLES):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            found = await queries.card(uow, payout_id, self.deps.clock.now())
            if found is None:
                return Reply(toast=Toast("err-stale-button"))
            status = found.payout.status
            if found.payout.partner_id == await own_partner_id(uow, inc):
                return Reply(toast=_done_toast(DecisionResult("own", payout_id, status, found.payout.decided_by)))
            if status not in ((needs,) if needs else (REQUESTED, APPROVED)):
                outcome = "illegal" if status == REQUESTED else "already_decided"
                return Reply(toast=_done_toast(DecisionResult(outcome, payout_id, status,  # type: ignore[arg-type]
                                                              found.payout.decided_by)))
            reply = await self.forms.begin(uow, inc, form, {"payout": payout_id})
            await uow.commit()
        return reply

    async def _decided(self, uow: UnitOfWork, inc: Incoming, data: dict[str, Any], action: str, note: str) -> Reply:
        try:
            result = await decide_in(uow, self.deps, inc, int(data["payout"]), action, note)
        except AccessDenied:  # the role was taken away while the form was open
            return Reply.of(Screen("err-not-allowed"))
        screen = await self._card_screen(uow, result.payout_id, edit=False)
        done = _done_toast(result)  # typed text gets no toast: the outcome is a message of its own
        return Reply(screens=[Screen(done.text_key, done.args), *([screen] if screen else [])])

    async def _paid(self, uow: UnitOfWork, inc: Incoming, data: dict[str, Any]) -> Reply:
        return await self._decided(uow, inc, data, "pay", data["reference"])

    async def _rejected(self, uow: UnitOfWork, inc: Incoming, data: dict[str, Any]) -> Reply:
        return await self._decided(uow, inc, data, "reject", data["reason"])
