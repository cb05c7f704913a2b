"""Payout tables: a partner's payout details (encrypted), payout requests and their audit trail."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, BigId, Money, UTCDateTime


class PayoutDetails(Base):
    """Where a partner wants to be paid. The value itself only ever exists encrypted (`cipher`); screens show
    `masked` ("•••• 4242"), which is kept beside it so no screen needs the key."""

    __tablename__ = "payout_details"

    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True)
    method: Mapped[str] = mapped_column(String(16))  # card | account | crypto | ewallet
    kind: Mapped[str] = mapped_column(String(16))  # what the value turned out to be: visa, iban, btc, yoomoney…
    masked: Mapped[str] = mapped_column(String(32))
    cipher: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Payout(Base):
    """A payout request. Its money is reserved in the ledger when the row is written; the status moves
    requested → approved → paid, or requested | approved → rejected (the money returns), each move once."""

    __tablename__ = "payouts"
    __table_args__ = (
        # A scheduled run creates at most one request per partner, currency and period (NULL: asked by hand).
        UniqueConstraint("partner_id", "currency", "period"),
        Index("ix_payouts_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))  # requested | approved | paid | rejected
    method: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    masked: Mapped[str] = mapped_column(String(32))  # the details as they were when asked for
    cipher: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16))  # partner | schedule
    period: Mapped[str | None] = mapped_column(String(32))  # the scheduled run that created it
    reference: Mapped[str | None] = mapped_column(String(128))  # the manager's payment reference, when paid
    reason: Mapped[str | None] = mapped_column(Text)  # why it was rejected
    decided_by: Mapped[str | None] = mapped_column(String(96))  # "telegram:900" of the last manager to move it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PayoutEvent(Base):
    """Audit trail: every payout action, who did it, when, and from which state to which. Append-only."""

    __tablename__ = "payout_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    payout_id: Mapped[int | None] = mapped_column(ForeignKey("payouts.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    actor: Mapped[str] = mapped_column(String(96))  # "telegram:900", "vk:111", "schedule"
    action: Mapped[str] = mapped_column(String(16))  # details | request | approve | pay | reject
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)  # reference, reason, or the masked details set
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
