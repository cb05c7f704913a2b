"""Stats query time as history grows: partner_stats for a 30-day period over 100 k and over 10 M clicks.

Each size is its own SQLite file built by the real migrations, then bulk-filled with plain SQL (a recursive CTE
inserting straight from SQLite, with the clicks' secondary indexes dropped during the fill) and folded by the
real rollup job. Traffic is the same for every partner — 42 clicks an hour (~1000 a day) over 10 links and
3 sub-ids, a conversion per 51 clicks — so the two sizes differ in what history holds, as in life:

  100 k   1 partner,  ~99 days
  10 M    50 partners, ~198 days

The measured partner (#1) has the same last 30 days in both; what changes is everything around it. The query
must not notice: the printed ratio is the median time at 10 M over the median at 100 k (goal ≤ 1.5). The last
line is `stats: ratio=<x>`.

  python -m bench stats                 # or: python -m bench.stats --small 100000 --large 10000000 --keep
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import event

from services.db.engine import make_engine, make_session_factory
from services.db.migrate import upgrade
from services.db.uow import UnitOfWorkFactory
from services.kernel.deps import Deps
from services.stats.periods import parse_period
from services.stats.queries import partner_stats
from services.stats.rollups import roll_up

PER_HOUR = 42  # clicks an hour per partner (~1000 a day)
LINKS, SUBS = 10, 3  # per partner
CONVERSION_STEP = 51  # a conversion every 51st click: coprime with 50 partners, so every partner gets its share
NOW = datetime(2026, 11, 30, 12, 20, tzinfo=UTC)  # the data ends here; the current hour stays raw
GOAL = 1.5
RUNS, WARMUP = 31, 3
# Dropped while filling and rebuilt after (a bulk build sorts once instead of updating the B-tree per row).
# ix_clicks_ip_visitor is dropped and not rebuilt: it serves only the click-time checks, no stats query reads
# it, and sorting 10 M random hashes would add minutes to the fill.
REBUILT = {"ix_clicks_partner_created": "clicks (partner_id, created_at)"}
DROPPED = ("ix_clicks_partner_created", "ix_clicks_ip_visitor")


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


def shape(clicks: int) -> tuple[int, int]:
    """(partners, hours) for a size: 100 k → 1 partner × ~99 days; 10 M → 50 partners × ~198 days."""
    partners = 1 if clicks <= 1_000_000 else 50
    return partners, max(1, clicks // (partners * PER_HOUR))


def fill(path: Path, clicks: int) -> tuple[int, int, float]:
    partners, hours = shape(clicks)
    per_hour = partners * PER_HOUR
    total = hours * per_hour
    first_hour = int(NOW.replace(minute=0, second=0, microsecond=0).timestamp()) - (hours - 1) * 3600
    started = time.perf_counter()
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-1000000;"
                     "PRAGMA temp_store=MEMORY;")
    db.execute("BEGIN")
    stamp = "'2026-01-01 00:00:00'"
    db.executemany("INSERT INTO partners (id, status, locale, timezone, tier, ref_code, created_at) "
                   f"VALUES (?, 'approved', 'en', 'Europe/Moscow', 'certified', ?, {stamp})",
                   [(p, f"bench{p}") for p in range(1, partners + 1)])
    db.execute("INSERT INTO offers (id, name, target_url, payout_model, cpa_amount, currency, hold_days, "
               f"attribution_days, l2_percent, status, created_at) VALUES (1, 'Shop', 'https://shop.example', "
               f"'cpa', 10, 'RUB', 30, 30, 5, 'active', {stamp})")
    db.executemany("INSERT INTO tracking_links (id, code, partner_id, offer_id, name, is_default, created_at) "
                   f"VALUES (?, ?, ?, 1, ?, 0, {stamp})",
                   [((p - 1) * LINKS + n + 1, f"b{p}x{n}", p, f"link {n}") for p in range(1, partners + 1)
                    for n in range(LINKS)])
    for name in DROPPED:
        db.execute(f"DROP INDEX {name}")
    # Click i = hour h, position j: partner i % P + 1, its link (i // P) % LINKS, sub1 (i // (P·LINKS)) % SUBS,
    # spread evenly over the hour. The hour's text is computed once per hour (strftime per row costs double).
    db.execute(f"""
        WITH RECURSIVE
          hrs(h, t) AS (SELECT 0, strftime('%Y-%m-%d %H', {first_hour}, 'unixepoch')
                        UNION ALL SELECT h + 1, strftime('%Y-%m-%d %H', {first_hour} + (h + 1) * 3600, 'unixepoch')
                        FROM hrs WHERE h < {hours - 1}),
          k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < {per_hour - 1}),
          n(i, j, t) AS (SELECT h * {per_hour} + j, j, t FROM hrs CROSS JOIN k)
        INSERT INTO clicks (id, click_id, link_id, partner_id, offer_id, created_at, ip_hash, ua_hash, is_unique,
                            sub1)
        SELECT i + 1, printf('c%010d', i), (i % {partners}) * {LINKS} + (i / {partners}) % {LINKS} + 1,
               i % {partners} + 1, 1,
               t || printf(':%02d:%02d.000000', (j * 3600 / {per_hour}) / 60, (j * 3600 / {per_hour}) % 60),
               printf('%032x', (i * 2654435761) % 4294967291), 'ua', i % 5 != 0,
               'sub' || ((i / {partners * LINKS}) % {SUBS})
        FROM n""")
    db.execute(f"""
        WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + {CONVERSION_STEP} FROM n
                                WHERE i < {total - CONVERSION_STEP})
        INSERT INTO conversions (idempotency_key, click_pk, partner_id, offer_id, link_id, goal, status,
                                 commission, currency, payable, sub1, created_at, updated_at)
        SELECT 'b' || i, i + 1, c.partner_id, 1, c.link_id, 'default',
               CASE (i / {CONVERSION_STEP}) % 4 WHEN 0 THEN 'pending' WHEN 3 THEN 'rejected' ELSE 'approved' END,
               10, 'RUB', 1, c.sub1, c.created_at, c.created_at
        FROM n JOIN clicks c ON c.id = i + 1""")
    for name, columns in REBUILT.items():
        db.execute(f"CREATE INDEX {name} ON {columns}")
    db.execute("COMMIT")  # no ANALYZE: a live database has no planner statistics either
    db.close()
    return total, partners, time.perf_counter() - started


async def fold(url: str) -> float:
    engine = make_engine(url)

    # A bigger page cache for the backfill (an operator's knob, as on any database): the history's clicks are
    # read partner by partner, and their rows lie interleaved on the same pages.
    @event.listens_for(engine.sync_engine, "connect")
    def _cache(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA cache_size=-262144")  # 256 MB
        cursor.close()

    deps = Deps(uow=UnitOfWorkFactory(make_session_factory(engine)), clock=FixedClock(NOW))
    started = time.perf_counter()
    await roll_up(deps, chunk=timedelta(days=1))  # the real job; a day per transaction, as after an outage
    await engine.dispose()
    return time.perf_counter() - started


async def measure(urls: list[str], group_by: str = "day") -> list[tuple[float, float, int]]:
    """(fastest, median) seconds of partner_stats(partner 1, last 30 days) on each database, and the clicks it
    counted. Runs alternate between the databases, so load that comes and goes on a shared machine hits both
    alike; the ratio uses the fastest run of each — the one least disturbed by anything else."""
    engines = [make_engine(url) for url in urls]
    factories = [UnitOfWorkFactory(make_session_factory(engine)) for engine in engines]
    period, _ = parse_period("30d", "Europe/Moscow", NOW)
    times: list[list[float]] = [[] for _ in urls]
    clicks = [0] * len(urls)
    for run in range(WARMUP + RUNS):
        for index, factory in enumerate(factories):
            started = time.perf_counter()
            async with factory() as uow:
                report = await partner_stats(uow, 1, period, group_by)
            if run >= WARMUP:
                times[index].append(time.perf_counter() - started)
            clicks[index] = report.totals.clicks
    for engine in engines:
        await engine.dispose()
    return [(min(spent), statistics.median(spent), counted) for spent, counted in zip(times, clicks)]


def build(directory: Path, clicks: int, reuse: bool = False) -> str:
    path = directory / f"stats-{clicks}.db"
    url = f"sqlite+aiosqlite:///{path}"
    if reuse and path.exists():
        print(f"{clicks:>11,} clicks: reusing {path}", flush=True)
        return url
    path.unlink(missing_ok=True)
    upgrade(url)
    total, partners, seconds = fill(path, clicks)
    rolled = asyncio.run(fold(url))
    size = os.path.getsize(path) / 2**20
    print(f"{total:>11,} clicks, {partners} partner(s): filled in {seconds:.1f}s, rolled up in {rolled:.1f}s, "
          f"{size:,.0f} MB", flush=True)
    return url


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.stats")
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--large", type=int, default=10_000_000)
    parser.add_argument("--dir", help="where the SQLite files go (default: a temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the files")
    parser.add_argument("--reuse", action="store_true", help="use the files a --dir already holds")
    args = parser.parse_args(argv if argv is not None else [])
    keep = args.keep or args.dir is not None
    directory = Path(args.dir or tempfile.mkdtemp(prefix="bench-stats-"))
    directory.mkdir(parents=True, exist_ok=True)
    urls = {size: build(directory, size, args.reuse) for size in (args.small, args.large)}
    results = {}
    for group_by in ("sub1", "link", "day"):  # "day" last: the ratio is the chat's and dashboard's default
        small, large = asyncio.run(measure([urls[args.small], urls[args.large]], group_by))
        assert small[2] == large[2], f"the measured partner differs between sizes: {small[2]} vs {large[2]}"
        results[group_by] = large[0] / small[0]
        print(f"partner_stats 30d by {group_by:<5}: fastest {small[0] * 1000:6.1f} ms at {args.small:,} · "
              f"{large[0] * 1000:6.1f} ms at {args.large:,} · ratio {results[group_by]:.2f} "
              f"(medians {small[1] * 1000:.1f} · {large[1] * 1000:.1f} ms; {small[2]:,} clicks counted)",
              flush=True)
    if not keep:
        for url in urls.values():
            Path(url.removeprefix("sqlite+aiosqlite:///")).unlink(missing_ok=True)
        directory.rmdir() if not any(directory.iterdir()) else None
    print(f"goal ≤ {GOAL}: {'met' if results['day'] <= GOAL else 'NOT met'}")
    print(f"stats: ratio={results['day']:.2f}")


if __name__ == "__main__":
    import sys
    main(sys.argv[1:])
