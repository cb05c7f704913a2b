"""Partners' side: /contest and menu → Contests — the visible contests, one contest's leaderboard, "I'm in", and
the choice of how their name appears on leaderboards (ct:…)."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from services.contests import rules, service
from services.contests.service import Board
from services.db.contest_models import Contest
from services.kernel.actions import ID, ActionTable
from services.kernel.deps import Deps
from services.kernel.dto import Button, Incoming, Reply, Screen, Toast
from services.partners.current import Require, current_partner


def period_text(deps: Deps, contest: Contest) -> str:
    zone = ZoneInfo(deps.config.program_timezone)
    start, end = contest.starts_at.astimezone(zone), contest.ends_at.astimezone(zone)
    return f"{start:%d.%m.%Y %H:%M} – {end:%d.%m.%Y %H:%M} ({deps.config.program_timezone})"


def prizes_text(contest: Contest) -> str:
    return "\n".join(f"{p.place}. {rules.prize_text(p)}" for p in rules.prizes_of(contest.prizes))


def contest_args(deps: Deps, contest: Contest) -> dict[str, object]:
    return {"id": contest.id, "title_ru": contest.title_ru, "title_en": contest.title_en,
            "description_ru": contest.description_ru, "description_en": contest.description_en,
            "period": period_text(deps, contest), "metric": contest.metric, "currency": contest.currency or "",
            "status": contest.status, "prizes": prizes_text(contest), "opt_in": "yes" if contest.opt_in else "no"}


def board_lines(board: Board) -> str:
    return "\n".join(f"{'👉 ' if line.me else ''}{line.place}. {line.name or f'#{line.partner_id}'} — "
                     f"{rules.figure_text(board.contest, line.value)}" for line in board.lines)


class ContestScreens:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.on_action = t = ActionTable()  # ct:…
        t.add(r"ct:home", self.home)
        t.add(rf"ct:v:{ID}", self.view)
        t.add(rf"ct:in:{ID}", self.join)
        t.add(r"ct:name", self.name_menu)
        t.add(r"ct:name:([01])", self.set_name)

    async def home(self, inc: Incoming) -> Reply:
        back = inc.action == "ct:home"  # Back from a leaderboard replaces it; /contest and the menu send anew
        async with self.deps.uow(readonly=True) as uow:
            partner = await current_partner(uow, inc, Require.APPROVED, toast=back)
            if isinstance(partner, Reply):
                return partner
            contests = await service.visible_contests(uow, self.deps.clock.now())
        if not contests:
            return Reply.of(Screen("ct-none", edit=back))
        rows = tuple((Button("ct-item", f"ct:v:{c.id}", {"title_ru": c.title_ru, "title_en": c.title_en,
                                                          "status": c.status}),) for c in contests)
        return Reply.of(Screen("ct-list", {"count": len(contests)}, buttons=rows, edit=back))

    async def view(self, inc: Incoming, contest_id: int, *, toast: Toast | None = None) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            partner = await current_partner(uow, inc, Require.APPROVED, toast=True)
            if isinstance(partner, Reply):
                return partner
            contest = await uow.session.get(Contest, contest_id)
            if contest is None or not service.visible(contest, self.deps.clock.now()):
                return Reply(toast=Toast("err-stale-button"))
            board = await service.board(uow, self.deps, contest, partner.id)
        mine, gap = board.mine, board.gap
        args = {**contest_args(self.deps, contest), "top": board_lines(board) or "—",
                "participants": board.participants, "final": "yes" if board.final else "no",
                "place": mine.place if mine else 0, "value": rules.figure_text(contest, mine.value) if mine else "",
                "gap": rules.figure_text(contest, gap) if gap is not None else "",
                "joined": "yes" if board.joined else "no"}
        rows: list[tuple[Button, ...]] = []
        if contest.opt_in and not board.joined and contest.status in (rules.ANNOUNCED, rules.RUNNING):
            rows.append((Button("ct-btn-join", f"ct:in:{contest.id}", style="positive"),))
        rows.append((Button("ct-btn-refresh", f"ct:v:{contest.id}"), Button("btn-back", "ct:home")))
        return Reply(screens=[Screen("ct-board", args, buttons=tuple(rows), edit=True)], toast=toast)

    async def join(self, inc: Incoming, contest_id: int) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            partner = await current_partner(uow, inc, Require.APPROVED, toast=True)
        if isinstance(partner, Reply):
            return partner
        outcome = await service.join(self.deps, partner.id, contest_id)
        if outcome == "not_found":
            return Reply(toast=Toast("err-stale-button"))
        return await self.view(inc, contest_id, toast=Toast("ct-join-done", {"outcome": outcome}))

    async def name_menu(self, inc: Incoming, *, toast: Toast | None = None) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            partner = await current_partner(uow, inc, Require.APPROVED, toast=True)
        if isinstance(partner, Reply):
            return partner
        public = partner.public_name
        return Reply(screens=[Screen("ct-name", {"public": "yes" if public else "no", "id": partner.id,
                                                 "name": partner.name or ""},
                                     buttons=((Button("ct-btn-name-hide" if public else "ct-btn-name-show",
                                                      f"ct:name:{0 if public else 1}"),),
                                              (Button("btn-back", "set:home"),)), edit=True)], toast=toast)

    async def set_name(self, inc: Incoming, value: int) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            partner = await current_partner(uow, inc, Require.APPROVED, toast=True)
        if isinstance(partner, Reply):
            return partner
        await service.set_public_name(self.deps, partner.id, value == 1)
        return await self.name_menu(inc, toast=Toast("settings-saved"))
