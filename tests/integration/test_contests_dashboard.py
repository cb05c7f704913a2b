"""The dashboard's contests section over HTTP: the same leaderboard the chat shows, only contests the partner can
see (never drafts), names only of partners who chose to show them, and no data without a session."""
from __future__ import annotations

from datetime import timedelta

from services.contests import service
from services.db.contest_models import Contest
from tests.contests.data import make_contest
from tests.integration.test_dashboard_web import client, tma, world  # noqa: F401  (fixtures)


async def test_contests_endpoint_shows_visible_leaderboards_only(client, deps, world):  # noqa: F811
    ann, bob, applied = world
    now = deps.clock.now()
    running = await make_contest(deps, now - timedelta(days=40), now + timedelta(days=1), status="running")
    await make_contest(deps, now - timedelta(days=1), now + timedelta(days=1), status="draft")
    async with deps.uow() as uow:
        (await uow.partners.get(bob.partner_id)).public_name = True
        await uow.commit()
    assert (await client.get("/app/api/contests")).status == 401
    assert (await client.get("/app/api/contests", headers=tma(applied.tg_user, deps))).status == 403
    response = await client.get("/app/api/contests", headers=tma(ann.tg_user, deps))
    data = await response.json()
    assert response.status == 200 and [c["id"] for c in data["contests"]] == [running]
    board = data["contests"][0]
    # Each seeded partner has one approved conversion (Ann's pending and rejected ones do not count). Bob chose
    # to show his name; Ann did not, so she is "#id" — and her own line is marked.
    lines = {line["name"]: (line["value"], line["me"]) for line in board["top"]}
    assert lines == {"Bob": ("1", False), f"#{ann.partner_id}": ("1", True)}
    assert board["mine"]["value"] == "1" and board["title"] == "Spring race" and board["participants"] == 2
    async with deps.uow(readonly=True) as uow:  # the chat's board, for the same partner
        contest = await uow.session.get(Contest, running)
        chat = await service.board(uow, deps, contest, ann.partner_id)
    assert board == service.board_dict(chat, "en")
