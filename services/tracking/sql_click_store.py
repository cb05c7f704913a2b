"""SqlClickStore: click batches on the bot's own engine — PostgreSQL through asyncpg directly, any other database
through SQLAlchemy Core. Both apply services.tracking.click_rule (checks query, then decide), as the SQLite
writer process does.

PostgreSQL, per batch: the checks for every row in ONE statement (unnest of arrays), the rule in Python, then
every stored row in ONE INSERT … SELECT FROM unnest(…) (autocommitted: one statement is atomic), with the rare
click_floods counts in the same transaction. Through SQLAlchemy the batch was one INSERT … SELECT per row with
each row's parameters compiled and type-processed in Python: ~0.4 ms of the event loop's CPU per click,
which is what bounded the redirect (bench/ingest_clicks.py). Here the arrays are encoded by asyncpg in C.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, insert, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, StatementError

from services.db.base import UTCDateTime
from services.db.tracking_models import Click, ClickFlood
from services.db.uow import UnitOfWorkSource
from services.tracking.click_rows import SUB_KEYS, BatchRejected, ClickRow
from services.tracking.click_rule import FLOOD_WINDOW, UNIQUE_WINDOW, checks_sql, count_limit, decide

_COLUMNS = ("click_id", "link_id", "partner_id", "offer_id", "created_at", "ip_hash", "ua_hash", "user_agent",
            "referer", *SUB_KEYS, "is_unique", "flags")

# --- PostgreSQL (asyncpg) ---------------------------------------------------------------------------------------
# created_at is `timestamp` (naive UTC, services.db.base.UTCDateTime): the arrays carry naive UTC datetimes.
_PG_SOURCE = ("SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::timestamp[], "
              "$6::timestamp[])")
_PG_TYPES = ("text", "bigint", "bigint", "bigint", "timestamp", "text", "text", "text", "text",
             "text", "text", "text", "text", "text", "boolean", "text")
PG_INSERT = (f"INSERT INTO clicks ({', '.join(_COLUMNS)}) SELECT * FROM unnest("
             + ", ".join(f"${n}::{t}[]" for n, t in enumerate(_PG_TYPES, 1)) + ")")
PG_COUNT = ("INSERT INTO click_floods (ip_hash, hour, clicks) SELECT * FROM unnest($1::text[], $2::timestamp[], "
            "$3::bigint[]) ON CONFLICT (ip_hash, hour) DO UPDATE SET clicks = click_floods.clicks + excluded.clicks")


def _naive(at: datetime) -> datetime:
    return (at if at.tzinfo is UTC else at.astimezone(UTC)).replace(tzinfo=None)


async def _write_pg(conn: Any, rows: Sequence[ClickRow]) -> None:
    """conn: the asyncpg connection, outside any transaction."""
    created = [_naive(row.created_at) for row in rows]
    checks = await conn.fetch(checks_sql(_PG_SOURCE, count_limit(rows)), list(range(len(rows))),
                              [row.link_id for row in rows], [row.ip_hash for row in rows],
                              [row.ua_hash for row in rows], [at - UNIQUE_WINDOW for at in created],
                              [at - FLOOD_WINDOW for at in created])
    stored, counted = decide(rows, [(check[0], check[1]) for check in checks])
    columns: list[list[Any]] = [[] for _ in _COLUMNS]
    for index, unique, flags in stored:
        row = rows[index]
        for column, value in zip(columns, (row.click_id, row.link_id, row.partner_id, row.offer_id, created[index],
                                           row.ip_hash, row.ua_hash, row.user_agent, row.referer, *row.subs,
                                           unique, flags)):
            column.append(value)
    if not counted:
        if stored:
            await conn.execute(PG_INSERT, *columns)
        return
    async with conn.transaction():
        if stored:
            await conn.execute(PG_INSERT, *columns)
        keys = list(counted)
        await conn.execute(PG_COUNT, [ip for ip, _ in keys], [_naive(hour) for _, hour in keys],
                           [counted[key] for key in keys])


def _pg_row_error(exc: BaseException) -> bool:
    """The row's data, not the database: SQLSTATE class 22 (data exception) or 23 (integrity constraint), or a
    value asyncpg could not encode (a lone surrogate)."""
    import asyncpg

    if isinstance(exc, asyncpg.PostgresError):
        return str(getattr(exc, "sqlstate", "") or "")[:2] in ("22", "23")
    return isinstance(exc, (asyncpg.DataError, UnicodeError, ValueError, OverflowError))


# --- any other database (SQLAlchemy Core) -----------------------------------------------------------------------

def _generic_checks(rows: Sequence[ClickRow]) -> Any:
    source = "VALUES " + ", ".join(f"(:o{i}, :l{i}, :i{i}, :u{i}, :d{i}, :h{i})" for i in range(len(rows)))
    stamps = [bindparam(f"{p}{i}", type_=UTCDateTime()) for i in range(len(rows)) for p in "dh"]
    return text(checks_sql(source, count_limit(rows))).bindparams(*stamps)


def _count_statement(dialect: str) -> Any:
    module = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(ClickFlood.__table__)
    return stmt.on_conflict_do_update(index_elements=["ip_hash", "hour"],
                                      set_={"clicks": ClickFlood.__table__.c.clicks + stmt.excluded.clicks})


def _row_error(exc: DBAPIError) -> bool:
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return isinstance(exc, (IntegrityError, DataError)) or str(code or "")[:2] in ("22", "23")


class SqlClickStore:
    """On PostgreSQL the store keeps one connection of the engine's pool checked out for its batches: a checkout
    per batch cost three round trips more (the pool's ping: BEGIN, a query, ROLLBACK) and the session's CPU. A
    failure other than a refused row drops it; the next batch checks out a fresh one."""

    def __init__(self, uow: UnitOfWorkSource) -> None:
        self._uow = uow
        self._held: Any = None  # (SQLAlchemy AsyncConnection, asyncpg connection) on PostgreSQL

    async def write(self, rows: Sequence[ClickRow], on_committed: Callable[[], None] | None = None) -> None:
        if self._held is None:
            async with self._uow() as uow:
                conn = await uow.session.connection()
                if conn.dialect.name != "postgresql":
                    await self._write_generic(conn, rows)
                    await uow.commit()
                    if on_committed is not None:
                        on_committed()
                    return
                engine = conn.engine
            held = await engine.connect()
            # The driver's own connection, outside SQLAlchemy's transaction (begun lazily, so never begun here).
            self._held = (held, (await held.get_raw_connection()).driver_connection)
        held, driver = self._held
        try:
            await _write_pg(driver, rows)
        except Exception as exc:
            if _pg_row_error(exc):
                raise BatchRejected(f"{type(exc).__name__}: {exc}") from exc
            await self._drop(invalidate=True)  # maybe broken: a fresh connection for the next batch
            raise
        if on_committed is not None:
            on_committed()

    async def _drop(self, *, invalidate: bool) -> None:
        held, self._held = self._held, None
        if held is not None:
            if invalidate:
                await held[0].invalidate()
            await held[0].close()

    @staticmethod
    async def _write_generic(conn: Any, rows: Sequence[ClickRow]) -> None:
        params: dict[str, Any] = {}
        for i, row in enumerate(rows):
            params.update({f"o{i}": i, f"l{i}": row.link_id, f"i{i}": row.ip_hash, f"u{i}": row.ua_hash,
                           f"d{i}": row.created_at - UNIQUE_WINDOW, f"h{i}": row.created_at - FLOOD_WINDOW})
        try:
            checks = (await conn.execute(_generic_checks(rows), params)).all()
            stored, counted = decide(rows, [(check[0], check[1]) for check in checks])
            if stored:
                await conn.execute(insert(Click.__table__), [
                    dict(zip(_COLUMNS, (rows[i].click_id, rows[i].link_id, rows[i].partner_id, rows[i].offer_id,
                                        rows[i].created_at, rows[i].ip_hash, rows[i].ua_hash, rows[i].user_agent,
                                        rows[i].referer, *rows[i].subs, unique, flags)))
                    for i, unique, flags in stored])
            if counted:
                await conn.execute(_count_statement(conn.dialect.name), [
                    {"ip_hash": ip, "hour": hour, "clicks": n} for (ip, hour), n in counted.items()])
        except StatementError as exc:
            if isinstance(exc, DBAPIError) and not _row_error(exc):  # the database itself: an outage
                raise
            raise BatchRejected(f"{type(exc.orig).__name__}: {exc.orig}") from exc

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        await self._drop(invalidate=False)
