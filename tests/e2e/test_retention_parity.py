"""Settings → Quiet hours and the announcements switch through both messengers: ONE scenario (presets, typed
hours with mistakes, off, the name switch, the paged mute menu with the new kinds) run through Telegram (real
Dispatcher) and VK (real vkbottle bot), each on a fresh database. What the partner saw, the toasts and the
partner's row must agree; then a nudge written inside the chosen window waits for its end on both."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from services.db.models import OutboxMessage, Partner
from services.db.tracking_models import NotificationMute
from services.retention.nudge import run_nudges
from tests.e2e.test_parity import PERSON, Normaliser, TelegramLeg, VkLeg, reset_database
from tests.fakes.payouts import make_partner
from tests.fakes.tg_harness import TelegramHarness
from tests.fakes.vk_harness import VkHarness

SCENARIO: list[tuple[str, ...]] = [
    ("menu", "settings"),
    ("press", "set:quiet"),
    ("press", "set:quiet:1380:420"),  # the 23:00–07:00 preset
    ("press", "set:quiet:1380:1380"),  # forged: start == end
    ("press", "set:quiettype"),
    ("text", "late evening"),  # not a time
    ("text", "22:00-22:00"),  # an empty window
    ("text", "21:30 – 6"),
    ("press", "set:quietoff"),
    ("press", "set:quiettype"),
    ("text", "22.00-08.00"),
    ("press", "set:home"),
    ("press", "set:announce:0"),
    ("press", "set:announce:0"),  # double tap: still off
    ("press", "set:mute"),
    ("press", "set:mutep:1"),
    ("press", "set:mute:digest:1"),
    ("press", "set:mutep:9"),  # past the last page: the last one
    ("menu", "settings"),
]
START = datetime(2026, 1, 13, 3, 30, tzinfo=UTC)  # 22:30 in New York


async def _run(services, clock, leg_type) -> dict[str, Any]:
    tg = TelegramHarness(services)
    async with VkHarness(services) as vk:
        vk.vk.users[PERSON] = {"first_name": "Ivan", "last_name": ""}
        leg = leg_type(services, tg, vk)
        partner_id = await make_partner(services, PERSON, messenger=leg.messenger)
        async with services.deps.uow() as uow:
            row = await uow.session.get(Partner, partner_id)
            row.timezone, row.approved_at = "America/New_York", START - timedelta(days=30)
            await uow.commit()
        norm = Normaliser(leg.messenger)
        for step in SCENARIO:
            await leg.run(step)
        async with services.deps.uow(readonly=True) as uow:
            row = await uow.session.get(Partner, partner_id)
            state = (row.quiet_start, row.quiet_end, row.announce)
            mutes = (await uow.session.scalars(select(NotificationMute.kind))).all()
        # A nudge written at 22:30 in New York waits for 08:00 there, then goes out on this messenger.
        assert await run_nudges(services.deps) == [partner_id]
        async with services.deps.uow(readonly=True) as uow:
            [note] = (await uow.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "nudge"))).all()
        seen = len(leg.views(PERSON))
        await leg.deliver()
        held = len(leg.views(PERSON)) - seen
        clock.current = datetime(2026, 1, 13, 13, 0, tzinfo=UTC)  # 08:00 in New York
        await leg.deliver()
        return {"person": [norm.value(v) for v in leg.views(PERSON)], "toasts": leg.toasts(), "state": state,
                "mutes": mutes, "due": note.next_attempt_at, "held": held}


async def test_quiet_hours_settings_agree_on_telegram_and_vk(services, clock):
    await reset_database(services, START, clock)
    telegram = await _run(services, clock, TelegramLeg)
    await reset_database(services, START, clock)
    vk = await _run(services, clock, VkLeg)

    t = services.translator
    assert telegram["state"] == (22 * 60, 8 * 60, False) and telegram["mutes"] == ["digest"]
    assert telegram["due"] == datetime(2026, 1, 13, 13, 0, tzinfo=UTC) and telegram["held"] == 0
    texts = [v[1] for v in telegram["person"]]
    assert t("en", "quiet-err-format") in texts
    assert t("en", "quiet-err-same", time="22:00") in texts
    assert t("en", "quiet-saved", window="21:30–06:00", timezone="America/New_York") in texts
    assert "Quiet hours: 22:00–08:00" in texts[-2] and 'shown as "Partner #id"' in texts[-2]
    assert texts[-1].startswith("👋 No clicks on your links for 14 days")
    assert telegram["toasts"].count(t("en", "settings-saved")) == 5  # preset, off, name ×2, mute
    assert t("en", "err-stale-button") in telegram["toasts"]

    assert vk["state"] == telegram["state"] and vk["mutes"] == telegram["mutes"] and vk["due"] == telegram["due"]
    assert vk["held"] == 0
    assert vk["toasts"] == telegram["toasts"]
    for position, (seen_tg, seen_vk) in enumerate(zip(telegram["person"], vk["person"])):
        assert seen_vk == seen_tg, f"message #{position} differs"
    assert len(vk["person"]) == len(telegram["person"])
