"""Group commit of postbacks (services/tracking/postback_batch.py): postbacks arriving together share one
transaction, each answered after it committed; duplicates inside a batch make one conversion; a failing postback
inside a batch fails only itself. On SQLite and PostgreSQL."""
from __future__ import annotations

import asyncio
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from services.db.models import OutboxMessage
from services.db.tracking_models import Conversion, LedgerEntry, PostbackLog
from services.kernel.deps import Deps, ProgramConfig
from services.kernel.money import format_money
from services.tracking import commissions
from services.tracking.postback_batch import PostbackBatcher
from services.tracking.postback_parse import RawPostback
from services.tracking.postbacks import handle_postback
from tests.integration.test_postbacks import SECRET, build_world, click, ledger_of, rows, signed

D = Decimal


@pytest.fixture
def program_config() -> ProgramConfig:
    return ProgramConfig(default_locale="ru", public_base_url="https://partners.example.com",
                         postback_secret=SECRET, fraud_min_seconds=10)


def raw(**params: str) -> RawPostback:
    return RawPostback(method="GET", remote="127.0.0.1", query=urlencode(signed(**params)))


async def send_together(deps: Deps, batcher: PostbackBatcher, requests: list[RawPostback]) -> list[tuple[int, dict]]:
    """All requests queued before the batcher runs: they land in one batch (asyncio runs tasks in order)."""
    responses = await asyncio.gather(*(handle_postback(deps, r, None, batcher.submit) for r in requests))
    return [(r.status, r.body) for r in responses]


async def count(deps: Deps, model) -> int:
    async with deps.uow() as uow:
        return await uow.session.scalar(select(func.count()).select_from(model))


async def test_postbacks_arriving_together_share_one_transaction(deps):
    world = await build_world(deps)
    link = world.link_id
    for n in range(2, 9):
        await click(deps, link, f"CLICK{n:016d}")
    clicks = [world.click_id] + [f"CLICK{n:016d}" for n in range(2, 9)]
    batcher = PostbackBatcher(deps)
    requests = [raw(click_id=c, status="approved" if n % 2 else "lead", txid=f"T{n}") for n, c in enumerate(clicks)]
    answers = await send_together(deps, batcher, requests)
    assert batcher.batches == 1  # one transaction for all eight
    assert [status for status, _ in answers] == [200] * 8
    assert [body["conversion_status"] for _, body in answers] == ["pending", "approved"] * 4
    assert len({body["conversion_id"] for _, body in answers}) == 8
    assert not any(body["duplicate"] for _, body in answers)
    # Every guarantee of the one-by-one path: the approvals' money for both levels, notices for every account
    # (the partner has Telegram + VK, the inviter Telegram), a log row per request linked to its conversion.
    for _, body in answers:
        booked = await ledger_of(deps, body["conversion_id"])
        cid = body["conversion_id"]
        assert booked == ({f"conv:{cid}:approved:l1": D("1500"), f"conv:{cid}:approved:l2": D("75")}
                          if body["conversion_status"] == "approved" else {})
    assert await count(deps, OutboxMessage) == 8 * 2 + 4
    logs = await rows(deps, PostbackLog)
    assert sorted(log.conversion_id for log in logs) == sorted(body["conversion_id"] for _, body in answers)
    # The notice shows the balance after this conversion's money, counted in arrival order within the batch.
    holds = [m.screen["args"]["hold"] for m in await rows(deps, OutboxMessage, OutboxMessage.kind == "conversion",
                                                          OutboxMessage.messenger == "telegram")]
    assert holds == [format_money(D(1500 * ((n + 1) // 2)), "RUB") for n in range(8)]


async def test_duplicates_inside_one_batch_make_one_conversion(deps):
    world = await build_world(deps)
    batcher = PostbackBatcher(deps)
    lead = raw(click_id=world.click_id, status="lead", txid="T-1")
    approve = raw(click_id=world.click_id, status="approved", txid="T-1", payout="200")
    answers = await send_together(deps, batcher, [lead, lead, approve, lead, approve])
    assert [status for status, _ in answers] == [200] * 5
    [conversion] = await rows(deps, Conversion)
    assert {body["conversion_id"] for _, body in answers} == {conversion.id}
    # In the batch: the lead is new, the other leads repeats; the approval (another step of a conversion the
    # batch already touched) runs one by one after the commit, its twin is then a repeat.
    assert [body["duplicate"] for _, body in answers] == [False, True, False, True, True]
    assert [body["conversion_status"] for _, body in answers] == ["pending", "pending", "approved", "pending",
                                                                    "approved"]
    assert conversion.status == "approved" and conversion.commission == D("200")
    assert await ledger_of(deps, conversion.id) == {f"conv:{conversion.id}:approved:l1": D("200"),
                                                    f"conv:{conversion.id}:approved:l2": D("10")}
    assert await count(deps, OutboxMessage) == 2 + 2 + 1  # lead (2 accounts), approval (2 + the inviter)
    assert await count(deps, PostbackLog) == 5


async def test_a_failing_postback_inside_a_batch_fails_only_itself(deps, monkeypatch):
    world = await build_world(deps)
    for n in range(2, 6):
        await click(deps, world.link_id, f"CLICK{n:016d}")
    real = commissions.approval_credits

    def breaks_on_t3(conversion, *args):
        if conversion.txid == "T3":  # after its conversion row was written: the rollback must take it back
            raise RuntimeError("disk on fire")
        return real(conversion, *args)

    monkeypatch.setattr(commissions, "approval_credits", breaks_on_t3)
    batcher = PostbackBatcher(deps)
    good = [raw(click_id=f"CLICK{n:016d}", status="approved", txid=f"T{n}") for n in (2, 4, 5)]
    refused = [raw(click_id="NO-SUCH-CLICK", status="approved", txid="T9"),  # 404: only its log row
               raw(click_id=world.click_id, status="approved", txid="T1", currency="USD")]  # 400
    # The poisoned one raises while its money is booked (a bug, a broken row). The whole batch is rolled back and
    # redone one by one; only the poisoned postback fails (500), the others are recorded and answered 200.
    bad = raw(click_id="CLICK0000000000000003", status="approved", txid="T3")
    answers = await send_together(deps, batcher, [good[0], refused[0], good[1], bad, refused[1], good[2]])
    statuses = [status for status, _ in answers]
    assert statuses[1] == 404 and statuses[4] == 400
    assert statuses.count(500) == 1 and statuses.count(200) == 3, answers
    ok = [body["conversion_id"] for status, body in answers if status == 200]
    assert {c.id for c in await rows(deps, Conversion)} == set(ok)  # the failed one left nothing behind
    async with deps.uow() as uow:
        orphans = await uow.session.scalar(select(func.count()).select_from(LedgerEntry).where(
            LedgerEntry.conversion_id.not_in(ok)))
    assert orphans == 0
    assert await count(deps, PostbackLog) == 6  # every request is in the log, the failed one too


async def test_admitted_requests_still_need_the_signature(deps):
    """The batcher only sees what admit() let through: a forged postback never reaches it."""
    world = await build_world(deps)
    forged = RawPostback(method="GET", remote="127.0.0.1",
                         query=urlencode({"click_id": world.click_id, "status": "approved", "sig": "0" * 64}))
    batcher = PostbackBatcher(deps)
    [(status, body)] = await send_together(deps, batcher, [forged])
    assert status == 403 and batcher.batches == 0
    assert await count(deps, Conversion) == 0
