"""Contest use cases: create, announce, join, the leaderboard as data, confirming winners, the results message.

Every state change is a conditional move from the state it leaves, on the contest row locked first (PostgreSQL:
FOR UPDATE; SQLite: the writing unit of work holds the write lock), so two managers, two taps or a retry after a
crash make one change. Prize money is a ledger entry keyed contest:<id>:place:<n> (kind "bonus"), written with
the move to "awarded" in one transaction and inserted ignoring duplicates: credited exactly once, whatever runs.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from weakref import WeakKeyDictionary
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from services.contests import rules, standings
from services.contests.rules import ANNOUNCED, AWARDED, DRAFT, FINISHED, RUNNING, SETTLED, Prize
from services.contests.standings import Standing
from services.db.contest_models import Contest, ContestEntry
from services.db.models import Partner
from services.db.uow import UnitOfWork
from services.kernel.deps import Deps
from services.kernel.dto import Button, Incoming, Screen
from services.ledger import entries as ledger
from services.messaging import notify
from services.staff.roles import MANAGER_ROLES, own_partner_id, require_role

log = logging.getLogger(__name__)

LIVE_TTL = timedelta(seconds=30)  # a live leaderboard is recomputed at most this often per process
RECENT = timedelta(days=14)  # awarded contests stay on partners' list this long
KIND, PRIZE_KIND = "contest", "contest_prize"  # outbox kinds: news-like (muteable, quiet hours) / money (always)

Outcome = Literal["announced", "joined", "awarded", "sent", "already", "not_found", "ended", "closed",
                  "not_opt_in", "not_settled", "not_awarded", "own"]


def actor_of(inc: Incoming) -> str:
    return f"{inc.messenger}:{inc.user_id}"


def prize_key(contest_id: int, place: int) -> str:
    return f"contest:{contest_id}:place:{place}"


async def create(uow: UnitOfWork, deps: Deps, staff: Incoming, data: dict[str, Any]) -> Contest:
    """A draft from the managers' form (data already validated field by field)."""
    await require_role(uow, staff, MANAGER_ROLES)
    start, end = (datetime.fromisoformat(v) for v in data["period"])
    contest = Contest(status=DRAFT, title_ru=data["title_ru"], title_en=data["title_en"],
                      description_ru=data["description_ru"], description_en=data["description_en"],
                      starts_at=start, ends_at=end, metric=data["metric"],
                      currency=data.get("currency") if data["metric"] == "revenue" else None,
                      offer_ids=list(data.get("offers") or []), prizes=list(data["prizes"]),
                      opt_in=bool(data["opt_in"]), created_by=actor_of(staff), created_at=deps.clock.now())
    uow.session.add(contest)
    await uow.session.flush()
    log.info("contest %s drafted by %s", contest.id, contest.created_by)
    return contest


async def locked(uow: UnitOfWork, contest_id: int) -> Contest | None:
    return await uow.session.get(Contest, contest_id, with_for_update=True, populate_existing=True)


async def move(uow: UnitOfWork, contest: Contest, old: str, new: str, **values: Any) -> bool:
    moved = await uow.session.execute(update(Contest).where(Contest.id == contest.id, Contest.status == old)
                                      .values(status=new, **values).execution_options(synchronize_session=False))
    await uow.session.refresh(contest)
    return bool(moved.rowcount)  # type: ignore[attr-defined]


def announcement(contest: Contest) -> Screen:
    return Screen("ct-announce", {"id": contest.id, "title_ru": contest.title_ru, "title_en": contest.title_en},
                  buttons=((Button("ct-btn-open", f"ct:v:{contest.id}"),),))


async def announce(deps: Deps, staff: Incoming, contest_id: int) -> Outcome:
    """Draft → announced (running at once if its start has passed); every approved partner is told, unless they
    muted contests; quiet hours hold the message back (kind "contest" is a quiet kind)."""
    async with deps.uow() as uow:
        await require_role(uow, staff, MANAGER_ROLES)
        contest = await locked(uow, contest_id)
        if contest is None:
            return "not_found"
        now = deps.clock.now()
        if contest.status != DRAFT:
            return "already"
        if contest.ends_at <= now:
            return "ended"
        await move(uow, contest, DRAFT, RUNNING if contest.starts_at <= now else ANNOUNCED, announced_at=now)
        partners = (await uow.session.scalars(select(Partner).where(Partner.status == "approved")
                                              .order_by(Partner.id))).all()
        for partner in partners:
            await notify.to_partner(uow, deps, partner, announcement(contest), kind=KIND,
                                    dedupe_key=f"contest:{contest.id}:announce")
        await uow.commit()
    deps.wake_outbox()
    log.info("contest %s announced to %d partners", contest_id, len(partners))
    return "announced"


def visible(contest: Contest | None, now: datetime) -> bool:
    """What a partner may see: never drafts; awarded contests for RECENT after the award."""
    if contest is None or contest.status not in rules.VISIBLE:
        return False
    return contest.status != AWARDED or (contest.awarded_at or now) > now - RECENT


async def visible_contests(uow: UnitOfWork, now: datetime) -> list[Contest]:
    rows = (await uow.session.scalars(select(Contest).where(Contest.status.in_(rules.VISIBLE))
                                      .order_by(Contest.starts_at.desc(), Contest.id.desc()).limit(50))).all()
    return [c for c in rows if visible(c, now)][:10]


async def join(deps: Deps, partner_id: int, contest_id: int) -> Outcome:
    """"I'm in" on an opt-in contest, while it is announced or running; a double tap joins once."""
    async with deps.uow() as uow:
        contest = await uow.session.get(Contest, contest_id)
        if not visible(contest, deps.clock.now()):
            return "not_found"
        assert contest is not None
        if not contest.opt_in:
            return "not_opt_in"
        if contest.status not in (ANNOUNCED, RUNNING):
            return "closed"
        if await uow.session.get(ContestEntry, (contest_id, partner_id)) is not None:
            return "already"
        try:
            async with uow.session.begin_nested():
                uow.session.add(ContestEntry(contest_id=contest_id, partner_id=partner_id,
                                             joined_at=deps.clock.now()))
        except IntegrityError:  # another process joined them a moment ago
            return "already"
        await uow.commit()
    forget(deps, contest_id)
    return "joined"


@dataclass(frozen=True)
class Line:
    place: int
    partner_id: int
    name: str | None  # None: shown as "Partner #id" (the partner did not choose to show their name)
    value: Decimal
    me: bool


@dataclass(frozen=True)
class Board:
    contest: Contest
    lines: list[Line]  # the top places
    mine: Standing | None
    ahead: Standing | None  # the place right above mine
    participants: int
    joined: bool
    final: bool  # frozen standings (settled or awarded)

    @property
    def gap(self) -> Decimal | None:
        return self.ahead.value - self.mine.value if self.ahead and self.mine else None


# Live standings per database (keyed by its unit-of-work source, so tests and processes never share them) and
# contest: every partner opening a leaderboard within LIVE_TTL reuses one computation (a few hundred ms of CPU
# for thousands of partners), and the podium job's fresh result is put here for them too.
_LIVE: WeakKeyDictionary[Any, dict[int, tuple[datetime, list[Standing]]]] = WeakKeyDictionary()


def remember(deps: Deps, contest_id: int, at: datetime, ranked: list[Standing]) -> None:
    _LIVE.setdefault(deps.uow, {})[contest_id] = (at, ranked)


def forget(deps: Deps, contest_id: int) -> None:
    """Someone joined: their own next look must already list them."""
    _LIVE.get(deps.uow, {}).pop(contest_id, None)


async def current_standings(uow: UnitOfWork, deps: Deps, contest: Contest) -> list[Standing]:
    if contest.status in (SETTLED, AWARDED):
        return await standings.frozen(uow, contest.id)
    if contest.status not in (RUNNING, FINISHED):
        return []
    now = deps.clock.now()
    hit = _LIVE.get(deps.uow, {}).get(contest.id)
    if hit is not None and timedelta(0) <= now - hit[0] < LIVE_TTL:
        return hit[1]
    ranked = await standings.compute(uow, contest, now)
    remember(deps, contest.id, now, ranked)
    return ranked


async def names(uow: UnitOfWork, partner_ids: list[int]) -> dict[int, str | None]:
    rows = (await uow.session.execute(select(Partner.id, Partner.name, Partner.public_name)
                                      .where(Partner.id.in_(partner_ids)))).all() if partner_ids else []
    return {pid: (name if public and name else None) for pid, name, public in rows}


async def board(uow: UnitOfWork, deps: Deps, contest: Contest, partner_id: int | None) -> Board:
    ranked = await current_standings(uow, deps, contest)
    top = ranked[:rules.TOP]
    shown = await names(uow, [s.partner_id for s in top])
    mine = next((s for s in ranked if s.partner_id == partner_id), None)
    ahead = ranked[mine.place - 2] if mine is not None and mine.place > 1 else None
    joined = partner_id is not None and contest.opt_in and \
        await uow.session.get(ContestEntry, (contest.id, partner_id)) is not None
    return Board(contest, [Line(s.place, s.partner_id, shown.get(s.partner_id), s.value, s.partner_id == partner_id)
                           for s in top], mine, ahead, len(ranked), joined, contest.status in (SETTLED, AWARDED))


def winner_screen(contest: Contest, prize: Prize, value: str) -> Screen:
    return Screen("ct-won", {"title_ru": contest.title_ru, "title_en": contest.title_en, "place": prize.place,
                             "value": value, "prize": prize.text or "", "money": "yes" if prize.amount else "no",
                             "amount": rules.prize_text(prize)},
                  buttons=((Button("ct-btn-open", f"ct:v:{contest.id}"),),))


async def confirm(deps: Deps, staff: Incoming, contest_id: int) -> tuple[Outcome, str | None]:
    """A manager confirms the proposed winners of a settled contest: prizes credited once, winners told.
    (outcome, who awarded it)."""
    async with deps.uow() as uow:
        await require_role(uow, staff, MANAGER_ROLES)
        contest = await locked(uow, contest_id)
        if contest is None:
            return "not_found", None
        if contest.status == AWARDED:
            return "already", contest.awarded_by
        if contest.status != SETTLED:
            return "not_settled", None
        results = await standings.frozen(uow, contest_id)
        prizes = rules.prizes_of(contest.prizes)
        winners = {s.place: s for s in results if s.place <= len(prizes)}
        if await own_partner_id(uow, staff) in {s.partner_id for s in winners.values()}:
            return "own", None  # a manager among the winners: another one confirms
        now, who = deps.clock.now(), actor_of(staff)
        if not await move(uow, contest, SETTLED, AWARDED, awarded_at=now, awarded_by=who):
            return "already", contest.awarded_by
        for prize in prizes:
            winner = winners.get(prize.place)
            if winner is None:
                continue
            if prize.amount is not None:
                await ledger.add_entry_once(uow, key=prize_key(contest_id, prize.place), partner_id=winner.partner_id,
                                            kind=ledger.BONUS, bucket=ledger.AVAILABLE, amount=prize.amount,
                                            currency=prize.currency or "RUB", now=now)
            partner = await uow.partners.get(winner.partner_id)
            if partner is not None:
                await notify.to_partner(uow, deps, partner, winner_screen(contest, prize, rules.figure_text(
                    contest, winner.value)), kind=PRIZE_KIND, dedupe_key=f"contest:{contest_id}:won:{prize.place}")
        await uow.commit()
    deps.wake_outbox()
    log.info("contest %s awarded by %s", contest_id, who)
    return "awarded", who


async def send_results(deps: Deps, staff: Incoming, contest_id: int) -> Outcome:
    """The final standings to every participant (once: results_sent_at), through the outbox."""
    async with deps.uow() as uow:
        await require_role(uow, staff, MANAGER_ROLES)
        contest = await locked(uow, contest_id)
        if contest is None:
            return "not_found"
        if contest.status != AWARDED:
            return "not_awarded"
        if contest.results_sent_at is not None:
            return "already"
        moved = await uow.session.execute(update(Contest).where(
            Contest.id == contest_id, Contest.results_sent_at.is_(None)).values(results_sent_at=deps.clock.now())
            .execution_options(synchronize_session=False))
        if not moved.rowcount:  # type: ignore[attr-defined]
            return "already"
        results = await standings.frozen(uow, contest_id)
        for standing in results:
            partner = await uow.partners.get(standing.partner_id)
            if partner is None:
                continue
            await notify.to_partner(uow, deps, partner, Screen("ct-results", {
                "title_ru": contest.title_ru, "title_en": contest.title_en, "place": standing.place,
                "count": len(results), "value": rules.figure_text(contest, standing.value)},
                buttons=((Button("ct-btn-open", f"ct:v:{contest_id}"),),)), kind=KIND,
                dedupe_key=f"contest:{contest_id}:results")
        await uow.commit()
    deps.wake_outbox()
    return "sent"


async def set_public_name(deps: Deps, partner_id: int, public: bool) -> None:
    async with deps.uow() as uow:
        partner = await uow.partners.get(partner_id)
        if partner is not None:
            partner.public_name = public
            await uow.commit()


def board_dict(board: Board, locale: str) -> dict[str, Any]:
    """A leaderboard as JSON (the web dashboard; a REST API can reuse it): the partner's own line, the top."""
    c = board.contest
    en = locale == "en"
    mine = board.mine
    return {
        "id": c.id, "title": c.title_en if en else c.title_ru, "description": c.description_en if en else
        c.description_ru, "status": c.status, "metric": c.metric, "currency": c.currency,
        "starts_at": c.starts_at.isoformat(), "ends_at": c.ends_at.isoformat(), "opt_in": c.opt_in,
        "joined": board.joined, "final": board.final, "participants": board.participants,
        "prizes": [{"place": p.place, "text": rules.prize_text(p), "money": p.amount is not None}
                   for p in rules.prizes_of(c.prizes)],
        "top": [{"place": line.place, "name": line.name or f"#{line.partner_id}", "me": line.me,
                 "value": rules.figure_text(c, line.value)} for line in board.lines],
        "mine": None if mine is None else {"place": mine.place, "value": rules.figure_text(c, mine.value),
                                           "gap": rules.figure_text(c, board.gap) if board.gap is not None
                                           else None},
    }
