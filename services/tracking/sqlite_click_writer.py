"""The SQLite click writer: each batch of clicks checked and inserted in one transaction, by a process of its own.

`python -m services.tracking.sqlite_click_writer DB_PATH` reads batches from stdin and answers each on stdout once
it is committed (the protocol is below; services.tracking.click_store.SqliteClickStore is the other end). Why a
process: in a thread of the web process, sqlite3 takes and releases the GIL around every call, and each hand-off
stalled the event loop — measured, the loop stood idle waiting for the GIL ~30 % of the time under load. A
process has its own GIL, and SQLite runs on the other core while the loop serves the next visitors.

Standard library only (plus click_rows and click_rule), so the process starts in tens of milliseconds.
"""
from __future__ import annotations

import logging
import pickle
import signal
import sqlite3
import struct
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from services.tracking.click_rows import SUB_KEYS, BatchRejected, ClickRow
from services.tracking.click_rule import FLOOD_WINDOW, UNIQUE_WINDOW, checks_sql, count_limit, decide

log = logging.getLogger(__name__)


def sqlite_stamp(at: datetime) -> str:
    """What SQLAlchemy's SQLite DATETIME stores for UTCDateTime (naive UTC, microseconds), so rows written here
    and rows written through the ORM compare and parse alike."""
    if at.tzinfo is not UTC:  # the clocks give UTC already; this runs three times per click
        at = at.astimezone(UTC)
    return at.isoformat(" ", "microseconds")[:26]  # without "+00:00"


_SQLITE_COLUMNS = ("click_id", "link_id", "partner_id", "offer_id", "created_at", "ip_hash", "ua_hash",
                   "user_agent", "referer", *SUB_KEYS)
# Two statements per batch (measured ~20 % faster than one INSERT … SELECT with the checks as subqueries, which
# SQLite must materialise because it reads the table it inserts into): click_rule's checks over the batch as VALUES,
# then _INSERT of the rows click_rule.decide stores, in order — and for a source past its cap, _COUNT adds the
# click to click_floods instead (rare: only then is there a third statement).
_CHECK_ROW = "(?, ?, ?, ?, ?, ?)"
_INSERT = "INSERT INTO clicks (" + ", ".join(_SQLITE_COLUMNS) + ", is_unique, flags) VALUES {rows}"
_INSERT_ROW = "(" + ", ".join("?" * (len(_SQLITE_COLUMNS) + 2)) + ")"
_COUNT = ("INSERT INTO click_floods (ip_hash, hour, clicks) VALUES (?, ?, ?) "
          "ON CONFLICT (ip_hash, hour) DO UPDATE SET clicks = clicks + excluded.clicks")


class _WindowStamps:
    """(stamp, stamp 24 h before, stamp 1 h before) of a click time. The windows are whole hours, so they change
    only the "YYYY-MM-DD HH" head of the stamp: the shifted heads are computed once per hour and the rest is
    shared. This runs for every click."""

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


_window_stamps = _WindowStamps()


def write_batch(conn: sqlite3.Connection, rows: Sequence[ClickRow]) -> None:
    """Inserts rows (at most MAX_ROWS_PER_STATEMENT) with their unique and flood flags — or counts those of a
    source past its cap — inside the caller's transaction, by click_rule."""
    stamps = [_window_stamps(row.created_at) for row in rows]
    params: list[Any] = []
    for ordinal, (row, (_, day_ago, hour_ago)) in enumerate(zip(rows, stamps)):
        params += (ordinal, row.link_id, row.ip_hash, row.ua_hash, day_ago, hour_ago)
    sql = checks_sql("VALUES " + ", ".join([_CHECK_ROW] * len(rows)), count_limit(rows))
    stored, counted = decide(rows, conn.execute(sql, params).fetchall())
    if stored:
        values: list[Any] = []
        for index, unique, flags in stored:
            row = rows[index]
            values += (row.click_id, row.link_id, row.partner_id, row.offer_id, stamps[index][0], row.ip_hash,
                       row.ua_hash, row.user_agent, row.referer, *row.subs, unique, flags)
        conn.execute(_INSERT.format(rows=", ".join([_INSERT_ROW] * len(stored))), values)
    if counted:
        conn.executemany(_COUNT, [(ip_hash, sqlite_stamp(hour), n) for (ip_hash, hour), n in counted.items()])


# What a row can cause: a vanished link, text sqlite3 cannot bind (a lone surrogate), a number out of range.
_ROW_ERRORS = (sqlite3.IntegrityError, sqlite3.InterfaceError, UnicodeError, OverflowError, ValueError)


class SqliteClickWriter:
    """Writes batches (write_batch) on its own connection; checkpoints the WAL on a thread of its own.
    Synchronous: the writer process calls it for each batch it reads."""

    MAX_ROWS_PER_STATEMENT = 1000  # × 16 parameters, under SQLite's 32,766

    def __init__(self, path: str, *, busy_timeout_ms: int = 30_000, checkpoint_rows: int = 2000) -> None:
        self.path = path
        self._busy_timeout_ms = busy_timeout_ms
        # WAL checkpoints (copying the log into the database file, with fsyncs) were a third of the write time
        # when they ran inside the click transaction that crossed the threshold; a PASSIVE checkpoint on a
        # connection and thread of its own runs beside the writer instead of in front of the visitors.
        self._checkpointer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="click_checkpoint")
        self.checkpoint_rows = checkpoint_rows
        self._rows_since_checkpoint = 0
        self._checkpoint_pending = False
        self.checkpoints = 0
        self._local = threading.local()
        self.conn = self._connection()

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection (the writer's or the checkpointer's), opened on first use."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            # isolation_level=None: transactions are ours (BEGIN IMMEDIATE below), as on the engine's connections.
            # The statement cache holds one prepared statement per batch size.
            # mode=rw: the bot creates and migrates the database; a wrong path must fail, not start an empty one.
            conn = sqlite3.connect(Path(self.path).absolute().as_uri() + "?mode=rw", uri=True,
                                   isolation_level=None, timeout=self._busy_timeout_ms / 1000,
                                   cached_statements=256)
            # foreign_keys=OFF on this connection only: checking three parents per row cost a fifth of the write;
            # write() checks each batch's few links (their partner and offer come with them) in one query instead.
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=OFF",
                           f"busy_timeout={self._busy_timeout_ms}", "wal_autocheckpoint=0"):
                conn.execute(f"PRAGMA {pragma}")
            self._local.conn = conn
        return conn

    def write(self, rows: Sequence[ClickRow]) -> None:
        """Commits every row or none; BatchRejected when a row's link is gone (or another constraint fails)."""
        if not rows:
            return
        conn = self.conn
        step = self.MAX_ROWS_PER_STATEMENT
        links = {(row.link_id, row.partner_id, row.offer_id) for row in rows}
        conn.execute("BEGIN IMMEDIATE")
        try:
            if not links <= self._existing_links(conn, links):
                raise sqlite3.IntegrityError("FOREIGN KEY constraint failed: a click's link no longer exists")
            for start in range(0, len(rows), step):
                write_batch(conn, rows[start:start + step])
            conn.execute("COMMIT")
        except _ROW_ERRORS as exc:  # the data, not the database: the writer retries the other rows
            conn.execute("ROLLBACK")
            raise BatchRejected(f"{type(exc).__name__}: {exc}") from exc
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        self._rows_since_checkpoint += len(rows)
        if self._rows_since_checkpoint >= self.checkpoint_rows and not self._checkpoint_pending:
            self._rows_since_checkpoint = 0
            self._checkpoint_pending = True
            self._checkpointer.submit(self._checkpoint)

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

    def close(self) -> None:
        self._checkpointer.submit(self._disconnect).result()
        self._checkpointer.shutdown(wait=True)
        self._disconnect()

    def _disconnect(self) -> None:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


# ---------------------------------------------------------------------------------------------------------------
# The process. Frames both ways: a 4-byte big-endian length, then the body.
#   parent → child: pickle of a list of plain tuples (ClickRow fields); end of input = finish and exit.
#   child → parent: status byte + UTF-8 text. One reply when ready (after opening the database), then one per
#   batch, in order. Pickle is safe here: the only writer of the child's stdin is the process that started it.

READY, OK, REJECTED, FAILED = b"R", b"K", b"X", b"E"
LENGTH = struct.Struct(">I")


def write_frame(stream: BinaryIO, body: bytes) -> None:
    stream.write(LENGTH.pack(len(body)) + body)
    stream.flush()


def read_frame(stream: BinaryIO) -> bytes | None:
    """The next body, or None at end of input."""
    header = stream.read(LENGTH.size)
    if len(header) < LENGTH.size:
        return None
    (length,) = LENGTH.unpack(header)
    body = stream.read(length)
    if len(body) < length:
        return None
    return body


def serve(path: str, requests: BinaryIO, replies: BinaryIO) -> None:
    try:
        writer = SqliteClickWriter(path)
    except sqlite3.Error as exc:
        write_frame(replies, FAILED + f"cannot open {path}: {exc}".encode())
        return
    write_frame(replies, READY)
    try:
        while (body := read_frame(requests)) is not None:
            rows = [ClickRow._make(row) for row in pickle.loads(body)]
            try:
                writer.write(rows)
            except BatchRejected as exc:
                write_frame(replies, REJECTED + str(exc).encode())
            except Exception as exc:  # an outage: the parent logs it; this process carries on with the next
                log.exception("click batch failed")
                write_frame(replies, FAILED + f"{type(exc).__name__}: {exc}".encode())
            else:
                write_frame(replies, OK)
    finally:
        writer.close()


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m services.tracking.sqlite_click_writer DB_PATH", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING, format="click writer: %(levelname)s %(message)s")
    # A stop signal meant for the bot (Ctrl-C reaches the whole process group; service managers signal every
    # process) must not kill this one under the bot's last batches: it ends when its input ends, which is when
    # the bot closes it — or dies.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    serve(argv[0], sys.stdin.buffer, sys.stdout.buffer)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
