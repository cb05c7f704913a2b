"""REST API tables: bearer tokens admins issue for BI tools, their audit trail, and conversions' status history."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, BigId, UTCDateTime
from services.db.tracking_models import Conversion


class ApiToken(Base):
    """A token is "pbk_<prefix>_<secret>": `prefix` finds the row, only sha256 of the whole token is stored, so
    a copy of the database grants nothing. Shown once, when created."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))  # hex sha256 of the whole token
    name: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[str] = mapped_column(String(255))  # "stats:read,conversions:read"
    created_by: Mapped[str] = mapped_column(String(96))  # "telegram:903"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # None: until revoked
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(96))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # to the minute (not every request writes)


class ApiTokenAudit(Base):
    """Every token created or revoked: who, when, which token (name and scopes as they were). Append-only."""

    __tablename__ = "api_token_audit"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(96))
    action: Mapped[str] = mapped_column(String(8))  # created | revoked
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[str] = mapped_column(String(255))


class ConversionEvent(Base):
    """One status transition of a conversion (from_status None: it was created with to_status), written in the
    transaction that moved it (services/tracking/commissions.apply_status_change). A status is reached at most
    once (the status machine has no cycles), which the unique key holds. Recorded from migration 0020 on."""

    __tablename__ = "conversion_events"
    # The unique key is also the index that finds a conversion's events (its leading column); the second one
    # serves the feed of every change in time order (GET /api/v1/conversion-events).
    __table_args__ = (UniqueConstraint("conversion_id", "to_status"),
                      Index("ix_conversion_events_created_id", "created_at", "id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    conversion_id: Mapped[int] = mapped_column(ForeignKey("conversions.id", ondelete="CASCADE"))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))  # advertiser (a postback) | review (a manager)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


# GET /api/v1/conversions pages every partner's conversions in (created_at, id) order: one index range per page
# instead of sorting the whole table per request.
Index("ix_conversions_created_id", Conversion.created_at, Conversion.id)
