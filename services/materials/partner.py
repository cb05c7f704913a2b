"""Partners' material use cases over plain data: a material made ready to forward (their link, their promo code),
the personal QR banner, and links per placement."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.db.materials_models import Material, MaterialRender
from services.db.models import Partner
from services.db.tracking_models import Offer, TrackingLink
from services.db.uow import UnitOfWork
from services.kernel.deps import Deps
from services.kernel.dto import Attachment
from services.links.use_cases import MAX_NAMED_LINKS, find_link, link_for, live_link_count, tracking_url
from services.materials import files, images, queries
from services.materials.manage import fill
from services.promo import use_cases as promo


@dataclass(frozen=True)
class Ready:
    material: Material  # without its image bytes
    offer: Offer
    link: TrackingLink
    url: str
    promo: str | None  # the partner's code for the offer, if they have one (a text with {promo} issues it)
    text: str | None = None  # a promo text, filled in
    banner: Attachment | None = None


def image_ext(data: bytes) -> str:
    return "png" if data.startswith(b"\x89PNG") else "jpg"


async def _published(uow: UnitOfWork, material_id: int) -> tuple[Material, Offer] | None:
    material = await queries.material(uow, material_id)
    if material is None or material.status != "published":
        return None
    offer = await uow.session.get(Offer, material.offer_id)
    return (material, offer) if offer is not None and offer.status == "active" else None


def _landing(material: Material) -> str | None:
    return material.body if material.kind == "landing" else None


async def _link(uow: UnitOfWork, deps: Deps, partner: Partner, material: Material, link_id: int) -> TrackingLink | None:
    """link_id 0: the default link (a landing page's own link); else one of the partner's links for this offer."""
    if link_id == 0:
        return await link_for(uow, deps, partner.id, material.offer_id, landing_url=_landing(material),
                              name=material.title if material.kind == "landing" else None)
    link = await uow.session.get(TrackingLink, link_id)
    if link is None or link.partner_id != partner.id or link.offer_id != material.offer_id or \
            link.archived_at is not None or link.landing_url != _landing(material):
        return None
    return link


async def ready(uow: UnitOfWork, deps: Deps, partner: Partner, material_id: int, link_id: int,
                messenger: str) -> Ready | None:
    """The material with the partner's link (and promo code) filled in; None for a stale button."""
    found = await _published(uow, material_id)
    if found is None:
        return None
    material, offer = found
    link = await _link(uow, deps, partner, material, link_id)
    if link is None:
        return None
    url = tracking_url(deps, link.code)
    code = await promo.active_code(uow, partner.id, offer.id)
    if material.kind == "text" and "{promo}" in (material.body or "") and code is None:
        code_text: str | None = (await promo.issue(uow, deps, partner, offer.id, "request")).code
    else:
        code_text = code.code if code else None
    if material.kind == "text":
        return Ready(material, offer, link, url, code_text, text=fill(material.body or "", url, code_text))
    if material.kind == "banner":
        key = files.banner_key(material.id)
        ref = await files.lookup(uow, key, messenger)
        if ref is not None:
            banner = Attachment("photo", messenger, ref)
        else:
            data = await queries.image_of(uow, material.id) or b""
            banner = Attachment.generated("photo", f"banner-{material.id}.{image_ext(data)}", data, key=key)
        return Ready(material, offer, link, url, code_text, banner=banner)
    return Ready(material, offer, link, url, code_text)


@dataclass(frozen=True)
class QrBanner:
    material_id: int
    link_id: int
    title: str
    url: str
    attachment: Attachment


async def qr_banner(deps: Deps, partner: Partner, material_id: int, link_id: int, messenger: str) -> QrBanner | None:
    """The banner with a QR code of the partner's link: rendered once per material and link (off the event loop),
    uploaded once per messenger."""
    async with deps.uow() as uow:
        found = await _published(uow, material_id)
        if found is None or found[0].kind != "banner":
            return None
        material = found[0]
        link = await _link(uow, deps, partner, material, link_id)
        if link is None:
            return None
        await uow.commit()  # a default link made just now
        url = tracking_url(deps, link.code)
        key = files.qr_key(material.id, link.id)
        ref = await files.lookup(uow, key, messenger)
        if ref is not None:
            return QrBanner(material.id, link.id, material.title, url, Attachment("photo", messenger, ref))
        rendered = await uow.session.scalar(select(MaterialRender.image).where(
            MaterialRender.material_id == material.id, MaterialRender.link_id == link.id))
        source = None if rendered is not None else await queries.image_of(uow, material.id)
    if rendered is None:
        rendered, _ = await asyncio.to_thread(images.qr_banner, source or b"", url)
        async with deps.uow() as uow:
            try:
                async with uow.session.begin_nested():
                    uow.session.add(MaterialRender(material_id=material.id, link_id=link.id, image=rendered,
                                                   created_at=deps.clock.now()))
                await uow.commit()
            except IntegrityError:  # rendered meanwhile by another tap: the same picture
                pass
    attachment = Attachment.generated("photo", f"qr-{material.id}.{image_ext(rendered)}", rendered, key=key)
    return QrBanner(material.id, link.id, material.title, url, attachment)


@dataclass(frozen=True)
class Placement:
    outcome: Literal["ok", "limit", "stale"]
    link_id: int = 0


async def placement_link(uow: UnitOfWork, deps: Deps, partner: Partner, material_id: int,
                         placement: str) -> Placement:
    """The partner's link with sub1 = placement for this material's offer (and landing page), reused if it exists."""
    found = await _published(uow, material_id)
    if found is None:
        return Placement("stale")
    material = found[0]
    landing = _landing(material)
    existing = await find_link(uow, partner.id, material.offer_id, placement=placement, landing_url=landing)
    if existing is not None:
        return Placement("ok", existing.id)
    if await live_link_count(uow, partner.id) >= MAX_NAMED_LINKS:
        return Placement("limit")
    link = await link_for(uow, deps, partner.id, material.offer_id, placement=placement, landing_url=landing)
    return Placement("ok", link.id)
