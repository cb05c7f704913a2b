"""Milestone bonuses: the rules managers set ("10 approved conversions in a calendar month → 500 RUB") and each
step a partner reached in a month (an award), whose money moves in the ledger like a commission's."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, BigId, Money, UTCDateTime


class BonusRule(Base):
    """One step. Several rules with the same scope and metric are a ladder (10 → 500, 50 → 3 000), each step
    paid on its own. Archived rules award nothing new but still claw back what they paid."""

    __tablename__ = "bonus_rules"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"))  # None: every offer
    metric: Mapped[str] = mapped_column(String(16))  # conversions | revenue
    threshold: Mapped[Decimal] = mapped_column(Money)  # a count, or revenue in `currency`
    amount: Mapped[Decimal] = mapped_column(Money)  # the bonus
    currency: Mapped[str] = mapped_column(String(3))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(96))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class BonusAward(Base):
    """held → released (money available) ; held | released → clawed_back (a refund took the figure back below
    the step). At most one per rule, partner and month: the unique key is what makes a step paid once."""

    __tablename__ = "bonus_awards"
    __table_args__ = (
        UniqueConstraint("rule_id", "partner_id", "period"),
        Index("ix_bonus_awards_status_release", "status", "release_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("bonus_rules.id", ondelete="CASCADE"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(7))  # "2026-12": the calendar month in the program's time zone
    status: Mapped[str] = mapped_column(String(16))
    # 1, then +1 each time the step is reached again after a clawback in the same month: part of the ledger keys
    round: Mapped[int] = mapped_column(Integer, default=1)
    figure: Mapped[Decimal] = mapped_column(Money)  # the partner's figure when the step was reached
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    release_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    clawed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claw_reason: Mapped[str | None] = mapped_column(Text)
