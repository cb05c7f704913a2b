"""The contest clock, run by a scheduler job every minute (and driven by hand with a fake clock in tests):

    announced → running    at starts_at
    running   → finished   at ends_at
    finished  → settled    at ends_at + CONTEST_SETTLE_HOURS: standings frozen into contest_results and the
                           proposed winners sent to managers, who confirm them (services.contests.service)

Running contests also get podium notices: a partner entering the top 3 or losing a podium place is told, at most
once an hour per contest (contest_podium.notified_at). A change within that hour is told at the next run after
it, as it then stands. Every step is idempotent: a late or repeated run moves each contest once.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from services.contests import rules, standings
from services.contests.rules import ANNOUNCED, FINISHED, RUNNING, SETTLED
from services.contests.service import KIND, locked, move, remember
from services.db.contest_models import Contest, ContestPodium, ContestResult
from services.db.uow import UnitOfWork
from services.kernel.deps import Deps
from services.kernel.dto import Button, Screen
from services.messaging import notify
from services.staff.roles import MANAGER_ROLES

log = logging.getLogger(__name__)

PODIUM = 3
NOTICE_EVERY = timedelta(hours=1)


async def _due(deps: Deps, status: str, column: str, shift: timedelta = timedelta(0)) -> list[int]:
    async with deps.uow(readonly=True) as uow:
        at = getattr(Contest, column)
        rows = (await uow.session.scalars(select(Contest.id).where(Contest.status == status,
                                                                   at <= deps.clock.now() - shift))).all()
    return list(rows)


async def _step(deps: Deps, contest_id: int, old: str, new: str) -> bool:
    async with deps.uow() as uow:
        contest = await locked(uow, contest_id)
        if contest is None or not await move(uow, contest, old, new):
            return False
        await uow.commit()
    log.info("contest %s: %s → %s", contest_id, old, new)
    return True


async def settle(deps: Deps, contest_id: int) -> bool:
    """finished → settled: the standings as of the settle moment, stored; managers asked to confirm."""
    async with deps.uow() as uow:
        contest = await locked(uow, contest_id)
        if contest is None or contest.status != FINISHED:
            return False
        cutoff = rules.settle_at(contest.ends_at, deps.config.contest_settle_hours)
        ranked = await standings.compute(uow, contest, cutoff)
        for s in ranked:
            uow.session.add(ContestResult(contest_id=contest_id, place=s.place, partner_id=s.partner_id,
                                          value=s.value, reached_at=s.reached_at))
        await uow.session.flush()
        if not await move(uow, contest, FINISHED, SETTLED, settled_at=deps.clock.now()):
            return False
        prizes = rules.prizes_of(contest.prizes)
        lines = [f"{s.place}. #{s.partner_id} — {rules.figure_text(contest, s.value)}"
                 + (f" → {rules.prize_text(prizes[s.place - 1])}" if s.place <= len(prizes) else "")
                 for s in ranked[:max(len(prizes), 3)]]
        await notify.to_staff(uow, deps, MANAGER_ROLES, Screen("cta-settled", {
            "id": contest_id, "title": contest.title_ru, "winners": "\n".join(lines) or "—"},
            buttons=((Button("cta-btn-open", f"cta:c:{contest_id}"),),)), kind=KIND,
            dedupe_key=f"contest:{contest_id}:settled")
        await uow.commit()
    deps.wake_outbox()
    log.info("contest %s settled: %d ranked", contest_id, len(ranked))
    return True


async def _podium(uow: UnitOfWork, deps: Deps, contest: Contest) -> int:
    now = deps.clock.now()
    ranked = await standings.compute(uow, contest, now)
    remember(deps, contest.id, now, ranked)  # leaderboards opened in the next seconds reuse it
    top = {s.partner_id: s.place for s in ranked[:PODIUM] if s.value > 0}  # an entrant with nothing is not on it
    rows = {r.partner_id: r for r in (await uow.session.scalars(
        select(ContestPodium).where(ContestPodium.contest_id == contest.id).with_for_update())).all()}
    told = 0
    for partner_id in sorted(set(top) | {pid for pid, r in rows.items() if r.place is not None}):
        row = rows.get(partner_id)
        old, new = (row.place if row else None), top.get(partner_id)
        if old == new:
            continue
        event = "entered" if old is None else "lost" if new is None or new > old else None
        if event is None:  # moved up inside the podium: remembered, not announced
            row.place = new  # type: ignore[union-attr]
            continue
        if row is not None and row.notified_at is not None and now - row.notified_at < NOTICE_EVERY:
            continue  # told within the hour: the change waits for the next run after it
        if row is None:
            row = ContestPodium(contest_id=contest.id, partner_id=partner_id)
            uow.session.add(row)
        row.place, row.notified_at = new, now
        partner = await uow.partners.get(partner_id)
        if partner is not None:
            told += await notify.to_partner(uow, deps, partner, Screen("ct-podium", {
                "event": event, "place": new or 0, "old": old or 0, "title_ru": contest.title_ru,
                "title_en": contest.title_en}, buttons=((Button("ct-btn-open", f"ct:v:{contest.id}"),),)),
                kind=KIND)
    await uow.session.flush()
    return told


async def advance(deps: Deps) -> dict[str, int]:
    """The job: every due move, then podium notices of running contests. Returns counts, for logs and tests."""
    done = {"running": 0, "finished": 0, "settled": 0, "podium": 0}
    for contest_id in await _due(deps, ANNOUNCED, "starts_at"):
        done["running"] += await _step(deps, contest_id, ANNOUNCED, RUNNING)
    for contest_id in await _due(deps, RUNNING, "ends_at"):
        done["finished"] += await _step(deps, contest_id, RUNNING, FINISHED)
    for contest_id in await _due(deps, FINISHED, "ends_at", timedelta(hours=deps.config.contest_settle_hours)):
        done["settled"] += await settle(deps, contest_id)
    for contest_id in await _due(deps, RUNNING, "starts_at"):
        async with deps.uow() as uow:
            contest = await locked(uow, contest_id)
            if contest is None or contest.status != RUNNING:
                continue
            done["podium"] += await _podium(uow, deps, contest)
            await uow.commit()
    if done["podium"] or done["settled"]:
        deps.wake_outbox()
    return done
