"""Engine and session factory. SQLite gets WAL, a busy timeout and foreign keys on every connection."""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine, AsyncSession

# Execution option marking a read-only engine (read_only() below): its transactions never take the write lock.
READ_ONLY = "pb_read_only"


def make_engine(url: str, **kwargs: object) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            # FULL: a commit is on disk (WAL fsynced) before we answer, so money answered 2xx survives a power cut;
            # NORMAL would only survive a crash of this process. Costs one fsync per commit.
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()
            # Let SQLAlchemy's "begin" event below decide when and how a transaction starts.
            dbapi_conn.isolation_level = None

        # pysqlite opens transactions lazily at the first write, so a read-then-write unit of work can lose to
        # another writer with an instant "database is locked". BEGIN IMMEDIATE takes the write lock up front:
        # units of work are short, and serialising them is what a single-file database does anyway. Read-only
        # ones start deferred: in WAL mode they read a snapshot while a writer works, and never wait for it.
        @event.listens_for(engine.sync_engine, "begin")
        def _sqlite_begin(conn):  # type: ignore[no-untyped-def]
            conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")

        return engine
    return create_async_engine(url, pool_pre_ping=True, **kwargs)


def read_only(engine: AsyncEngine) -> AsyncEngine:
    """The same pool, for units of work that only read: deferred BEGIN on SQLite, READ ONLY transactions on
    PostgreSQL (a stray write fails there instead of committing)."""
    options: dict[str, object] = {READ_ONLY: True}
    if engine.dialect.name == "postgresql":
        options["postgresql_readonly"] = True
    return engine.execution_options(**options)


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
