"""Where the click writer's batches are committed: one transaction per batch.

Two stores behind one port, because the click path is the only place where the cost of a write decides what the
server can take:
- SqlClickStore: SQLAlchemy on the unit of work (PostgreSQL through asyncpg, or any database).
- SqliteClickStore (file-backed SQLite): hands each batch to a writer process of its own
  (services.tracking.sqlite_click_writer) over a pipe. Through aiosqlite + SQLAlchemy a batch cost the event loop
  ~1 ms of CPU (parameter compilation, type processors per row, a thread hand-off and loop turn per call), and a
  writer thread in this process still stalled the loop on the GIL; the process leaves the loop one pickle and
  two pipe operations per batch. WAL lets the bots' connections read meanwhile; writers take turns through
  SQLite's busy timeout, as before.
"""
from __future__ import annotations

import asyncio
import logging
import os
import pickle
import sys
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import BigInteger, Boolean, Insert, and_, bindparam, case, func, insert, not_, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from services.db.base import UTCDateTime
from services.db.tracking_models import Click
from services.db.uow import UnitOfWork
from services.tracking.click_rows import (
    FLAG_FLOOD,
    FLOOD_WINDOW,
    SUB_KEYS,
    UNIQUE_SCAN,
    UNIQUE_WINDOW,
    BatchRejected,
    ClickRow,
)
from services.tracking.sqlite_click_writer import LENGTH, OK, READY, REJECTED

log = logging.getLogger(__name__)

__all__ = ["BatchRejected", "ClickRow", "ClickStore", "SqlClickStore", "SqliteClickStore", "INSERT"]

class ClickStore(Protocol):
    async def start(self) -> None:
        """Gets ready (opens what it needs) before the first click; failing here is not fatal."""

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


def row_params(row: ClickRow) -> dict[str, Any]:
    """INSERT's parameters for one row."""
    at = row.created_at
    s1, s2, s3, s4, s5 = row.subs
    return {
        "click_id": row.click_id, "link_id": row.link_id, "partner_id": row.partner_id, "offer_id": row.offer_id,
        "created_at": at, "ip_hash": row.ip_hash, "ua_hash": row.ua_hash, "user_agent": row.user_agent,
        "referer": row.referer, "sub1": s1, "sub2": s2, "sub3": s3, "sub4": s4, "sub5": s5, "flags": row.flags,
        "day_ago": at - UNIQUE_WINDOW, "hour_ago": at - FLOOD_WINDOW,
        "flood_check": row.flood_limit > 0, "flood_offset": max(row.flood_limit - 1, 0),
    }


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

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass


class ClickStoreDown(Exception):
    """The writer process could not be started or died: this batch is lost to the visitors (503), the next
    batch starts a new process."""


_PROJECT_ROOT = str(Path(__file__).resolve().parents[2])  # where `-m services…` resolves


class _Conversation:
    """One writer process and the answers it owes, in order."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.waiting: deque[asyncio.Future[tuple[bytes, str]]] = deque()  # one per batch sent
        self.reader: asyncio.Task[None] | None = None
        self.ended = False


class SqliteClickStore:
    """Batches go to `python -m services.tracking.sqlite_click_writer PATH`, started on the first write and again
    after a failure. The process commits them one after another in the order sent and answers in that order; a
    reader task hands each answer to its batch, so a batch that timed out leaves the conversation intact."""

    def __init__(self, path: str, *, start_timeout: float = 30.0) -> None:
        self.path = path
        self.start_timeout = start_timeout
        self._conversation: _Conversation | None = None
        self._send_lock = asyncio.Lock()
        self._closed = False
        self.starts = 0

    @classmethod
    def for_url(cls, url: str) -> SqliteClickStore | None:
        """A store for a file-backed SQLite URL, None for anything else (other databases, :memory:, URI forms)."""
        parsed = make_url(url)
        database = parsed.database
        if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:" or \
                database.startswith("file:") or parsed.query.get("uri"):
            return None
        return cls(database)

    async def start(self) -> None:
        """Starts the process now, so the first visitor does not wait for it. A failure is logged, not raised:
        the first write tries again (and answers 503 if it cannot)."""
        async with self._send_lock:
            try:
                await self._running()
            except ClickStoreDown:
                log.exception("click writer process did not start; retrying at the first click")

    async def write(self, rows: Sequence[ClickRow]) -> None:
        payload = pickle.dumps([tuple(row) for row in rows], protocol=pickle.HIGHEST_PROTOCOL)
        answer: asyncio.Future[tuple[bytes, str]] = asyncio.get_running_loop().create_future()
        async with self._send_lock:
            if self._closed:
                raise ClickStoreDown("click store is closed")
            conversation = await self._running()
            stdin = conversation.process.stdin
            assert stdin is not None
            # Queued before the bytes go out, so the reader can never see an answer without its batch.
            conversation.waiting.append(answer)
            try:
                stdin.write(LENGTH.pack(len(payload)) + payload)
                await stdin.drain()
            except ConnectionError as exc:
                self._end(conversation, f"click writer process died: {exc!r}")
        # If this wait is cancelled (the batch timed out), the answer still arrives and is dropped: the process
        # keeps its place in the conversation, nothing needs restarting.
        status, message = await answer
        if status == REJECTED:
            raise BatchRejected(message)
        if status != OK:
            raise ClickStoreDown(f"click writer: {message}")

    async def close(self) -> None:
        async with self._send_lock:
            self._closed = True
            conversation, self._conversation = self._conversation, None
            if conversation is None:
                return
            process = conversation.process
            if process.returncode is None:
                assert process.stdin is not None
                process.stdin.close()  # end of input: it answers what it has, closes the database and exits
                try:
                    await asyncio.wait_for(process.wait(), 30)
                except TimeoutError:
                    log.error("click writer process did not exit; killing it")
                    process.kill()
                    await process.wait()
            if conversation.reader is not None:
                await asyncio.gather(conversation.reader, return_exceptions=True)
            self._end(conversation, "click store closed")

    async def _running(self) -> _Conversation:
        if self._conversation is not None and not self._conversation.ended:
            return self._conversation
        self._conversation = None
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [_PROJECT_ROOT,
                                                                          os.environ.get("PYTHONPATH")]))}
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "services.tracking.sqlite_click_writer", self.path,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, env=env, cwd=_PROJECT_ROOT)
        self.starts += 1
        try:
            status, message = await asyncio.wait_for(self._reply(process), self.start_timeout)
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError) as exc:
            process.kill()
            await process.wait()
            raise ClickStoreDown(f"click writer process did not start: {exc!r}") from exc
        if status != READY:
            await process.wait()
            raise ClickStoreDown(f"click writer process did not start: {message}")
        conversation = _Conversation(process)
        conversation.reader = asyncio.create_task(self._read_answers(conversation), name="click writer answers")
        self._conversation = conversation
        return conversation

    async def _read_answers(self, conversation: _Conversation) -> None:
        try:
            while True:
                answer = await self._reply(conversation.process)
                if conversation.waiting:
                    waiter = conversation.waiting.popleft()
                    if not waiter.done():  # a batch that timed out: its answer is dropped
                        waiter.set_result(answer)
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            self._end(conversation, f"click writer process ended: {exc!r}")

    def _end(self, conversation: _Conversation, reason: str) -> None:
        """The process is gone or unusable: every batch it holds is answered with ClickStoreDown (its visitors get
        503; some of those rows may have been committed), and the next write starts a new process."""
        conversation.ended = True
        if self._conversation is conversation:
            self._conversation = None
        if conversation.process.returncode is None:
            conversation.process.kill()
        while conversation.waiting:
            waiter = conversation.waiting.popleft()
            if not waiter.done():
                waiter.set_exception(ClickStoreDown(reason))

    @staticmethod
    async def _reply(process: asyncio.subprocess.Process) -> tuple[bytes, str]:
        assert process.stdout is not None
        (length,) = LENGTH.unpack(await process.stdout.readexactly(LENGTH.size))
        body = await process.stdout.readexactly(length)
        return body[:1], body[1:].decode(errors="replace")
