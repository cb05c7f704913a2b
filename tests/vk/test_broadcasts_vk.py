"""Broadcasts through VK: a manager composes in VK (audience from an uploaded CSV), the sender reaches many
peers per messages.send, detects per-peer errors inside the batch (901: blocked → unreachable), waits out flood
control (error 9), and a crash after VK accepted a batch resends it with the same random_id, which VK drops."""
from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from services.broadcasts.sender import BroadcastSender, SenderPolicy
from services.db.broadcast_models import BroadcastRecipient
from tests.fakes.broadcasts import Crash, add_partner, started_broadcast
from tests.fakes.vk_harness import VkHarness

MANAGER = 800


@pytest.fixture
async def vk(services) -> AsyncIterator[VkHarness]:
    async with VkHarness(services) as harness:
        harness.vk.users[MANAGER] = {"first_name": "Maria", "last_name": ""}
        yield harness


async def drain(sender: BroadcastSender) -> None:
    while await sender.step():
        pass


def csv_doc(vk: VkHarness, content: bytes) -> dict:
    vk.vk.media["ids.csv"] = content
    return {"type": "doc", "doc": {"id": 5, "owner_id": MANAGER, "title": "ids.csv", "size": len(content),
                                   "ext": "csv", "date": 1_700_000_000, "type": 1, "url": vk.vk.media_url("ids.csv"),
                                   "access_key": "k5"}}


async def test_vk_manager_flow_batches_and_per_peer_errors(services, clock, vk):
    ids = [await add_partner(services, 200 + n, messenger="vk") for n in range(1, 6)]
    services.broadcasts.senders["vk"] = vk.notifier
    await vk.send(MANAGER, "/broadcast")
    await vk.press(MANAGER, "bc:new")
    await vk.send(MANAGER, "Новые ставки с 1 декабря")
    await vk.send(MANAGER, "Подробнее | https://partners.example.com/rates")
    await vk.press(MANAGER, "bc:ak:1:ids")
    await vk.send(MANAGER, "вот", attachments=[csv_doc(vk, b"id\n%d\n%d\n%d\n%d\n999\n" % tuple(ids[:4]))])
    summary = vk.last(MANAGER)
    assert "Получателей: 4 (Telegram 0, VK 4)" in summary.text and "5 id из CSV" in summary.text
    preview = vk.vk.sent[-2]
    assert (preview.peer_id, preview.message) == (MANAGER, "Новые ставки с 1 декабря")
    assert preview.keyboard["buttons"][0][0]["action"]["link"] == "https://partners.example.com/rates"
    await vk.press(MANAGER, "bc:go:1")
    assert "Рассылка #1 началась: получателей 4" in vk.last(MANAGER).text

    vk.vk.blocked.add(202)
    vk.vk.fail_next("messages.send", 9, "Flood control")
    vk.vk.mark()
    sender = BroadcastSender(services.deps, {"vk": vk.notifier}, {"vk": vk.notifier},
                             policy=SenderPolicy(vk_peers=3, in_flight=1))
    await drain(sender)
    assert not [s for s in vk.vk.sent if 200 < s.peer_id < 210]  # flood control: held, nothing lost
    clock.advance(seconds=1)
    await drain(sender)
    batches = [c.params["peer_ids"] for c in vk.vk.calls_of("messages.send") if c.params.get("peer_ids", "800") != "800"]
    assert batches == ["201,202,203", "201,202,203", "204"]  # refused once, then 3 + 1
    assert sorted(s.peer_id for s in vk.vk.sent if 200 < s.peer_id < 210) == [201, 203, 204]
    async with services.deps.uow(readonly=True) as uow:
        rows = (await uow.session.scalars(select(BroadcastRecipient).order_by(BroadcastRecipient.id))).all()
    assert [(r.chat_id, r.status) for r in rows] == [("201", "sent"), ("202", "unreachable"), ("203", "sent"),
                                                     ("204", "sent")]
    assert rows[1].error.startswith("[901]")
    final = vk.last(MANAGER)
    assert "завершена" in final.text and "заблокировали бота 1" in final.text and final.actions() == ["bc:csv:1"]


async def test_crash_after_vk_accepted_a_batch_never_doubles(services, clock, vk):
    for n in range(1, 8):
        await add_partner(services, 300 + n, messenger="vk")
    broadcast_id = await started_broadcast(services, by=("vk", str(MANAGER)))
    real = vk.notifier.post
    calls = 0

    async def accepted_then_killed(chat_ids, post, dedupe_id):
        nonlocal calls
        calls += 1
        answer = await real(chat_ids, post, dedupe_id)
        if calls == 2:
            raise Crash()  # VK has shown the second batch; our commit never happens
        return answer

    crashing = BroadcastSender(services.deps, {"vk": type("P", (), {"messenger": "vk", "max_peers": 100,
                                                                     "post": staticmethod(accepted_then_killed)})()},
                               {}, policy=SenderPolicy(vk_peers=3, in_flight=1))
    with pytest.raises(Crash):
        await drain(crashing)
    clock.advance(seconds=61)
    await drain(BroadcastSender(services.deps, {"vk": vk.notifier}, {}, policy=SenderPolicy(vk_peers=3)))
    shown = Counter(s.peer_id for s in vk.vk.sent if 300 < s.peer_id < 310)
    assert shown == {300 + n: 1 for n in range(1, 8)}  # 0 duplicates, 0 skipped
    resent = [c.params for c in vk.vk.calls_of("messages.send") if "304" in c.params.get("peer_ids", "")]
    assert len(resent) == 2 and resent[0]["random_id"] == resent[1]["random_id"]  # dropped by VK as a repeat
    async with services.deps.uow(readonly=True) as uow:
        states = Counter((await uow.session.scalars(select(BroadcastRecipient.status).where(
            BroadcastRecipient.broadcast_id == broadcast_id))).all())
    assert states == {"sent": 7}
    assert timedelta(seconds=61) > SenderPolicy().lease
