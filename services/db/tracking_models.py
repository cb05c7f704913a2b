"""Tracking tables: offers, tracking links, clicks, conversions, the money ledger, postback log, mutes."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, BigId, Money, UTCDateTime

Percent = Numeric(7, 4, asdecimal=True)


class Offer(Base):
    """A program partners promote. Payout: fixed CPA per conversion, or revshare % of the sale amount."""

    __tablename__ = "offers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128))
    target_url: Mapped[str] = mapped_column(String(2048))
    payout_model: Mapped[str] = mapped_column(String(16))  # cpa | revshare
    cpa_amount: Mapped[Decimal | None] = mapped_column(Money)
    # None → the partner's tier rate (Certified 30 / Gold 35 / Platinum 40 %).
    revshare_percent: Mapped[Decimal | None] = mapped_column(Percent)
    currency: Mapped[str] = mapped_column(String(3), default="RUB")
    hold_days: Mapped[int] = mapped_column(Integer, default=30)
    attribution_days: Mapped[int] = mapped_column(Integer, default=30)
    l2_percent: Mapped[Decimal] = mapped_column(Percent, default=Decimal("5"))
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)  # active | paused
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # A stable identity for offers the bot manages itself ("default": the OFFER_URL offer), so editing their
    # URL or name in the bot never makes the next start create another one.
    key: Mapped[str | None] = mapped_column(String(32), index=True, unique=True)


class TrackingLink(Base):
    __tablename__ = "tracking_links"
    __table_args__ = (Index("ix_tracking_links_partner_offer", "partner_id", "offer_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"))
    name: Mapped[str | None] = mapped_column(String(64))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    sub1: Mapped[str | None] = mapped_column(String(64))
    sub2: Mapped[str | None] = mapped_column(String(64))
    sub3: Mapped[str | None] = mapped_column(String(64))
    sub4: Mapped[str | None] = mapped_column(String(64))
    sub5: Mapped[str | None] = mapped_column(String(64))
    # A landing page of the offer (a published material): clicks go there instead of the offer's target URL.
    landing_url: Mapped[str | None] = mapped_column(String(2048))
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Click(Base):
    __tablename__ = "clicks"
    __table_args__ = (
        Index("ix_clicks_partner_created", "partner_id", "created_at"),
        # One index serves both click-time checks (flood: the IP's clicks in the last hour; unique: the same IP,
        # link and user agent in the last 24 h), covering, so neither reads the table. It is the only index with
        # a random leading key: each one costs a random leaf page per insert, which is what a click write costs.
        Index("ix_clicks_ip_visitor", "ip_hash", "created_at", "link_id", "ua_hash"),
        Index("ix_clicks_link_created", "link_id", "created_at"),  # per-link counts (a link card)
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    click_id: Mapped[str] = mapped_column(String(32), unique=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("tracking_links.id", ondelete="CASCADE"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ip_hash: Mapped[str] = mapped_column(String(64))  # keyed hash; the raw IP is never stored
    ua_hash: Mapped[str] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(512))
    referer: Mapped[str | None] = mapped_column(String(512))
    is_unique: Mapped[bool] = mapped_column(Boolean, default=True)
    sub1: Mapped[str | None] = mapped_column(String(64))
    sub2: Mapped[str | None] = mapped_column(String(64))
    sub3: Mapped[str | None] = mapped_column(String(64))
    sub4: Mapped[str | None] = mapped_column(String(64))
    sub5: Mapped[str | None] = mapped_column(String(64))
    flags: Mapped[str | None] = mapped_column(String(128))  # comma-separated fraud flags: bot_ua, flood


class ClickFlood(Base):
    """Clicks counted, not stored: a source past CLICK_FLOOD_CAP_FACTOR × CLICK_FLOOD_PER_HOUR in an hour."""

    __tablename__ = "click_floods"

    ip_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    hour: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)  # the hour's start
    clicks: Mapped[int] = mapped_column(BigInteger)


class Conversion(Base):
    __tablename__ = "conversions"
    __table_args__ = (Index("ix_conversions_partner_created", "partner_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # "tx:<offer>:<goal>:<txid>" or "click:<clicks.id>:<goal>": a repeated postback finds the same row.
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    click_pk: Mapped[int | None] = mapped_column(ForeignKey("clicks.id", ondelete="SET NULL"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"))
    link_id: Mapped[int | None] = mapped_column(ForeignKey("tracking_links.id", ondelete="SET NULL"))
    goal: Mapped[str] = mapped_column(String(64), default="default")
    txid: Mapped[str | None] = mapped_column(String(128))
    promo_code: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending | approved | rejected | refunded
    sale_amount: Mapped[Decimal | None] = mapped_column(Money)
    commission: Mapped[Decimal] = mapped_column(Money)  # the partner's, fixed when first recorded
    currency: Mapped[str] = mapped_column(String(3))
    payable: Mapped[bool] = mapped_column(Boolean, default=True)  # False: outside the attribution window
    not_payable_reason: Mapped[str | None] = mapped_column(String(64))
    flags: Mapped[str | None] = mapped_column(String(128))  # fraud flags; non-empty → held for review
    review: Mapped[str | None] = mapped_column(String(16))  # None | pending | cleared | rejected
    reviewed_by: Mapped[str | None] = mapped_column(String(96))  # "telegram:123" of the manager who decided
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(Text)  # advertiser's rejection reason
    sub1: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LedgerEntry(Base):
    """Append-only money movements. Balance = sum(amount) per partner, currency and bucket."""

    __tablename__ = "ledger_entries"
    __table_args__ = (Index("ix_ledger_partner_bucket", "partner_id", "currency", "bucket"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # One movement per fact: "conv:<id>:approved:commission", "conv:<id>:release:l2"…, so a retry cannot double it.
    entry_key: Mapped[str] = mapped_column(String(255), unique=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    conversion_id: Mapped[int | None] = mapped_column(ForeignKey("conversions.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # commission | l2_commission | refund | release | payout | bonus
    bucket: Mapped[str] = mapped_column(String(16))  # hold | available
    amount: Mapped[Decimal] = mapped_column(Money)  # signed
    currency: Mapped[str] = mapped_column(String(3))
    release_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)  # for hold entries
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PostbackLog(Base):
    """Every postback request as received, accepted or not."""

    __tablename__ = "postback_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    method: Mapped[str] = mapped_column(String(8))
    remote: Mapped[str | None] = mapped_column(String(64))
    query: Mapped[str] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)
    status_code: Mapped[int] = mapped_column(Integer)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    conversion_id: Mapped[int | None] = mapped_column(ForeignKey("conversions.id", ondelete="SET NULL"))


class NotificationMute(Base):
    """A partner muted one kind of notification (conversion, payout, news…)."""

    __tablename__ = "notification_mutes"
    __table_args__ = (UniqueConstraint("partner_id", "kind"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
