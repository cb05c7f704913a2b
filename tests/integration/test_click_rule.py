"""The unique/flood rule is defined once (services/tracking/click_rule.py) and every click store applies it; the
PostgreSQL store survives losing its held connection."""
from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from services.tracking import click_rule, sql_click_store, sqlite_click_writer
from services.tracking.click_rows import ClickRow
from services.tracking.click_rule import FLAG_FLOOD, decide, flood_limits, source_of
from services.tracking.click_store import SqlClickStore, SqliteClickStore
from services.tracking.clicks import new_click_id
from tests.integration.test_clicks import add_link, clicks

ROOT = Path(__file__).resolve().parents[2]
AT = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)


def _row(ip: str = "a", ua: str = "u", link: int = 1, limit: int = 2, cap: int = 4, flags: str | None = None,
         at: datetime = AT) -> ClickRow:
    return ClickRow(new_click_id(), link, 1, 1, at, ip, ua, None, None, (None,) * 5, flags, limit, cap)


def test_the_rule_text_lives_in_click_rule_only():
    """The window scans and the window lengths appear in one module; the stores take them from it."""
    markers = ("c.created_at > v.hour_ago", "ORDER BY c.created_at DESC", "timedelta(hours=24)",
               "timedelta(hours=1)", '"flood"')
    for path in (ROOT / "services" / "tracking").rglob("*.py"):
        source = path.read_text()
        found = [marker for marker in markers if marker in source]
        assert not found or path.name == "click_rule.py", (path, found)
    for store in (sqlite_click_writer, sql_click_store):
        assert store.checks_sql is click_rule.checks_sql and store.decide is click_rule.decide


def test_the_writer_process_loads_the_standard_library_and_the_rule_only():
    probe = ("import sys; before = set(sys.modules); import services.tracking.sqlite_click_writer; "
             "print(sorted(m for m in set(sys.modules) - before if m.split('.')[0] not in sys.stdlib_module_names))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(sorted(["services", "services.tracking", "services.tracking.click_rows",
                                             "services.tracking.click_rule",
                                             "services.tracking.sqlite_click_writer"]))


def test_decide_in_batch_order():
    rows = [_row(), _row(), _row(ua="v"), _row(flags="bot_ua"), _row(), _row(ip="b")]
    # The database knew nothing before this batch: only the batch's own earlier stored rows count.
    stored, counted = decide(rows, [(False, 0)] * len(rows))
    assert [(i, unique, flags) for i, unique, flags in stored] == [
        (0, True, None), (1, False, None), (2, True, FLAG_FLOOD), (3, False, f"bot_ua,{FLAG_FLOOD}"),
        (5, True, None)]
    assert counted == {("a", AT.replace(minute=0)): 1}  # the 5th of "a" in the hour: past the cap of 4


def test_decide_uses_what_the_database_said():
    stored, counted = decide([_row(), _row(ip="b"), _row(ip="c")], [(True, 1), (False, 2), (False, 4)])
    assert stored == [(0, False, None), (1, True, FLAG_FLOOD)] and counted == {("c", AT.replace(minute=0)): 1}
    stored, counted = decide([_row(limit=0, cap=0)], [(False, 10_000)])  # 0: no check
    assert stored == [(0, True, None)] and counted == {}


def test_settings_and_sources():
    assert flood_limits(30, 10) == (30, 300) and flood_limits(30, 0) == (30, 0)
    assert source_of("203.0.113.7") == "203.0.113.7"
    assert source_of("2001:db8:1:2:3:4:5:6") == source_of("2001:db8:1:2::9") == "2001:db8:1:2::/64"


async def test_postgres_store_replaces_a_lost_connection(deps, db_url):
    if SqliteClickStore.for_url(db_url) is not None:
        pytest.skip("the held connection is PostgreSQL's")
    world = await add_link(deps)
    store = SqlClickStore(deps.uow)
    at = deps.clock.now()

    def row(ip: str) -> ClickRow:
        return ClickRow(new_click_id(), world.link_id, world.partner_id, world.offer_id, at, ip, "u" * 32, None,
                        None, (None,) * 5, None, 30, 300)

    try:
        await store.write([row("1" * 32)])
        pid = store._held[1].get_server_pid()
        async with deps.uow() as uow:
            await uow.session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            await uow.commit()
        with pytest.raises(Exception):  # an outage for this batch: the click writer fails its visitors
            await store.write([row("2" * 32)])
        await store.write([row("3" * 32)])  # a fresh connection
    finally:
        await store.close()
    assert [c.ip_hash for c in await clicks(deps)] == ["1" * 32, "3" * 32]
