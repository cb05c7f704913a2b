"""Payouts through both messengers: ONE scenario — details in Settings, a request from Balance, the manager's
queue, approve, paid with a typed reference, the partner told at each step — run through Telegram (real
Dispatcher) and VK (real vkbottle bot), each on a fresh database. Texts, buttons, toasts and the payout rows
must agree, and card numbers appear only masked: on screen, in the outbox, in form state and in the logs."""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from services.db.models import FormState, OutboxMessage
from services.db.payout_models import Payout, PayoutDetails, PayoutEvent
from tests.e2e.test_parity import MANAGER, PERSON, Normaliser, TelegramLeg, VkLeg, reset_database
from tests.fakes.payouts import credit, make_partner
from tests.fakes.tg_harness import TelegramHarness
from tests.fakes.vk_harness import VkHarness

CARD = "4111 1111 1111 1111"
SCENARIO: list[tuple[str, ...]] = [
    ("menu", "balance"),
    ("press", "pay:req"),  # no details yet
    ("menu", "settings"),
    ("press", "set:pay"),
    ("press", "set:pay:card"),
    ("text", "4111 1111 1111 1112"),  # a typo: the check digit fails
    ("text", CARD),
    ("menu", "balance"),
    ("press", "pay:req"),  # two currencies above their minimum: which one?
    ("press", "pay:req:RUB"),
    ("text", "999.99"),  # below the minimum: refused after the form
    ("press", "pay:req:RUB"),
    ("text", "1200"),
    ("press", "fm:0"),  # a late tap on "Everything": the form is gone
    ("press", "pay:hist"),
    ("deliver",),  # the managers hear of the request
    ("manager", "pam:list"),
    ("manager", "pam:card:1"),
    ("manager", "pam:paid:1"),  # not approved yet
    ("manager", "pam:ok:1"),
    ("manager", "pam:ok:1"),  # double tap
    ("manager", "pam:paid:1"),
    ("manager_text", "TX-2026-0001"),
    ("deliver",),  # approved, then paid: to the partner
    ("menu", "balance"),
    ("press", "pay:hist"),
]


class TelegramPayoutLeg(TelegramLeg):
    async def manager_text(self, value: str) -> None:
        await self.tg.send(MANAGER["telegram"], value, language_code="ru", first_name="Maria")


class VkPayoutLeg(VkLeg):
    async def manager_text(self, value: str) -> None:
        await self.vk.send(MANAGER["vk"], value)


async def _snapshot(services, norm: Normaliser) -> dict[str, Any]:
    async with services.deps.uow(readonly=True) as uow:
        payouts = [(p.amount, p.currency, p.status, p.method, p.kind, p.masked, p.reference, norm.value(p.decided_by))
                   for p in (await uow.session.scalars(select(Payout).order_by(Payout.id))).all()]
        events = [(e.action, e.from_status, e.to_status, norm.value(e.actor), e.note)
                  for e in (await uow.session.scalars(select(PayoutEvent).order_by(PayoutEvent.id))).all()]
        details = [(d.method, d.kind, d.masked) for d in (await uow.session.scalars(select(PayoutDetails))).all()]
        outbox = sorted((m.kind, norm.who(m.messenger, m.chat_id), m.screen["text_key"], m.status) for m in
                        (await uow.session.scalars(select(OutboxMessage))).all())
        secrets = [str(m.screen) for m in (await uow.session.scalars(select(OutboxMessage))).all()]
        secrets += [str(f.data) for f in (await uow.session.scalars(select(FormState))).all()]
        secrets += (await uow.session.scalars(select(PayoutDetails.cipher))).all()
        secrets += (await uow.session.scalars(select(Payout.cipher))).all()
    return {"payouts": payouts, "events": events, "details": details, "outbox": outbox, "stored": secrets}


async def _run(services, leg_type) -> dict[str, Any]:
    tg = TelegramHarness(services)
    async with VkHarness(services) as vk:
        vk.vk.users[PERSON] = {"first_name": "Ivan", "last_name": ""}
        vk.vk.users[MANAGER["vk"]] = {"first_name": "Maria", "last_name": ""}
        leg = leg_type(services, tg, vk)
        partner = await make_partner(services, PERSON, messenger=leg.messenger)
        await credit(services, partner, "1500.00")
        await credit(services, partner, "25.00", "USD")
        norm = Normaliser(leg.messenger)
        for step in SCENARIO:
            await leg.run(step)
        return {"person": [norm.value(v) for v in leg.views(PERSON)],
                "manager": [norm.value(v) for v in leg.views(MANAGER[leg.messenger])],
                "toasts": [norm.value(x) for x in leg.toasts()], "db": await _snapshot(services, norm)}


async def test_payouts_agree_on_telegram_and_vk_and_show_details_masked(services, clock, caplog):
    caplog.set_level(logging.DEBUG)
    start = clock.now()
    await reset_database(services, start, clock)
    telegram = await _run(services, TelegramPayoutLeg)
    await reset_database(services, start, clock)
    vk = await _run(services, VkPayoutLeg)

    t = services.translator
    db = telegram["db"]
    assert db["payouts"][0][:7] == (1200, "RUB", "paid", "card", "visa", "•••• 1111", "TX-2026-0001")
    assert [e[:3] for e in db["events"]] == [("details", None, None), ("request", None, "requested"),
                                            ("approve", "requested", "approved"), ("pay", "approved", "paid")]
    assert db["events"][2][3] == db["events"][3][3] == "<manager>"
    assert ("payout", "<self>", "pay-notify", "sent") in db["outbox"]
    person = [v[1] for v in telegram["person"]]
    for key, args in (("pay-need-details", {}), ("pay-err-card", {"problem": "checksum"}),
                      ("pay-details-saved", {"method": "card", "masked": "•••• 1111"}),
                      ("pay-choose-currency", {}),
                      ("pay-refused", {"outcome": "below_minimum", "minimum": "1 000.00 RUB", "available": ""}),
                      ("pay-requested", {"id": "1", "amount": "1 200.00 RUB", "masked": "•••• 1111"})):
        assert t("en", key, args) in person, key
    assert any("✅ Payout #1 (1 200.00 RUB) is approved" in text for text in person)
    assert any("Reference: TX-2026-0001" in text for text in person)
    assert "being paid out" not in person[-2] and "300.00 RUB" in person[-2]  # balance after the payout
    assert "💸 #1" in person[-1] and "TX-2026-0001" in person[-1]
    manager = [v[1] for v in telegram["manager"]]
    assert any("Выплата #1: 1 200.00 RUB" in text and "•••• 1111" in text for text in manager)
    assert t("ru", "pam-done", outcome="already_decided", who="<manager>") in telegram["toasts"]
    assert t("ru", "pam-done", outcome="illegal", who="—") in telegram["toasts"]
    assert t("en", "err-stale-button") in telegram["toasts"]

    # The card number, typed once, is stored only encrypted and shown only masked.
    digits = CARD.replace(" ", "")
    for run in (telegram, vk):
        shown = [str(v) for v in run["person"] + run["manager"]] + [str(x) for x in run["toasts"]]
        assert not [s for s in shown + run["db"]["stored"] if digits in s.replace(" ", "")]
    assert not [r for r in caplog.records if digits in r.getMessage().replace(" ", "")]

    assert vk["db"] | {"stored": None} == telegram["db"] | {"stored": None}
    assert vk["toasts"] == telegram["toasts"]
    for who in ("person", "manager"):
        for position, (seen_tg, seen_vk) in enumerate(zip(telegram[who], vk[who])):
            assert seen_vk == seen_tg, f"{who}'s message #{position} differs"
        assert len(vk[who]) == len(telegram[who])
