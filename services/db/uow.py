"""Unit of work (cosmicpython style): one transaction, repositories hanging off it, explicit commit."""
from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.db.engine import read_only
from services.db.repositories import (
    AccountRepository,
    ApplicationRepository,
    FormRepository,
    OutboxRepository,
    PartnerRepository,
    StaffRepository,
)


class UnitOfWork(Protocol):
    session: AsyncSession
    partners: PartnerRepository
    accounts: AccountRepository
    applications: ApplicationRepository
    staff: StaffRepository
    forms: FormRepository
    outbox: OutboxRepository
    readonly: bool

    async def __aenter__(self) -> Self: ...
    async def __aexit__(self, *exc: object) -> None: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...


class UnitOfWorkSource(Protocol):
    """What Deps.uow is: uow() to write, uow(readonly=True) to only read."""

    def __call__(self, *, readonly: bool = False) -> UnitOfWork: ...


class SqlUnitOfWork:
    """Rolls back anything not committed when the block ends (an exception or a forgotten commit)."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession], *, readonly: bool = False) -> None:
        self._factory = session_factory
        self.readonly = readonly

    async def __aenter__(self) -> Self:
        self.session = self._factory()
        self.partners = PartnerRepository(self.session)
        self.accounts = AccountRepository(self.session)
        self.applications = ApplicationRepository(self.session)
        self.staff = StaffRepository(self.session)
        self.forms = FormRepository(self.session)
        self.outbox = OutboxRepository(self.session)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        # close() rolls back whatever was not committed and detaches objects without expiring them, so values
        # read inside the block stay readable after it.
        await self.session.close()

    async def commit(self) -> None:
        if self.readonly:
            raise RuntimeError("commit in a read-only unit of work: open it with uow() to write")
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()


class UnitOfWorkFactory:
    """Callable producing a fresh unit of work; what use cases receive. uow(readonly=True) is for screens and
    checks that only read: it never takes SQLite's write lock (so it neither waits for nor blocks a writer)
    and cannot commit."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self.session_factory = session_factory
        bind = session_factory.kw.get("bind")
        self.readonly_factory = session_factory if bind is None else async_sessionmaker(
            **{**session_factory.kw, "bind": read_only(bind)}, class_=session_factory.class_)

    def __call__(self, *, readonly: bool = False) -> SqlUnitOfWork:
        if readonly:
            return SqlUnitOfWork(self.readonly_factory, readonly=True)
        return SqlUnitOfWork(self.session_factory)
