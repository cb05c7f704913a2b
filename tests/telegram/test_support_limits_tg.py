"""Ticket limits through the real Telegram Dispatcher: a partner cannot flood the staff chat, a staff answer too
long for the partner's messenger is refused where its author sees it, not lost in the outbox."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from services.db.models import OutboxMessage
from services.db.support_models import Ticket, TicketMessage
from services.kernel.deps import ProgramConfig
from services.messaging.outbox import OutboxDispatcher
from services.support.limits import answer_max
from tests.fakes.tg_harness import TelegramHarness

PARTNER, SUPPORT = 111, 902
STAFF_CHAT = -100500


@pytest.fixture
def program_config() -> ProgramConfig:
    return ProgramConfig(support_chat_id=str(STAFF_CHAT), support_messages_per_minute=3)


@pytest.fixture
async def tg(services) -> TelegramHarness:
    harness = TelegramHarness(services)
    await harness.send(PARTNER, "/start", language_code="en")
    await harness.send(PARTNER, "/support")
    await harness.send(PARTNER, "Where is my payout?")  # the ticket's first message: 1 of 3 this minute
    return harness


async def rows(services, model, *where):
    async with services.deps.uow() as uow:
        return (await uow.session.scalars(select(model).where(*where).order_by(model.id))).all()


async def deliver(services, tg) -> None:
    await OutboxDispatcher(services.deps, {"telegram": tg.notifier}, rates={}).dispatch_once()


async def to_staff(services) -> int:
    return len(await rows(services, OutboxMessage, OutboxMessage.chat_id == str(STAFF_CHAT)))


async def test_partner_messages_past_the_limit_are_refused_not_forwarded(services, tg, clock):
    clock.advance(seconds=20)
    await tg.send(PARTNER, "hello?")
    await tg.send(PARTNER, "anyone?", photo=True)
    assert tg.texts(PARTNER)[-1].startswith("✓ Added to ticket #1")
    forwarded = await to_staff(services)
    await tg.send(PARTNER, "HELLO???")
    assert "at most 3 messages a minute" in tg.texts(PARTNER)[-1] and "again in 40 s" in tg.texts(PARTNER)[-1]
    assert await to_staff(services) == forwarded  # not forwarded
    assert len(await rows(services, TicketMessage)) == 3  # and not stored: the partner sends it again

    # Closing and opening a new ticket does not reset the budget.
    await tg.press(PARTNER, "sup:close:1")
    await tg.send(PARTNER, "/support")
    await tg.send(PARTNER, "New ticket!")
    assert "at most 3 messages a minute" in tg.texts(PARTNER)[-1]
    assert len(await rows(services, Ticket)) == 1

    clock.advance(seconds=41)  # the first message left the window
    await tg.send(PARTNER, "New ticket!")
    assert "Ticket #2 created" in tg.texts(PARTNER)[-1]


async def test_a_staff_answer_too_long_for_the_messenger_is_refused_with_the_limit(services, tg):
    await deliver(services, tg)
    [card] = await rows(services, OutboxMessage, OutboxMessage.kind == "ticket")
    limit = answer_max("telegram")
    await tg.send(SUPPORT, "x" * (limit + 1), chat_id=STAFF_CHAT, chat_type="supergroup",
                  reply_to=int(card.delivered_ref), thread_id=77)
    said = tg.last(STAFF_CHAT).text.replace("\xa0", "")  # staff read Russian here; Fluent groups digits
    assert f"Не отправлено: в ответе {limit + 1} символов" in said and f"не больше {limit}" in said
    assert [m.direction for m in await rows(services, TicketMessage)] == ["in"]
    [ticket] = await rows(services, Ticket)
    assert ticket.status == "open" and ticket.first_response_at is None

    # The longest allowed answer reaches the partner in one message (the fake session enforces Telegram's 4096).
    await tg.send(SUPPORT, "y" * limit, chat_id=STAFF_CHAT, chat_type="supergroup",
                  reply_to=int(card.delivered_ref), thread_id=77)
    await deliver(services, tg)
    [answer] = await rows(services, OutboxMessage, OutboxMessage.kind == "support_answer")
    assert answer.status == "sent" and "y" * limit in tg.texts(PARTNER)[-1]
