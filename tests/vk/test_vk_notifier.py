"""Outbox delivery through VkNotifier (the production Notifier for VK) against FakeVK, with the real dispatcher
and a real database: retry on flood control, permanent failure when the person blocked the group, and
random_id = outbox row id so a redelivery after a crash never shows a message twice."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from services.db.models import OutboxMessage
from services.kernel.dto import Button, Screen
from services.kernel.menu import main_menu_screen
from services.messaging.outbox import LEASE, MAX_ATTEMPTS, OutboxDispatcher
from tests.fakes.vk_harness import VkHarness

PEER = 111


@pytest.fixture
async def vk(services) -> AsyncIterator[VkHarness]:
    async with VkHarness(services) as harness:
        yield harness


@pytest.fixture
def dispatcher(services, vk) -> OutboxDispatcher:
    return OutboxDispatcher(services.deps, {"vk": vk.notifier}, rates={})


async def add_row(services, screen: Screen, *, chat_id: int = PEER, locale: str = "en") -> int:
    async with services.deps.uow() as uow:
        row = await uow.outbox.add(messenger="vk", chat_id=str(chat_id), locale=locale, kind="news",
                                   screen=screen.to_dict(), now=services.deps.clock.now())
        await uow.commit()
        return row.id


async def row(services, row_id: int) -> OutboxMessage:
    async with services.deps.uow() as uow:
        found = await uow.session.scalar(select(OutboxMessage).where(OutboxMessage.id == row_id))
        assert found is not None
        return found


async def test_delivers_screens_with_random_id_of_the_row(services, vk, dispatcher):
    t = services.translator
    first = await add_row(services, Screen("ob-approved", {"name": "Ivan"},
                                           buttons=((Button("btn-approve", "app:ok:7", style="positive"),),)))
    second = await add_row(services, main_menu_screen("menu-title"), chat_id=222, locale="ru")
    assert await dispatcher.dispatch_once() == 2
    one, two = vk.vk.sent
    assert (one.peer_id, one.random_id, one.message) == (PEER, first, t("en", "ob-approved", name="Ivan"))
    assert vk.shown(PEER)[0].inline and vk.buttons(PEER) == ["app:ok:7"]
    assert one.keyboard["buttons"][0][0]["color"] == "positive"
    assert (two.peer_id, two.random_id, two.message) == (222, second, t("ru", "menu-title"))
    assert vk.menu(222)[0] == t("ru", "menu-links")
    for row_id in (first, second):
        sent = await row(services, row_id)
        assert (sent.status, sent.attempts, sent.last_error) == ("sent", 1, None)
        assert sent.sent_at == services.deps.clock.now()


@pytest.mark.parametrize("code", [6, 9])  # too many requests per second / flood control
async def test_rate_limited_send_is_retried_later(services, vk, dispatcher, clock, code):
    row_id = await add_row(services, Screen("menu-title"))
    vk.vk.fail_next("messages.send", code=code, msg="Flood control" if code == 9 else "Too many requests")
    assert await dispatcher.dispatch_once() == 1
    assert vk.vk.sent == []
    pending = await row(services, row_id)
    assert (pending.status, pending.attempts) == ("pending", 1)
    assert pending.next_attempt_at == clock.now() + timedelta(seconds=1)  # VkNotifier's retry_after for 6/9
    assert pending.next_attempt_at > clock.now()
    assert f"[{code}]" in pending.last_error

    assert await dispatcher.dispatch_once() == 0  # not due yet: nothing is even tried
    assert len(vk.vk.calls_of("messages.send")) == 1
    clock.advance(seconds=1)
    assert await dispatcher.dispatch_once() == 1
    [sent] = vk.vk.sent
    assert (sent.peer_id, sent.random_id) == (PEER, row_id)
    done = await row(services, row_id)
    assert (done.status, done.attempts) == ("sent", 2)


async def test_server_error_backs_off_exponentially(services, vk, dispatcher, clock):
    row_id = await add_row(services, Screen("menu-title"))
    vk.vk.fail_next("messages.send", code=10, msg="Internal server error", times=2)
    await dispatcher.dispatch_once()
    assert (await row(services, row_id)).next_attempt_at == clock.now() + timedelta(seconds=2)
    clock.advance(seconds=2)
    await dispatcher.dispatch_once()
    assert (await row(services, row_id)).next_attempt_at == clock.now() + timedelta(seconds=4)
    clock.advance(seconds=4)
    await dispatcher.dispatch_once()
    assert (await row(services, row_id)).status == "sent" and len(vk.vk.sent) == 1


async def test_flood_forever_gives_up_after_max_attempts(services, vk, dispatcher, clock):
    row_id = await add_row(services, Screen("menu-title"))
    vk.vk.fail_next("messages.send", code=9, times=MAX_ATTEMPTS + 1)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert await dispatcher.dispatch_once() == 1
        state = await row(services, row_id)
        assert state.attempts == attempt
        assert state.status == ("failed" if attempt == MAX_ATTEMPTS else "pending")
        clock.advance(seconds=1)
    clock.advance(days=1)
    assert await dispatcher.dispatch_once() == 0
    assert vk.vk.sent == [] and len(vk.vk.calls_of("messages.send")) == MAX_ATTEMPTS


async def test_blocked_by_the_person_fails_permanently(services, vk, dispatcher, clock):
    vk.vk.blocked.add(PEER)  # the person forbade messages from the group: VK error 901
    row_id = await add_row(services, Screen("menu-title"))
    other = await add_row(services, Screen("menu-title"), chat_id=222)
    assert await dispatcher.dispatch_once() == 2
    failed = await row(services, row_id)
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert "[901]" in failed.last_error
    assert (await row(services, other)).status == "sent"  # one blocked person doesn't hold up the others
    clock.advance(days=1)
    assert await dispatcher.dispatch_once() == 0
    assert len(vk.vk.calls_of("messages.send")) == 2
    assert [s.peer_id for s in vk.vk.sent] == [222]


@pytest.mark.parametrize("code", [7, 902])  # no permission / privacy settings forbid messages
async def test_other_permanent_errors_are_not_retried(services, vk, dispatcher, clock, code):
    row_id = await add_row(services, Screen("menu-title"))
    vk.vk.fail_next("messages.send", code=code, msg="Permission denied")
    await dispatcher.dispatch_once()
    assert (await row(services, row_id)).status == "failed"
    clock.advance(days=1)
    assert await dispatcher.dispatch_once() == 0


async def test_redelivery_after_a_crash_does_not_double_the_message(services, vk, dispatcher, clock):
    """The dispatcher died between VK's OK and marking the row sent: its lease runs out, another dispatcher
    takes the row over and sends again — with the same random_id, which VK drops as a repeat."""
    row_id = await add_row(services, Screen("menu-title"))
    async with services.deps.uow() as uow:  # what dispatch_once does before sending…
        claimed = await uow.outbox.claim(row_id, clock.now(), LEASE)
        await uow.commit()
    assert claimed is not None and claimed.status == "sending"
    await vk.notifier.send(claimed.chat_id, Screen.from_dict(claimed.screen), claimed.locale, claimed.id)
    assert len(vk.vk.sent) == 1  # …then the process is killed before `finish`

    assert await dispatcher.dispatch_once() == 0  # the lease still holds: nobody steals the row
    clock.advance(seconds=LEASE.total_seconds() + 1)
    assert await dispatcher.dispatch_once() == 1
    assert len(vk.vk.calls_of("messages.send")) == 2  # really sent again…
    assert len(vk.vk.sent) == 1  # …but the person sees it once
    [only] = vk.vk.sent
    assert only.random_id == row_id
    done = await row(services, row_id)
    assert (done.status, done.attempts) == ("sent", 2)


async def test_row_reset_to_pending_after_success_is_not_shown_twice(services, vk, dispatcher):
    row_id = await add_row(services, Screen("menu-title"))
    other = await add_row(services, Screen("menu-title"))  # same chat, same text, another row: a new message
    await dispatcher.dispatch_once()
    async with services.deps.uow() as uow:  # e.g. a restore from a backup taken mid-send
        await uow.session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id)
                                  .values(status="pending", sent_at=None, next_attempt_at=services.deps.clock.now()))
        await uow.commit()
    assert await dispatcher.dispatch_once() == 1
    assert len(vk.vk.calls_of("messages.send")) == 3
    assert sorted(s.random_id for s in vk.vk.sent) == [row_id, other]
    assert (await row(services, row_id)).status == "sent"


async def test_a_burst_of_conversion_notices_is_one_summary_edited_in_place(services, vk, dispatcher, clock):
    async with services.deps.uow() as uow:
        for n in range(4):
            screen = Screen("conv-notify", {"id": str(n), "offer": "School", "sub1": "—", "status": "approved",
                                            "amount": "10.00 USD", "value": "10.00", "currency": "USD",
                                            "known": "yes", "payable": "yes", "why": "", "reason_kind": "none",
                                            "reason": "", "available": "0", "hold": "0"})
            await uow.outbox.add(messenger="vk", chat_id=str(PEER), locale="en", kind="conversion",
                                 screen=screen.to_dict(), now=clock.now())
        await uow.commit()
    await dispatcher.dispatch_once()
    [summary] = vk.texts(PEER)
    assert "4 conversion updates" in summary and "+40.00 USD" in summary
    vk.vk.mark()
    clock.advance(seconds=6)
    async with services.deps.uow() as uow:
        await uow.outbox.add(messenger="vk", chat_id=str(PEER), locale="en", kind="conversion",
                             screen=Screen("conv-notify", {"id": "9", "status": "approved", "value": "5",
                                                           "currency": "USD", "amount": "5.00 USD",
                                                           "offer": "School"}).to_dict(), now=clock.now())
        await uow.commit()
    await dispatcher.dispatch_once()
    [edit] = vk.vk.calls_of("messages.edit")
    assert "5 conversion updates" in edit.params["message"] and "+45.00 USD" in edit.params["message"]
    assert len(vk.vk.calls_of("messages.send")) == 1  # edited in place, no second message
