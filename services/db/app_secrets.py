"""Secrets the bot generates for itself and must keep across restarts (the IP hash key when IP_HASH_SECRET is
unset). A key/value table: one row per secret, never rewritten once created."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, UTCDateTime


class AppSecret(Base):
    __tablename__ = "app_secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AppSecretRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, name: str) -> str | None:
        return await self.session.scalar(select(AppSecret.value).where(AppSecret.name == name))

    async def add_if_absent(self, name: str, value: str, now: datetime) -> None:
        """Two processes starting at once both try; the first insert wins, the other's is a no-op."""
        insert = pg_insert if self.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        await self.session.execute(insert(AppSecret).values(name=name, value=value, created_at=now)
                                   .on_conflict_do_nothing(index_elements=[AppSecret.name]))
