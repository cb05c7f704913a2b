"""Support tickets: partner → staff group (topics, replies) → partner, roles, CSAT, SLA reminders."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from services.db.models import OutboxMessage
from services.db.support_models import Ticket, TicketMessage
from services.kernel.deps import ProgramConfig
from services.messaging.outbox import OutboxDispatcher
from tests.fakes.tg_harness import TelegramHarness

PARTNER, SUPPORT, ADMIN, OUTSIDER = 111, 902, 903, 555
STAFF_CHAT = -100500


@pytest.fixture
def program_config() -> ProgramConfig:
    return ProgramConfig(support_chat_id=str(STAFF_CHAT), support_sla_minutes=60)


@pytest.fixture
def tg(services) -> TelegramHarness:
    return TelegramHarness(services)


async def deliver(services, tg) -> None:
    await OutboxDispatcher(services.deps, {"telegram": tg.notifier}, rates={}).dispatch_once()


async def rows(services, model, *where):
    async with services.deps.uow() as uow:
        return (await uow.session.scalars(select(model).where(*where).order_by(model.id))).all()


def sent_to(tg, chat_id: int, method: str = "sendMessage"):
    return [c.method for c in tg.session.of(method) if str(c.method.chat_id) == str(chat_id)]


async def open_ticket(services, tg, text: str = "Where is my payout?") -> Ticket:
    await tg.send(PARTNER, "/start", language_code="en")  # not approved yet: support is still reachable
    await tg.send(PARTNER, "/support")
    assert "Describe your question" in tg.texts(PARTNER)[-1]
    await tg.send(PARTNER, text)
    [ticket] = await rows(services, Ticket)
    return ticket


async def test_round_trip_with_topic_attachments_and_csat(services, tg):
    ticket = await open_ticket(services, tg)
    assert "Ticket #1 created" in tg.texts(PARTNER)[-1]
    await deliver(services, tg)
    [topic] = tg.session.of("createForumTopic")
    assert topic.method.chat_id == STAFF_CHAT and topic.method.name.startswith("#1")
    [card] = sent_to(tg, STAFF_CHAT)
    assert card.message_thread_id == 77 and "Where is my payout?" in card.text and "Партнёр №1: Ivan" in card.text
    assert [b.callback_data for b in card.reply_markup.inline_keyboard[0]] == ["sup:reply:1", "sup:take:1", "sup:close:1"]
    card_id = tg.session.of("sendMessage")[-1]
    [row] = await rows(services, OutboxMessage, OutboxMessage.kind == "ticket")
    assert row.delivered_thread == "77" and row.delivered_ref

    # Someone without the support role talking in the staff group is ignored.
    await tg.send(OUTSIDER, "I can answer that", chat_id=STAFF_CHAT, chat_type="supergroup",
                  reply_to=int(row.delivered_ref), thread_id=77)
    assert len(await rows(services, TicketMessage)) == 1

    # Staff answer by replying to the card, with a photo; the partner gets both.
    tg.clear()
    await tg.send(SUPPORT, "Payouts go out on Mondays.", chat_id=STAFF_CHAT, chat_type="supergroup",
                  reply_to=int(row.delivered_ref), thread_id=77, photo=True, first_name="Olga")
    await deliver(services, tg)
    assert "Payouts go out on Mondays." in tg.texts(PARTNER)[-1]
    [photo] = sent_to(tg, PARTNER, "sendPhoto")
    assert photo.photo == f"photo-{SUPPORT}"
    [ticket] = await rows(services, Ticket)
    assert ticket.status == "answered" and ticket.first_response_at and ticket.assignee_name == "Olga"

    # The partner's follow-up (a document) joins the same ticket, in the ticket's topic.
    tg.clear()
    await tg.send(PARTNER, "Here is my invoice", document="doc-1")
    assert "Added to ticket #1" in tg.texts(PARTNER)[-1]
    await deliver(services, tg)
    [follow_up] = sent_to(tg, STAFF_CHAT)
    assert follow_up.message_thread_id == 77 and "Here is my invoice" in follow_up.text
    assert sent_to(tg, STAFF_CHAT, "sendDocument")[0].document == "doc-1"
    [ticket] = await rows(services, Ticket)
    assert ticket.status == "open"

    # Take: the first one wins; the admin is told who has it.
    await tg.press(SUPPORT, "sup:take:1", chat_id=STAFF_CHAT)
    await tg.press(ADMIN, "sup:take:1", chat_id=STAFF_CHAT)
    assert tg.toasts()[-1] == "Уже взял(а) Olga."
    await tg.press(OUTSIDER, "sup:close:1", chat_id=STAFF_CHAT)
    assert "permission" in tg.toasts()[-1] or "прав" in tg.toasts()[-1]

    # Close → the partner rates 1–5, once.
    tg.clear()
    await tg.press(SUPPORT, "sup:close:1", chat_id=STAFF_CHAT)
    await deliver(services, tg)
    rate = tg.last(PARTNER)
    assert [b.callback_data for b in rate.reply_markup.inline_keyboard[0]] == [f"sup:rate:1:{n}" for n in range(1, 6)]
    await tg.press(PARTNER, "sup:rate:1:5")
    await tg.press(PARTNER, "sup:rate:1:1")
    [ticket] = await rows(services, Ticket)
    assert ticket.status == "closed" and ticket.csat == 5
    assert tg.toasts()[-1] == "You have already rated this ticket."
    messages = await rows(services, TicketMessage)
    assert [(m.direction, m.text) for m in messages] == [
        ("in", "Where is my payout?"), ("out", "Payouts go out on Mondays."), ("in", "Here is my invoice")]
    assert messages[1].attachments[0]["kind"] == "photo"


async def test_tickets_list_and_sla_reminders(services, tg, clock):
    await open_ticket(services, tg)
    await tg.send(SUPPORT, "/tickets", chat_id=STAFF_CHAT, chat_type="supergroup")
    assert "#1 · Ivan · open" in tg.texts(STAFF_CHAT)[-1]
    await tg.send(PARTNER, "/tickets")
    assert "permission" in tg.texts(PARTNER)[-1]

    assert await services.support.remind_overdue() == 0
    clock.advance(minutes=61)
    assert await services.support.remind_overdue() == 1
    assert await services.support.remind_overdue() == 0  # once per SLA period
    clock.advance(minutes=61)
    assert await services.support.remind_overdue() == 1
    reminders = await rows(services, OutboxMessage, OutboxMessage.screen["text_key"].as_string() == "sup-sla")
    assert len(reminders) == 2 and all(r.chat_id == str(STAFF_CHAT) for r in reminders)


async def test_partner_closes_and_can_open_again(services, tg):
    await open_ticket(services, tg)
    await tg.press(PARTNER, "sup:close:1")
    assert "How did we do?" in tg.texts(PARTNER)[-1]
    await tg.send(PARTNER, "/support")
    assert "Describe your question" in tg.texts(PARTNER)[-1]
    await tg.send(PARTNER, photo=True)
    tickets = await rows(services, Ticket)
    assert [t.status for t in tickets] == ["closed", "open"]


async def test_empty_and_cancel(services, tg):
    await tg.send(PARTNER, "/start", language_code="en")
    await tg.send(PARTNER, "/support")
    await tg.press(PARTNER, "sup:cancel")
    await tg.send(PARTNER, "hello?")
    assert await rows(services, Ticket) == []


async def test_reply_button_answers_without_the_reply_gesture(services, tg):
    await open_ticket(services, tg)
    await deliver(services, tg)
    await tg.press(OUTSIDER, "sup:reply:1", chat_id=STAFF_CHAT)
    assert "прав" in tg.toasts()[-1]
    await tg.press(SUPPORT, "sup:reply:1", chat_id=STAFF_CHAT)
    assert "№1" in tg.toasts()[-1]
    tg.clear()
    await tg.send(SUPPORT, "Checked: your payout left on Monday.", chat_id=STAFF_CHAT, chat_type="supergroup")
    await deliver(services, tg)
    assert "Checked: your payout left on Monday." in tg.texts(PARTNER)[-1]
    # The Reply button is used up: the next plain message in the group is chatter again.
    await tg.send(SUPPORT, "coffee anyone?", chat_id=STAFF_CHAT, chat_type="supergroup")
    assert [m.text for m in await rows(services, TicketMessage)][-1] == "Checked: your payout left on Monday."
