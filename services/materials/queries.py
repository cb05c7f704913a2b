"""Read side of materials: offers that have materials, one page of an offer's materials, one material."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import defer

from services.db.materials_models import Material
from services.db.tracking_models import Offer
from services.db.uow import UnitOfWork

# Items per page: with paging and up to three more buttons they fit VK's inline keyboard (10 buttons, 6 rows).
PAGE = 4
OFFERS_PAGE = 4
KINDS = ("banner", "text", "landing")
PUBLISHED = ("published",)
MANAGED = ("draft", "published")  # managers see archived ones only by id (the card stays reachable)


@dataclass(frozen=True)
class OfferRow:
    id: int
    name: str
    count: int


@dataclass(frozen=True)
class OfferPage:
    rows: list[OfferRow]
    page: int
    pages: int


@dataclass(frozen=True)
class MaterialRow:
    id: int
    kind: str
    title: str
    status: str


@dataclass(frozen=True)
class MaterialPage:
    offer_id: int
    offer_name: str
    rows: list[MaterialRow]
    page: int
    pages: int
    total: int


def _pages(total: int, size: int, page: int) -> tuple[int, int]:
    pages = max(1, -(-total // size))
    return min(max(page, 0), pages - 1), pages


async def offers_with_materials(uow: UnitOfWork, statuses: Sequence[str], page: int, *,
                                active_only: bool) -> OfferPage:
    """Offers with at least one material in `statuses` (partners: active offers only), with the count."""
    counted = (select(Offer.id, Offer.name, func.count(Material.id))
               .join(Material, (Material.offer_id == Offer.id) & Material.status.in_(list(statuses)),
                     isouter=not active_only)
               .group_by(Offer.id, Offer.name).order_by(Offer.id))
    if active_only:
        counted = counted.where(Offer.status == "active")
    rows = [OfferRow(i, n, c) for i, n, c in (await uow.session.execute(counted)).all()]
    page, pages = _pages(len(rows), OFFERS_PAGE, page)
    return OfferPage(rows[page * OFFERS_PAGE:(page + 1) * OFFERS_PAGE], page, pages)


async def materials_page(uow: UnitOfWork, offer: Offer, statuses: Sequence[str], page: int) -> MaterialPage:
    where = (Material.offer_id == offer.id, Material.status.in_(list(statuses)))
    total = await uow.session.scalar(select(func.count()).select_from(Material).where(*where)) or 0
    page, pages = _pages(total, PAGE, page)
    found = (await uow.session.execute(
        select(Material.id, Material.kind, Material.title, Material.status).where(*where)
        .order_by(Material.status, Material.id.desc()).offset(page * PAGE).limit(PAGE))).all()
    return MaterialPage(offer.id, offer.name, [MaterialRow(*row) for row in found], page, pages, total)


async def material(uow: UnitOfWork, material_id: int, *, with_image: bool = False) -> Material | None:
    """One material; its image bytes only when asked (they are the heavy part of the row)."""
    options = () if with_image else (defer(Material.image, raiseload=True),)
    return await uow.session.scalar(select(Material).where(Material.id == material_id).options(*options))


async def image_of(uow: UnitOfWork, material_id: int) -> bytes | None:
    return await uow.session.scalar(select(Material.image).where(Material.id == material_id))
