"""Web dashboard: the single-use sign-in links the bot hands out (/dashboard)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, UTCDateTime


class DashboardToken(Base):
    """One sign-in link. The token itself is signed (partner, expiry, this id); the row makes it single-use:
    redeeming is a conditional UPDATE … WHERE used_at IS NULL that exactly one request can win."""

    __tablename__ = "dashboard_tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # the token's random nonce
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class StaffDashboardToken(Base):
    """One staff sign-in link (from /kpi → Web). Staff need not be partners, so the link names the messenger
    account; the role is checked again on every request of the session, never trusted from the link."""

    __tablename__ = "staff_dashboard_tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # the token's random nonce
    messenger: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
