"""The broadcast engine on real databases: who a segment reaches, scheduled start with a fake clock, pause /
resume / cancel, quiet hours, and a crash (simulated kill -9) between sends and inside the unmarked window,
resumed by a fresh sender without duplicates or gaps."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from services.broadcasts import audience, manage, progress
from services.broadcasts.sender import BroadcastSender, SenderPolicy
from services.db.broadcast_models import Broadcast, BroadcastRecipient
from services.db.models import MessengerAccount, OutboxMessage
from services.db.tracking_models import NotificationMute
from services.kernel.dto import Incoming
from services.staff.roles import AccessDenied
from tests.fakes.broadcasts import Crash, FakePoster, add_partner, started_broadcast
from tests.fakes.stats_data import add_clicks, add_link, add_offer

MANAGER = Incoming("telegram", "900", "900")
POLICY = SenderPolicy(in_flight=1, batch=4)


def sender_for(services, *posters: FakePoster, policy: SenderPolicy = POLICY) -> BroadcastSender:
    return BroadcastSender(services.deps, {p.messenger: p for p in posters}, {}, policy=policy)


async def drain(sender: BroadcastSender) -> None:
    for _ in range(1000):
        if not await sender.step():
            return
    raise AssertionError("the sender never ran out of work")


async def rows(services, broadcast_id: int) -> list[BroadcastRecipient]:
    async with services.deps.uow(readonly=True) as uow:
        return list((await uow.session.scalars(select(BroadcastRecipient).where(
            BroadcastRecipient.broadcast_id == broadcast_id).order_by(BroadcastRecipient.id))).all())


async def status_of(services, broadcast_id: int) -> str:
    async with services.deps.uow(readonly=True) as uow:
        return (await uow.session.get(Broadcast, broadcast_id)).status


async def test_segments_pick_approved_reachable_partners_once(services, clock):
    p1 = await add_partner(services, 1, tier="certified", locale="ru")
    p2 = await add_partner(services, 2, messenger="vk", tier="gold", locale="en")
    p3 = await add_partner(services, 3, tier="gold", locale="en", also="vk")  # two accounts: one message
    await add_partner(services, 4, status="applied")
    p5 = await add_partner(services, 5)
    p6 = await add_partner(services, 6)
    p7 = await add_partner(services, 7, messenger="vk", tier="platinum")
    offer, other = await add_offer(services.deps, name="Shop"), await add_offer(services.deps, name="Other")
    await add_clicks(services.deps, await add_link(services.deps, p7, offer), [clock.now() - timedelta(days=2)])
    await add_clicks(services.deps, await add_link(services.deps, p1, other), [clock.now() - timedelta(days=20)])
    async with services.deps.uow() as uow:
        uow.session.add(NotificationMute(partner_id=p5, kind="news", created_at=clock.now()))
        await uow.session.execute(update(MessengerAccount).where(MessengerAccount.partner_id == p6)
                                  .values(unreachable_at=clock.now()))
        await uow.commit()

    async def who(aud: dict) -> list[tuple[int, str]]:
        async with services.deps.uow(readonly=True) as uow:
            return sorted((t.partner_id, t.messenger) for t in await audience.targets(uow, aud, clock.now()))

    assert await who({"kind": "all"}) == [(p1, "telegram"), (p2, "vk"), (p3, "telegram"), (p7, "vk")]
    assert await who({"kind": "tier", "value": "gold"}) == [(p2, "vk"), (p3, "telegram")]
    assert await who({"kind": "messenger", "value": "vk"}) == [(p2, "vk"), (p3, "vk"), (p7, "vk")]
    assert await who({"kind": "lang", "value": "en"}) == [(p2, "vk"), (p3, "telegram")]
    assert await who({"kind": "offer", "value": offer}) == [(p7, "vk")]
    assert await who({"kind": "active", "value": 7}) == [(p7, "vk")]
    assert await who({"kind": "inactive", "value": 7}) == [(p1, "telegram"), (p2, "vk"), (p3, "telegram")]
    assert await who({"kind": "active", "value": 30}) == [(p1, "telegram"), (p7, "vk")]
    ids = audience.parse_ids(b"\xef\xbb\xbfpartner_id,name\n%d,a\n4\n%d;b\n%d\n999\n%d\n" % (p1, p5, p7, p1))
    assert ids == [p1, 4, p5, p7, 999]
    assert await who({"kind": "ids", "ids": ids}) == [(p1, "telegram"), (p7, "vk")]
    async with services.deps.uow(readonly=True) as uow:
        assert await audience.count(uow, {"kind": "all"}, clock.now()) == {"telegram": 2, "vk": 2}


async def test_delivery_marks_each_row_and_reports_once(services, clock):
    for user in range(1, 8):
        await add_partner(services, user, messenger="vk" if user > 5 else "telegram")
    tg, vk = FakePoster("telegram"), FakePoster("vk", max_peers=100)
    tg.blocked.add("2")
    tg.failing.add("3")
    vk.blocked.add("7")
    broadcast_id = await started_broadcast(services)
    sender = sender_for(services, tg, vk)
    await drain(sender)
    assert sorted(tg.delivered) == ["1", "4", "5"] and vk.delivered == ["6"]
    assert vk.calls == [["6", "7"]]  # one messages.send for both VK peers
    assert {r.chat_id: r.status for r in await rows(services, broadcast_id)} == {
        "1": "sent", "2": "unreachable", "3": "failed", "4": "sent", "5": "sent", "6": "sent", "7": "unreachable"}
    assert all(r.message_ref for r in await rows(services, broadcast_id) if r.status == "sent")
    assert await status_of(services, broadcast_id) == "done"
    async with services.deps.uow(readonly=True) as uow:
        marked = set((await uow.session.scalars(select(MessengerAccount.external_id).where(
            MessengerAccount.unreachable_at.is_not(None)))).all())
        report = (await uow.session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "broadcast_report"))).all()
        csv = (await progress.failures_csv(uow, broadcast_id)).decode()
    assert marked == {"2", "7"}
    assert [(r.chat_id, r.screen["text_key"], r.screen["args"]["sent"]) for r in report] == [("900", "bc-report", "4")]
    assert "Forbidden: bot was blocked" in csv and csv.count("\n") == 4  # header + 3 not reached
    await drain(sender)  # nothing more: no second report, no resend
    assert len(tg.calls) == 5

    # Next time the blocked ones are skipped, until they write to the bot again.
    second = await started_broadcast(services)
    assert sorted(r.chat_id for r in await rows(services, second)) == ["1", "3", "4", "5", "6"]
    await services.locale_for("telegram", "2")
    third = await started_broadcast(services)
    assert "2" in [r.chat_id for r in await rows(services, third)]


async def test_scheduled_broadcast_starts_at_its_time(services, clock):
    await add_partner(services, 1)
    await add_partner(services, 2)
    async with services.deps.uow() as uow:
        draft = await manage.create_draft(uow, services.deps, MANAGER, "en")
        draft.text = "Black Friday"
        when = manage.parse_when("15:30", "Europe/Moscow", clock.now())  # 12:00 UTC = 15:00 Moscow
        assert when == clock.now() + timedelta(minutes=30)
        assert await manage.schedule(uow, draft, when)
        await uow.commit()
        broadcast_id = draft.id
    tg = FakePoster()
    sender = sender_for(services, tg)
    await drain(sender)
    assert tg.calls == [] and await status_of(services, broadcast_id) == "scheduled"
    await add_partner(services, 3)  # joined before the time: the segment is taken when it starts
    clock.advance(minutes=30)
    await drain(sender)
    assert sorted(tg.delivered) == ["1", "2", "3"] and await status_of(services, broadcast_id) == "done"


async def test_pause_resume_cancel_are_idempotent_and_role_checked(services, clock):
    for user in range(1, 11):
        await add_partner(services, user)
    tg = FakePoster()
    broadcast_id = await started_broadcast(services)
    sender = sender_for(services, tg)
    await sender.step()  # one round: 4 of 10
    assert len(tg.delivered) == 4
    async with services.deps.uow() as uow:
        with pytest.raises(AccessDenied):
            await manage.control(uow, services.deps, Incoming("telegram", "111", "111"), broadcast_id, "pause")
        assert await manage.control(uow, services.deps, MANAGER, broadcast_id, "pause") == "paused"
        assert await manage.control(uow, services.deps, MANAGER, broadcast_id, "pause") == "already"
        await uow.commit()
    await drain(sender)
    assert len(tg.delivered) == 4
    async with services.deps.uow() as uow:
        assert await manage.control(uow, services.deps, MANAGER, broadcast_id, "resume") == "resumed"
        await uow.commit()
    await sender.step()
    assert len(tg.delivered) == 8
    async with services.deps.uow() as uow:
        assert await manage.control(uow, services.deps, MANAGER, broadcast_id, "cancel") == "cancelled"
        assert await manage.control(uow, services.deps, MANAGER, broadcast_id, "cancel") == "already"
        assert await manage.control(uow, services.deps, MANAGER, broadcast_id, "resume") == "finished"
        await uow.commit()
    await drain(sender)
    assert len(tg.delivered) == 8 and len(set(tg.delivered)) == 8
    assert Counter(r.status for r in await rows(services, broadcast_id)) == {"sent": 8, "pending": 2}
    async with services.deps.uow(readonly=True) as uow:
        reports = (await uow.session.scalars(select(OutboxMessage.screen).where(
            OutboxMessage.kind == "broadcast_report"))).all()
    assert [(r["args"]["state"], r["args"]["left"]) for r in reports] == [("cancelled", "2")]


async def test_quiet_hours_delay_not_drop(services, clock):
    # 12:00 UTC: 15:00 in Moscow, 22:00 in Vladivostok (quiet 20:00–08:00 there, across midnight)
    await add_partner(services, 1, tz="Europe/Moscow", quiet=(22 * 60, 8 * 60))
    await add_partner(services, 2, tz="Asia/Vladivostok", quiet=(20 * 60, 8 * 60))
    tg = FakePoster()
    broadcast_id = await started_broadcast(services)
    sender = sender_for(services, tg)
    await drain(sender)
    assert tg.delivered == ["1"] and await status_of(services, broadcast_id) == "running"
    async with services.deps.uow(readonly=True) as uow:
        assert (await progress.counts(uow, broadcast_id, clock.now())).waiting == 1
    clock.advance(hours=9, minutes=59)  # 07:59 next day in Vladivostok
    await drain(sender)
    assert tg.delivered == ["1"]
    clock.advance(minutes=1)
    await drain(sender)
    assert tg.delivered == ["1", "2"] and await status_of(services, broadcast_id) == "done"


async def test_rate_limit_answer_holds_the_messenger_and_loses_nobody(services, clock):
    for user in range(1, 4):
        await add_partner(services, user)
    tg = FakePoster()
    tg.retry_after = [3.0]
    broadcast_id = await started_broadcast(services)
    sender = sender_for(services, tg)
    await drain(sender)
    assert tg.delivered == [] and len(tg.calls) == 1  # held: the rest of the round did not even try
    clock.advance(seconds=3)
    await drain(sender)
    assert tg.delivered == ["1", "2", "3"]
    assert [r.attempts for r in await rows(services, broadcast_id)] == [1, 1, 1]  # a 429 is not an attempt


@pytest.mark.parametrize("where", ["before", "after"])
async def test_crash_mid_broadcast_resumes_without_duplicates_or_gaps(services, clock, where):
    """`before`: killed between sends. `after`: killed after Telegram accepted a message and before it was
    marked — the documented window, which repeats that one message (VK's side of it: tests/vk)."""
    for user in range(1, 21):
        await add_partner(services, user, messenger="telegram" if user <= 10 else "vk")
    tg, vk = FakePoster(), FakePoster("vk", max_peers=3)
    setattr(tg, f"crash_{where}", 6)
    broadcast_id = await started_broadcast(services)
    with pytest.raises(Crash):
        await drain(sender_for(services, tg, vk))
    states = Counter(r.status for r in await rows(services, broadcast_id))
    assert states["sending"] >= 1 and states["pending"] == 2  # the call in flight stays leased
    restarted = sender_for(services, FakePoster(), FakePoster("vk", max_peers=3))
    fresh_tg, fresh_vk = restarted.senders["telegram"], restarted.senders["vk"]
    await drain(restarted)
    assert Counter(r.status for r in await rows(services, broadcast_id))["sending"] >= 1  # lease not over yet
    clock.advance(seconds=61)
    await drain(restarted)
    everyone = tg.delivered + fresh_tg.delivered
    assert set(everyone) == {str(u) for u in range(1, 11)}  # nobody skipped
    duplicates = len(everyone) - len(set(everyone))
    assert duplicates == (1 if where == "after" else 0)  # Telegram: the documented window, one row at most
    assert sorted(vk.delivered + fresh_vk.delivered, key=int) == [str(u) for u in range(11, 21)]
    assert Counter(r.status for r in await rows(services, broadcast_id)) == {"sent": 20}
    assert await status_of(services, broadcast_id) == "done"
