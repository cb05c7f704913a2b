"""/stats in the chat through the real Telegram Dispatcher and the real VK bot: one scenario run by a partner on
each messenger (same data, same language) must show the same texts, buttons and files; the chart is a PNG that
decodes, the export a CSV that parses; typed forms and their errors; the partner's time zone named."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from aiogram.types import InlineKeyboardMarkup
from PIL import Image

from services.stats.periods import parse_period
from services.stats.queries import partner_stats
from tests.fakes.stats_data import add_clicks, add_conversion, add_link, add_offer
from tests.fakes.tg_harness import TelegramHarness
from tests.fakes.vk_harness import Shown, VkHarness

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
TG_USER, VK_USER = 111, 222
LANG_EN = 3  # VK client_info.lang_id of an English client

SCENARIO: list[tuple[str, str]] = [
    ("text", "/stats"),  # the default: last 7 days by day
    ("press", "st:v:lastmonth:day"),
    ("press", "st:g:lastmonth:day"),  # the grouping menu
    ("press", "st:v:lastmonth:sub1"),
    ("text", "/stats 2026-11-01 2026-11-15"),
    ("text", "/stats 30d by link"),
    ("text", "/stats 99x"),
    ("text", "/stats 2026-11-15 2026-11-01"),
    ("text", "/stats 2025-01-01 2026-11-01"),
    ("text", "/stats 2026-02-30"),
    ("text", "/stats 7d by colour"),
    ("text", "/статистика"),  # the Russian alias
    ("menu", "stats"),
    ("press", "st:png:lastmonth:day"),
    ("press", "st:csv:lastmonth:sub1"),
    ("press", "st:v:nonsense:day"),  # forged / outdated buttons
    ("press", "st:zz:7d:day"),
    ("text", "/help"),
]


async def _partner_data(services, messenger: str, user: int) -> int:
    deps = services.deps
    async with deps.uow() as uow:
        account = await uow.accounts.get(messenger, str(user))
        await uow.partners.move_status(account.partner_id, ("new",), "approved")
        partner = await uow.partners.get(account.partner_id)
        partner.timezone = "Asia/Kolkata"  # +05:30: the reply names it, the days follow it
        await uow.forms.clear(messenger, str(user))
        await uow.commit()
        partner_id = account.partner_id
    offer = await add_offer(deps, name=f"Shop")
    blog = await add_link(deps, partner_id, offer, name="blog")
    channel = await add_link(deps, partner_id, offer, name="channel")
    await add_clicks(deps, blog, [datetime(2026, 11, 1, 10, tzinfo=UTC), datetime(2026, 11, 14, 18, 29, tzinfo=UTC),
                                  datetime(2026, 11, 14, 18, 30, tzinfo=UTC), datetime(2026, 12, 4, 9, tzinfo=UTC)],
                     subs={"sub1": "post1"})
    await add_clicks(deps, channel, [datetime(2026, 11, 20, 7, tzinfo=UTC)] * 3, unique=[True, False, True])
    await add_conversion(deps, blog, datetime(2026, 11, 14, 19, tzinfo=UTC), "approved", "120.50", sub1="post1")
    await add_conversion(deps, channel, datetime(2026, 12, 4, 10, tzinfo=UTC), "pending", "15")
    return partner_id


@pytest.fixture
async def legs(services) -> AsyncIterator[tuple[TelegramHarness, VkHarness]]:
    services.deps.clock.current = NOW
    tg = TelegramHarness(services)
    async with VkHarness(services, timeout=90) as vk:  # a chart takes seconds on a loaded machine
        await tg.send(TG_USER, "/start", language_code="en")
        await vk.send(VK_USER, "hello", lang_id=LANG_EN)
        await vk.press(VK_USER, "ob:lang:en")
        tg.session.files.clear()
        yield tg, vk


async def _run_tg(services, tg: TelegramHarness, step: tuple[str, str]) -> None:
    verb, arg = step
    if verb == "text":
        await tg.send(TG_USER, arg, language_code="en")
    elif verb == "menu":
        await tg.send(TG_USER, services.translator("en", f"menu-{arg}"), language_code="en")
    else:
        await tg.press(TG_USER, arg, language_code="en")


async def _run_vk(services, vk: VkHarness, step: tuple[str, str]) -> None:
    verb, arg = step
    if verb == "text":
        await vk.send(VK_USER, arg, lang_id=LANG_EN)
    elif verb == "menu":
        await vk.send(VK_USER, services.translator("en", f"menu-{arg}"), lang_id=LANG_EN,
                      payload={"a": f"menu:{arg}"})
    else:
        await vk.press(VK_USER, arg)


def _tg_views(tg: TelegramHarness) -> list[tuple[Any, ...]]:
    views: list[tuple[Any, ...]] = []
    for call in tg.session.calls:
        method = call.method
        if call.name in ("sendMessage", "editMessageText"):
            markup = method.reply_markup
            actions = tuple(b.callback_data for row in markup.inline_keyboard for b in row) \
                if isinstance(markup, InlineKeyboardMarkup) else ()
            views.append(("send" if call.name == "sendMessage" else "edit", method.text, actions))
        elif call.name in ("sendPhoto", "sendDocument"):
            media = method.photo if call.name == "sendPhoto" else method.document
            views.append(("file", call.name[4:].lower(), media.filename))
        elif call.name == "answerCallbackQuery":
            views.append(("toast", method.text))
    return views


def _vk_views(vk: VkHarness) -> list[tuple[Any, ...]]:
    """FakeVK's calls in order: messages, edits, files (by what was uploaded), snackbars."""
    views: list[tuple[Any, ...]] = []
    for call in vk.vk.calls:
        params = call.params
        if call.method in ("messages.send", "messages.edit"):
            keyboard = json.loads(params["keyboard"]) if params.get("keyboard") else None
            actions = tuple(Shown("send", 0, None, keyboard, None).actions())
            if params.get("message"):
                views.append(("send" if call.method == "messages.send" else "edit", params["message"], actions))
            if params.get("attachment"):
                upload = vk.vk.uploaded(params["attachment"])
                views.append(("file", "photo" if upload.kind == "photo" else "document",
                              upload.title or upload.filename))
        elif call.method == "messages.sendMessageEventAnswer":
            data = params.get("event_data")
            views.append(("toast", json.loads(data)["text"] if data else None))
    return views


async def test_parity_files_and_figures(services, legs):
    tg, vk = legs
    t = services.translator
    tg_partner = await _partner_data(services, "telegram", TG_USER)
    await _partner_data(services, "vk", VK_USER)
    tg.session.clear()
    vk.clear()
    for step in SCENARIO:
        await _run_tg(services, tg, step)
        await _run_vk(services, vk, step)
    tg_views, vk_views = _tg_views(tg), _vk_views(vk)
    assert tg_views == vk_views

    texts = [view[1] for view in tg_views if view[0] in ("send", "edit")]
    # /stats: the last 7 local days, the time zone named, the figures.
    first = texts[0]
    assert first.startswith("📊 Last 7 days · 2026-11-29 – 2026-12-05") and "Time zone: Asia/Kolkata" in first
    assert "Clicks: 1 · unique: 1" in first and "⏳ 1 pending" in first and "15.00 RUB" in first
    assert tg_views[0][2] == ("st:v:today:day", "st:v:yesterday:day", "st:v:7d:day", "st:v:30d:day",
                              "st:v:month:day", "st:v:lastmonth:day", "st:v:all:day", "st:g:7d:day",
                              "st:png:7d:day", "st:csv:7d:day")
    # November in Kolkata: 18:29 UTC on the 14th is still the 14th there, 18:30 is the 15th.
    november = next(v for v in tg_views if v[0] == "edit" and "Last month" in v[1] and "By day" in v[1])[1]
    assert "Clicks: 6 · unique: 5" in november and "CR: 20.00 %" in november
    assert "\n2026-11-14 · 1 · 1 · 0 · 0.00\n2026-11-15 · 1 · 1 · 1 · 120.50 RUB\n" in november
    by_sub = next(v for v in tg_views if v[0] == "edit" and "By sub1" in v[1])[1]
    assert "post1 · 3 · 3 · 1 · 120.50 RUB\n— · 3 · 2 · 0 · 0.00" in by_sub
    assert t("en", "stats-choose-group") in texts
    assert t("en", "stats-err-form", text="99x") in texts
    assert t("en", "stats-err-reversed", {"from": "2026-11-15", "to": "2026-11-01"}) in texts
    assert t("en", "stats-err-too-long", days=670, max=366) in texts
    assert t("en", "stats-err-date", date="2026-02-30") in texts
    assert t("en", "stats-err-group", group="colour") in texts
    assert "/stats — " in texts[-1]
    assert [v for v in tg_views if v[0] == "toast"][-2:] == [("toast", t("en", "err-stale-button"))] * 2

    # The chart: progress, then the same message says what it is and the photo follows.
    progress = texts.index(t("en", "stats-exporting", what="chart"))
    assert texts[progress + 1].startswith("📈 Chart: Last month · 2026-11-01 – 2026-11-30 (Asia/Kolkata)")
    [photo] = tg.session.of("sendPhoto")
    assert photo.method.reply_to_message_id is not None
    for png in (photo.method.photo.data, vk.vk.uploads[0].content):
        image = Image.open(io.BytesIO(png))
        image.verify()
        assert image.format == "PNG" and image.size == (1000, 600)

    # The CSV: the report's rows and a total, UTF-8 with a BOM, parsed back.
    [document] = tg.session.of("sendDocument")
    assert document.method.document.filename == "stats-lastmonth-sub1.csv"
    for data in (document.method.document.data, vk.vk.uploads[1].content):
        assert data.startswith("\ufeff".encode())
        table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert table[0][:4] == ["sub1", "Clicks", "Unique clicks", "Pending"]
        assert table[0][-3:] == ["Earnings, RUB", "EPC, RUB", "Second level, RUB"]
        assert table[1][:3] == ["post1", "3", "3"] and table[1][-3:] == ["120.50", "40.17", "0.00"]
        assert table[2][:3] == ["", "3", "2"] and table[-1][:3] == ["Total", "6", "5"]
    async with services.deps.uow() as uow:
        report = await partner_stats(uow, tg_partner, parse_period("lastmonth", "Asia/Kolkata", NOW)[0], "sub1")
    assert len(table) == len(report.rows) + 2 and report.totals.earnings == {"RUB": Decimal("120.50")}


async def test_russian_hints_and_not_approved(services, legs):
    tg, vk = legs
    t = services.translator
    await tg.send(TG_USER, "/stats")  # applied but not approved: nothing to show
    assert tg.texts(TG_USER)[-1] == t("en", "err-approved-only")
    await _partner_data(services, "telegram", TG_USER)
    async with services.deps.uow() as uow:
        account = await uow.accounts.get("telegram", str(TG_USER))
        (await uow.partners.get(account.partner_id)).locale = "ru"
        await uow.commit()
    await tg.send(TG_USER, "/stats прошлый месяц по ссылкам")
    text = tg.texts(TG_USER)[-1]
    assert text.startswith("📊 Прошлый месяц · 2026-11-01 – 2026-11-30") and "Часовой пояс: Asia/Kolkata" in text
    assert "По ссылкам" in text and "blog · 3 · 3 · 1 · 120.50 RUB" in text
    await tg.send(TG_USER, "/stats вчера и позавчера")
    assert tg.texts(TG_USER)[-1].startswith("🤔 Не понял период «вчера и позавчера».")
    await vk.send(VK_USER, "/stats 14d")  # the VK partner is not approved either
    assert vk.texts(VK_USER)[-1] == t("en", "err-approved-only")
