"""/admin → Review: flagged conversions a manager clears or rejects (decisions in services.tracking.review)."""
from __future__ import annotations

from services.messaging import notify
from services.kernel.actions import ID, ActionTable
from services.kernel.deps import Deps
from services.kernel.dto import Button, Incoming, Reply, Screen, Toast
from services.staff.roles import AccessDenied, has_role
from services.kernel.money import format_money
from services.tracking.review import count_pending_review, list_pending_review, review

PAGE = 5


class ReviewScreens:
    def __init__(self, deps: Deps, actions: ActionTable) -> None:
        self.deps = deps
        actions.add(r"adm:review", self.list)
        actions.add(rf"adm:review:{ID}", self.list)
        actions.add(rf"adm:rvc:{ID}", lambda inc, cid: self.decide(inc, cid, "clear"))
        actions.add(rf"adm:rvr:{ID}", lambda inc, cid: self.decide(inc, cid, "reject"))

    async def list(self, inc: Incoming, page: int = 0, *, toast: Toast | None = None) -> Reply:
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, notify.MANAGER_ROLES):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            total = await count_pending_review(uow)
            items = await list_pending_review(uow, limit=PAGE, offset=page * PAGE)
        lines = [
            f"#{i.conversion_id} · {i.offer_name} · {i.partner_name or '—'} (#{i.partner_id}) · "
            f"{format_money(i.commission, i.currency)} · {i.status} · {', '.join(i.flags) or '—'}"
            + (f" · sub1={i.sub1}" if i.sub1 else "")
            for i in items
        ]
        rows: list[tuple[Button, ...]] = [
            (Button("review-btn-clear", f"adm:rvc:{i.conversion_id}", {"id": i.conversion_id}, style="positive"),
             Button("review-btn-reject", f"adm:rvr:{i.conversion_id}", {"id": i.conversion_id}, style="negative"))
            for i in items
        ]
        nav: list[Button] = []
        if page > 0:
            nav.append(Button("btn-prev", f"adm:review:{page - 1}"))
        if (page + 1) * PAGE < total:
            nav.append(Button("btn-next", f"adm:review:{page + 1}"))
        if nav:
            rows.append(tuple(nav))
        return Reply(screens=[Screen("review-list", {"count": total, "items": "\n".join(lines) or "—"},
                                     buttons=tuple(rows), edit=True)], toast=toast)

    async def decide(self, inc: Incoming, conversion_id: int, decision: str) -> Reply:
        try:
            result = await review(self.deps, inc, conversion_id, decision)  # type: ignore[arg-type]
        except AccessDenied:
            return Reply(toast=Toast("err-not-allowed", alert=True))
        if result.outcome == "own":
            return await self.list(inc, toast=Toast("err-own-conversion", alert=True))
        toast = Toast("review-done", {"id": conversion_id, "outcome": result.outcome},
                      alert=result.outcome in ("already_decided", "not_found"))
        return await self.list(inc, toast=toast)
