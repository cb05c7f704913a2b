"""Materials partners promote with (banners, promo texts, landing pages), their rendered and uploaded files, and
partners' personal promo codes."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, BigId, UTCDateTime


class Material(Base):
    """One creative of an offer. draft → published → archived (published once: partners are told once)."""

    __tablename__ = "materials"
    __table_args__ = (Index("ix_materials_offer_status", "offer_id", "status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # banner | text | landing
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | published | archived
    title: Mapped[str] = mapped_column(String(128))
    body: Mapped[str | None] = mapped_column(Text)  # text: with {link} / {promo}; landing: its URL
    # Banners keep their bytes: the QR banner is composed from them, and every messenger gets them uploaded once.
    image: Mapped[bytes | None] = mapped_column(LargeBinary)
    image_format: Mapped[str | None] = mapped_column(String(8))  # JPEG | PNG | WEBP
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(96))  # "telegram:900"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class MaterialRender(Base):
    """A personal QR banner: the banner with the QR code of one tracking link, rendered once."""

    __tablename__ = "material_renders"

    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id", ondelete="CASCADE"), primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("tracking_links.id", ondelete="CASCADE"), primary_key=True)
    image: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MaterialFile(Base):
    """What a messenger calls a file once it has it (Telegram file_id, VK "photo-1_2_key"), so it is never
    uploaded again. key: "banner:<material>" or "qr:<material>:<link>"."""

    __tablename__ = "material_files"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    messenger: Mapped[str] = mapped_column(String(16), primary_key=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id", ondelete="CASCADE"), index=True)
    ref: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PromoCode(Base):
    """A partner's personal code for one offer. Codes are upper-case; a revoked row keeps its code reserved
    (active_code is NULL then), so giving it to someone else takes a manager's explicit say."""

    __tablename__ = "promo_codes"
    __table_args__ = (Index("ix_promo_codes_code", "code"), Index("ix_promo_codes_partner_offer", "partner_id",
                                                                   "offer_id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(32))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | revoked
    # Unique while active (NULL when revoked): one owner per code, one active code per partner and offer —
    # enforced by the database, so two taps or two processes cannot issue twice.
    active_code: Mapped[str | None] = mapped_column(String(32), unique=True)
    active_slot: Mapped[str | None] = mapped_column(String(48), unique=True)  # "<partner>:<offer>"
    source: Mapped[str] = mapped_column(String(16))  # approval | request | manager
    created_by: Mapped[str | None] = mapped_column(String(96))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(96))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
