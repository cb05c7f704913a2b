"""Managers' side (/admin → Contests, cta:…): the list, the new-contest form, a contest's card with its live or
frozen standings, and the buttons that move it: announce, confirm the winners, send the results."""
from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy import select

from services.contests import rules, service
from services.contests.partner_screens import board_lines, contest_args
from services.db.contest_models import Contest
from services.db.tracking_models import Offer
from services.db.uow import UnitOfWork
from services.kernel import validation
from services.kernel.actions import ID, ActionTable
from services.kernel.deps import Deps
from services.kernel.dto import Button, Incoming, Reply, Screen, Toast
from services.kernel.forms import Abort, Field, Form, FormRunner
from services.staff.roles import MANAGER_ROLES, AccessDenied, has_role

FORM = "contest_new"
DENIED = Reply(toast=Toast("err-not-allowed", alert=True))


def _form_fields(zone: str) -> list[Field]:
    text = partial(validation.text_length, max_len=128, min_len=3)
    long_text = partial(validation.text_length, max_len=1500, min_len=3)
    return [
        Field("title_ru", "cta-ask-title-ru", text),
        Field("title_en", "cta-ask-title-en", text),
        Field("description_ru", "cta-ask-description-ru", long_text),
        Field("description_en", "cta-ask-description-en", long_text),
        Field("period", "cta-ask-period", partial(rules.parse_period, zone_name=zone)),
        Field("metric", "cta-ask-metric", choices=tuple((m, f"cta-metric-{m}") for m in rules.METRICS)),
        Field("currency", "cta-ask-currency", validation.currency, default="RUB",
              skip_if=lambda data: data.get("metric") != "revenue"),
        Field("offers", "cta-ask-offers", rules.parse_offers, default="all"),
        Field("prizes", "cta-ask-prizes", rules.parse_prizes),
        Field("opt_in", "cta-ask-opt-in", choices=((True, "cta-opt-in-yes"), (False, "cta-opt-in-no"))),
    ]


class StaffContestScreens:
    def __init__(self, deps: Deps, forms: FormRunner) -> None:
        self.deps = deps
        self.forms = forms
        forms.register(Form(FORM, _form_fields(deps.config.program_timezone), self._created,
                            prompt_args=lambda data: {"zone": deps.config.program_timezone}))
        self.on_action = t = ActionTable()  # cta:…
        t.add(r"cta:home", self.home)
        t.add(r"cta:new", self.new)
        t.add(rf"cta:c:{ID}", self.card)
        t.add(rf"cta:ann:{ID}", self.announce)
        t.add(rf"cta:ok:{ID}", self.confirm)
        t.add(rf"cta:res:{ID}", self.results)

    async def home(self, inc: Incoming) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            if not await has_role(uow, inc, MANAGER_ROLES):
                return DENIED
            contests = (await uow.session.scalars(select(Contest).order_by(Contest.id.desc()).limit(8))).all()
        rows = [(Button("cta-item", f"cta:c:{c.id}", {"id": c.id, "title": c.title_ru, "status": c.status}),)
                for c in contests]
        rows.append((Button("cta-btn-new", "cta:new", style="positive"),))
        return Reply.of(Screen("cta-home", {"count": len(contests)}, buttons=tuple(rows), edit=True))

    async def new(self, inc: Incoming) -> Reply:
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, MANAGER_ROLES):
                return DENIED
            reply = await self.forms.begin(uow, inc, FORM, {})
            await uow.commit()
        return reply

    async def _created(self, uow: UnitOfWork, inc: Incoming, data: dict[str, Any]) -> Reply:
        if data.get("offers") == "all":  # the default button stores its value unparsed
            data["offers"] = []
        offers = list(data.get("offers") or [])
        if offers:
            known = set((await uow.session.scalars(select(Offer.id).where(Offer.id.in_(offers)))).all())
            if known != set(offers):
                raise Abort(Reply.of(Screen("cta-err-offers-unknown", {"ids": ", ".join(
                    str(o) for o in sorted(set(offers) - known))})))
        try:
            contest = await service.create(uow, self.deps, inc, data)
        except AccessDenied:
            raise Abort(Reply.of(Screen("err-not-allowed"))) from None
        return Reply.of(await self._card_screen(uow, contest, edit=False))

    async def _card_screen(self, uow: UnitOfWork, contest: Contest, *, edit: bool) -> Screen:
        board = await service.board(uow, self.deps, contest, None)
        offers = ", ".join(f"#{o}" for o in contest.offer_ids) or "*"
        rows: list[tuple[Button, ...]] = []
        if contest.status == rules.DRAFT:
            rows.append((Button("cta-btn-announce", f"cta:ann:{contest.id}", style="positive"),))
        elif contest.status == rules.SETTLED:
            rows.append((Button("cta-btn-confirm", f"cta:ok:{contest.id}", style="positive"),))
        elif contest.status == rules.AWARDED and contest.results_sent_at is None:
            rows.append((Button("cta-btn-results", f"cta:res:{contest.id}"),))
        rows.append((Button("ct-btn-refresh", f"cta:c:{contest.id}"), Button("btn-back", "cta:home")))
        return Screen("cta-card", {**contest_args(self.deps, contest), "offers": offers,
                                   "top": board_lines(board) or "—", "participants": board.participants,
                                   "who": contest.awarded_by or ""}, buttons=tuple(rows), edit=edit)

    async def card(self, inc: Incoming, contest_id: int, *, toast: Toast | None = None) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            if not await has_role(uow, inc, MANAGER_ROLES):
                return DENIED
            contest = await uow.session.get(Contest, contest_id)
            if contest is None:
                return Reply(toast=Toast("err-stale-button"))
            screen = await self._card_screen(uow, contest, edit=True)
        return Reply(screens=[screen], toast=toast)

    async def _outcome(self, inc: Incoming, contest_id: int, outcome: str, who: str | None = None) -> Reply:
        alert = outcome not in ("announced", "awarded", "sent")
        return await self.card(inc, contest_id, toast=Toast("cta-done", {"outcome": outcome, "who": who or "—"},
                                                            alert=alert))

    async def announce(self, inc: Incoming, contest_id: int) -> Reply:
        try:
            outcome = await service.announce(self.deps, inc, contest_id)
        except AccessDenied:
            return DENIED
        return await self._outcome(inc, contest_id, outcome)

    async def confirm(self, inc: Incoming, contest_id: int) -> Reply:
        try:
            outcome, who = await service.confirm(self.deps, inc, contest_id)
        except AccessDenied:
            return DENIED
        return await self._outcome(inc, contest_id, outcome, who)

    async def results(self, inc: Incoming, contest_id: int) -> Reply:
        try:
            outcome = await service.send_results(self.deps, inc, contest_id)
        except AccessDenied:
            return DENIED
        return await self._outcome(inc, contest_id, outcome)
