"""Notification bursts: many conversion notices for one chat within a minute become one summary message."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, BigId, UTCDateTime


class NotificationBurst(Base):
    __tablename__ = "notification_bursts"
    __table_args__ = (Index("ix_notification_bursts_chat", "messenger", "chat_id", "last_item_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    messenger: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(8))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_item_at: Mapped[datetime] = mapped_column(UTCDateTime())  # when the latest notice was folded in
    message_ref: Mapped[str | None] = mapped_column(String(64))  # the summary message, once sent
    rendered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # last send/edit of the summary
    dirty: Mapped[bool] = mapped_column(default=True)  # the summary shows less than what was folded in
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)  # counts by status, totals by currency, latest items
