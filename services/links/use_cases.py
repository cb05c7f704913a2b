"""Partner links as data: a default tracking link per offer, named links with sub-ids, the recruit link.
No Screens here: the chat (service.py), the REST API and exports all start from these."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from services.db.models import Partner
from services.db.tracking_models import Click, Offer, TrackingLink
from services.db.uow import UnitOfWork
from services.kernel.codes import new_code
from services.kernel.deps import Deps

LINK_CODE_LENGTH = 8  # 62^8 ≈ 2·10^14 codes: short in a post, hopeless to enumerate
MAX_NAMED_LINKS = 50
ACTIVE_OFFER = "active"  # Offer.status (offers keep plain strings until their own enum lands)


def tracking_url(deps: Deps, code: str) -> str:
    return f"{deps.config.public_base_url.rstrip('/')}/r/{code}"


def recruit_links(deps: Deps, ref_code: str) -> dict[str, str]:
    links = {}
    if deps.config.telegram_bot_username:
        links["telegram"] = f"https://t.me/{deps.config.telegram_bot_username}?start={ref_code}"
    if deps.config.vk_group_id:
        links["vk"] = f"https://vk.me/club{deps.config.vk_group_id}?ref={ref_code}"
    return links


@dataclass(frozen=True)
class LinksOverview:
    defaults: list[tuple[Offer, TrackingLink]]  # one per active offer
    named: list[TrackingLink]  # live named links, oldest first (at most MAX_NAMED_LINKS)


@dataclass(frozen=True)
class LinkDetails:
    link: TrackingLink
    offer: Offer
    clicks: int


@dataclass(frozen=True)
class NewLinkOptions:
    offers: list[Offer]  # active offers
    at_limit: bool  # MAX_NAMED_LINKS live links already


@dataclass(frozen=True)
class RecruitInfo:
    links: dict[str, str]  # messenger → deep link carrying the partner's ref code
    code: str
    subpartners: int


async def active_offers(uow: UnitOfWork) -> list[Offer]:
    return list((await uow.session.scalars(select(Offer).where(Offer.status == ACTIVE_OFFER)
                                           .order_by(Offer.id))).all())


async def _new_link(uow: UnitOfWork, deps: Deps, **values: Any) -> TrackingLink:
    for _ in range(5):
        try:
            async with uow.session.begin_nested():
                link = TrackingLink(code=new_code(LINK_CODE_LENGTH), created_at=deps.clock.now(), **values)
                uow.session.add(link)
                await uow.session.flush()
            return link
        except IntegrityError:  # a code collision: retry with another
            continue
    raise RuntimeError("could not allocate a link code")


async def default_links(uow: UnitOfWork, deps: Deps, partner: Partner) -> list[tuple[Offer, TrackingLink]]:
    """The partner's default link for every active offer, created on first need (the caller commits)."""
    existing = {
        link.offer_id: link for link in (await uow.session.scalars(select(TrackingLink).where(
            TrackingLink.partner_id == partner.id, TrackingLink.is_default.is_(True),
            TrackingLink.archived_at.is_(None)))).all()
    }
    result = []
    for offer in await active_offers(uow):
        link = existing.get(offer.id) or await _new_link(
            uow, deps, partner_id=partner.id, offer_id=offer.id, is_default=True)
        result.append((offer, link))
    return result


async def overview(uow: UnitOfWork, deps: Deps, partner: Partner) -> LinksOverview:
    defaults = await default_links(uow, deps, partner)
    named = (await uow.session.scalars(select(TrackingLink).where(
        TrackingLink.partner_id == partner.id, TrackingLink.is_default.is_(False),
        TrackingLink.archived_at.is_(None)).order_by(TrackingLink.id).limit(MAX_NAMED_LINKS))).all()
    return LinksOverview(defaults, list(named))


async def new_link_options(uow: UnitOfWork, partner: Partner) -> NewLinkOptions:
    count = await uow.session.scalar(select(func.count()).select_from(TrackingLink).where(
        TrackingLink.partner_id == partner.id, TrackingLink.archived_at.is_(None)))
    return NewLinkOptions(await active_offers(uow), (count or 0) >= MAX_NAMED_LINKS)


async def create_link(uow: UnitOfWork, deps: Deps, partner: Partner, offer_id: int, name: str,
                      subs: list[str]) -> LinkDetails | None:
    """A named link with up to five sub-ids; None when the offer is gone or paused meanwhile."""
    offer = await uow.session.get(Offer, offer_id)
    if offer is None or offer.status != ACTIVE_OFFER:
        return None
    values = {f"sub{i + 1}": value for i, value in enumerate(subs[:5])}
    link = await _new_link(uow, deps, partner_id=partner.id, offer_id=offer.id, is_default=False, name=name,
                           **values)
    return LinkDetails(link, offer, 0)


async def owned_link(uow: UnitOfWork, partner: Partner, link_id: int) -> TrackingLink | None:
    """The partner's live link; None for someone else's link, forged data, or one archived meanwhile."""
    link = await uow.session.get(TrackingLink, link_id)
    if link is None or link.partner_id != partner.id or link.archived_at is not None:
        return None
    return link


async def details(uow: UnitOfWork, link: TrackingLink, *, count_clicks: bool = True) -> LinkDetails:
    offer = await uow.session.get(Offer, link.offer_id)
    assert offer is not None
    clicks = await uow.session.scalar(select(func.count()).select_from(Click).where(
        Click.link_id == link.id)) if count_clicks else 0
    return LinkDetails(link, offer, clicks or 0)


async def archive(uow: UnitOfWork, deps: Deps, link: TrackingLink) -> None:
    """Stops the link redirecting (the caller commits, then drops it from the click cache)."""
    await uow.session.execute(update(TrackingLink).where(
        TrackingLink.id == link.id, TrackingLink.archived_at.is_(None)).values(archived_at=deps.clock.now()))


async def recruit_info(uow: UnitOfWork, deps: Deps, partner: Partner) -> RecruitInfo:
    subpartners = await uow.session.scalar(select(func.count()).select_from(Partner).where(
        Partner.parent_id == partner.id))
    return RecruitInfo(recruit_links(deps, partner.ref_code), partner.ref_code, subpartners or 0)
