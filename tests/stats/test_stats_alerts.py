"""Link alerts with a fake clock: conversions stop while clicks go on, clicks drop — each told once, through
the outbox (to the partner's chat, with a button to their stats), muteable in Settings."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from services.db.models import OutboxMessage
from services.db.stats_models import LinkAlert
from services.kernel.dto import Screen
from services.messaging.outbox import OutboxDispatcher
from services.stats.alerts import check_alerts
from tests.fakes.builders import approved_partner
from tests.fakes.stats_data import add_clicks, add_conversions, add_link, add_offer
from tests.fakes.tg_harness import TelegramHarness

T0 = datetime(2026, 3, 10, tzinfo=UTC)
HOUR = timedelta(hours=1)
PARTNER = 111


def hours(first: datetime, last: datetime) -> list[datetime]:
    out, at = [], first
    while at < last:
        out.append(at)
        at += HOUR
    return out


async def clicks_per_hour(deps, link: int, first: datetime, last: datetime, per_hour: int) -> None:
    await add_clicks(deps, link, [at + timedelta(minutes=3 * n) for at in hours(first, last) for n in range(per_hour)])


async def alerts(services) -> list[OutboxMessage]:
    async with services.deps.uow() as uow:
        return list((await uow.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "alerts")
                                               .order_by(OutboxMessage.id))).all())


async def _busy_link(services, tg: TelegramHarness, user: int = PARTNER) -> int:
    """Eight days of 10 clicks an hour and a conversion every other hour (the last at T0 − 40 min), up to T0."""
    deps = services.deps
    deps.clock.current = T0 - timedelta(days=9)
    partner = await approved_partner(services, tg, user)
    link = await add_link(deps, partner, await add_offer(deps, name="Shop"), name="blog")
    await clicks_per_hour(deps, link, T0 - timedelta(days=8), T0, 10)
    await add_conversions(deps, link, [at + timedelta(minutes=20) for at in hours(T0 - timedelta(days=8), T0)[1::2]])
    return link


async def test_conversions_stop_then_clicks_drop_each_told_once(services):
    tg = TelegramHarness(services)
    deps, t = services.deps, services.translator
    link = await _busy_link(services, tg)
    await clicks_per_hour(deps, link, T0, T0 + 6 * HOUR, 10)  # clicks go on, conversions stopped at T0

    deps.clock.current = T0 + 5 * HOUR + timedelta(minutes=10)  # only 5 silent hours closed: nothing yet
    assert await check_alerts(deps) == 0
    deps.clock.current = T0 + 6 * HOUR + timedelta(minutes=10)
    assert await check_alerts(deps) == 1
    [row] = await alerts(services)
    screen = Screen.from_dict(row.screen)
    assert screen.text_key == "stats-alert-no-conversions"
    assert screen.args == {"link": "blog", "offer": "Shop", "clicks": 60, "hours": 6, "expected": "3"}
    assert await check_alerts(deps) == 0  # the same hour judged again: told once

    await clicks_per_hour(deps, link, T0 + 6 * HOUR, T0 + 7 * HOUR, 10)
    deps.clock.current += HOUR
    assert await check_alerts(deps) == 0  # still silent: still told once

    # A conversion comes back: the alert switches off (no message); then the link's clicks fall by 90 %.
    await add_conversions(deps, link, [T0 + 7 * HOUR + timedelta(minutes=30)])
    await clicks_per_hour(deps, link, T0 + 7 * HOUR, T0 + 8 * HOUR, 10)
    deps.clock.current += HOUR
    assert await check_alerts(deps) == 0
    async with deps.uow() as uow:
        state = await uow.session.get(LinkAlert, (link, "no_conversions"))
        assert state is not None and not state.active and state.since == T0 + 8 * HOUR
    await clicks_per_hour(deps, link, T0 + 8 * HOUR, T0 + 14 * HOUR, 1)
    deps.clock.current = T0 + 14 * HOUR + timedelta(minutes=10)
    assert await check_alerts(deps) == 1
    drop = Screen.from_dict((await alerts(services))[-1].screen)
    assert drop.text_key == "stats-alert-clicks-drop"
    assert drop.args == {"link": "blog", "offer": "Shop", "clicks": 6, "hours": 6, "expected": "60", "drop": "90"}

    # Delivered through the outbox to the partner's Telegram chat, with a way into their stats.
    dispatcher = OutboxDispatcher(deps, {"telegram": tg.notifier}, rates={})
    tg.clear()
    while await dispatcher.dispatch_once():
        pass
    assert tg.texts(PARTNER) == [t("en", "stats-alert-no-conversions", screen.args),
                                 t("en", "stats-alert-clicks-drop", drop.args)]
    assert tg.buttons(PARTNER) == ["st:v:7d:link"]


async def test_muted_alerts_are_not_sent_and_quiet_links_never_alert(services):
    tg = TelegramHarness(services)
    deps = services.deps
    link = await _busy_link(services, tg)
    await tg.press(PARTNER, "set:mute")
    assert "set:mute:alerts:1" in tg.buttons(PARTNER)  # Settings → Notifications lists the new kind
    await tg.press(PARTNER, "set:mute:alerts:1")
    # A second partner's link with 2 clicks an hour: a drop to none is below the noise floor.
    quiet = await add_link(deps, await approved_partner(services, tg, 112), await add_offer(deps), name="quiet")
    await clicks_per_hour(deps, quiet, T0 - timedelta(days=8), T0, 2)
    await clicks_per_hour(deps, link, T0, T0 + 6 * HOUR, 10)
    deps.clock.current = T0 + 6 * HOUR + timedelta(minutes=10)
    assert await check_alerts(deps) == 0
    assert await alerts(services) == []
    async with deps.uow() as uow:
        states = (await uow.session.execute(select(LinkAlert.link_id, LinkAlert.kind, LinkAlert.active))).all()
    assert states == [(link, "no_conversions", True)]  # judged and remembered, just not sent


async def test_an_old_watermark_is_not_judged(services):
    deps = services.deps
    link = await _busy_link(services, TelegramHarness(services))
    await clicks_per_hour(deps, link, T0, T0 + 6 * HOUR, 10)
    deps.clock.current = T0 + 6 * HOUR + timedelta(minutes=10)
    deps.config = replace(deps.config, stats_rollup_delay_minutes=6 * 60)
    assert await check_alerts(deps) == 0  # the rollup is hours behind: its news would be stale
