"""Foundation tables: partners, their messenger accounts, applications, staff roles, form progress, outbox."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.db.base import Base, BigId, UTCDateTime
from services.messaging.status import OutboxStatus
from services.partners.status import ApplicationStatus, PartnerStatus


class Partner(Base):
    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # new (form not yet sent) → applied → approved | rejected; blocked by staff at any time.
    status: Mapped[str] = mapped_column(String(16), default=PartnerStatus.NEW, index=True)
    locale: Mapped[str] = mapped_column(String(8), default="ru")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Moscow")
    # Quiet hours, minutes of the day in `timezone` (services/partners/quiet.py); both None = no window.
    quiet_start: Mapped[int | None] = mapped_column(SmallInteger)
    quiet_end: Mapped[int | None] = mapped_column(SmallInteger)
    # Named in announcements to other partners (partner of the month); an opt-out, on by default.
    announce: Mapped[bool] = mapped_column(default=True, server_default=true())
    tier: Mapped[str] = mapped_column(String(16), default="certified")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id", ondelete="SET NULL"), index=True)
    ref_code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str | None] = mapped_column(String(128))
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Leaderboards show `name` only when the partner chose so (Settings); otherwise "Partner #id" (privacy).
    public_name: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    accounts: Mapped[list["MessengerAccount"]] = relationship(back_populates="partner", lazy="raise")


class MessengerAccount(Base):
    __tablename__ = "messenger_accounts"
    __table_args__ = (UniqueConstraint("messenger", "external_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    messenger: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str] = mapped_column(String(64))
    username: Mapped[str | None] = mapped_column(String(64))
    first_name: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The person blocked the bot (Telegram 403, VK 901…): broadcasts skip the account until they write again.
    unreachable_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    partner: Mapped[Partner] = relationship(back_populates="accounts", lazy="raise")


class AccountLinkCode(Base):
    """A one-time code that attaches another messenger account to an existing partner."""

    __tablename__ = "account_link_codes"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    used_by: Mapped[str | None] = mapped_column(String(96))


class Application(Base):
    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    # pending → approved | rejected, decided exactly once (conditional UPDATE … WHERE decision = 'pending').
    decision: Mapped[str] = mapped_column(String(16), default=ApplicationStatus.PENDING, index=True)
    reason_code: Mapped[str | None] = mapped_column(String(32))  # a preset (locales: reject-reason-<code>)
    reason: Mapped[str | None] = mapped_column(Text)  # free text typed by the manager
    decided_by: Mapped[str | None] = mapped_column(String(96))  # "telegram:123" — who pressed the button
    decided_by_name: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class StaffRole(Base):
    __tablename__ = "staff_roles"
    __table_args__ = (UniqueConstraint("messenger", "external_id", "role"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    messenger: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))  # staff.roles.Role
    # env: seeded from ADMIN_IDS… and revoked at start when the id leaves them; bot: granted by an admin in the
    # bot, which env never touches.
    source: Mapped[str] = mapped_column(String(8), default="env", server_default="env")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StaffAudit(Base):
    """Every grant and revocation of a staff role: who, when, what, to whom, and where it came from."""

    __tablename__ = "staff_audit"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(96))  # "telegram:123" of the admin, or "env" at start
    action: Mapped[str] = mapped_column(String(8))  # granted | revoked
    role: Mapped[str] = mapped_column(String(16))
    messenger: Mapped[str] = mapped_column(String(16))  # the target's account
    external_id: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(8))  # env | bot


class FormState(Base):
    """A half-filled form of one person (partner or staff), so a restart resumes at the same step."""

    __tablename__ = "form_states"

    messenger: Mapped[str] = mapped_column(String(16), primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    form: Mapped[str] = mapped_column(String(32))
    step: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OutboxMessage(Base):
    """A message to someone other than the current chat, written in the transaction of the fact it announces."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_delivered", "chat_id", "delivered_ref"),
        Index("ix_outbox_delivered_thread", "chat_id", "delivered_thread"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    messenger: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(32))  # notification type, for muting and metrics
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id", ondelete="SET NULL"), index=True)
    screen: Mapped[dict[str, Any]] = mapped_column(JSON)
    dedupe_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    thread_id: Mapped[str | None] = mapped_column(String(32))  # forum topic in a staff group
    subject: Mapped[str | None] = mapped_column(String(64), index=True)  # what it is about: "ticket:12"
    # The platform's id of the delivered message: staff replies to it, so it leads back to the subject.
    delivered_ref: Mapped[str | None] = mapped_column(String(64))
    delivered_thread: Mapped[str | None] = mapped_column(String(32))
    delivered_also: Mapped[str | None] = mapped_column(String(512))  # ",1002,1003,": attachments' message ids
