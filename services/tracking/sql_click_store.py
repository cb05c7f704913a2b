"""SqlClickStore: click batches through SQLAlchemy on a unit of work (PostgreSQL through asyncpg, or any database)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import BigInteger, Boolean, Insert, String, and_, bindparam, case, func, insert, literal, not_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, StatementError

from services.db.base import UTCDateTime
from services.db.tracking_models import Click, ClickFlood
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


def _insert_statement() -> Insert:
    """SqlClickStore's INSERT … SELECT: computes is_unique and the flood flag in the database, per row.

    Through asyncpg a statement is a network round trip, so the checks ride in the insert instead of a query of
    their own; executemany runs it row after row in one transaction, so each click sees those inserted before it,
    its own batch included. (The SQLite writer process checks a batch in one read-only query instead: locally
    that is cheaper than SQLite materialising this form.) Either way the windows are exact per click and the
    database stays the truth across restarts and processes. The checks read ix_clicks_ip_visitor only, a bounded
    number of entries: "seen in 24 h" among the IP's latest UNIQUE_SCAN clicks; for the flood test, the limit-th
    latest click of the IP (inside the hour means `limit` clicks already, so this one is over the limit); for the
    cap, the cap-th latest likewise — past it the row is not inserted (COUNT counts it instead)."""
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
    cap_latest = (select(Click.created_at).where(Click.ip_hash == p["ip_hash"])
                  .order_by(Click.created_at.desc()).limit(1)
                  .offset(bindparam("cap_offset", type_=BigInteger())).scalar_subquery())
    # coalesce: fewer clicks than the cap gives NULL, and NOT (… AND NULL) would drop the row.
    capped = and_(bindparam("cap_check", type_=Boolean()), func.coalesce(cap_latest > hour_ago, False))
    return insert(Click.__table__).from_select([*names, "is_unique", "flags"], select(*values).where(not_(capped)))


INSERT = _insert_statement()


def _count_statement(dialect: str) -> Insert:
    """Counts a row in click_floods unless INSERT stored it (it was past its source's cap). Per dialect only for
    the upsert clause, which PostgreSQL and SQLite spell alike."""
    module = postgresql if dialect == "postgresql" else sqlite
    stored = select(Click.id).where(Click.click_id == bindparam("click_id", type_=String())).exists()
    values = select(bindparam("ip_hash", type_=String()), bindparam("hour", type_=UTCDateTime()), literal(1))
    stmt = module.insert(ClickFlood.__table__).from_select(["ip_hash", "hour", "clicks"], values.where(~stored))
    return stmt.on_conflict_do_update(index_elements=["ip_hash", "hour"],
                                      set_={"clicks": ClickFlood.__table__.c.clicks + stmt.excluded.clicks})


COUNT = {name: _count_statement(name) for name in ("postgresql", "sqlite")}


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
        "cap_check": row.flood_cap > 0, "cap_offset": max(row.flood_cap - 1, 0),
    }


def _row_error(exc: DBAPIError) -> bool:
    """Whether the database refused a row's data (a vanished link; text it cannot store, such as a lone surrogate
    or NUL) rather than failed: SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation)."""
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return isinstance(exc, (IntegrityError, DataError)) or str(code or "")[:2] in ("22", "23")


class SqlClickStore:
    """Through SQLAlchemy Core on a unit of work's connection (the ORM would cost CPU per row for nothing)."""

    def __init__(self, uow: Callable[[], UnitOfWork]) -> None:
        self._uow = uow

    async def write(self, rows: Sequence[ClickRow], on_committed: Callable[[], None] | None = None) -> None:
        try:
            async with self._uow() as uow:
                conn = await uow.session.connection()
                await conn.execute(INSERT, [row_params(row) for row in rows])
                capped = [{"click_id": row.click_id, "ip_hash": row.ip_hash,
                           "hour": row.created_at.replace(minute=0, second=0, microsecond=0)}
                          for row in rows if row.flood_cap > 0]
                if capped:  # each a cheap probe of the click_id index; a row only where INSERT skipped one
                    await conn.execute(COUNT[conn.dialect.name], capped)
                await uow.commit()
        except StatementError as exc:
            if isinstance(exc, DBAPIError) and not _row_error(exc):  # the database itself: an outage
                raise
            raise BatchRejected(f"{type(exc.orig).__name__}: {exc.orig}") from exc
        if on_committed is not None:
            on_committed()

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass
