"""Manual balance adjustments: a staff member's credit or debit with its reason, and the per-currency amount a
manager may adjust without an admin's approval. Both tables are the audit trail: rows are never deleted."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, BigId, Money, UTCDateTime


class BalanceAdjustment(Base):
    """draft (typed, not yet confirmed) → applied | pending (over the requester's limit) → applied | rejected;
    a draft may be cancelled. Each move is a conditional UPDATE, so two taps or two admins make one decision, and
    the money is the ledger entry "adj:<id>" written in the same transaction as the move to applied."""

    __tablename__ = "balance_adjustments"
    __table_args__ = (Index("ix_balance_adjustments_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)  # signed: + credit, − debit
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    requested_by: Mapped[str] = mapped_column(String(96))  # "telegram:900"
    requested_by_name: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the requester's second step
    decided_by: Mapped[str | None] = mapped_column(String(96))  # the admin who approved or rejected
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str | None] = mapped_column(Text)


class AdjustmentLimit(Base):
    """Append-only: the newest row per currency is the limit in force (|amount| of one adjustment a manager may
    apply alone); older rows say who set what when."""

    __tablename__ = "adjustment_limits"
    __table_args__ = (Index("ix_adjustment_limits_currency_id", "currency", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[Decimal] = mapped_column(Money)
    set_by: Mapped[str] = mapped_column(String(96))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
