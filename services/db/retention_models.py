"""Retention automation: what was already done, so a re-run, a second process or a restart never repeats it.

The weekly digest needs no table of its own (its outbox rows carry a per-partner, per-week dedupe key); the
chart it carries is a file made by the job, kept here until the row is delivered (the outbox stores no bytes)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, BigId, Money, UTCDateTime


class OutboxFile(Base):
    """A generated file (a digest's chart) an outbox row refers to as Attachment(origin="stored", ref=id)."""

    __tablename__ = "outbox_files"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)  # purged some weeks later


class InactivityNudge(Base):
    """The latest inactivity nudge per partner: at most one per INACTIVITY_DAYS window."""

    __tablename__ = "inactivity_nudges"

    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PartnerOfMonth(Base):
    """One proposal per month: proposed → approved (announced) | skipped, decided exactly once."""

    __tablename__ = "partner_of_month"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # "2026-11": the month it is about
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    revenue: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    decided_by: Mapped[str | None] = mapped_column(String(96))  # "telegram:900"
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
