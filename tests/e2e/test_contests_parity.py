"""Contests through both messengers: ONE scenario — a manager creates an opt-in contest with the form and
announces it, the partner opens /contest and the menu entry, joins (twice), climbs the leaderboard, the
standings settle, the manager confirms (twice) and sends the results, the partner shows their name — run
through Telegram (real Dispatcher) and VK (real vkbottle bot), each on a fresh database. Texts, buttons,
toasts, the contest rows and the prize money must agree."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from services.contests import lifecycle
from services.db.contest_models import Contest, ContestEntry, ContestResult
from services.db.models import OutboxMessage
from services.db.tracking_models import LedgerEntry
from tests.contests.data import conversion
from tests.e2e.test_parity import MANAGER, PERSON, Normaliser, TelegramLeg, VkLeg, reset_database
from tests.fakes.payouts import make_partner
from tests.fakes.stats_data import add_offer
from tests.fakes.tg_harness import TelegramHarness
from tests.fakes.vk_harness import VkHarness

SCENARIO: list[tuple[str, ...]] = [
    ("menu", "contests"),  # nothing yet
    ("manager_text", "/admin"),
    ("manager", "cta:home"),
    ("manager", "cta:new"),
    ("manager_text", "Весенний забег"),
    ("manager_text", "Spring race"),
    ("manager_text", "Кто больше продаст"),
    ("manager_text", "Who sells more"),
    ("manager_text", "2026-02-30 2026-03-01"),  # no such day
    ("manager_text", "2026-02-01 2026-02-28"),
    ("manager", "fm:0"),  # approved conversions (the currency step is skipped)
    ("manager", "fm:="),  # every offer
    ("manager_text", "1: 5000 RUB\n3: Headphones"),  # a gap in the places
    ("manager_text", "1: 5000 RUB\n2: Headphones"),
    ("manager", "fm:0"),  # opt-in
    ("manager", "cta:ann:1"),
    ("manager", "cta:ann:1"),  # double tap
    ("deliver",),  # the announcement
    ("text", "/contest"),
    ("press", "ct:v:1"),
    ("press", "ct:in:1"),
    ("press", "ct:in:1"),  # double tap
    ("sales",),  # the contest runs; the partner and a rival sell
    ("press", "ct:v:1"),
    ("settle",),
    ("manager", "cta:c:1"),
    ("manager", "cta:ok:1"),
    ("manager", "cta:ok:1"),  # double tap
    ("manager", "cta:res:1"),
    ("deliver",),  # the prize, the results
    ("menu", "contests"),
    ("press", "ct:name"),
    ("press", "ct:name:1"),
]


class Steps:
    async def sales(self) -> None:
        deps = self.services.deps  # type: ignore[attr-defined]
        self.clock.current = datetime(2026, 2, 10, tzinfo=UTC)  # type: ignore[attr-defined]
        shop = await add_offer(deps)
        rival = await make_partner(self.services, 4242, messenger="telegram", name="Rival")  # type: ignore
        async with deps.uow() as uow:
            me = (await uow.accounts.get(self.messenger, str(PERSON))).partner_id  # type: ignore[attr-defined]
            uow.session.add(ContestEntry(contest_id=1, partner_id=rival, joined_at=self.clock.current))  # type: ignore
            await uow.commit()
        for day in (2, 3):
            await conversion(deps, me, shop, datetime(2026, 2, day, tzinfo=UTC))
        await conversion(deps, rival, shop, datetime(2026, 2, 4, tzinfo=UTC))
        await lifecycle.advance(deps)  # running now; both enter the podium (the notices wait for "deliver")

    async def settle(self) -> None:
        self.clock.current = datetime(2026, 2, 28, 21, tzinfo=UTC) + timedelta(hours=48)  # type: ignore
        await lifecycle.advance(self.services.deps)  # type: ignore[attr-defined]  # finished
        await lifecycle.advance(self.services.deps)  # type: ignore[attr-defined]  # settled


class TelegramContestLeg(Steps, TelegramLeg):
    async def manager_text(self, value: str) -> None:
        await self.tg.send(MANAGER["telegram"], value, language_code="ru", first_name="Maria")


class VkContestLeg(Steps, VkLeg):
    async def manager_text(self, value: str) -> None:
        await self.vk.send(MANAGER["vk"], value)


async def _snapshot(services, norm: Normaliser) -> dict[str, Any]:
    async with services.deps.uow(readonly=True) as uow:
        contests = [(c.status, c.title_ru, c.title_en, c.starts_at, c.ends_at, c.metric, c.currency, c.offer_ids,
                     c.prizes, c.opt_in, norm.value(c.created_by), norm.value(c.awarded_by), c.results_sent_at)
                    for c in (await uow.session.scalars(select(Contest))).all()]
        results = [(r.place, r.partner_id, r.value) for r in (await uow.session.scalars(
            select(ContestResult).order_by(ContestResult.place))).all()]
        bonuses = [(e.entry_key, e.partner_id, e.amount, e.bucket) for e in (await uow.session.scalars(
            select(LedgerEntry).where(LedgerEntry.kind == "bonus"))).all()]
        outbox = sorted((m.kind, norm.who(m.messenger, m.chat_id), m.screen["text_key"], m.status) for m in
                        (await uow.session.scalars(select(OutboxMessage))).all())
    return {"contests": contests, "results": results, "bonuses": bonuses, "outbox": outbox}


async def _run(services, clock, leg_type) -> dict[str, Any]:
    tg = TelegramHarness(services)
    async with VkHarness(services) as vk:
        vk.vk.users[PERSON] = {"first_name": "Ivan", "last_name": ""}
        vk.vk.users[MANAGER["vk"]] = {"first_name": "Maria", "last_name": ""}
        leg = leg_type(services, tg, vk)
        leg.clock = clock
        await make_partner(services, PERSON, messenger=leg.messenger)
        norm = Normaliser(leg.messenger)
        for step in SCENARIO:
            await leg.run(step)
        return {"person": [norm.value(v) for v in leg.views(PERSON)],
                "manager": [norm.value(v) for v in leg.views(MANAGER[leg.messenger])],
                "toasts": [norm.value(x) for x in leg.toasts()], "db": await _snapshot(services, norm)}


async def test_contests_agree_on_telegram_and_vk(services, clock):
    start = clock.now()
    await reset_database(services, start, clock)
    telegram = await _run(services, clock, TelegramContestLeg)
    await reset_database(services, start, clock)
    vk = await _run(services, clock, VkContestLeg)

    t = services.translator
    db = telegram["db"]
    assert db["contests"][0][:10] == ("awarded", "Весенний забег", "Spring race",
                                      datetime(2026, 1, 31, 21, tzinfo=UTC), datetime(2026, 2, 28, 21, tzinfo=UTC),
                                      "conversions", None, [], [{"place": 1, "amount": "5000", "currency": "RUB"},
                                                                {"place": 2, "text": "Headphones"}], True)
    assert db["results"] == [(1, 1, 2), (2, 2, 1)]
    assert db["bonuses"] == [("contest:1:place:1", 1, 5000, "available")]
    assert ("contest_prize", "<self>", "ct-won", "sent") in db["outbox"]
    assert ("contest", "<self>", "ct-results", "sent") in db["outbox"]
    assert ("contest", "<self>", "ct-podium", "sent") in db["outbox"]
    person = [v[1] for v in telegram["person"]]
    assert t("en", "ct-none") in person
    assert any("New contest: Spring race" in text for text in person), person
    assert any("Spring race (running)" in text and "👉 1. #1 — 2" in text and "🥇 You lead with 2!" in text
               for text in person), person
    assert any("You won place 1" in text and "5 000.00 RUB has been credited" in text for text in person)
    assert any("by your name (Ivan Petrov)" in text for text in person)
    manager = [v[1] for v in telegram["manager"]]
    assert t("ru", "cta-err-period") in manager and any("По строке на место" in text for text in manager)
    assert any("#1 Весенний забег / Spring race — settled" in text and "1. #1 — 2" in text for text in manager)
    toasts = telegram["toasts"]
    for key, args in (("cta-done", {"outcome": "announced", "who": "—"}),
                      ("cta-done", {"outcome": "already", "who": "—"}),
                      ("cta-done", {"outcome": "awarded", "who": "<manager>"}),
                      ("cta-done", {"outcome": "already", "who": "<manager>"}),
                      ("cta-done", {"outcome": "sent", "who": "—"})):
        assert t("ru", key, args) in toasts, (key, args)
    assert t("en", "ct-join-done", outcome="joined") in toasts
    assert t("en", "ct-join-done", outcome="already") in toasts

    assert vk["db"] == telegram["db"]
    assert vk["toasts"] == telegram["toasts"]
    for who in ("person", "manager"):
        for position, (seen_tg, seen_vk) in enumerate(zip(telegram[who], vk[who])):
            assert seen_vk == seen_tg, f"{who}'s message #{position} differs"
        assert len(vk[who]) == len(telegram[who])
