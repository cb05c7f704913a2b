"""Onboarding through the REAL production VK bot (build_vk_bot: BotPolling + labelers) against FakeVK, on a real
database built by the migrations. Mirrors tests/telegram/test_onboarding_tg.py; VK specifics: no /start (the
first message or the Start button opens the form), language from client_info.lang_id, callback buttons
(message_event → snackbar, messages.edit), `ref` instead of a /start payload."""
from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from services.db.models import AccountLinkCode, Application, FormState, MessengerAccount, OutboxMessage, Partner
from services.messaging.outbox import OutboxDispatcher
from tests.conftest import STAFF_SEED
from tests.fakes.tg_harness import TelegramHarness
from tests.fakes.vk_api import FakeVK
from tests.fakes.vk_harness import VkHarness

USER = 111
MANAGER = 800  # seeded by conftest as a VK manager
PHOTO = {"type": "photo", "photo": {"album_id": -3, "date": 1_700_000_000, "id": 457239017, "owner_id": USER,
                                     "sizes": [], "text": ""}}
START_BUTTON = {"command": "start"}  # what VK's own "Start" button sends (text "Начать" / "Start")


@pytest.fixture
async def vk(services) -> AsyncIterator[VkHarness]:
    async with VkHarness(services) as harness:
        harness.vk.users[MANAGER] = {"first_name": "Maria", "last_name": "Ivanova"}
        yield harness


@pytest.fixture
def tg(services) -> TelegramHarness:
    return TelegramHarness(services)


@pytest.fixture
def t(services):
    return services.translator


async def rows(services, model, *where):
    async with services.deps.uow() as uow:
        return (await uow.session.scalars(select(model).where(*where))).all()


async def deliver(services, vk: VkHarness, tg: TelegramHarness) -> int:
    return await OutboxDispatcher(services.deps, {"vk": vk.notifier, "telegram": tg.notifier},
                                  rates={}).dispatch_once()


async def fill_form(vk: VkHarness, user: int = USER, *, ref: str | None = None) -> None:
    await vk.send(user, "Начать", payload=START_BUTTON, ref=ref, lang_id=3)
    await vk.press(user, "ob:lang:en")
    await vk.send(user, "Ivan Petrov", lang_id=3)
    await vk.send(user, "ivan@example.com", lang_id=3)
    await vk.send(user, "https://myblog.example.org vk.com/mygroup", lang_id=3)
    await vk.send(user, "15k", lang_id=3)


# ---- opening the form -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "payload"), [
    ("привет", None),  # VK has no /start: any first message opens the door
    ("Начать", START_BUTTON),  # VK's Start button
    ("Start", START_BUTTON),  # …as an English client labels it
    ("/start", None),  # typed by habit
])
async def test_first_contact_opens_the_form(services, vk, t, text, payload):
    await vk.send(USER, text, payload=payload)
    [shown] = vk.shown(USER)
    assert shown.text == t("ru", "ob-welcome")
    assert shown.inline and vk.buttons(USER) == ["ob:lang:ru", "ob:lang:en"]
    [partner] = await rows(services, Partner)
    assert (partner.status, partner.locale) == ("new", "ru")
    [account] = await rows(services, MessengerAccount)
    assert (account.messenger, account.external_id, account.chat_id) == ("vk", str(USER), str(USER))
    [state] = await rows(services, FormState)
    assert (state.form, state.step) == ("onboarding", "language")


async def test_language_preselected_from_client_lang_id(services, vk, t):
    await vk.send(USER, "hello", lang_id=3)  # 3 = English VK client
    assert vk.texts(USER) == [t("en", "ob-welcome")]
    labels = vk.last(USER).keyboard["buttons"][0]
    assert [(b["action"]["label"], b["color"]) for b in labels] == [
        ("🇷🇺 Русский", "secondary"), ("✓ 🇬🇧 English", "primary")]
    await vk.send(222, "привет", lang_id=0)  # 0 = Russian
    assert vk.texts(222) == [t("ru", "ob-welcome")]
    assert vk.last(222).labels() == ["✓ 🇷🇺 Русский", "🇬🇧 English"]
    locales = {p.id: p.locale for p in await rows(services, Partner)}
    assert sorted(locales.values()) == ["en", "ru"]
    # A typed /start of a known applicant resumes instead of registering twice.
    await vk.send(USER, "/start", lang_id=3)
    assert vk.texts(USER)[-2:] == [t("en", "ob-resume"), t("en", "ob-welcome")]
    assert len(await rows(services, Partner)) == 2


@pytest.mark.parametrize(("lang_id", "locale"), [(0, "ru"), (1, "ru"), (3, "en"), (6, "en"), (97, "ru")])
async def test_client_language_maps_like_telegram(services, vk, t, lang_id, locale):
    """Same rule as Telegram's language_code: ours if we have it, CIS languages → ru, any other → en."""
    await vk.send(USER, "hi", lang_id=lang_id)
    assert vk.texts(USER) == [t(locale, "ob-welcome")]
    [partner] = await rows(services, Partner)
    assert partner.locale == locale


async def test_staff_first_message_is_not_a_signup(services, vk, t):
    await vk.send(MANAGER, "привет")
    assert vk.texts(MANAGER) == [t("ru", "staff-hello")]
    assert await rows(services, Partner) == []


# ---- the whole way, with a manager on VK ------------------------------------------------------------------------

async def test_full_signup_and_manager_approval_on_vk(services, vk, tg, t):
    await fill_form(vk)
    assert vk.texts(USER)[-1] == t("en", "ob-ask-terms")
    assert vk.buttons(USER) == ["ob:terms", "ob:back", "ob:cancel"]
    await vk.press(USER, "ob:terms")
    assert vk.snackbars()[-1] is None  # the press is answered (no spinner), without a snackbar
    assert "Application #1 has been sent" in vk.texts(USER)[-1]
    assert vk.last(USER).removes_menu  # an empty keyboard hides any persistent one

    [partner] = await rows(services, Partner)
    assert (partner.status, partner.locale, partner.name, partner.email) == (
        "applied", "en", "Ivan Petrov", "ivan@example.com")
    [application] = await rows(services, Application)
    assert application.answers == {"name": "Ivan Petrov", "email": "ivan@example.com",
                                   "sources": ["https://myblog.example.org", "https://vk.com/mygroup"],
                                   "audience": 15000}
    assert await rows(services, FormState) == []
    cards = await rows(services, OutboxMessage, OutboxMessage.kind == "application")
    assert sorted((c.messenger, c.chat_id) for c in cards) == [
        ("telegram", "900"), ("telegram", "901"), ("telegram", "903"), ("vk", "800")]

    assert await deliver(services, vk, tg) == 4
    card = vk.last(MANAGER)
    assert "Заявка №1" in card.text and "Ivan Petrov" in card.text and f"vk:{USER}" in card.text
    assert card.inline and card.actions() == ["app:ok:1", "app:no:1"]
    assert [c.status for c in await rows(services, OutboxMessage)] == ["sent"] * 4

    vk.clear()
    await vk.press(MANAGER, "app:ok:1")  # on the card: its conversation_message_id travels with the event
    assert vk.snackbars() == [t("ru", "mgr-decision-saved")]
    [edit] = [s for s in vk.shown(MANAGER) if s.kind == "edit"]
    assert vk.shown(MANAGER) == [edit]  # edited in place, nothing new sent to the manager
    assert edit.conversation_message_id == card.conversation_message_id
    assert "✅ Одобрил(а) Maria Ivanova" in edit.text
    assert edit.inline and edit.actions() == []  # the decision buttons are gone
    [application] = await rows(services, Application)
    assert (application.decision, application.decided_by, application.decided_by_name) == (
        "approved", "vk:800", "Maria Ivanova")
    [partner] = await rows(services, Partner)
    assert partner.status == "approved"

    assert await deliver(services, vk, tg) == 1  # the partner's notification
    approved = vk.last(USER)
    assert approved.text == t("en", "ob-approved", name="Ivan Petrov")
    assert not approved.inline and vk.menu(USER)[:2] == ["🔗 Links", "📊 Stats"]
    assert vk.last(USER).actions()[:2] == ["menu:links", "menu:stats"]

    # A second press of the now button-less card (a stale client) changes nothing.
    vk.clear()
    await vk.press(MANAGER, "app:ok:1", conversation_message_id=card.conversation_message_id)
    assert vk.snackbars() == [t("ru", "mgr-already-decided", who="Maria Ivanova")]
    assert len(await rows(services, OutboxMessage)) == 5


async def test_reject_with_typed_reason_on_vk(services, vk, tg, t):
    await fill_form(vk)
    await vk.press(USER, "ob:terms")
    await deliver(services, vk, tg)
    await vk.press(MANAGER, "app:no:1")
    assert vk.texts(MANAGER)[-1] == t("ru", "mgr-reject-ask", id=1)
    assert vk.buttons(MANAGER) == ["rej:1:traffic", "rej:1:incomplete", "rej:1:duplicate", "rej:1:geo", "app:card:1"]
    await vk.send(MANAGER, "Sources are not yours")
    [application] = await rows(services, Application)
    assert (application.decision, application.reason) == ("rejected", "Sources are not yours")
    assert "❌ Отклонил(а) Maria Ivanova: Sources are not yours" in vk.texts(MANAGER)[-1]
    await deliver(services, vk, tg)
    assert "Sources are not yours" in vk.texts(USER)[-1]
    assert vk.last(USER).removes_menu


async def test_applicant_and_support_cannot_decide(services, vk, t):
    await fill_form(vk)
    await vk.press(USER, "ob:terms")
    await vk.press(USER, "app:ok:1")  # a forged manager button from the applicant
    await vk.press(USER, "rej:1:traffic")
    [application] = await rows(services, Application)
    assert application.decision == "pending"
    assert vk.snackbars()[-2:] == [t("en", "err-not-allowed")] * 2


async def test_two_managers_at_once(services, vk, t):
    await services.seed_staff([*STAFF_SEED, ("vk", "801", "manager")])
    vk.vk.users[801] = {"first_name": "Oleg", "last_name": "Smirnov"}
    await fill_form(vk)
    await vk.press(USER, "ob:terms")
    vk.clear()
    # Both presses are pushed before either is handled: they arrive in one long-poll answer and run concurrently.
    await asyncio.gather(vk.press(MANAGER, "app:ok:1"), vk.press(801, "app:no:1"))
    [application] = await rows(services, Application)
    assert application.decision in ("approved", "pending")
    await vk.press(801, "rej:1:traffic")  # whoever came second: a reason that can no longer win
    [application] = await rows(services, Application)
    assert (application.decision, application.decided_by_name) == ("approved", "Maria Ivanova")
    assert vk.snackbars()[-1] == t("ru", "mgr-already-decided", who="Maria Ivanova")
    decisions = await rows(services, OutboxMessage, OutboxMessage.kind == "application_decision")
    assert len(decisions) == 1  # the partner hears exactly one decision
    assert (await rows(services, Partner))[0].status == "approved"


# ---- bad input ----------------------------------------------------------------------------------------------

async def test_bad_input_is_reprompted_and_changes_nothing(services, vk, t):
    await vk.send(USER, "hi", lang_id=3)
    await vk.send(USER, "Ivan", lang_id=3)  # the language step wants a button
    assert vk.texts(USER)[-2:] == [t("en", "ob-use-buttons"), t("en", "ob-welcome")]
    await vk.press(USER, "ob:lang:en")
    await vk.send(USER, "x" * 65, lang_id=3)
    assert vk.texts(USER)[-1] == t("en", "err-too-long", length=65, max=64)
    assert "Too long: 65 characters, the limit is 64" in vk.texts(USER)[-1]
    await vk.send(USER, "", attachments=[PHOTO], lang_id=3)  # a photo without a caption
    assert vk.texts(USER)[-2:] == [t("en", "err-text-expected"), t("en", "ob-ask-name", has_previous="no")]
    await vk.send(USER, "Ivan", lang_id=3)
    await vk.send(USER, "not-an-email", lang_id=3)
    assert vk.texts(USER)[-1] == t("en", "ob-err-email")
    assert vk.buttons(USER) == ["ob:back", "ob:cancel"]
    await vk.send(USER, "/frobnicate", lang_id=3)
    assert vk.texts(USER)[-1] == t("en", "err-unknown-command")
    [state] = await rows(services, FormState)
    assert (state.step, state.data) == ("email", {"name": "Ivan"})
    await vk.send(USER, "ivan@example.com", lang_id=3)
    await vk.send(USER, "just some words", lang_id=3)
    assert "couldn't recognise" in vk.texts(USER)[-1]
    await vk.send(USER, "@mychannel", lang_id=3)
    await vk.send(USER, "a lot", lang_id=3)
    assert vk.texts(USER)[-1] == t("en", "ob-err-audience")
    [state] = await rows(services, FormState)
    assert state.step == "audience" and state.data["sources"] == ["@mychannel"]
    assert vk.snackbars() == [None]  # only the language press; re-prompts are messages, not snackbars


async def test_stale_and_forged_buttons(services, vk, t):
    await vk.send(USER, "hi", lang_id=3)
    await vk.press(USER, "ob:lang:en")
    await vk.send(USER, "Ivan", lang_id=3)
    before = len(vk.shown(USER))
    await vk.press(USER, "ob:terms")  # from an old message: the form is at "email"
    assert vk.snackbars()[-1] == t("en", "err-stale-button")
    assert vk.texts(USER)[before:] == [t("en", "ob-ask-email", has_previous="no")]  # shown where they really are
    forged = [{"a": "zz:unknown"}, {"a": "ob:lang:xx"}, {"a": 42}, {"cmd": "start"}, {"a": "ob:" + "x" * 300}]
    for payload in forged:
        await vk.press(USER, payload=payload)
    assert vk.snackbars()[-len(forged):] == [t("en", "err-stale-button")] * len(forged)
    # A message (not a callback) carrying a payload that isn't ours is just text; a broken one too.
    await vk.send(USER, "ivan@example.com", payload='{"a": "ob:terms"', lang_id=3)
    [state] = await rows(services, FormState)
    assert (state.step, state.data) == ("sources", {"name": "Ivan", "email": "ivan@example.com"})
    assert len(await rows(services, Application)) == 0


async def test_known_partner_never_gets_second_form(services, vk, t):
    await fill_form(vk)
    await vk.press(USER, "ob:terms")
    await vk.press(USER, "ob:terms")  # double tap
    assert len(await rows(services, Application)) == 1
    assert vk.snackbars()[-1] == t("en", "err-stale-button")
    await vk.send(USER, "Начать", payload=START_BUTTON, lang_id=3)
    assert vk.texts(USER)[-1] == t("en", "ob-status-applied")
    await vk.send(USER, "hello?", lang_id=3)  # free text goes to the free-text fallback, never to a new form
    assert vk.texts(USER)[-1] not in (t("en", "ob-welcome"), t("en", "ob-resume"))
    assert await rows(services, FormState) == []
    assert len(await rows(services, Partner)) == 1


# ---- Back, Cancel, restarts -----------------------------------------------------------------------------------

async def test_back_cancel_and_restart_resume(services, vk, t):
    await vk.send(USER, "Начать", payload=START_BUTTON)
    await vk.press(USER, "ob:lang:ru")
    await vk.send(USER, "Иван")
    await vk.press(USER, "ob:back")
    assert vk.texts(USER)[-1] == t("ru", "ob-ask-name", has_previous="yes", previous="Иван")
    assert "Текущий ответ: Иван" in vk.texts(USER)[-1]
    await vk.press(USER, "ob:back")  # Back on the first question goes to the language choice
    assert vk.texts(USER)[-1] == t("ru", "ob-welcome")
    await vk.press(USER, "ob:lang:ru")
    await vk.send(USER, "Пётр")
    [state] = await rows(services, FormState)
    assert (state.step, state.data) == ("email", {"name": "Пётр"})

    await vk.send(USER, "/cancel")
    assert vk.texts(USER)[-1] == t("ru", "ob-cancelled")
    assert vk.last(USER).removes_menu
    assert await rows(services, FormState) == []
    await vk.send(USER, "отмена")  # nothing left to cancel
    assert vk.texts(USER)[-1] == t("ru", "cancel-nothing")
    await vk.send(USER, "/start")
    assert vk.texts(USER)[-2:] == [t("ru", "ob-resume"), t("ru", "ob-welcome")]
    await vk.press(USER, "ob:lang:ru")
    await vk.press(USER, "ob:cancel")  # the Cancel button does the same
    assert vk.texts(USER)[-1] == t("ru", "ob-cancelled")
    assert await rows(services, FormState) == []


async def test_restart_resumes_and_catches_up_on_missed_messages(services, t):
    """A new bot process (new vkbottle Bot, same database, persisted long-poll ts) resumes the form at the same
    step and — production runs with skip_old_events=False — handles what the person wrote while it was down."""
    state: dict = {}
    async with FakeVK() as fake:
        async with VkHarness(services, fake, state=state) as first:
            await first.send(USER, "Начать", payload=START_BUTTON)
            await first.press(USER, "ob:lang:ru")
            await first.send(USER, "Иван")
        assert state.get("ts") is not None
        missed = fake.push_message(USER, "ivan@example.com")  # written while no bot was running
        async with VkHarness(services, fake, state=state) as second:
            await second.handled(missed)
            assert second.texts(USER)[-1] == t("ru", "ob-ask-sources", has_previous="no")
            await second.send(USER, "/start")
            assert second.texts(USER)[-2:] == [t("ru", "ob-resume"), t("ru", "ob-ask-sources", has_previous="no")]
    [state_row] = await rows(services, FormState)
    assert (state_row.step, state_row.data) == ("sources", {"name": "Иван", "email": "ivan@example.com"})


# ---- referrals ------------------------------------------------------------------------------------------------

async def test_referral_via_ref_links_parent(services, vk):
    await vk.send(222, "привет")
    [parent] = await rows(services, Partner)
    await fill_form(vk, USER, ref=parent.ref_code)  # vk.me/club1?ref=<code> → the Start button carries `ref`
    child = (await rows(services, Partner, Partner.id != parent.id))[0]
    assert child.parent_id == parent.id
    await vk.send(333, "привет", ref="bogus-code")
    third = (await rows(services, Partner, Partner.id.not_in([parent.id, child.id])))[0]
    assert third.parent_id is None
    await vk.send(USER, "/start", ref="another")  # a known person: ref can't re-parent them
    assert (await rows(services, Partner, Partner.id == child.id))[0].parent_id == parent.id


# ---- one partner, two messengers ------------------------------------------------------------------------------

async def approve_on_telegram(services, tg: TelegramHarness, vk: VkHarness, user: int = USER) -> Partner:
    await tg.send(user, "/start", language_code="en")
    await tg.press(user, "ob:lang:en")
    for answer in ("Ivan Petrov", "ivan@example.com", "t.me/mychannel", "15000"):
        await tg.send(user, answer, language_code="en")
    await tg.press(user, "ob:terms")
    [application] = await rows(services, Application)
    await tg.press(900, f"app:ok:{application.id}", first_name="Maria")
    await deliver(services, vk, tg)
    [partner] = await rows(services, Partner, Partner.id == application.partner_id)
    assert partner.status == "approved"
    return partner


def code_in(text: str) -> str:
    found = re.search(r"L-[A-Z0-9]{8}", text)
    assert found, text
    return found.group(0)


async def test_link_telegram_partner_to_vk_and_notify_both(services, vk, tg, t):
    partner = await approve_on_telegram(services, tg, vk)
    await tg.send(USER, "⚙️ Settings", language_code="en")
    assert "set:linkacc" in tg.buttons(USER)
    await tg.press(USER, "set:linkacc", language_code="en")
    code = code_in(tg.texts(USER)[-1])

    vk_user = 555
    await vk.send(vk_user, code.lower(), lang_id=0)  # typed by hand, case doesn't matter
    assert vk.texts(vk_user) == [t("en", "acc-linked", messenger="vk")]  # the partner's language, not the client's
    assert vk.menu(vk_user)[0] == "🔗 Links"  # approved: the main menu comes with it
    accounts = await rows(services, MessengerAccount, MessengerAccount.partner_id == partner.id)
    assert sorted((a.messenger, a.external_id) for a in accounts) == [("telegram", str(USER)), ("vk", str(vk_user))]
    assert len(await rows(services, Partner)) == 1  # the code was not taken for a first message
    [link] = await rows(services, AccountLinkCode)
    assert link.used_by == f"vk:{vk_user}"

    # The code works once; the VK account is now known and behaves like the partner's.
    linked = len(vk.texts(vk_user))
    await vk.send(vk_user, code, lang_id=0)
    assert t("en", "acc-link-already") not in vk.texts(vk_user)[linked:]  # plain text now, not a code
    assert len(await rows(services, MessengerAccount)) == 2
    await vk.send(556, code)
    assert vk.texts(556) == [t("ru", "acc-link-invalid")]
    assert await rows(services, MessengerAccount, MessengerAccount.external_id == "556") == []

    # A later notification to the partner — a sub-partner joining with their link — reaches both messengers.
    tg.clear()
    vk.clear()
    await fill_form(vk, 777, ref=partner.ref_code)
    await vk.press(777, "ob:terms")
    [application] = await rows(services, Application, Application.partner_id != partner.id)
    await vk.press(MANAGER, f"app:ok:{application.id}")
    await deliver(services, vk, tg)
    news = await rows(services, OutboxMessage, OutboxMessage.kind == "subpartner")
    assert sorted((m.messenger, m.chat_id, m.status) for m in news) == [
        ("telegram", str(USER), "sent"), ("vk", str(vk_user), "sent")]
    expected = t("en", "ref-new-subpartner", name="Ivan Petrov")
    assert tg.texts(USER) == [expected]
    assert vk.texts(vk_user) == [expected]


async def test_expired_link_code_is_refused(services, vk, tg, t, clock):
    await approve_on_telegram(services, tg, vk)
    await tg.press(USER, "set:linkacc", language_code="en")
    code = code_in(tg.texts(USER)[-1])
    clock.advance(minutes=16)
    await vk.send(555, code)
    assert vk.texts(555) == [t("ru", "acc-link-invalid")]
    assert await rows(services, MessengerAccount, MessengerAccount.messenger == "vk") == []


async def test_link_code_typed_after_pressing_start(services, vk, tg, t):
    """acc-link-code says "or send this code to the bot there". In an empty VK chat the client offers the Start
    button (and Telegram requires /start before anything can be typed), so the person starts first: that
    registers a fresh partner with an open form, and the code then lands in the form (ob-use-buttons) instead
    of linking the account. Only the deep link (ref / start payload) works today."""
    partner = await approve_on_telegram(services, tg, vk)
    await tg.press(USER, "set:linkacc", language_code="en")
    code = code_in(tg.texts(USER)[-1])
    await vk.send(555, "Начать", payload=START_BUTTON)
    await vk.send(555, code)
    assert vk.texts(555)[-1] == t("en", "acc-linked", messenger="vk")
    [account] = await rows(services, MessengerAccount, MessengerAccount.messenger == "vk")
    assert account.partner_id == partner.id
