"""Where the click writer's batches are committed: one transaction per batch, one statement for all its rows.

Two stores behind one port, because the click path is the only place where the cost of a write decides what the
server can take:
- SqlClickStore: SQLAlchemy on the unit of work (PostgreSQL through asyncpg, or any database).
- SqliteClickStore: the same statement through the standard sqlite3 module on a connection of its own, in a
  thread of its own. Through aiosqlite + SQLAlchemy a batch cost the event loop ~1 ms of CPU (compiling
  parameters, type processors per row, a thread hand-off and a loop turn for every call), which was ~40 % of the
  loop's time under load; here the loop hands over a list once per batch and sqlite3 runs the rows in C with the
  GIL released while SQLite works, on the other core. WAL lets the bots' connections read meanwhile; writers take
  turns through SQLite's busy timeout, as before.
"""
from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import BigInteger, Boolean, Insert, and_, bindparam, case, func, insert, not_, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from services.db.base import UTCDateTime
from services.db.tracking_models import Click
from services.db.uow import UnitOfWork

log = logging.getLogger(__name__)

SUB_KEYS = ("sub1", "sub2", "sub3", "sub4", "sub5")
UNIQUE_WINDOW = timedelta(hours=24)
FLOOD_WINDOW = timedelta(hours=1)
FLAG_FLOOD = "flood"
# The unique check reads at most this many of the IP's latest clicks: a visitor behind a busy shared address
# (carrier NAT) may count as unique again after that many others, but an IP flooding us cannot make every one of
# its clicks scan all of its history.
UNIQUE_SCAN = 1000


@dataclass(frozen=True, slots=True)
class ClickRow:
    """One click as the redirect decided it; is_unique and the flood flag are left to the insert."""
    click_id: str
    link_id: int
    partner_id: int
    offer_id: int
    created_at: datetime  # aware UTC
    ip_hash: str
    ua_hash: str
    user_agent: str | None
    referer: str | None
    subs: tuple[str | None, str | None, str | None, str | None, str | None]  # sub1..sub5
    flags: str | None  # comma-separated; the insert appends "flood"
    flood_limit: int  # clicks per IP hash per hour before "flood"; 0 = no check


class BatchRejected(Exception):
    """A constraint refused the batch (a row's link deleted since it was cached…): nothing of it was written."""


class ClickStore(Protocol):
    async def write(self, rows: Sequence[ClickRow]) -> None:
        """Commits every row or none; raises BatchRejected for a constraint violation, anything else for an
        outage."""

    async def close(self) -> None: ...


def _insert_statement() -> Insert:
    """INSERT … SELECT that computes is_unique and the flood flag in the database, per row, from index seeks.

    Why in the insert rather than a query per batch or an in-memory window: it costs no extra statement;
    executemany runs it row after row in one transaction, so each click sees those inserted before it, its own
    batch included; the windows are exact per click; the database stays the truth across restarts and processes;
    and memory is bounded whatever the traffic. Both checks read ix_clicks_ip_visitor only, a bounded number of
    entries: "seen in 24 h" among the IP's latest UNIQUE_SCAN clicks; for the flood test, the limit-th latest
    click of the IP (inside the hour means `limit` clicks already, so this one is over the limit)."""
    p = {name: bindparam(name, type_=column.type) for name, column in Click.__table__.columns.items()}
    day_ago, hour_ago = bindparam("day_ago", type_=UTCDateTime()), bindparam("hour_ago", type_=UTCDateTime())
    latest = (select(Click.link_id, Click.ua_hash).where(Click.ip_hash == p["ip_hash"], Click.created_at > day_ago)
              .order_by(Click.created_at.desc()).limit(UNIQUE_SCAN).subquery())
    seen = select(latest.c.link_id).where(latest.c.link_id == p["link_id"], latest.c.ua_hash == p["ua_hash"]).exists()
    nth_latest = (select(Click.created_at).where(Click.ip_hash == p["ip_hash"])
                  .order_by(Click.created_at.desc()).limit(1)
                  .offset(bindparam("flood_offset", type_=BigInteger())).scalar_subquery())
    flood = and_(bindparam("flood_check", type_=Boolean()), nth_latest > hour_ago)
    flags = case((flood, func.coalesce(p["flags"] + ",", "") + FLAG_FLOOD), else_=p["flags"])
    names = ["click_id", "link_id", "partner_id", "offer_id", "created_at", "ip_hash", "ua_hash", "user_agent",
             "referer", *SUB_KEYS]
    values = [p[name] for name in names] + [not_(seen), flags]
    return insert(Click.__table__).from_select([*names, "is_unique", "flags"], select(*values))


INSERT = _insert_statement()


def row_params(row: ClickRow, stamp: Callable[[datetime], Any] = lambda at: at) -> dict[str, Any]:
    """INSERT's parameters for one row; `stamp` turns a datetime into what the driver is given."""
    at = row.created_at
    s1, s2, s3, s4, s5 = row.subs
    return {
        "click_id": row.click_id, "link_id": row.link_id, "partner_id": row.partner_id, "offer_id": row.offer_id,
        "created_at": stamp(at), "ip_hash": row.ip_hash, "ua_hash": row.ua_hash, "user_agent": row.user_agent,
        "referer": row.referer, "sub1": s1, "sub2": s2, "sub3": s3, "sub4": s4, "sub5": s5, "flags": row.flags,
        "day_ago": stamp(at - UNIQUE_WINDOW), "hour_ago": stamp(at - FLOOD_WINDOW),
        "flood_check": row.flood_limit > 0, "flood_offset": max(row.flood_limit - 1, 0),
    }


ROW_PARAMS = frozenset(("click_id", "link_id", "partner_id", "offer_id", "created_at", "ip_hash", "ua_hash",
                        "user_agent", "referer", *SUB_KEYS, "flags", "day_ago", "hour_ago", "flood_check",
                        "flood_offset"))


class SqlClickStore:
    """Through SQLAlchemy Core on a unit of work's connection (the ORM would cost CPU per row for nothing)."""

    def __init__(self, uow: Callable[[], UnitOfWork]) -> None:
        self._uow = uow

    async def write(self, rows: Sequence[ClickRow]) -> None:
        try:
            async with self._uow() as uow:
                conn = await uow.session.connection()
                await conn.execute(INSERT, [row_params(row) for row in rows])
                await uow.commit()
        except IntegrityError as exc:
            raise BatchRejected(str(exc.orig)) from exc

    async def close(self) -> None:
        pass


def sqlite_stamp(at: datetime) -> str:
    """What SQLAlchemy's SQLite DATETIME stores for UTCDateTime (naive UTC, microseconds), so rows written here
    and rows written through the ORM compare and parse alike."""
    if at.tzinfo is not UTC:  # the clocks give UTC already; this runs three times per click
        at = at.astimezone(UTC)
    return at.isoformat(" ", "microseconds")[:26]  # without "+00:00"


_SQLITE_COLUMNS = ("click_id", "link_id", "partner_id", "offer_id", "created_at", "ip_hash", "ua_hash",
                   "user_agent", "referer", *SUB_KEYS)
# One statement for the whole batch: sqlite3 releases the GIL once for all rows, not twice per row (executemany),
# which under a busy event loop made the writer thread queue for the GIL at every row. Because the SELECT reads
# clicks, SQLite materialises it before inserting, so the subqueries see only earlier batches; the batch's own
# earlier rows are accounted for by the caller (seen_in_batch, flood_forced, flood_need). Both checks read
# ix_clicks_ip_visitor only, each scan bounded by a parameter after the rows: UNIQUE_SCAN, and for the flood
# test the largest limit of the batch (the IP's clicks of the last hour are counted up to it; SQLite allows no
# outer column in OFFSET, which the per-row statement of SqlClickStore uses instead).
_SQLITE_INSERT = """WITH v(ord, {columns}, flags, day_ago, hour_ago, seen_in_batch, flood_check, flood_forced,
  flood_need) AS (VALUES {{rows}})
INSERT INTO clicks ({columns}, is_unique, flags)
SELECT {columns},
  NOT v.seen_in_batch AND NOT EXISTS (
    SELECT 1 FROM (SELECT c.link_id, c.ua_hash FROM clicks AS c WHERE c.ip_hash = v.ip_hash AND c.created_at > v.day_ago
                   ORDER BY c.created_at DESC LIMIT ?) AS latest
    WHERE latest.link_id = v.link_id AND latest.ua_hash = v.ua_hash),
  CASE WHEN v.flood_check AND (v.flood_forced OR (
    SELECT count(*) FROM (SELECT 1 FROM clicks AS c WHERE c.ip_hash = v.ip_hash AND c.created_at > v.hour_ago
                          LIMIT ?)) >= v.flood_need)
  THEN coalesce(v.flags || ',', '') || '{flood}' ELSE v.flags END
FROM v ORDER BY v.ord""".format(columns=", ".join(_SQLITE_COLUMNS), flood=FLAG_FLOOD)
_SQLITE_PARAMS_PER_ROW = 1 + len(_SQLITE_COLUMNS) + 7  # ord, the columns, flags … flood_need
_SQLITE_ROW = "(" + ", ".join("?" * _SQLITE_PARAMS_PER_ROW) + ")"


class _WindowStamps:
    """(stamp, stamp 24 h before, stamp 1 h before) of a click time. The windows are whole hours, so they change
    only the "YYYY-MM-DD HH" head of the stamp: the shifted heads are computed once per hour and the rest is
    shared. This runs for every click on the writer thread while holding the GIL the event loop needs."""

    def __init__(self) -> None:
        self._heads: dict[str, tuple[str, str]] = {}

    def __call__(self, at: datetime) -> tuple[str, str, str]:
        stamp = sqlite_stamp(at)
        head, tail = stamp[:13], stamp[13:]
        shifted = self._heads.get(head)
        if shifted is None:
            hour = datetime.fromisoformat(head + ":00")
            shifted = ((hour - UNIQUE_WINDOW).isoformat(" ")[:13], (hour - FLOOD_WINDOW).isoformat(" ")[:13])
            if len(self._heads) > 64:
                self._heads.clear()
            self._heads[head] = shifted
        return stamp, shifted[0] + tail, shifted[1] + tail


assert UNIQUE_WINDOW % timedelta(hours=1) == FLOOD_WINDOW % timedelta(hours=1) == timedelta(0)
_window_stamps = _WindowStamps()


def sqlite_batch_params(rows: Sequence[ClickRow]) -> list[Any]:
    """The flat parameter list of _SQLITE_INSERT for rows, in order, with what each row owes to the rows before
    it in the same batch: a repeat visitor of the same link is not unique; an IP's earlier clicks in the batch
    count towards its hourly flood limit (each of them is within the hour). Last, the two scan bounds."""
    params: list[Any] = []
    fingerprints: set[tuple[int, str, str]] = set()
    per_ip: dict[str, int] = {}
    for ordinal, row in enumerate(rows):
        at = row.created_at
        fingerprint = (row.link_id, row.ip_hash, row.ua_hash)
        seen = fingerprint in fingerprints
        fingerprints.add(fingerprint)
        earlier = per_ip.get(row.ip_hash, 0)
        per_ip[row.ip_hash] = earlier + 1
        limit = row.flood_limit
        stamp, day_ago, hour_ago = _window_stamps(at)
        params += (ordinal, row.click_id, row.link_id, row.partner_id, row.offer_id, stamp, row.ip_hash,
                   row.ua_hash, row.user_agent, row.referer, *row.subs, row.flags, day_ago, hour_ago, seen,
                   limit > 0, limit > 0 and earlier >= limit, limit - earlier)
    params += (UNIQUE_SCAN, max((row.flood_limit for row in rows), default=0))
    return params


class SqliteClickStore:
    """A batch as one statement (_SQLITE_INSERT) run by sqlite3 in a dedicated thread on its own connection."""

    MAX_ROWS_PER_STATEMENT = 1000  # × 22 parameters + 2, under SQLite's 32,766

    def __init__(self, path: str, *, busy_timeout_ms: int = 30_000, checkpoint_rows: int = 2000) -> None:
        self.path = path
        self._busy_timeout_ms = busy_timeout_ms
        # One thread: SQLite has one writer anyway, and the connection stays on the thread that opened it.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="click_store")
        # WAL checkpoints (copying the log into the database file, with fsyncs) were a third of the write time
        # when they ran inside the click transaction that crossed the threshold; a PASSIVE checkpoint on a
        # connection and thread of its own runs beside the writer instead of in front of the visitors.
        self._checkpointer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="click_checkpoint")
        self.checkpoint_rows = checkpoint_rows
        self._rows_since_checkpoint = 0
        self._checkpoint_pending = False
        self.checkpoints = 0
        self._local = threading.local()
        self._closed = False

    @classmethod
    def for_url(cls, url: str) -> SqliteClickStore | None:
        """A store for a file-backed SQLite URL, None for anything else (other databases, :memory:, URI forms)."""
        parsed = make_url(url)
        database = parsed.database
        if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:" or \
                database.startswith("file:") or parsed.query.get("uri"):
            return None
        return cls(database)

    async def write(self, rows: Sequence[ClickRow]) -> None:
        if self._closed:
            raise RuntimeError("click store is closed")
        await asyncio.get_running_loop().run_in_executor(self._executor, self._write, rows)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self._disconnect)
        self._executor.shutdown(wait=True)
        await loop.run_in_executor(self._checkpointer, self._disconnect)
        self._checkpointer.shutdown(wait=True)

    # --- on the store's thread ---------------------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection (the writer's or the checkpointer's), opened on first use."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            # isolation_level=None: transactions are ours (BEGIN IMMEDIATE below), as on the engine's connections.
            # The statement cache holds one prepared statement per batch size.
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=self._busy_timeout_ms / 1000,
                                   cached_statements=256)
            # foreign_keys=OFF on this connection only: checking three parents per row cost a fifth of the write;
            # _write checks each batch's few links (their partner and offer come with them) in one query instead.
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=OFF",
                           f"busy_timeout={self._busy_timeout_ms}", "wal_autocheckpoint=0"):
                conn.execute(f"PRAGMA {pragma}")
            self._local.conn = conn
        return conn

    def _write(self, rows: Sequence[ClickRow]) -> None:
        conn = self._connection()
        step = self.MAX_ROWS_PER_STATEMENT
        chunks = [rows[i:i + step] for i in range(0, len(rows), step)]
        statements = [(_SQLITE_INSERT.format(rows=", ".join([_SQLITE_ROW] * len(chunk))), sqlite_batch_params(chunk))
                      for chunk in chunks]
        links = {(row.link_id, row.partner_id, row.offer_id) for row in rows}
        conn.execute("BEGIN IMMEDIATE")
        try:
            if not links <= self._existing_links(conn, links):
                raise sqlite3.IntegrityError("FOREIGN KEY constraint failed: a click's link no longer exists")
            for sql, params in statements:
                conn.execute(sql, params)
            conn.execute("COMMIT")
            self._rows_since_checkpoint += len(rows)
            if self._rows_since_checkpoint >= self.checkpoint_rows and not self._checkpoint_pending:
                self._rows_since_checkpoint = 0
                self._checkpoint_pending = True
                self._checkpointer.submit(self._checkpoint)
        except sqlite3.IntegrityError as exc:
            conn.execute("ROLLBACK")
            raise BatchRejected(str(exc)) from exc
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    @staticmethod
    def _existing_links(conn: sqlite3.Connection, links: set[tuple[int, int, int]]) -> set[tuple[int, int, int]]:
        """Which of these (link, partner, offer) still exist as such. Deleting a partner or an offer deletes its
        links (ON DELETE CASCADE), so a live link vouches for both."""
        ids = sorted({link_id for link_id, _, _ in links})
        sql = f"SELECT id, partner_id, offer_id FROM tracking_links WHERE id IN ({', '.join('?' * len(ids))})"
        return set(conn.execute(sql, ids).fetchall())

    def _checkpoint(self) -> None:
        """On the checkpointer's thread. PASSIVE: copies what no reader still needs, never waits for anyone."""
        try:
            self._connection().execute("PRAGMA wal_checkpoint(PASSIVE)")
            self.checkpoints += 1
        except sqlite3.Error:
            log.warning("WAL checkpoint failed; the next one will retry", exc_info=True)
        finally:
            self._checkpoint_pending = False

    def _disconnect(self) -> None:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
