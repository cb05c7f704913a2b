"""Managers' material use cases over plain data: create (banner, promo text, landing page), publish, archive.
Role checks happen in the chat service before these run."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select, update

from services.db.materials_models import Material
from services.db.models import Partner
from services.db.tracking_models import Offer
from services.db.uow import UnitOfWork
from services.kernel import validation
from services.kernel.deps import Deps
from services.kernel.dto import Button, Screen
from services.materials import files
from services.materials.images import ImageInfo
from services.messaging import notify

TEXT_MIN, TEXT_MAX = 10, 3000  # the filled text must still fit a message (4096) with a long link in it
PLACEHOLDERS = ("link", "promo")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
NOTICE_KIND = "materials"  # muteable in Settings → Notifications


def title(value: str) -> str:
    return validation.text_length(value, max_len=128, min_len=2)


def promo_text(value: str) -> str:
    """A promo text: line breaks kept, {link} required, {promo} optional, no other braces."""
    text = "\n".join(line.rstrip() for line in value.strip().splitlines())
    if len(text) < TEXT_MIN:
        raise validation.Invalid("err-too-short", {"min": TEXT_MIN})
    if len(text) > TEXT_MAX:
        raise validation.Invalid("err-too-long", {"max": TEXT_MAX, "length": len(text)})
    names = _PLACEHOLDER.findall(text)
    unknown = [n for n in names if n not in PLACEHOLDERS]
    if unknown or "{" in _PLACEHOLDER.sub("", text) or "}" in _PLACEHOLDER.sub("", text):
        raise validation.Invalid("mat-err-placeholder", {"name": (unknown or ["{"])[0]})
    if "link" not in names:
        raise validation.Invalid("mat-err-no-link")
    return text


def fill(text: str, link: str, promo: str | None) -> str:
    return text.replace("{link}", link).replace("{promo}", promo or "")


async def create(uow: UnitOfWork, deps: Deps, offer_id: int, kind: str, name: str, by: str, *,
                 body: str | None = None, image: bytes | None = None, info: ImageInfo | None = None,
                 upload: tuple[str, str] | None = None) -> Material | None:
    """A draft. `upload` = (messenger, file id) of the banner as the manager sent it: reused for partners there."""
    if await uow.session.get(Offer, offer_id) is None:
        return None
    material = Material(offer_id=offer_id, kind=kind, status="draft", title=name, body=body, image=image,
                        image_format=info.format if info else None, width=info.width if info else None,
                        height=info.height if info else None, size_bytes=info.size if info else None,
                        created_by=by, created_at=deps.clock.now())
    uow.session.add(material)
    await uow.session.flush()
    if upload is not None:
        await files.store(uow, deps, files.banner_key(material.id), upload[0], upload[1])
    return material


@dataclass(frozen=True)
class Published:
    outcome: Literal["published", "not_draft", "not_found"]
    notified: int = 0  # partners told (those who muted new materials are not)


async def publish(uow: UnitOfWork, deps: Deps, material_id: int) -> Published:
    """draft → published, once (a conditional update: two managers pressing at once notify once)."""
    now = deps.clock.now()
    moved = await uow.session.execute(update(Material).where(Material.id == material_id, Material.status == "draft")
                                      .values(status="published", published_at=now))
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        exists = await uow.session.scalar(select(Material.id).where(Material.id == material_id))
        return Published("not_found" if exists is None else "not_draft")
    row = (await uow.session.execute(select(Material.kind, Material.title, Offer.name, Offer.status)
                                     .join(Offer, Offer.id == Material.offer_id)
                                     .where(Material.id == material_id))).one()
    kind, name, offer_name, offer_status = row
    if offer_status != "active":  # a paused offer's partners hear about it when it matters
        return Published("published")
    notice = Screen("mat-new-notice", {"kind": kind, "title": name, "offer": offer_name},
                    buttons=((Button("mat-btn-open", f"mat:m:{material_id}:0"),),))
    notified = 0
    partners = (await uow.session.scalars(select(Partner).where(Partner.status == "approved")
                                          .order_by(Partner.id))).all()
    for partner in partners:
        if await notify.to_partner(uow, deps, partner, notice, kind=NOTICE_KIND,
                                   dedupe_key=f"material:{material_id}:{partner.id}"):
            notified += 1
    return Published("published", notified)


async def archive(uow: UnitOfWork, deps: Deps, material_id: int) -> Literal["archived", "already", "not_found"]:
    moved = await uow.session.execute(update(Material).where(Material.id == material_id,
                                                             Material.status.in_(("draft", "published")))
                                      .values(status="archived", archived_at=deps.clock.now()))
    if moved.rowcount == 1:  # type: ignore[attr-defined]
        return "archived"
    exists = await uow.session.scalar(select(Material.id).where(Material.id == material_id))
    return "not_found" if exists is None else "already"
