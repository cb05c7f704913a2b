"""Weekly digest and inactivity nudge with a fake clock: partners' own time zones, once per period, mutes, and
quiet hours across midnight end to end (an outbox row held, then delivered)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from services.db.materials_models import Material
from services.db.retention_models import InactivityNudge, OutboxFile
from services.db.tracking_models import NotificationMute
from services.messaging.outbox import OutboxDispatcher
from services.retention.digest import change, run_digest
from services.retention.nudge import run_nudges
from tests.fakes.tg_harness import TelegramHarness
from tests.fakes.vk_harness import VkHarness
from tests.retention.helpers import click, offer_and_link, outbox, partner, sale

MONDAY = datetime(2026, 1, 12, tzinfo=UTC)  # a Monday


async def mute(services, partner_id: int, kind: str) -> None:
    async with services.deps.uow() as uow:
        uow.session.add(NotificationMute(partner_id=partner_id, kind=kind, created_at=services.deps.clock.now()))
        await uow.commit()


def test_change_reads_as_people_say_it():
    assert (change(150, 100), change(50, 100), change(7, 7), change(3, 0), change(0, 0)) == \
        ("+50 %", "−50 %", "0 %", "new", "0 %")
    assert change(Decimal("10.00"), Decimal("40.00")) == "−75 %"


async def test_digest_reaches_tokyo_and_new_york_at_their_own_10_00_once_a_week(services, clock):
    deps = services.deps
    clock.current = MONDAY - timedelta(days=20)
    tokyo = await partner(services, 501, tz="Asia/Tokyo")
    new_york = await partner(services, 502, tz="America/New_York")
    await sale(services, tokyo, "1000", datetime(2026, 1, 7, 3, tzinfo=UTC))  # last week (5–11 Jan in Tokyo)
    await sale(services, tokyo, "500", datetime(2025, 12, 30, 3, tzinfo=UTC))  # the week before
    await sale(services, tokyo, "700", datetime(2026, 1, 7, 4, tzinfo=UTC), status="rejected")  # not earned
    await click(services, tokyo, datetime(2026, 1, 8, 3, tzinfo=UTC))
    await click(services, tokyo, datetime(2026, 1, 9, 3, tzinfo=UTC))

    clock.current = MONDAY + timedelta(minutes=59)  # Tokyo 09:59
    assert (await run_digest(deps)).sent == []
    clock.current = MONDAY + timedelta(hours=1, minutes=7)  # Tokyo 10:07, New York Sunday 20:07
    assert (await run_digest(deps)).sent == [tokyo]
    assert (await run_digest(deps)).sent == []  # re-run: nothing twice
    clock.current = MONDAY + timedelta(hours=14, minutes=7)  # New York 09:07
    assert (await run_digest(deps)).sent == []
    clock.current = MONDAY + timedelta(hours=15, minutes=7)  # New York 10:07, Tokyo Tuesday 00:07
    assert (await run_digest(deps)).sent == [new_york]
    assert (await run_digest(deps)).sent == []

    rows = await outbox(services, "digest")
    assert [r.partner_id for r in rows] == [tokyo, new_york]
    args = rows[0].screen["args"]
    assert (args["from"], args["to"], args["clicks"], args["clicks_change"]) == ("2026-01-05", "2026-01-11", 2, "new")
    assert (args["conversions"], args["conversions_change"]) == (1, "0 %")
    assert (args["earnings"], args["earnings_before"]) == ("100.00 RUB", "50.00 RUB")
    assert rows[0].screen["buttons"][0][0]["action"] == "st:v:20260105-20260111:day"
    [photo] = rows[0].screen["attachments"]
    assert photo["origin"] == "stored" and rows[0].screen["as_caption"]
    async with deps.uow(readonly=True) as uow:
        stored = await uow.session.get(OutboxFile, int(photo["ref"]))
    assert stored.data.startswith(b"\x89PNG")

    clock.current = MONDAY + timedelta(days=7, hours=1, minutes=7)  # the next Monday in Tokyo
    assert (await run_digest(deps)).sent == [tokyo]
    clock.current += timedelta(days=20)  # files outlive their rows' delivery by FILE_DAYS, then go
    await run_digest(deps)
    async with deps.uow(readonly=True) as uow:
        assert (await uow.session.scalars(select(OutboxFile.id))).all() == []


async def test_digest_skips_muted_partners_and_is_late_the_same_day_after_an_outage(services, clock):
    clock.current = MONDAY - timedelta(days=20)
    muted = await partner(services, 503, tz="Europe/Moscow")
    late = await partner(services, 504, tz="Europe/Moscow")
    await mute(services, muted, "digest")
    clock.current = MONDAY + timedelta(hours=16)  # Moscow 19:00: the 10:00 run was missed
    run = await run_digest(services.deps)
    assert run.sent == [late] and run.skipped == 1
    clock.current = MONDAY + timedelta(days=1, hours=8)  # Tuesday: no more Monday digests
    assert (await run_digest(services.deps)).sent == []


async def test_digest_goes_out_with_its_chart_on_telegram_and_vk(services, clock):
    clock.current = MONDAY - timedelta(days=20)
    on_tg = await partner(services, 505, tz="UTC", locale="en")
    on_vk = await partner(services, 506, tz="UTC", messenger="vk", locale="ru")
    await sale(services, on_vk, "100", datetime(2026, 1, 8, 3, tzinfo=UTC))
    clock.current = MONDAY + timedelta(hours=10, minutes=7)
    assert sorted((await run_digest(services.deps)).sent) == sorted([on_tg, on_vk])
    tg = TelegramHarness(services)
    async with VkHarness(services) as vk:
        dispatcher = OutboxDispatcher(services.deps, {"telegram": tg.notifier, "vk": vk.notifier}, rates={})
        while await dispatcher.dispatch_once():
            pass
        [photo] = tg.session.of("sendPhoto")
        assert photo.method.chat_id == 505 and photo.method.caption.startswith("📊 Your week 2026-01-05")
        assert [data[:4] for data in tg.session.uploads.values()] == [b"\x89PNG"]
        [upload] = vk.vk.uploads
        assert upload.peer_id == 506 and upload.content.startswith(b"\x89PNG")
        [sent] = [s for s in vk.vk.sent if s.peer_id == 506]
        assert sent.message.startswith("📊 Ваша неделя") and sent.attachment.startswith(upload.attachment)
    assert {r.status for r in await outbox(services, "digest")} == {"sent"}


async def test_nudge_once_per_inactivity_window_with_the_latest_material(services, clock):
    deps = services.deps
    start = clock.now()
    idle = await partner(services, 511, approved_at=start - timedelta(days=20))
    active = await partner(services, 512, approved_at=start - timedelta(days=20))
    newcomer = await partner(services, 513, approved_at=start - timedelta(days=5))
    muted = await partner(services, 514, approved_at=start - timedelta(days=20))
    await mute(services, muted, "nudge")
    offer_id, _ = await offer_and_link(services, idle)
    async with deps.uow() as uow:
        for title, days in (("Old banner", 30), ("Winter promo", 2)):
            uow.session.add(Material(offer_id=offer_id, kind="text", status="published", title=title, body="{link}",
                                     created_by="telegram:900", created_at=start - timedelta(days=days),
                                     published_at=start - timedelta(days=days)))
        uow.session.add(Material(offer_id=offer_id, kind="text", status="draft", title="Unpublished", body="x",
                                 created_by="telegram:900", created_at=start))
        await uow.commit()
    await click(services, active, start - timedelta(days=3))

    assert await run_nudges(deps) == [idle, muted]
    assert await run_nudges(deps) == []  # re-run: nothing twice
    [row] = await outbox(services, "nudge")
    assert row.partner_id == idle and row.screen["args"]["material"] == "Winter promo"
    assert row.screen["buttons"][0][0]["action"].startswith("mat:m:")
    clock.advance(days=13)  # still within the period of the last nudge
    # The last click is 16 days old now; the newcomer was approved 18 days ago and never clicked.
    assert await run_nudges(deps) == [active, newcomer]
    clock.advance(days=2)  # a full period since the first nudge, still no clicks
    assert await run_nudges(deps) == [idle, muted]
    assert [r.partner_id for r in await outbox(services, "nudge")] == [idle, active, newcomer, idle]  # never muted
    async with deps.uow(readonly=True) as uow:
        assert len((await uow.session.scalars(select(InactivityNudge))).all()) == 4


async def test_quiet_hours_across_midnight_hold_a_nudge_until_morning_in_the_partners_zone(services, clock):
    deps = services.deps
    clock.current = datetime(2026, 1, 13, 3, 30, tzinfo=UTC)  # New York 22:30 (Monday), Tokyo 12:30 (Tuesday)
    sleeping = await partner(services, 521, tz="America/New_York", quiet=(22 * 60, 7 * 60),
                             approved_at=clock.now() - timedelta(days=30))
    awake = await partner(services, 522, tz="Asia/Tokyo", quiet=(23 * 60, 8 * 60),
                          approved_at=clock.now() - timedelta(days=30))
    assert await run_nudges(deps) == [sleeping, awake]
    rows = {r.partner_id: r for r in await outbox(services, "nudge")}
    assert rows[sleeping].next_attempt_at == datetime(2026, 1, 13, 12, 0, tzinfo=UTC)  # 07:00 in New York
    assert rows[awake].next_attempt_at == clock.now()

    tg = TelegramHarness(services)
    dispatcher = OutboxDispatcher(deps, {"telegram": tg.notifier}, rates={})
    assert await dispatcher.dispatch_once() == 1  # Tokyo at once
    assert [str(c.method.chat_id) for c in tg.session.of("sendMessage")] == ["522"]
    clock.current = datetime(2026, 1, 13, 11, 59, tzinfo=UTC)  # 06:59 in New York
    assert await dispatcher.dispatch_once() == 0
    clock.current = datetime(2026, 1, 13, 12, 0, tzinfo=UTC)
    assert await dispatcher.dispatch_once() == 1
    assert [str(c.method.chat_id) for c in tg.session.of("sendMessage")] == ["522", "521"]
    assert "No clicks on your links for 14 days" in tg.texts(521)[0]
