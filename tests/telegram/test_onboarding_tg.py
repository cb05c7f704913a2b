"""Onboarding through the real aiogram Dispatcher, fake session, real database and migrations."""
from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from services.db.models import Application, FormState, MessengerAccount, OutboxMessage, Partner
from services.messaging.outbox import OutboxDispatcher
from tests.fakes.tg_harness import TelegramHarness

USER = 111


@pytest.fixture
def tg(services) -> TelegramHarness:
    return TelegramHarness(services)


async def fill_form(tg: TelegramHarness, user: int = USER, *, payload: str | None = None) -> None:
    await tg.send(user, "/start" + (f" {payload}" if payload else ""), language_code="en")
    await tg.press(user, "ob:lang:en")
    await tg.send(user, "Ivan Petrov")
    await tg.send(user, "ivan@example.com")
    await tg.send(user, "https://myblog.example.org t.me/mychannel")
    await tg.send(user, "15k")


async def rows(services, model, *where):
    async with services.deps.uow() as uow:
        return (await uow.session.scalars(select(model).where(*where))).all()


async def test_full_signup_and_manager_approval(services, tg):
    await fill_form(tg)
    assert "5/5" in tg.texts(USER)[-1]
    await tg.press(USER, "ob:terms")
    assert "Application #1 has been sent" in tg.texts(USER)[-1]

    [partner] = await rows(services, Partner)
    assert partner.status == "applied" and partner.locale == "en" and partner.email == "ivan@example.com"
    [application] = await rows(services, Application)
    assert application.answers["sources"] == ["https://myblog.example.org", "https://t.me/mychannel"]
    assert application.answers["audience"] == 15000
    assert await rows(services, FormState) == []

    # Managers (both messengers) get the card through the outbox.
    cards = await rows(services, OutboxMessage, OutboxMessage.kind == "application")
    assert sorted((c.messenger, c.chat_id) for c in cards) == [
        ("telegram", "900"), ("telegram", "901"), ("telegram", "903"), ("vk", "800")]
    tg.clear()
    dispatcher = OutboxDispatcher(services.deps, {"telegram": tg.notifier}, rates={})
    await dispatcher.dispatch_once()
    card_text = tg.texts(900)[-1]
    assert "Ivan Petrov" in card_text and "Заявка №1" in card_text  # managers default to ru
    assert tg.buttons(900) == ["app:ok:1", "app:no:1"]

    tg.clear()
    await tg.press(900, "app:ok:1", first_name="Maria")
    assert "Одобрил(а) Maria" in tg.last(900).text
    assert tg.session.of("editMessageText")
    [partner] = await rows(services, Partner)
    assert partner.status == "approved"
    await dispatcher.dispatch_once()
    approved = tg.last(USER)
    assert "approved" in approved.text
    assert approved.reply_markup.keyboard[0][0].text == "🔗 Links"


async def test_second_manager_sees_who_decided(services, tg):
    await fill_form(tg)
    await tg.press(USER, "ob:terms")
    await asyncio.gather(tg.press(900, "app:ok:1", first_name="Maria"),
                         tg.press(901, "app:no:1", first_name="Oleg"))
    [application] = await rows(services, Application)
    assert application.decision in ("approved", "pending")
    # Whoever came second was told who decided (or was asked for a reason before the approval landed).
    await tg.press(901, "rej:1:traffic", first_name="Oleg")
    [application] = await rows(services, Application)
    assert application.decision == "approved" and application.decided_by_name == "Maria"
    assert "Уже решено: Maria" in tg.toasts()[-1]


async def test_reject_with_typed_reason(services, tg):
    await fill_form(tg)
    await tg.press(USER, "ob:terms")
    await tg.press(900, "app:no:1")
    assert "rej:1:traffic" in tg.buttons(900)
    await tg.send(900, "Sources are not yours")
    [application] = await rows(services, Application)
    assert application.decision == "rejected" and application.reason == "Sources are not yours"
    [partner] = await rows(services, Partner)
    assert partner.status == "rejected"
    tg.clear()
    await OutboxDispatcher(services.deps, {"telegram": tg.notifier}, rates={}).dispatch_once()
    assert "Sources are not yours" in tg.last(USER).text


async def test_non_manager_cannot_decide(services, tg):
    await fill_form(tg)
    await tg.press(USER, "ob:terms")
    await tg.press(902, "app:ok:1")  # support role only
    await tg.press(USER, "app:ok:1")  # the applicant themself
    [application] = await rows(services, Application)
    assert application.decision == "pending"
    assert tg.toasts()[-2:] == ["⛔ У вас нет прав на это действие.", "⛔ You don't have permission for this action."]


async def test_bad_input_is_reprompted_and_changes_nothing(services, tg):
    await tg.send(USER, "/start", language_code="en")
    await tg.press(USER, "ob:lang:en")
    await tg.send(USER, "x" * 65)
    assert "Too long: 65 characters, the limit is 64" in tg.texts(USER)[-1]
    await tg.send(USER, photo=True)
    assert "as text" in tg.texts(USER)[-2]
    await tg.send(USER, "Ivan")
    await tg.send(USER, "not-an-email")
    assert "doesn't look like an e-mail" in tg.texts(USER)[-1]
    [state] = await rows(services, FormState)
    assert state.step == "email" and state.data == {"name": "Ivan"}
    await tg.send(USER, "/frobnicate")
    assert "Unknown command" in tg.texts(USER)[-1]
    await tg.send(USER, "ivan@example.com")
    await tg.send(USER, "just some words")
    assert "couldn't recognise" in tg.texts(USER)[-1]
    await tg.send(USER, "@mychannel")
    await tg.send(USER, "a lot")
    assert "whole number" in tg.texts(USER)[-1]
    [state] = await rows(services, FormState)
    assert state.step == "audience"


async def test_back_cancel_and_restart_resume(services, tg):
    await tg.send(USER, "/start", language_code="ru")
    await tg.press(USER, "ob:lang:ru")
    await tg.send(USER, "Иван")
    await tg.press(USER, "ob:back")
    assert "Текущий ответ: Иван" in tg.texts(USER)[-1]
    await tg.send(USER, "Пётр")
    # A restart: a new Dispatcher over the same database resumes at the same step.
    tg2 = TelegramHarness(services)
    await tg2.send(USER, "/start")
    assert "2/5" in tg2.texts(USER)[-1]
    await tg2.send(USER, "/cancel")
    assert "Анкета отменена" in tg2.texts(USER)[-1]
    assert await rows(services, FormState) == []


async def test_known_partner_never_gets_second_form_and_stale_buttons(services, tg):
    await fill_form(tg)
    await tg.press(USER, "ob:terms")
    await tg.press(USER, "ob:terms")  # double tap
    assert len(await rows(services, Application)) == 1
    assert tg.toasts()[-1] == "This button is outdated."
    await tg.send(USER, "/start")
    assert "under review" in tg.texts(USER)[-1]
    assert len(await rows(services, Partner)) == 1
    await tg.press(USER, "zz:unknown")
    assert tg.toasts()[-1] == "This button is outdated."


async def test_referral_payload_links_parent(services, tg):
    await tg.send(222, "/start", language_code="ru")
    [parent] = await rows(services, Partner)
    await fill_form(tg, USER, payload=parent.ref_code)
    child = (await rows(services, Partner, Partner.id != parent.id))[0]
    assert child.parent_id == parent.id
    await tg.send(333, "/start bogus-code")
    third = (await rows(services, Partner, Partner.id.not_in([parent.id, child.id])))[0]
    assert third.parent_id is None


async def test_auto_approve(services, tg):
    services.deps.config = type(services.deps.config)(auto_approve=True)
    await fill_form(tg)
    await tg.press(USER, "ob:terms")
    [partner] = await rows(services, Partner)
    assert partner.status == "approved"
    assert tg.last(USER).reply_markup.keyboard


async def test_accounts_unique(services, tg):
    await tg.send(USER, "/start")
    await tg.send(USER, "/start")
    async with services.deps.uow() as uow:
        count = await uow.session.scalar(select(func.count()).select_from(MessengerAccount))
    assert count == 1


async def test_overflowing_answers_get_the_localized_error_not_a_dropped_update(services, tg):
    """"[x]" made urlsplit raise, and "1" + 400 zeros + "k" overflowed float(): the update was dropped."""
    await tg.send(USER, "/start", language_code="en")
    await tg.press(USER, "ob:lang:en")
    await tg.send(USER, "Ivan Petrov")
    await tg.send(USER, "ivan@example.com")
    await tg.send(USER, "[x] https://[::1 t.me/ok")
    assert "couldn't recognise these as links or channels: [x], https://[::1" in tg.texts(USER)[-1]
    await tg.send(USER, "t.me/mychannel")
    for overflow in ("1" + "0" * 400 + "k", "1" + "0" * 5000, "1e400k", "²"):
        await tg.send(USER, overflow)
        assert "audience size as a whole number" in tg.texts(USER)[-1], overflow
    await tg.send(USER, "1,5 млн")
    assert "5/5" in tg.texts(USER)[-1]
    [state] = await rows(services, FormState)
    assert state.data["audience"] == 1_500_000
