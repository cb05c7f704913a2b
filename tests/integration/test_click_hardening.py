"""The click path at its edges, on SQLite and PostgreSQL: undecodable headers, a row the database refuses, a click
store that is down or full, flooding sources (counted past a cap; IPv6 by /64), and the per-link click index."""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import event, select

from bot.web import build_web_app
from bot.web_clicks import add_click_routes
from services.db.tracking_models import ClickFlood, TrackingLink
from services.kernel.deps import Deps
from services.offers.service import ensure_default_offer
from services.tracking.click_rows import ClickRow
from services.tracking.click_store import ClickStore, SqlClickStore, SqliteClickStore
from services.tracking.clicks import ClickRequest, ClickService, Redirect, hash_ip, new_click_id
from tests.fakes.builders import approved_partner
from tests.fakes.tg_harness import TelegramHarness
from tests.integration.test_clicks import BROWSER, World, add_link, clicks, container_for, get

MANAGER = 900  # seeded by the services fixture


@pytest.fixture
async def world(deps: Deps) -> World:
    return await add_link(deps)


def store_for(deps: Deps, db_url: str) -> ClickStore:
    return SqliteClickStore.for_url(db_url) or SqlClickStore(deps.uow)


@pytest.fixture
async def serve(deps: Deps, db_url: str):
    """Starts the web app with the click route around a given ClickService; yields a client factory."""
    async with contextlib.AsyncExitStack() as stack:
        async def start(service: ClickService | None = None) -> TestClient:
            container = container_for(deps, db_url)
            app = build_web_app(container)
            add_click_routes(app, container, service=service)
            return await stack.enter_async_context(TestClient(TestServer(app, skip_url_asserts=True)))
        yield start


async def raw_get(client: TestClient, path: bytes, headers: bytes) -> bytes:
    """A request as bytes: clients will not send undecodable header bytes, attackers will."""
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    writer.write(b"GET " + path + b" HTTP/1.1\r\nHost: t\r\n" + headers + b"Connection: close\r\n\r\n")
    await writer.drain()
    answer = await reader.read()
    writer.close()
    return answer


def click_id_of(location: str) -> str | None:
    return parse_qs(urlsplit(location).query).get("click_id", [None])[0]


# ---- item 2: bad bytes --------------------------------------------------------------------------------------------

async def test_undecodable_headers_are_cleaned_and_spare_the_batch(serve, deps, world):
    client = await serve()
    await get(client, f"/r/{world.code}")  # the link is cached: the next requests go straight to one batch
    answers = await asyncio.gather(
        raw_get(client, f"/r/{world.code}?sub3=a%00b".encode(), b"User-Agent: Mozilla/5.0 \xff\xfe\r\n"),
        raw_get(client, f"/r/{world.code}".encode(), b"User-Agent: Mozilla/5.0\r\nReferer: https://t.me/\xc3x\r\n"),
        *(get(client, f"/r/{world.code}") for _ in range(3)))
    assert [a.split(b" ", 2)[1] for a in answers[:2]] == [b"302", b"302"]
    assert [r.status for r in answers[2:]] == [302] * 3
    rows = await clicks(deps)
    assert len(rows) == 6
    by_agent = {row.user_agent: row for row in rows}
    assert by_agent["Mozilla/5.0 \ufffd\ufffd"].sub3 == "a\ufffdb"
    assert by_agent["Mozilla/5.0"].referer == "https://t.me/\ufffdx"


def bad_and_good_rows(world: World, at: datetime) -> list[ClickRow]:
    def row(ua: str) -> ClickRow:
        return ClickRow(new_click_id(), world.link_id, world.partner_id, world.offer_id, at, f"{len(ua):032x}",
                        "u" * 32, ua, None, (None,) * 5, None, 0)
    return [row("ok-1"), row("ok-2"), row("bad \udcff"), row("ok-3"), row("ok-4")]


async def test_a_row_the_database_refuses_never_fails_the_other_rows(deps, db_url, world):
    """Past the edge (a row built by other code, a bug): the writer isolates the bad row, the others commit."""
    service = ClickService(deps, store=store_for(deps, db_url))
    await service.start()
    try:
        results = await asyncio.gather(*(service.writer.submit(row) for row in
                                         bad_and_good_rows(world, deps.clock.now())), return_exceptions=True)
    finally:
        await service.stop()
    assert [type(r).__name__ for r in results] == ["NoneType", "NoneType", "ClickNotRecorded", "NoneType",
                                                   "NoneType"]
    assert sorted(row.user_agent for row in await clicks(deps)) == ["ok-1", "ok-2", "ok-3", "ok-4"]
    assert service.writer.backoff.failures == 0  # a refused row is not an outage


# ---- item 3: the store down or full -----------------------------------------------------------------------------

async def test_a_store_outage_still_redirects_and_staff_see_the_count(serve, deps, world, services, tmp_path):
    service = ClickService(deps, store=SqliteClickStore(str(tmp_path / "missing" / "clicks.db")))
    client = await serve(service)
    response = await get(client, f"/r/{world.code}?sub2=x")
    assert response.status == 302
    location = urlsplit(response.headers["Location"])
    assert (location.netloc, click_id_of(response.headers["Location"])) == ("shop.example.com", None)
    assert parse_qs(location.query)["sub2"] == ["x"]
    assert "Set-Cookie" not in response.headers and response.headers["Cache-Control"] == "no-store"
    assert service.unrecorded == 1 and await clicks(deps) == []

    tg = TelegramHarness(services)
    await tg.send(MANAGER, "/admin")
    assert tg.texts(MANAGER)[-1].endswith("посетители всё равно переадресованы): 1")


async def test_a_failing_store_is_retried_with_backoff_not_on_every_batch(deps, db_url, world, tmp_path):
    if not db_url.startswith("sqlite"):
        pytest.skip("restarts of the SQLite writer process")
    now = [0.0]
    store = SqliteClickStore(str(tmp_path / "missing" / "clicks.db"))
    service = ClickService(deps, store=store, timer=lambda: now[0])
    await service.start()  # the process cannot open its database: logged, not raised
    request = ClickRequest(code=world.code, client_ip="192.0.2.1", user_agent=BROWSER)

    async def attempts_at(moment: float, clicks_: int = 3) -> int:
        now[0] = moment
        before = store.starts
        for _ in range(clicks_):
            result = await service.click(request)
            assert isinstance(result, Redirect) and result.click_id is None  # every visitor is redirected
        return store.starts - before

    try:
        assert store.starts == 1
        assert await attempts_at(0.0) == 2  # the first failure is retried at once, then a pause of 0.5 s
        assert await attempts_at(0.4) == 0
        assert await attempts_at(0.5) == 1  # one attempt, then 1 s
        assert await attempts_at(1.4) == 0
        assert await attempts_at(1.5) == 1  # then 2 s
        assert service.unrecorded == 15
        store.path = db_url.removeprefix("sqlite+aiosqlite:///")  # the database is back
        assert await attempts_at(3.4) == 0
        now[0] = 3.5
        result = await service.click(request)
        assert result.click_id is not None and service.writer.backoff.failures == 0
        assert [row.click_id for row in await clicks(deps)] == [result.click_id]
    finally:
        await service.stop()


class GatedStore:
    """A real store whose writes wait for a gate: the writer's queue fills meanwhile."""

    def __init__(self, inner: ClickStore) -> None:
        self.inner, self.entered, self.gate = inner, asyncio.Event(), asyncio.Event()

    async def start(self) -> None:
        await self.inner.start()

    async def write(self, rows: Sequence[ClickRow], on_committed=None) -> None:
        self.entered.set()
        await self.gate.wait()
        await self.inner.write(rows, on_committed)

    async def close(self) -> None:
        await self.inner.close()


async def test_a_full_queue_redirects_at_once_without_a_click(deps, db_url, world):
    store = GatedStore(store_for(deps, db_url))
    service = ClickService(deps, store=store, max_queue=1)
    await service.start()
    request = ClickRequest(code=world.code, client_ip="192.0.2.1", user_agent=BROWSER)
    try:
        await service.links.get(world.code)  # cached: clicks queue without a database round trip
        first = asyncio.create_task(service.click(request))
        await store.entered.wait()  # the writer holds the first click
        second = asyncio.create_task(service.click(request))
        await asyncio.sleep(0)  # one scheduling turn: the second click takes the queue's only place
        shed = await service.click(request)
        assert isinstance(shed, Redirect) and shed.click_id is None and service.unrecorded == 1
        store.gate.set()
        assert all(result.click_id for result in await asyncio.gather(first, second))
    finally:
        store.gate.set()
        await service.stop()
    assert len(await clicks(deps)) == 2


# ---- item 4: floods ------------------------------------------------------------------------------------------------

async def floods(deps: Deps) -> list[tuple[str, datetime, int]]:
    async with deps.uow() as uow:
        return [(f.ip_hash, f.hour, f.clicks) for f in (await uow.session.scalars(select(ClickFlood))).all()]


async def test_past_k_times_the_flood_limit_clicks_are_counted_not_stored(serve, deps, clock, world):
    deps.config = replace(deps.config, click_flood_per_hour=2, click_flood_cap_factor=2)  # cap: 4 stored
    client = await serve()
    flooder = {"X-Forwarded-For": "198.51.100.7"}
    for _ in range(3):
        assert (await get(client, f"/r/{world.code}", **flooder)).status == 302
    responses = await asyncio.gather(*(get(client, f"/r/{world.code}", **flooder) for _ in range(4)))
    assert [r.status for r in responses] == [302] * 4  # counted clicks are redirected like any other
    assert (await get(client, f"/r/{world.code}", **{"X-Forwarded-For": "198.51.100.8"})).status == 302
    rows = await clicks(deps)
    assert [row.flags for row in rows] == [None, None, "flood", "flood", None]
    ip_hash = hash_ip(deps.config.ip_hash_secret, "198.51.100.7")
    assert await floods(deps) == [(ip_hash, datetime(2026, 1, 15, 12, tzinfo=UTC), 3)]

    clock.advance(minutes=30)
    await get(client, f"/r/{world.code}", **flooder)
    assert len(await clicks(deps)) == 5 and (await floods(deps))[0][2] == 4
    clock.advance(minutes=31)  # the first four are more than an hour old
    await get(client, f"/r/{world.code}", **flooder)
    assert len(await clicks(deps)) == 6 and (await floods(deps))[0][2] == 4

    deps.config = replace(deps.config, click_flood_cap_factor=0)  # 0: every click stored
    for _ in range(5):
        await get(client, f"/r/{world.code}", **flooder)
    assert len(await clicks(deps)) == 11


async def test_the_cap_holds_within_a_batch_and_across_batches(deps, db_url, world):
    store = store_for(deps, db_url)
    at = deps.clock.now()

    def row(ip: str) -> ClickRow:
        return ClickRow(new_click_id(), world.link_id, world.partner_id, world.offer_id, at, ip, "u" * 32, None,
                        None, (None,) * 5, None, 2, 3)
    try:
        await store.write([row("a" * 32) for _ in range(5)] + [row("b" * 32)])  # one batch
        await store.write([row("a" * 32), row("b" * 32)])  # a later one
    finally:
        await store.close()
    assert [(r.ip_hash[0], r.flags) for r in await clicks(deps)] == [
        ("a", None), ("a", None), ("a", "flood"), ("b", None), ("b", None)]
    assert await floods(deps) == [("a" * 32, datetime(2026, 1, 15, 12, tzinfo=UTC), 3)]


async def test_ipv6_visitors_count_by_their_64(serve, deps, world):
    deps.config = replace(deps.config, click_flood_per_hour=2)
    client = await serve()
    for address in ("2001:db8:1:2::1", "2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::ffff",
                    "2001:db8:1:3::1"):
        assert (await get(client, f"/r/{world.code}", **{"X-Forwarded-For": address})).status == 302
    rows = await clicks(deps)
    assert len({row.ip_hash for row in rows[:3]}) == 1 and rows[3].ip_hash != rows[0].ip_hash
    assert [(row.is_unique, row.flags) for row in rows] == [(True, None), (False, None), (False, "flood"),
                                                            (True, None)]
    assert rows[0].ip_hash == hash_ip(deps.config.ip_hash_secret, "2001:db8:1:2::/64")


# ---- item 8: the per-link index ---------------------------------------------------------------------------------

async def test_a_link_card_counts_its_clicks_through_the_link_index(services, db_url):
    if not db_url.startswith("sqlite"):
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
    await ensure_default_offer(services.deps, "https://shop.example.com", "Shop")
    tg = TelegramHarness(services)
    await approved_partner(services, tg)
    await tg.send(111, "🔗 Links")
    async with services.deps.uow() as uow:
        link_id = await uow.session.scalar(select(TrackingLink.id))
    engine = services.deps.uow.session_factory.kw["bind"]
    seen: list[tuple[str, tuple]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "FROM clicks" in statement:
            seen.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", capture)
    try:
        await tg.press(111, f"lnk:{link_id}")
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", capture)
    [(statement, parameters)] = seen
    async with engine.connect() as conn:
        plan = " / ".join(row[-1] for row in await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement,
                                                                         parameters))
    assert "SEARCH clicks USING COVERING INDEX ix_clicks_link_created (link_id=?)" in plan, plan
