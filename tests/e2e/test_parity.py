"""Parity: ONE scenario, run through Telegram (real Dispatcher, fake session) and through VK (the real production
vkbottle bot against FakeVK), each on a fresh database. Everything the two adapters produce must agree:

  * the database: partner, application, form progress (at checkpoints), outbox rows by kind;
  * what the person and the manager saw: text, inline button actions, persistent-menu labels (or its removal),
    sends vs in-place edits — all rendered by the same Translator, so texts must be identical;
  * the toasts / snackbars answering every button press.

Messenger-specific ids are normalised (<self> = the applicant, <manager> = the manager on the same messenger,
<peer-manager> = the seeded manager on the other one). A difference is a bug in one adapter.
"""
from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import pytest
from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove
from sqlalchemy import select, text

from services.db.metadata import metadata
from services.db.models import Application, FormState, MessengerAccount, OutboxMessage, Partner
from services.offers.service import ensure_default_offer
from services.messaging.outbox import OutboxDispatcher
from tests.fakes.tg_harness import TelegramHarness
from tests.fakes.vk_harness import VkHarness

PERSON = 111
MANAGER = {"telegram": 900, "vk": 800}  # both seeded by conftest
PEER_MANAGER = {"telegram": ("vk", "800"), "vk": ("telegram", "900")}
PHOTO = {"type": "photo", "photo": {"album_id": -3, "date": 1_700_000_000, "id": 1, "owner_id": PERSON, "sizes": []}}

# (step, argument). The person's client speaks English; managers' clients Russian.
SCENARIO: list[tuple[str, ...]] = [
    ("text", "hello"),  # first contact opens the form (Telegram: plain text too; VK has no /start)
    ("text", "Ivan"),  # the language step wants a button
    ("press", "ob:lang:xx"),  # a forged language
    ("press", "ob:lang:en"),
    ("text", "x" * 65),  # too long
    ("photo",),  # not text
    ("text", "/frobnicate"),  # unknown command inside the form
    ("text", "Ivan Petrov"),
    ("press", "ob:terms"),  # a stale button: we are at the e-mail
    ("text", "not-an-email"),
    ("press", "ob:back"),
    ("text", "Ivan Petrov"),
    ("text", "IVAN@Example.COM"),
    ("check",),
    ("start",),  # /start or the Start button mid-form: resume
    ("text", "https://myblog.example.org t.me/mychannel"),
    ("text", "a lot"),
    ("text", "15k"),
    ("check",),
    ("text", "I agree"),  # the terms step wants the button
    ("press", "zz:forged"),
    ("text", "/help"),
    ("press", "ob:terms"),
    ("press", "ob:terms"),  # double tap
    ("start",),  # status: under review
    ("text", "/cancel"),  # nothing to cancel
    ("menu", "settings"),  # not approved yet
    ("check",),
    ("deliver",),  # the application card to every manager
    ("manager", "app:ok:1"),
    ("manager", "app:no:1"),  # a late second press on the same card
    ("deliver",),  # the decision to the partner
    ("check",),
    ("menu", "settings"),
    ("press", "set:tz"),
    ("press", "set:tz:Asia/Omsk"),
    ("press", "set:tz:Mars/Olympus"),  # forged
    ("text", "/language"),
    ("press", "set:lang:ru"),
    ("text", "/start"),
    ("check",),
]

View = tuple[str, str, tuple[str, ...], Any]  # kind, text, inline actions, menu (labels | "remove" | None)


class Leg:
    """Drives one messenger: the same verbs, each messenger's natural way of doing them."""

    messenger: str

    def __init__(self, services, tg: TelegramHarness, vk: VkHarness) -> None:
        self.services, self.tg, self.vk = services, tg, vk
        self.dispatcher = OutboxDispatcher(services.deps, {"telegram": tg.notifier, "vk": vk.notifier}, rates={})
        self.translator = services.translator

    async def run(self, step: tuple[str, ...]) -> None:
        verb, *args = step
        action: Callable[..., Awaitable[Any]] = getattr(self, verb)
        await action(*args)

    async def deliver(self) -> None:
        while await self.dispatcher.dispatch_once():
            pass


class TelegramLeg(Leg):
    messenger = "telegram"

    async def text(self, value: str) -> None:
        await self.tg.send(PERSON, value, language_code="en", first_name="Ivan")

    async def start(self) -> None:
        await self.text("/start")

    async def photo(self) -> None:
        await self.tg.send(PERSON, photo=True, language_code="en", first_name="Ivan")

    async def press(self, action: str) -> None:
        await self.tg.press(PERSON, action, language_code="en", first_name="Ivan")

    async def menu(self, section: str) -> None:  # a reply keyboard sends its label as text
        locale = await self.services.locale_for("telegram", str(PERSON), "en")
        await self.text(self.translator(locale, f"menu-{section}"))

    async def manager(self, action: str) -> None:
        await self.tg.press(MANAGER["telegram"], action, language_code="ru", first_name="Maria")

    def views(self, chat: int) -> list[View]:
        out: list[View] = []
        for call in self.tg.session.calls:
            if call.name not in ("sendMessage", "editMessageText") or str(call.method.chat_id) != str(chat):
                continue
            markup = call.method.reply_markup
            inline: tuple[str, ...] = ()
            menu: Any = None
            if isinstance(markup, InlineKeyboardMarkup):
                inline = tuple(b.callback_data or b.url or "" for row in markup.inline_keyboard for b in row)
            elif isinstance(markup, ReplyKeyboardMarkup):
                menu = tuple(b.text for row in markup.keyboard for b in row)
            elif isinstance(markup, ReplyKeyboardRemove):
                menu = "remove"
            out.append(("send" if call.name == "sendMessage" else "edit", call.method.text, inline, menu))
        return out

    def toasts(self) -> list[str | None]:
        return self.tg.toasts()


class VkLeg(Leg):
    messenger = "vk"

    async def text(self, value: str, payload: dict | None = None) -> None:
        await self.vk.send(PERSON, value, lang_id=3, payload=payload)

    async def start(self) -> None:
        await self.text("Start", payload={"command": "start"})  # VK's own Start button

    async def photo(self) -> None:
        await self.vk.send(PERSON, "", lang_id=3, attachments=[PHOTO])

    async def press(self, action: str) -> None:
        await self.vk.press(PERSON, action)

    async def menu(self, section: str) -> None:  # a keyboard Text button: its label plus our payload
        locale = await self.services.locale_for("vk", str(PERSON), "en")
        await self.text(self.translator(locale, f"menu-{section}"), payload={"a": f"menu:{section}"})

    async def manager(self, action: str) -> None:
        await self.vk.press(MANAGER["vk"], action)

    def views(self, chat: int) -> list[View]:
        out: list[View] = []
        for shown in self.vk.shown(chat):
            inline: tuple[str, ...] = ()
            menu: Any = None
            if shown.inline:
                inline = tuple(shown.actions())
            elif shown.removes_menu:
                menu = "remove"
            elif shown.keyboard is not None:
                menu = tuple(shown.labels())
            out.append((shown.kind, shown.text or "", inline, menu))
        return out

    def toasts(self) -> list[str | None]:
        return self.vk.snackbars()


# ---- the database, normalised --------------------------------------------------------------------------------

class Normaliser:
    def __init__(self, messenger: str) -> None:
        self.people = {
            (messenger, str(PERSON)): "<self>",
            (messenger, str(MANAGER[messenger])): "<manager>",
            PEER_MANAGER[messenger]: "<peer-manager>",
        }
        self.pattern = re.compile("|".join(re.escape(f"{m}:{i}") for m, i in self.people))

    def who(self, messenger: str, external_id: str) -> Any:
        return self.people.get((messenger, external_id), f"{messenger}:{external_id}")

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.pattern.sub(lambda m: self.people[tuple(m.group(0).split(":", 1))], value)  # type: ignore
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self.value(v) for v in value)
        return value


async def snapshot(services, norm: Normaliser) -> dict[str, Any]:
    async with services.deps.uow() as uow:
        async def all_of(model, *order):
            return (await uow.session.scalars(select(model).order_by(*order))).all()

        partners = [(p.status, p.locale, p.timezone, p.tier, p.name, p.email, p.parent_id, p.created_at,
                     p.approved_at) for p in await all_of(Partner, Partner.id)]
        accounts = [(norm.who(a.messenger, a.external_id), a.chat_id == a.external_id, a.created_at)
                    for a in await all_of(MessengerAccount, MessengerAccount.id)]
        applications = [(a.answers, a.decision, a.reason_code, a.reason, norm.value(a.decided_by),
                         a.decided_by_name, a.created_at, a.decided_at)
                        for a in await all_of(Application, Application.id)]
        forms = sorted((norm.who(f.messenger, f.external_id), f.form, f.step, norm.value(f.data))
                       for f in await all_of(FormState, FormState.messenger, FormState.external_id))
        outbox: dict[str, list[Any]] = {}
        for m in await all_of(OutboxMessage, OutboxMessage.id):
            outbox.setdefault(m.kind, []).append(
                (norm.who(m.messenger, m.chat_id), m.locale, m.status, m.attempts, m.last_error,
                 norm.value(m.screen), m.created_at, m.sent_at))
        for rows in outbox.values():
            rows.sort(key=repr)
    return {"partners": partners, "accounts": accounts, "applications": applications, "form_states": forms,
            "outbox": outbox}


async def reset_database(services, start: datetime, clock) -> None:
    """Empties every table (the schema the migrations built stays), re-seeds staff, rewinds the clock."""
    async with services.deps.uow() as uow:
        conn = await uow.session.connection()
        if conn.dialect.name == "postgresql":
            tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(metadata.sorted_tables):
                await conn.execute(table.delete())
            has_sequence = await conn.scalar(text(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'"))
            if has_sequence:
                await conn.execute(text("DELETE FROM sqlite_sequence"))
        await uow.commit()
    clock.current = start
    await services.seed_staff([("telegram", "900", "manager"), ("telegram", "901", "manager"),
                               ("telegram", "902", "support"), ("vk", "800", "manager"),
                               ("telegram", "903", "admin")])


async def run_leg(services, leg_type: type[Leg]) -> dict[str, Any]:
    tg = TelegramHarness(services)
    async with VkHarness(services) as vk:
        # The same people on both: Telegram sends first names with every update, VK answers users.get.
        vk.vk.users[PERSON] = {"first_name": "Ivan", "last_name": ""}
        vk.vk.users[MANAGER["vk"]] = {"first_name": "Maria", "last_name": ""}
        leg = leg_type(services, tg, vk)
        norm = Normaliser(leg.messenger)
        checkpoints = []
        for index, step in enumerate(SCENARIO):
            if step == ("check",):
                checkpoints.append((index, await snapshot(services, norm)))
            else:
                await leg.run(step)
        return {
            "person": [norm.value(v) for v in leg.views(PERSON)],
            "manager": [norm.value(v) for v in leg.views(MANAGER[leg.messenger])],
            "toasts": leg.toasts(),
            "checkpoints": checkpoints,
        }


async def test_telegram_and_vk_adapters_agree(services, clock):
    start = clock.now()
    await reset_database(services, start, clock)  # both legs begin from exactly the same state
    telegram = await run_leg(services, TelegramLeg)
    await reset_database(services, start, clock)
    vk = await run_leg(services, VkLeg)

    # Sanity: the scenario really went the whole way (parity of two broken runs would prove nothing).
    t = services.translator
    final = telegram["checkpoints"][-1][1]
    assert [p[:6] for p in final["partners"]] == [
        ("approved", "ru", "Asia/Omsk", "certified", "Ivan Petrov", "IVAN@example.com")]
    assert final["applications"][0][1:6] == ("approved", None, None, "<manager>", "Maria")
    assert sorted(final["outbox"]) == ["application", "application_decision"]
    assert telegram["checkpoints"][0][1]["form_states"] == [
        ("<self>", "onboarding", "sources", {"name": "Ivan Petrov", "email": "IVAN@example.com"})]
    person_texts = [v[1] for v in telegram["person"]]
    for key in ("ob-use-buttons", "err-text-expected", "err-unknown-command", "ob-err-email", "ob-resume",
                "ob-err-audience", "help", "ob-status-applied", "cancel-nothing", "err-approved-only"):
        assert t("en", key) in person_texts, key
    assert t("en", "ob-approved", name="Ivan Petrov") in person_texts
    assert person_texts[-1] == t("ru", "menu-title")
    assert telegram["toasts"].count(t("en", "err-stale-button")) == 5
    assert t("ru", "mgr-already-decided", who="Maria") in telegram["toasts"]
    assert any(kind == "edit" and "Maria" in text for kind, text, *_ in telegram["manager"])

    # Parity, piece by piece so a failure says where the adapters drift apart.
    for (index, tg_state), (_, vk_state) in zip(telegram["checkpoints"], vk["checkpoints"], strict=True):
        for table in tg_state:
            assert vk_state[table] == tg_state[table], f"{table} differs at checkpoint {index} (after {SCENARIO[index - 1]})"
    assert vk["toasts"] == telegram["toasts"]
    for who in ("person", "manager"):
        for position, (seen_tg, seen_vk) in enumerate(zip(telegram[who], vk[who])):
            assert seen_vk == seen_tg, f"{who}'s message #{position} differs"
        assert len(vk[who]) == len(telegram[who]), f"{who} saw a different number of messages"


MENU_IN_FORM: list[tuple[str, ...]] = [
    ("press", "lnk:new"),  # a form opens: "name the link"
    ("menu", "settings"),  # …and the person taps a persistent-menu entry instead of answering
    ("check",),
]


async def test_menu_tap_inside_a_form_agrees(services, clock):
    """Telegram's reply keyboard sends the label as text, which ConversationService.on_text hands to the open
    form (the link gets named "⚙️ Settings"); VK's keyboard button carries payload menu:settings and opens
    Settings, leaving the form open. Same tap, two outcomes."""
    start = clock.now()
    results = []
    for leg_type in (TelegramLeg, VkLeg):
        await reset_database(services, start, clock)
        await ensure_default_offer(services.deps, "https://shop.example.com", "Shop")
        tg = TelegramHarness(services)
        async with VkHarness(services) as vk:
            leg = leg_type(services, tg, vk)
            await leg.text("hello")
            async with services.deps.uow() as uow:  # approved without the form (covered above)
                account = await uow.accounts.get(leg.messenger, str(PERSON))
                await uow.partners.move_status(account.partner_id, ("new",), "approved")
                await uow.forms.clear(leg.messenger, str(PERSON))
                await uow.commit()
            norm = Normaliser(leg.messenger)
            for step in MENU_IN_FORM:
                if step != ("check",):
                    await leg.run(step)
            results.append(((await snapshot(services, norm))["form_states"], [v[1] for v in leg.views(PERSON)]))
    (tg_forms, tg_texts), (vk_forms, vk_texts) = results
    assert vk_forms == tg_forms
    assert vk_texts[-1] == tg_texts[-1]
