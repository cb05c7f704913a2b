"""Stats tables: hourly click rollups, the rollup watermark, and the state of link alerts."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, UTCDateTime
from services.db.tracking_models import Conversion


class ClickHour(Base):
    """Clicks of one closed UTC hour of a partner, counted along one dimension at a time: dim "all" (key ""),
    "link" / "offer" (key: the id) or "sub1".."sub5" (key: the value, "" when absent). One row per value seen,
    so each dimension stays as small as its own number of values — a sub-id unique per click makes its own
    dimension large, never the others nor the totals. Written by services.stats.rollups for hours before the
    watermark. Clustered by (partner, dim, hour) on SQLite (WITHOUT ROWID): a period is one range of pages."""

    __tablename__ = "stats_click_hours"
    # No index on hour alone: it would double the cost of every rollup write; readers that span partners
    # (the rollup's own delete, link alerts) go partner by partner through the primary key.
    __table_args__ = {"sqlite_with_rowid": False}

    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True,
                                            autoincrement=False)
    dim: Mapped[str] = mapped_column(String(8), primary_key=True)
    hour: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    clicks: Mapped[int] = mapped_column(Integer)
    unique_clicks: Mapped[int] = mapped_column(Integer)


class RollupState(Base):
    """How far a rollup has got: every hour before `rolled_until` is in its table, later clicks are read raw."""

    __tablename__ = "stats_rollup_state"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    rolled_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LinkAlert(Base):
    """One kind of alert on one link: `active` while the condition holds, so the partner is told once per
    episode; `checked_until` is the hour boundary it was last evaluated at."""

    __tablename__ = "stats_link_alerts"

    link_id: Mapped[int] = mapped_column(ForeignKey("tracking_links.id", ondelete="CASCADE"), primary_key=True,
                                         autoincrement=False)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # no_conversions | clicks_drop
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    since: Mapped[datetime] = mapped_column(UTCDateTime())  # when it last switched on or off
    checked_until: Mapped[datetime] = mapped_column(UTCDateTime())


# A partner's conversions of a period with everything stats sum, read from the index alone: one contiguous range
# however many other partners' conversions lie between theirs in the table (services/stats/queries.py).
Index("ix_conversions_stats", Conversion.partner_id, Conversion.created_at, Conversion.status, Conversion.currency,
      Conversion.commission, Conversion.link_id, Conversion.offer_id, Conversion.sub1)
