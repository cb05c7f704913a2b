"""Broadcasts: a manager's message to a segment of partners, delivered as a persisted job (one row per
recipient) so a crash or kill -9 mid-way resumes without doubles or gaps (services/broadcasts/sender.py)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, BigId, UTCDateTime


class Broadcast(Base):
    __tablename__ = "broadcasts"
    __table_args__ = (Index("ix_broadcasts_status_at", "status", "scheduled_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # draft → scheduled → running ⇄ paused → done | cancelled (services/broadcasts/model.py)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    created_by: Mapped[str] = mapped_column(String(96))  # "telegram:123"
    # Where the manager composed it: the live progress message and the final report go there.
    messenger: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text, default="")
    entities: Mapped[list[Any]] = mapped_column(JSON, default=list)  # Telegram formatting of `text`
    photo: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # Attachment.to_dict()
    button_label: Mapped[str | None] = mapped_column(String(64))
    button_url: Mapped[str | None] = mapped_column(String(512))
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # {"kind": "tier", "value": "gold"}
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    progress_ref: Mapped[str | None] = mapped_column(String(64))  # the live progress message, once sent
    progress_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # its last send / edit
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BroadcastRecipient(Base):
    """One messenger account to reach. pending → sending (claimed, leased) → sent | failed | unreachable."""

    __tablename__ = "broadcast_recipients"
    __table_args__ = (
        UniqueConstraint("broadcast_id", "account_id"),
        Index("ix_broadcast_recipients_due", "broadcast_id", "messenger", "status", "not_before"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("messenger_accounts.id", ondelete="CASCADE"))
    messenger: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    not_before: Mapped[datetime] = mapped_column(UTCDateTime())  # quiet hours: not before their window ends
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(String(256))
    message_ref: Mapped[str | None] = mapped_column(String(64))  # the platform's message id, set with "sent"
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
