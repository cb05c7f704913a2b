"""The dashboard page in a real headless Chromium (Debian's `chromium`, driven by Playwright — nothing downloads a
browser): Mini App launch data in the URL fragment, the figures partner_stats gives the chat, the chart and its
tooltip, period and table switching, Telegram's theme colours; bad launch data and a spent sign-in link.

Every request that is not to the test server is aborted, so the page is proven to work offline and without
telegram-web-app.js. Screenshots go to tests/browser/screenshots/ (ignored by git); their paths are printed.
"""
from __future__ import annotations

import json
import random
import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from aiohttp.test_utils import TestServer

from bot.web import CONTAINER, build_web_app
from services.app import Services
from services.db.tracking_models import Click, Conversion, LedgerEntry
from services.kernel.dto import Incoming
from services.kernel.money import format_money
from services.stats.periods import parse_period
from services.stats.queries import balance_summary, partner_stats
from tests.fakes.dashboard import container_for, init_data, seed_partner

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
SHOTS = Path(__file__).resolve().parent / "screenshots"
ANN = 501
DARK = {"bg_color": "#17212b", "secondary_bg_color": "#0e1621", "section_bg_color": "#17212b",
        "text_color": "#f5f5f5", "hint_color": "#708499", "button_color": "#5288c1", "button_text_color": "#ffffff",
        "link_color": "#6ab3f3", "section_header_text_color": "#6ab3f3", "destructive_text_color": "#ec3942"}

playwright_api = pytest.importorskip("playwright.async_api", reason="Playwright for Python is not installed "
                                     "(pip install playwright; the system chromium is used, never a download)")
pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists() and shutil.which("chromium") is None,
                       reason=f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"),
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),  # the page, not the database, is under test
]


async def seed(deps) -> int:
    """Ann, in Moscow, with three links and a month of uneven traffic and sales in every status."""
    ann = await seed_partner(deps, ANN, name="Anna Petrova", tz="Europe/Moscow", links=(
        "Telegram channel", "YouTube review", "Blog post"), clicks_per_link=0, sales=())
    rng = random.Random(7)
    now = deps.clock.now()
    async with deps.uow() as uow:
        serial = 0
        for day in range(35):
            for link_index, link_id in enumerate(ann.link_ids):
                for _ in range(rng.randint(0, 14 - 3 * link_index) + (8 if day < 10 else 0)):
                    serial += 1
                    click = Click(click_id=f"b{serial}", link_id=link_id, partner_id=ann.partner_id, offer_id=1,
                                  created_at=now - timedelta(days=day, minutes=rng.randint(0, 600)),
                                  ip_hash=f"ip{rng.randint(0, 400)}", ua_hash="ua", is_unique=rng.random() < .8,
                                  sub1=["tg", "yt", "blog"][link_index], sub2=rng.choice(["post1", "post2"]))
                    uow.session.add(click)
                    await uow.session.flush()
                    if rng.random() < 0.07:
                        status = rng.choice(["approved", "approved", "pending", "rejected"])
                        uow.session.add(Conversion(
                            idempotency_key=f"b:{serial}", click_pk=click.id, link_id=link_id,
                            partner_id=ann.partner_id, offer_id=1, goal="default", status=status,
                            sale_amount=Decimal(rng.randint(20, 90) * 50), commission=Decimal(rng.randint(6, 27) * 50),
                            currency="RUB", payable=True, sub1=click.sub1, created_at=click.created_at,
                            updated_at=click.created_at))
        for key, kind, bucket, amount in (("h", "commission", "hold", "4500"), ("a", "release", "available", "12000"),
                                          ("p", "payout", "available", "-8000")):
            uow.session.add(LedgerEntry(entry_key=f"browser:{key}", partner_id=ann.partner_id, kind=kind,
                                        bucket=bucket, amount=Decimal(amount), currency="RUB", created_at=now))
        await uow.commit()
    return ann.partner_id


@pytest.fixture
async def site(deps, db_url) -> AsyncIterator[tuple[str, int, Services]]:
    partner_id = await seed(deps)
    server = TestServer(build_web_app(container_for(deps, db_url)))
    await server.start_server()
    base = str(server.make_url("")).rstrip("/")
    # CSV links point at the server the browser talks to; plain http, so the session cookie is not Secure.
    server.app[CONTAINER].deps.config = replace(deps.config, public_base_url=base)
    try:
        yield base, partner_id, server.app[CONTAINER].services
    finally:
        await server.close()


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    async with playwright_api.async_playwright() as p:
        chromium = await p.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists()
                                           else shutil.which("chromium"), args=ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


async def open_page(browser, base: str, url: str, **context_options):
    context = await browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                        **context_options)
    offsite: list[str] = []

    async def only_our_server(route):
        if route.request.url.startswith(base):
            await route.continue_()
        else:  # telegram-web-app.js included: the page must work without it
            offsite.append(route.request.url)
            await route.abort()

    await context.route("**/*", only_our_server)
    page = await context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await page.goto(url)
    return page, offsite, errors


def launch_url(base: str, deps, *, theme: dict | None = None, data: str | None = None) -> str:
    data = data if data is not None else init_data(ANN, deps.clock.now() - timedelta(minutes=2), language_code="en")
    fragment = f"tgWebAppData={quote(data, safe='')}&tgWebAppVersion=7.10&tgWebAppPlatform=android"
    if theme is not None:
        fragment += "&tgWebAppThemeParams=" + quote(json.dumps(theme), safe="")
    return f"{base}/app#{fragment}"


async def shot(page, name: str) -> Path:
    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    print(f"\nscreenshot: {path}")
    return path


async def expected(deps, partner_id: int, preset: str):
    async with deps.uow() as uow:
        period, _ = parse_period(preset, "Europe/Moscow", deps.clock.now())
        return await partner_stats(uow, partner_id, period, "day")


def digits(text: str) -> int:
    return int(re.sub(r"\D", "", text))


async def check_figures(page, deps, partner_id: int, preset: str) -> None:
    await page.wait_for_selector(f'#range[data-preset="{preset}"]')
    await page.wait_for_function("!document.getElementById('app').classList.contains('loading')")
    report = await expected(deps, partner_id, preset)
    totals = report.totals
    assert totals.clicks > 0
    assert digits(await page.inner_text('[data-kpi="clicks"] .kpi-value')) == totals.clicks
    assert digits(await page.inner_text('[data-kpi="clicks"] .kpi-sub')) == totals.unique_clicks
    assert digits(await page.inner_text('[data-kpi="conversions"] .kpi-value')) == sum(totals.conversions.values())
    for status in ("approved", "pending", "rejected"):
        shown = await page.inner_text(f'[data-kpi="conversions"] [data-status="{status}"]')
        assert digits(shown) == totals.conversions[status], status
    earnings = await page.inner_text('[data-kpi="earnings"] .kpi-value')
    assert [line.strip() for line in earnings.splitlines() if line.strip()] == \
        [format_money(amount, currency) for currency, amount in sorted(totals.earnings.items())]
    cr = await page.inner_text('[data-kpi="cr"] .kpi-value')
    assert Decimal(cr.replace("%", "").strip()) == totals.cr.quantize(Decimal("0.01"))
    async with deps.uow() as uow:
        balance = (await balance_summary(uow, partner_id))["RUB"]
    for bucket in ("on_hold", "available", "paid_out"):
        shown = await page.inner_text(f'#balance [data-currency="RUB"] [data-bucket="{bucket}"] .amount')
        assert shown == format_money(balance[bucket], "RUB"), bucket
    # One bar per day with clicks (overlaid: total and unique), drawn as SVG.
    days_with_clicks = sum(1 for row in report.rows if row.figures.clicks)
    assert await page.locator("#chart svg rect.bar.soft").count() == days_with_clicks


async def test_mini_app_shows_the_chat_figures_draws_and_switches(browser, site, deps):
    base, partner_id, _ = site
    page, offsite, errors = await open_page(browser, base, launch_url(base, deps))
    await check_figures(page, deps, partner_id, "7d")
    assert any("telegram.org" in url for url in offsite)  # tried Telegram's script, and did fine without it

    # Hover a day: the tooltip names it and gives its values.
    report = await expected(deps, partner_id, "7d")
    box = await page.locator("#chart svg").bounding_box()
    await page.mouse.move(box["x"] + box["width"] - 20, box["y"] + box["height"] / 2)
    tip = page.locator("#tip")
    await tip.wait_for(state="visible")
    last = report.rows[int(await tip.get_attribute("data-index"))]
    assert f"Clicks: {last.figures.clicks}" in await tip.inner_text()
    await shot(page, "miniapp-7d-light")

    await page.click('#periods button[data-value="30d"]')
    await check_figures(page, deps, partner_id, "30d")
    await page.click('#metrics button[data-value="earnings"]')
    assert await page.locator("#chart svg path.line").count() == 1
    await page.click('#groups button[data-value="link"]')
    await page.wait_for_selector('#table table[data-group="link"]')
    names = await page.locator("#table tbody td:first-child").all_inner_texts()
    assert sorted(names) == ["Blog post", "Telegram channel", "YouTube review"]
    await page.click('#groups button[data-value="sub"]')
    await page.wait_for_selector('#table table[data-group="sub1"]')
    assert sorted(await page.locator("#table tbody td:first-child").all_inner_texts()) == ["blog", "tg", "yt"]
    await shot(page, "miniapp-30d-sub1-light")
    await page.set_viewport_size({"width": 1200, "height": 900})
    await page.click('#groups button[data-value="link"]')
    await page.wait_for_selector('#table table[data-group="link"]')
    await shot(page, "desktop-30d-links-light")
    assert errors == []


async def test_mini_app_follows_telegram_theme(browser, site, deps):
    base, partner_id, _ = site
    page, _, errors = await open_page(browser, base, launch_url(base, deps, theme=DARK))
    await check_figures(page, deps, partner_id, "7d")
    background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(14, 22, 33)"  # secondary_bg_color
    card = await page.evaluate("getComputedStyle(document.querySelector('.card')).backgroundColor")
    assert card == "rgb(23, 33, 43)"
    await page.click('#metrics button[data-value="conversions"]')
    await shot(page, "miniapp-7d-dark")
    assert errors == []


async def test_bad_launch_data_shows_open_from_the_bot(browser, site, deps):
    base, _, _ = site
    good = init_data(ANN, deps.clock.now(), language_code="en")
    forged = good.replace("501", "502", 1)
    for name, url in (("forged", launch_url(base, deps, data=forged)), ("none", f"{base}/app")):
        page, _, errors = await open_page(browser, base, url)
        await page.wait_for_selector('#gate[data-kind="auth"]')
        assert await page.inner_text(".gate-title") == "Open the dashboard from the bot"
        assert await page.locator("#app").is_hidden() and errors == []
        await shot(page, f"open-from-the-bot-{name}")


async def test_sign_in_link_in_a_plain_browser(browser, site, deps):
    """The VK / any-browser way: /dashboard's link opens a session; the same link later says to ask again."""
    base, partner_id, services = site
    reply = await services.dashboard.link(Incoming("telegram", str(ANN), str(ANN)))
    link = reply.screens[0].args["url"]
    page, _, errors = await open_page(browser, base, link)
    await check_figures(page, deps, partner_id, "7d")
    assert page.url == f"{base}/app"  # the token left the address bar
    await shot(page, "browser-session")
    await page.goto(link)
    assert await page.inner_text(".gate-title") == "This link has expired or was already used"
    await shot(page, "sign-in-link-spent")
    assert errors == []
