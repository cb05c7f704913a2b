"""Monthly tiers, partner of the month (proposal, role-checked idempotent decision, opt-out, mutes) and the
managers' morning summary, with a fake clock; the retention jobs' stable ids and switches."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.container import build_container
from bot.scheduler import build_scheduler
from services.db.models import Application, Partner
from services.db.retention_models import PartnerOfMonth
from services.db.support_models import Ticket
from services.partners import tiers
from services.retention import potm
from services.retention.summary import send_summary
from tests.fakes.tg_harness import TelegramHarness
from tests.retention.helpers import outbox, partner, sale
from tests.retention.test_digest_nudge import mute


async def tier_of(services, partner_id: int) -> str:
    async with services.deps.uow(readonly=True) as uow:
        return (await uow.session.get(Partner, partner_id)).tier


async def set_tier(services, partner_id: int, tier: str) -> None:
    async with services.deps.uow() as uow:
        (await uow.session.get(Partner, partner_id)).tier = tier
        await uow.commit()


async def test_tiers_go_up_daily_and_down_only_at_the_monthly_run(services, clock):
    deps = services.deps
    rising = await partner(services, 601)
    falling = await partner(services, 602)
    await set_tier(services, falling, "gold")
    await sale(services, rising, "150000", clock.now() - timedelta(days=2))
    assert await tiers.recalculate(deps) == 1  # the daily run: only the promotion
    assert (await tier_of(services, rising), await tier_of(services, falling)) == ("gold", "gold")
    assert await tiers.recalculate_monthly(deps) == 1
    assert await tiers.recalculate_monthly(deps) == 0  # re-run
    assert await tier_of(services, falling) == "certified"
    up, down = await outbox(services, "tier")
    assert (up.partner_id, up.screen["text_key"], up.screen["args"]["new"]) == (rising, "tier-up", "gold")
    assert (down.partner_id, down.screen["text_key"]) == (falling, "tier-down")
    assert (down.screen["args"]["old"], down.screen["args"]["needed"]) == ("gold", "100 000.00 RUB")
    text = services.translator("en", "tier-down", down.screen["args"])
    assert "Approved sales of 100 000.00 RUB in 30 days bring gold back" in text

    services.deps.config = replace(deps.config, tiers_monthly=False)  # RETENTION_TIERS_MONTHLY=false: as before
    await set_tier(services, falling, "platinum")
    assert await tiers.recalculate(services.deps) == 1
    assert await tier_of(services, falling) == "certified"


FEB_1 = datetime(2026, 2, 1, 7, 0, tzinfo=UTC)  # 10:00 in Moscow, the program's zone


async def test_partner_of_the_month_proposed_once_decided_once_and_announced(services, clock):
    deps = services.deps
    clock.current = datetime(2026, 1, 1, tzinfo=UTC)
    winner = await partner(services, 611, name="Anna Smirnova", announce=False)
    runner_up = await partner(services, 612, name="Boris")
    silent = await partner(services, 613, name="Vera")
    await mute(services, silent, "partner_of_month")
    await sale(services, winner, "300000", datetime(2026, 1, 20, tzinfo=UTC))
    await sale(services, runner_up, "200000", datetime(2026, 1, 10, tzinfo=UTC))
    await sale(services, runner_up, "900000", datetime(2025, 12, 31, 20, 0, tzinfo=UTC))  # 31 Dec, 23:00 Moscow
    await sale(services, runner_up, "900000", datetime(2026, 2, 1, 0, 0, tzinfo=UTC))  # 1 Feb, 03:00 Moscow
    await sale(services, runner_up, "900000", datetime(2026, 1, 15, tzinfo=UTC), currency="USD")  # not the tier currency

    clock.current = FEB_1
    result = await potm.propose(deps)
    assert (result.month, result.partner_id, result.created) == ("2026-01", winner, True)
    assert (await potm.propose(deps)).created is False  # re-run
    cards = await outbox(services, "retention")
    assert sorted((c.messenger, c.chat_id) for c in cards) == [
        ("telegram", "900"), ("telegram", "901"), ("telegram", "903"), ("vk", "800")]  # managers and admins
    assert cards[0].screen["args"]["revenue"] == "300 000.00 RUB" and cards[0].screen["args"]["shown"] == "hidden"
    assert [b["action"] for b in cards[0].screen["buttons"][0]] == ["ret:potm:ok:202601", "ret:potm:skip:202601"]

    tg = TelegramHarness(services)
    await tg.press(902, "ret:potm:ok:202601")  # support: not theirs to decide
    await tg.press(900, "ret:potm:ok:202601", first_name="Maria")
    await tg.press(900, "ret:potm:ok:202601", first_name="Maria")  # double tap
    await tg.press(901, "ret:potm:skip:202601", first_name="Oleg")  # a second manager, late
    t = services.translator
    assert tg.toasts() == [t("ru", "err-not-allowed"), t("ru", "potm-decided", status="approved"),
                           t("ru", "potm-already", status="approved"), t("ru", "potm-already", status="approved")]
    assert "✅ Объявил(а) Maria" in tg.texts(900)[0]
    async with deps.uow(readonly=True) as uow:
        award = await uow.session.get(PartnerOfMonth, "2026-01")
    assert (award.status, award.decided_by) == ("approved", "telegram:900")
    notes = {n.partner_id: n for n in await outbox(services, "partner_of_month")}
    assert sorted(notes) == [winner, runner_up]  # the muted partner hears nothing
    assert notes[winner].screen["text_key"] == "potm-you"
    announced = t("en", "potm-announce", notes[runner_up].screen["args"])
    assert announced == f"🏆 Partner of the month 2026-01: Partner #{winner}. Congratulations!"  # opted out


async def test_nobody_decides_on_their_own_award_and_no_revenue_no_proposal(services, clock):
    clock.current = FEB_1
    assert (await potm.propose(services.deps)).created is False  # no sales at all
    async with services.deps.uow(readonly=True) as uow:
        assert (await uow.session.scalars(select(PartnerOfMonth))).all() == []
    manager_self = await partner(services, 900, name="Maria")  # the manager is a partner too
    await sale(services, manager_self, "5000", datetime(2026, 1, 20, tzinfo=UTC))
    assert (await potm.propose(services.deps)).partner_id == manager_self
    tg = TelegramHarness(services)
    await tg.press(900, "ret:potm:ok:202601")
    assert tg.toasts() == [services.translator("en", "potm-own")]  # the manager-partner chose English
    await tg.press(901, "ret:potm:skip:202601")
    assert await outbox(services, "partner_of_month") == []  # skipped: no announcement


async def test_morning_summary_counts_what_waits_once_a_day(services, clock):
    deps = services.deps
    now = clock.now()
    someone = await partner(services, 621)
    async with deps.uow() as uow:
        uow.session.add(Application(partner_id=someone, answers={}, created_at=now - timedelta(hours=5)))
        uow.session.add(Application(partner_id=someone, answers={}, decision="approved", created_at=now - timedelta(days=9)))
        for hours, status in ((30, "open"), (2, "open"), (50, "answered")):
            uow.session.add(Ticket(partner_id=someone, messenger="telegram", chat_id="621", status=status,
                                   created_at=now - timedelta(hours=hours), last_activity_at=now))
        await uow.commit()
    await sale(services, someone, "10", now - timedelta(hours=3), status="pending")
    async with deps.uow() as uow:
        from services.db.tracking_models import Conversion  # noqa: PLC0415
        (await uow.session.scalars(select(Conversion))).one().review = "pending"
        await uow.commit()
    assert await send_summary(deps) == 4
    assert await send_summary(deps) == 0  # the same day again: nothing
    rows = await outbox(services, "summary")
    args = rows[0].screen["args"]
    assert {k: args[k] for k in ("applications", "applications_hours", "payouts", "flagged", "flagged_hours",
                                 "tickets", "tickets_hours", "total")} == {
        "applications": 1, "applications_hours": 5, "payouts": 0, "flagged": 1, "flagged_hours": 3,
        "tickets": 2, "tickets_hours": 30, "total": 4}
    text = services.translator("en", "summary-morning", args)
    assert "🎫 Open tickets: 2, oldest 30 h" in text and "💸 Payout requests: 0\n" in text
    clock.advance(days=1)
    assert await send_summary(deps) == 4


@pytest.mark.parametrize("enabled", [True, False])
async def test_retention_jobs_have_stable_ids_and_can_be_switched_off(enabled):
    settings = Settings(_env_file=None, retention_digest_enabled=enabled, retention_nudge_enabled=enabled,
                        retention_tiers_monthly=enabled, retention_partner_of_month_enabled=enabled,
                        retention_morning_summary_enabled=enabled, morning_summary_time="8:30",
                        program_timezone="Asia/Tokyo")
    container = build_container(settings)
    try:
        jobs = {job.id: job for job in build_scheduler(container).get_jobs()}
        ours = {"retention_digest", "retention_nudge", "tiers_monthly", "retention_partner_of_month",
                "retention_morning_summary"}
        assert ours <= set(jobs) if enabled else not ours & set(jobs)
        assert "tiers" in jobs  # the daily tier job stays either way
        if enabled:
            summary = jobs["retention_morning_summary"].trigger
            assert str(summary.timezone) == "Asia/Tokyo" and "hour='8'" in str(summary) and "minute='30'" in str(summary)
            assert container.deps.config.tiers_monthly is True
    finally:
        await container.close()


def test_retention_settings_are_validated():
    from pydantic import ValidationError  # noqa: PLC0415
    for bad in ({"program_timezone": "Mars/Olympus"}, {"morning_summary_time": "25:00"}, {"inactivity_days": 0}):
        with pytest.raises(ValidationError):
            Settings(_env_file=None, **bad)
