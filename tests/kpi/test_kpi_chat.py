"""/kpi through the real Telegram Dispatcher and the real VK bot: ONE scenario run by a manager on each
messenger over the same program must show the same texts, buttons, toasts and files; the figures are the
hand-computed ones of tests/kpi/test_kpi_queries.py; partners are refused in both; the chart is a PNG that
decodes and the CSV parses; the web button hands out a single-use staff link."""
from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from PIL import Image

from services.kernel.deps import ProgramConfig
from tests.fakes.kpi_data import build
from tests.fakes.tg_harness import TelegramHarness
from tests.fakes.vk_harness import VkHarness
from tests.stats.test_stats_chat import _tg_views, _vk_views

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
TG_MANAGER, VK_MANAGER, TG_PARTNER, VK_PARTNER = 900, 800, 111, 222
LANG_EN = 3

SCENARIO: list[tuple[str, str]] = [
    ("text", "/kpi"),  # the default: last 7 days
    ("text", "/kpi lastmonth"),
    ("press", "kpi:v:30d:0"),
    ("press", "kpi:help:30d:0"),
    ("text", "/kpi 2026-11-01 2026-11-30 offer 2"),
    ("text", "/кпи прошлый месяц"),  # the Russian alias and period words
    ("text", "/kpi 99x"),
    ("text", "/kpi all"),  # no previous period to compare with
    ("text", "/kpi 30d by link"),
    ("text", "/kpi 30d offer 999"),
    ("press", "kpi:png:lastmonth:0"),
    ("press", "kpi:csv:lastmonth:0"),
    ("press", "kpi:v:nonsense:0"),  # forged / outdated
]


@pytest.fixture
def program_config() -> ProgramConfig:
    return ProgramConfig(default_locale="en", public_base_url="https://partners.example.com", program_timezone="UTC")


async def _step(tg: TelegramHarness, vk: VkHarness, verb: str, arg: str) -> None:
    if verb == "text":
        await tg.send(TG_MANAGER, arg, language_code="en")
        await vk.send(VK_MANAGER, arg, lang_id=LANG_EN)
    else:
        await tg.press(TG_MANAGER, arg, language_code="en")
        await vk.press(VK_MANAGER, arg)


async def test_parity_figures_files_and_refusals(services):
    services.deps.clock.current = NOW
    await build(services.deps)
    tg = TelegramHarness(services)
    async with VkHarness(services, timeout=90) as vk:
        for verb, arg in SCENARIO:
            await _step(tg, vk, verb, arg)
        tg_views, vk_views = _tg_views(tg), _vk_views(vk)
        assert tg_views == vk_views
        t = services.translator
        texts = [v[1] for v in tg_views if v[0] in ("send", "edit")]
        assert texts[0].startswith("📈 Program KPIs · Last 7 days · 2026-11-29 – 2026-12-05 (UTC)")
        november = texts[1]
        assert november.startswith("📈 Program KPIs · Last month · 2026-11-01 – 2026-11-30 (UTC)\n"
                                   "Compared with 2026-10-02 – 2026-10-31\n")
        for line in ("👥 Active partners: 3 (= 0.0 %)", "🆕 New partners: 2 (▲ +100.0 %) · approved: 2 (—)",
                     "✅ Approval rate: 66.67 % (—)", "🔁 Retention: 66.67 % (▲ +33.3 %)",
                     "💵 ARPU: 60.17 RUB (▲ +100.6 %), 3.33 USD (—)", "🔮 PLTV: 180.50 RUB (▲ +200.8 %), 10.00 USD (—)",
                     "👆 Clicks: 7 (▲ +75.0 %) · unique: 6 (▲ +50.0 %)", "📈 CR: 66.67 % (▲ +166.7 %)",
                     "💼 Commissions accrued: 180.50 RUB (▲ +100.6 %), 10.00 USD (—)",
                     "💸 Paid out: 1 000.00 RUB (—)", "⏳ Payouts pending: 300.00 RUB (= 0.0 %), 20.00 USD (—)",
                     "🚩 Fraud-flag rate: 40.00 % (—)", "🎫 Support tickets: 3 (▲ +200.0 %)",
                     "⏱ Median first response: 60.0 min (▲ +500.0 %)", "⭐ CSAT: 4.00 (—)",
                     "❓ FAQ deflection: 75.00 % (—)", "1. Alice · 2 · 4 · 100.00 RUB, 10.00 USD",
                     "2. Bob · 1 · 2 · 50.00 RUB", "1. Shop · 3 · 6 · 180.50 RUB\n2. App · 1 · 1 · 10.00 USD"):
            assert line in november, line
        assert tg_views[1][2] == ("kpi:v:today:0", "kpi:v:yesterday:0", "kpi:v:7d:0", "kpi:v:30d:0",
                                  "kpi:v:month:0", "kpi:v:lastmonth:0", "kpi:png:lastmonth:0",
                                  "kpi:csv:lastmonth:0", "kpi:help:lastmonth:0", "kpi:web")
        assert t("en", "kpi-help") in texts
        offer = next(text for text in texts if "Offer: App" in text)
        assert "👥 Active partners: 1 (—)" in offer and "💼 Commissions accrued: 10.00 USD (—)" in offer
        assert "Прошлый месяц" not in texts[5] and texts[5] == november  # same period, English manager
        for bad in ("99x", "all", "30d by link"):
            assert t("en", "kpi-err-period", text=bad) in texts
        assert t("en", "kpi-err-offer", id=999) in texts
        assert [v for v in tg_views if v[0] == "toast"][-1] == ("toast", t("en", "err-stale-button"))

        # The chart: progress, then the photo; the CSV: metrics, tops and days, parsed back.
        assert t("en", "stats-exporting", what="chart") in texts
        [photo] = tg.session.of("sendPhoto")
        for png in (photo.method.photo.data, vk.vk.uploads[0].content):
            image = Image.open(io.BytesIO(png))
            image.verify()
            assert image.format == "PNG" and image.size == (1000, 700)
        [document] = tg.session.of("sendDocument")
        assert document.method.document.filename == "kpi-lastmonth.csv"
        for data in (document.method.document.data, vk.vk.uploads[1].content):
            table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
            assert table[0] == ["Metric", "Currency", "2026-11-01..2026-11-30", "2026-10-02..2026-10-31", "Change, %"]
            assert ["Active partners", "", "3", "3", "0.0"] in table
            assert ["Commissions accrued", "RUB", "180.5000", "90.0000", "100.6"] in table
            assert ["Commissions accrued", "USD", "10.0000", "0", ""] in table
            assert ["CSAT (1–5)", "", "4.00", "", ""] in table
            assert ["Alice", "1", "4", "2", "100.0000 RUB; 10.0000 USD"] in table
            assert table[-1][:4] == ["2026-11-30", "1", "1", "1"]

        # Partners (not staff) are refused, typed or pressed, on both messengers.
        await tg.send(TG_PARTNER, "/kpi", language_code="en")
        await vk.send(VK_PARTNER, "/kpi", lang_id=LANG_EN)
        assert tg.texts(TG_PARTNER)[-1] == vk.texts(VK_PARTNER)[-1] == t("en", "err-not-allowed")
        tg.session.clear()
        vk.clear()
        await tg.press(TG_PARTNER, "kpi:csv:7d:0", language_code="en")
        await vk.press(VK_PARTNER, "kpi:web")
        assert _tg_views(tg) == [("toast", t("en", "err-not-allowed"))]
        assert _vk_views(vk) == [("toast", t("en", "err-not-allowed"))]


async def test_admin_menu_has_kpis_and_web_link(services):
    services.deps.clock.current = NOW
    tg = TelegramHarness(services)
    await tg.send(TG_MANAGER, "/admin", language_code="en")
    assert "kpi:v:7d:0" in tg.buttons(TG_MANAGER)
    await tg.press(TG_MANAGER, "kpi:v:7d:0", language_code="en")
    assert tg.texts(TG_MANAGER)[-1].startswith("📈 Program KPIs · Last 7 days")
    await tg.press(TG_MANAGER, "kpi:web", language_code="en")
    text = tg.texts(TG_MANAGER)[-1]
    assert "https://partners.example.com/app/kpi/login?t=telegram.900." in text
