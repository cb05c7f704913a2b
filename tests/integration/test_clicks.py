"""GET /r/{code} through the real aiohttp app on SQLite and PostgreSQL: redirect, cookie, flags, group commit."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import delete, select, update

from bot.config import Settings
from bot.container import Container
from bot.web import build_web_app
from bot.web_clicks import CLICKS, add_click_routes
from services.app import Services
from services.db.models import Partner
from services.db.tracking_models import Click, Offer, TrackingLink
from services.kernel.deps import Deps
from services.tracking.clicks import (
    ClickRequest,
    ClickService,
    Redirect,
    client_ip,
    hash_ip,
    parse_networks,
    redirect_url,
)

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
TARGET = "https://shop.example.com/land?utm_source=pp&x=a%20b#top"


@dataclass
class World:
    partner_id: int
    offer_id: int
    link_id: int
    code: str


async def add_link(deps: Deps, *, partner_status: str = "approved", offer_status: str = "active",
                   target: str = TARGET, archived: bool = False, code: str = "AbC123xy",
                   subs: tuple[str | None, ...] = ("tg", "post", None, None, None)) -> World:
    now = deps.clock.now()
    async with deps.uow() as uow:
        partner = Partner(status=partner_status, locale="en", timezone="UTC", tier="certified",
                          ref_code=f"ref{code}", created_at=now)
        offer = Offer(name="Shop", target_url=target, payout_model="cpa", currency="RUB", hold_days=30,
                      attribution_days=30, status=offer_status, created_at=now)
        uow.session.add_all([partner, offer])
        await uow.session.flush()
        link = TrackingLink(code=code, partner_id=partner.id, offer_id=offer.id, is_default=True, created_at=now,
                            archived_at=now if archived else None,
                            **{f"sub{i + 1}": value for i, value in enumerate(subs)})
        uow.session.add(link)
        await uow.commit()
        return World(partner.id, offer.id, link.id, code)


async def clicks(deps: Deps) -> list[Click]:
    async with deps.uow() as uow:
        return list((await uow.session.scalars(select(Click).order_by(Click.id))).all())


def container_for(deps: Deps, db_url: str) -> Container:
    engine = deps.uow.session_factory.kw["bind"]  # type: ignore[attr-defined]
    return Container(settings=Settings(_env_file=None, database_url=db_url), engine=engine, deps=deps,
                     services=Services(deps))


@pytest.fixture
async def world(deps: Deps) -> World:
    return await add_link(deps)


@pytest.fixture
async def client(deps: Deps, db_url: str) -> AsyncIterator[TestClient]:
    container = container_for(deps, db_url)
    app = build_web_app(container)
    add_click_routes(app, container)
    async with TestClient(TestServer(app, skip_url_asserts=True)) as test_client:
        yield test_client


def service(client: TestClient) -> ClickService:
    return client.server.app[CLICKS]


async def get(client: TestClient, path: str, ua: str | None = BROWSER, method: str = "GET", **headers: str):
    if ua is not None:
        headers["User-Agent"] = ua
    response = await client.request(method, path, allow_redirects=False, headers=headers,
                                     skip_auto_headers=("User-Agent",))
    await response.read()
    return response


# --- redirect ----------------------------------------------------------------------------------------------------

async def test_redirect_carries_click_id_and_subs_and_keeps_the_target_query(client, deps, world):
    long_value = "z" * 100
    response = await get(client, f"/r/{world.code}?sub2=override&sub3=new&sub4={long_value}&sub1=&other=x",
                         Referer="https://t.me/somechannel/42")
    assert response.status == 302
    assert response.headers["Cache-Control"] == "no-store"
    location = urlsplit(response.headers["Location"])
    assert (location.scheme, location.netloc, location.path, location.fragment) == (
        "https", "shop.example.com", "/land", "top")
    # The advertiser's own parameters are kept byte for byte, ours follow.
    assert location.query.startswith("utm_source=pp&x=a%20b&click_id=")
    query = parse_qs(location.query)
    [row] = await clicks(deps)
    assert query == {"utm_source": ["pp"], "x": ["a b"], "click_id": [row.click_id], "sub1": ["tg"],
                     "sub2": ["override"], "sub3": ["new"], "sub4": ["z" * 64]}
    assert len(row.click_id) == 32 and int(row.click_id, 16) >= 0  # 128 random bits, hex
    assert (row.link_id, row.partner_id, row.offer_id) == (world.link_id, world.partner_id, world.offer_id)
    assert (row.sub1, row.sub2, row.sub3, row.sub4, row.sub5) == ("tg", "override", "new", "z" * 64, None)
    assert row.created_at == deps.clock.now()
    assert (row.user_agent, row.referer) == (BROWSER, "https://t.me/somechannel/42")
    assert row.is_unique is True and row.flags is None
    assert len(row.ip_hash) == 32 and len(row.ua_hash) == 32


async def test_attribution_cookie(client, deps, world):
    response = await get(client, f"/r/{world.code}")
    [row] = await clicks(deps)
    cookie = SimpleCookie(response.headers["Set-Cookie"])["pb_click"]
    assert cookie.value == row.click_id
    assert cookie["max-age"] == str(30 * 86400)
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert cookie["secure"] is True  # public_base_url is https in the test config


@pytest.mark.parametrize("path", [
    "/r/{code}?url=https://evil.example",
    "/r/{code}?next=//evil.example&redirect=https%3A%2F%2Fevil.example&click_id=evil",
    "/r//evil.example",
    "/r/%2F%2Fevil.example",
    "/r/{code}%2F%2Fevil.example",
    "/r/{code}/..//evil.example",
    "/r/https:%2F%2Fevil.example",
    "/r/{code}#//evil.example",
])
async def test_no_open_redirect(client, deps, world, path):
    response = await get(client, path.format(code=world.code), Host="evil.example",
                         **{"X-Forwarded-Host": "evil.example"})
    if response.status == 302:
        location = urlsplit(response.headers["Location"])
        assert location.netloc == "shop.example.com"
        assert "evil" not in response.headers["Location"]
    else:
        assert response.status == 404 and "Location" not in response.headers


@pytest.mark.parametrize("case", ["unknown", "bad-chars", "archived", "paused", "applied", "blocked", "javascript"])
async def test_not_servable_codes_answer_404_without_a_click(client, deps, case):
    code = {"unknown": "Nope0000", "bad-chars": "ab$cd"}.get(case, "Link0001")
    if case not in ("unknown", "bad-chars"):
        await add_link(deps, code="Link0001", archived=case == "archived",
                       offer_status="paused" if case == "paused" else "active",
                       partner_status=case if case in ("applied", "blocked") else "approved",
                       target="javascript:alert(1)//https://x" if case == "javascript" else TARGET)
    response = await get(client, f"/r/{code}")
    assert response.status == 404
    assert "Location" not in response.headers and "Set-Cookie" not in response.headers
    assert response.content_type == "text/html"
    assert "404" in await response.text()
    assert await clicks(deps) == []


# --- flags -------------------------------------------------------------------------------------------------------

async def test_unique_within_24_hours_per_link_ip_and_user_agent(client, deps, clock, world):
    other = await add_link(deps, code="Other001")
    await get(client, f"/r/{world.code}")
    await get(client, f"/r/{world.code}")  # same visitor again
    await get(client, f"/r/{world.code}", ua=BROWSER + " Edge")  # another browser on the same IP
    await get(client, f"/r/{other.code}")  # the same visitor on another link
    clock.advance(hours=23, minutes=59)
    await get(client, f"/r/{world.code}")
    clock.advance(hours=25)
    await get(client, f"/r/{world.code}")
    assert [row.is_unique for row in await clicks(deps)] == [True, False, True, True, False, True]


async def test_bot_user_agents_are_flagged_not_dropped(client, deps, world):
    for ua in ("curl/8.5.0", "python-requests/2.32", "Mozilla/5.0 HeadlessChrome/120", "Googlebot/2.1",
               "", None, BROWSER, "Mozilla/5.0 (Linux; Android 9; CUBOT X19) Mobile"):
        assert (await get(client, f"/r/{world.code}", ua=ua)).status == 302
    rows = await clicks(deps)
    assert [row.flags for row in rows] == ["bot_ua"] * 6 + [None, None]
    assert rows[4].user_agent is None and rows[5].user_agent is None


async def test_flood_flag_counts_clicks_per_ip_hash_per_hour(client, deps, clock, world):
    deps.config = replace(deps.config, click_flood_per_hour=3)  # read at use time, like a live reconfig
    other = await add_link(deps, code="Other001")
    for i in range(4):  # different links and browsers: flood is about the IP
        code = world.code if i % 2 else other.code
        await get(client, f"/r/{code}", ua=f"{BROWSER} v{i}")
    # Several in one batch see each other too.
    await asyncio.gather(*(get(client, f"/r/{world.code}") for _ in range(3)))
    clock.advance(minutes=61)
    await get(client, f"/r/{world.code}")
    await get(client, f"/r/{world.code}", **{"X-Forwarded-For": "198.51.100.7"})  # another visitor
    flags = [row.flags for row in await clicks(deps)]
    assert flags == [None, None, None, "flood", "flood", "flood", "flood", None, None]


# --- what is not a click -----------------------------------------------------------------------------------------

async def test_head_redirects_without_recording(client, deps, world):
    response = await get(client, f"/r/{world.code}?sub3=h", method="HEAD")
    assert response.status == 302
    assert "click_id" not in response.headers["Location"]
    assert parse_qs(urlsplit(response.headers["Location"]).query)["sub3"] == ["h"]
    assert "Set-Cookie" not in response.headers
    assert (await get(client, "/r/Nope0000", method="HEAD")).status == 404
    assert await clicks(deps) == []


@pytest.mark.parametrize("ua", [
    "TelegramBot (like TwitterBot)",
    "Mozilla/5.0 (compatible; vkShare; +http://vk.com/dev/Share)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Twitterbot/1.0",
    "WhatsApp/2.23.20.0 A",
])
async def test_messenger_preview_bots_are_redirected_but_not_recorded(client, deps, world, ua):
    response = await get(client, f"/r/{world.code}", ua=ua)
    assert response.status == 302
    assert urlsplit(response.headers["Location"]).netloc == "shop.example.com"
    assert "click_id" not in response.headers["Location"] and "Set-Cookie" not in response.headers
    assert await clicks(deps) == []


# --- privacy -----------------------------------------------------------------------------------------------------

async def test_raw_ip_is_never_stored(client, deps, world):
    visitor = "203.0.113.77"
    # The test client's peer is loopback, a trusted proxy by default: its X-Forwarded-For names the visitor.
    await get(client, f"/r/{world.code}", **{"X-Forwarded-For": f"10.9.9.9, {visitor}"})
    [row] = await clicks(deps)
    assert row.ip_hash == hash_ip(deps.config.ip_hash_secret, visitor)
    values = [str(getattr(row, column.key)) for column in Click.__table__.columns]
    assert not [value for value in values if visitor in value or "127.0.0.1" in value or "10.9.9.9" in value]


async def test_forwarded_for_is_ignored_from_untrusted_peers(deps, db_url, world):
    container = container_for(deps, db_url)
    app = build_web_app(container)
    add_click_routes(app, container, trusted_proxies=())
    async with TestClient(TestServer(app)) as untrusted:
        await get(untrusted, f"/r/{world.code}", **{"X-Forwarded-For": "203.0.113.77"})
    [row] = await clicks(deps)
    assert row.ip_hash == hash_ip(deps.config.ip_hash_secret, "127.0.0.1")


def test_client_ip_walks_forwarded_for_only_through_trusted_hops():
    trusted = parse_networks(["127.0.0.1", "10.0.0.0/8"])
    assert client_ip("127.0.0.1", ["6.6.6.6, 1.2.3.4, 10.0.0.5"], trusted) == "1.2.3.4"  # 6.6.6.6 is forgeable
    assert client_ip("127.0.0.1", ["1.2.3.4", "10.0.0.5"], trusted) == "1.2.3.4"  # several headers
    assert client_ip("9.9.9.9", ["1.2.3.4"], trusted) == "9.9.9.9"  # untrusted peer: header ignored
    assert client_ip("127.0.0.1", ["not-an-ip"], trusted) == "127.0.0.1"
    assert client_ip("127.0.0.1", [], trusted) == "127.0.0.1"
    assert client_ip("127.0.0.1", ["01.2.3.4"], trusted) == "127.0.0.1"  # ambiguous forms are not addresses
    assert client_ip("::ffff:1.2.3.4", [], trusted) == "1.2.3.4"
    assert client_ip("::1", ["2001:DB8::1 "], parse_networks(["::1"])) == "2001:db8::1"  # one spelling per IP
    assert client_ip("::1", ["2001:db8::1"], trusted) == "::1"  # IPv4 proxies do not vouch for ::1
    assert client_ip(None, [], trusted) == ""


def test_redirect_url_replaces_our_keys_instead_of_duplicating():
    url = redirect_url("https://a.example/p?sub1=old&k=v&click_id=x", {"click_id": "C", "sub1": "n w"})
    assert url == "https://a.example/p?k=v&click_id=C&sub1=n+w"
    assert redirect_url("https://a.example/", {}) == "https://a.example/"
    assert redirect_url("https://a.example", {"click_id": "C"}) == "https://a.example?click_id=C"


# --- group commit ------------------------------------------------------------------------------------------------

async def test_concurrent_clicks_share_commits(client, deps, world):
    await get(client, f"/r/{world.code}")  # warm the link cache
    writer = service(client).writer
    batches_before = writer.batches
    responses = await asyncio.gather(*(get(client, f"/r/{world.code}?sub5=n{i}") for i in range(50)))
    assert [r.status for r in responses] == [302] * 50
    rows = await clicks(deps)
    assert len(rows) == 51
    redirected = {parse_qs(urlsplit(r.headers["Location"]).query)["click_id"][0] for r in responses}
    assert redirected == {row.click_id for row in rows[1:]}  # every 302 names a committed click
    assert {row.sub5 for row in rows[1:]} == {f"n{i}" for i in range(50)}
    assert writer.clicks == 51
    print(f"50 concurrent clicks in {writer.batches - batches_before} commits")
    assert writer.batches - batches_before < 50
    assert service(client).links.loads == 1  # one lookup query for 51 clicks


async def test_a_refused_row_spares_the_other_rows_and_its_visitor_still_goes_on(client, deps, world):
    doomed = await add_link(deps, code="Doomed01")
    await get(client, f"/r/{doomed.code}")  # cached now
    async with deps.uow() as uow:
        await uow.session.execute(delete(TrackingLink).where(TrackingLink.id == doomed.link_id))
        await uow.commit()
    await get(client, f"/r/{world.code}")
    responses = await asyncio.gather(get(client, f"/r/{doomed.code}"), get(client, f"/r/{world.code}"),
                                     get(client, f"/r/{world.code}"))
    assert [r.status for r in responses] == [302, 302, 302]
    assert "click_id" not in responses[0].headers["Location"] and "Set-Cookie" not in responses[0].headers
    assert [row.link_id for row in await clicks(deps)] == [world.link_id] * 3
    assert service(client).unrecorded == 1


async def test_stop_flushes_queued_clicks_then_refuses(deps, world):
    clicks_service = ClickService(deps)
    await clicks_service.start()
    request = ClickRequest(code=world.code, client_ip="192.0.2.1", user_agent=BROWSER)
    await clicks_service.click(request)  # warm the cache so the next ones go straight to the queue
    pending = [asyncio.create_task(clicks_service.click(request)) for _ in range(10)]
    await asyncio.sleep(0)  # let them queue (not a wait for time: one scheduling turn)
    await clicks_service.stop()
    results = await asyncio.gather(*pending)
    assert all(isinstance(result, Redirect) and result.click_id for result in results)
    assert len(await clicks(deps)) == 11
    after = await clicks_service.click(request)  # stopped: still a redirect, without a click
    assert after.click_id is None and clicks_service.unrecorded == 1


async def test_invalidate_drops_the_cached_link(client, deps, world):
    assert (await get(client, f"/r/{world.code}")).status == 302
    async with deps.uow() as uow:
        await uow.session.execute(update(Offer).where(Offer.id == world.offer_id).values(status="paused"))
        await uow.commit()
    assert (await get(client, f"/r/{world.code}")).status == 302  # within the TTL the cache answers
    service(client).invalidate(world.code)
    assert (await get(client, f"/r/{world.code}")).status == 404


async def test_cache_expires_after_its_ttl(deps, world):
    now = [0.0]
    clicks_service = ClickService(deps, cache_ttl=30, timer=lambda: now[0])
    target = await clicks_service.links.get(world.code)
    assert target is not None
    async with deps.uow() as uow:
        await uow.session.execute(update(Partner).where(Partner.id == world.partner_id).values(status="blocked"))
        await uow.commit()
    assert await clicks_service.links.get(world.code) == target
    now[0] = 31.0
    assert await clicks_service.links.get(world.code) is None
    assert clicks_service.links.loads == 2


async def test_unknown_codes_do_not_grow_the_cache_beyond_its_bound(deps):
    clicks_service = ClickService(deps, cache_size=5)
    for i in range(20):
        assert await clicks_service.links.get(f"Nope{i:04d}") is None
    assert len(clicks_service.links._entries) == 5



async def test_pausing_an_offer_or_archiving_a_link_stops_redirects_at_once(client, deps, world):
    """The bot's use cases drop the click route's cache: no 30-second window of stale redirects."""
    from services.kernel.dto import Incoming
    from services.offers.service import OffersService
    from services.kernel.forms import FormRunner

    assert (await get(client, f"/r/{world.code}")).status == 302  # cached now
    async with deps.uow() as uow:
        await uow.staff.seed([("telegram", "900", "manager")], deps.clock.now())
        await uow.commit()
    offers = OffersService(deps, FormRunner(deps))
    await offers.toggle_pause(Incoming(messenger="telegram", user_id="900", chat_id="900"), world.offer_id)
    assert (await get(client, f"/r/{world.code}")).status == 404
