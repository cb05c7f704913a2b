"""Contest tables: a contest, its opt-in entries, the standings frozen at settle time, podium notice state."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, BigId, UTCDateTime
from services.db.tracking_models import Conversion

# A standing's figure: a count, or money in the contest's currency (4 places, like the ledger).
Figure = Numeric(18, 4, asdecimal=True)


class Contest(Base):
    """draft → announced → running → finished → settled (standings frozen, winners proposed) → awarded (a
    manager confirmed; prizes credited). Each move is a conditional UPDATE from the state it leaves."""

    __tablename__ = "contests"
    __table_args__ = (Index("ix_contests_status_starts", "status", "starts_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    title_ru: Mapped[str] = mapped_column(String(128))
    title_en: Mapped[str] = mapped_column(String(128))
    description_ru: Mapped[str] = mapped_column(Text)
    description_en: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())  # inclusive
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())  # exclusive
    metric: Mapped[str] = mapped_column(String(16))  # conversions | revenue | clicks | subpartners
    currency: Mapped[str | None] = mapped_column(String(3))  # revenue contests only
    offer_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # empty: every offer
    # [{"place": 1, "amount": "5000", "currency": "RUB"} | {"place": 2, "text": "iPhone"}], by place
    prizes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    opt_in: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(96))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    awarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    awarded_by: Mapped[str | None] = mapped_column(String(96))
    results_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ContestEntry(Base):
    """A partner who pressed "I'm in" on an opt-in contest (one row per partner and contest)."""

    __tablename__ = "contest_entries"

    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), primary_key=True,
                                            autoincrement=False)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True,
                                            autoincrement=False, index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ContestResult(Base):
    """The standings as they stood at settle time (end + CONTEST_SETTLE_HOURS): what managers confirm and prizes
    are paid from, whatever postbacks arrive later."""

    __tablename__ = "contest_results"

    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), primary_key=True,
                                            autoincrement=False)
    place: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    value: Mapped[Decimal] = mapped_column(Figure)
    reached_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ContestPodium(Base):
    """A partner's last known podium place in a running contest and when they were last told about a change:
    notices go out at most once an hour per contest and partner."""

    __tablename__ = "contest_podium"

    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), primary_key=True,
                                            autoincrement=False)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True,
                                            autoincrement=False)
    place: Mapped[int | None] = mapped_column(Integer)  # 1–3, or None once they dropped off
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# Standings read the approved conversions of a contest's period across all partners: this index keeps that to the
# period's rows, however long the history (ix_conversions_stats leads with the partner, ix_conversions_status
# would read every approved conversion ever).
Index("ix_conversions_contest", Conversion.status, Conversion.created_at, Conversion.partner_id)
