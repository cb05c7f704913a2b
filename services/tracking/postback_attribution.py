"""Postback attribution: which partner, offer and click a conversion belongs to, its idempotency key and flags."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from services.db.models import Partner
from services.db.tracking_models import Click, Offer, TrackingLink
from services.db.uow import UnitOfWork
from services.kernel.deps import ProgramConfig
from services.tracking.postback_parse import PostbackError, PostbackRequest, bad

# Flags on a conversion; any of them holds its money for a manager's review.
FLAG_FAST, FLAG_CLICK, FLAG_SELF_REFERRAL = "fast", "click_flagged", "self_referral"


@dataclass(frozen=True)
class Attribution:
    partner: Partner
    offer: Offer
    click: Click | None
    link_id: int | None
    sub1: str | None
    promo_owner: Partner | None  # whose promo code came with the postback, if it resolved


async def _promo_owner(uow: UnitOfWork, code: str) -> tuple[Partner, TrackingLink | None] | None:
    """A promo code is, for now, a tracking link code or a partner's ref code, of an approved partner.
    (Issue "promo codes" gives them their own table with per-offer codes.)"""
    link = await uow.session.scalar(select(TrackingLink).where(TrackingLink.code == code))
    partner = await uow.partners.get(link.partner_id) if link else await uow.partners.by_ref_code(code)
    if partner is None or partner.status != "approved":
        return None
    return partner, link


async def _offer_for_promo(uow: UnitOfWork, req: PostbackRequest, link: TrackingLink | None) -> Offer:
    if link is not None:
        if req.offer_id is not None and req.offer_id != link.offer_id:
            raise bad("offer_mismatch", "the promo code belongs to another offer")
        offer = await uow.session.get(Offer, link.offer_id)
    elif req.offer_id is not None:
        offer = await uow.session.get(Offer, req.offer_id)
        if offer is None:
            raise PostbackError(404, "unknown_offer", "no offer with this id")
    else:
        # A partner's ref code names no offer; with a single active offer there is nothing to guess.
        active = (await uow.session.scalars(select(Offer).where(Offer.status == "active").limit(2))).all()
        if len(active) != 1:
            raise bad("offer_required", "this promo code needs offer=<offer id>")
        offer = active[0]
    assert offer is not None
    return offer


async def attribute(uow: UnitOfWork, req: PostbackRequest) -> Attribution:
    promo = await _promo_owner(uow, req.promo) if req.promo else None
    if req.click_id is not None:  # the click wins over a promo code
        click = await uow.session.scalar(select(Click).where(Click.click_id == req.click_id))
        if click is None:
            raise PostbackError(404, "unknown_click", "no click with this click_id")
        if req.offer_id is not None and req.offer_id != click.offer_id:
            raise bad("offer_mismatch", "the click belongs to another offer")
        partner = await uow.partners.get(click.partner_id)
        offer = await uow.session.get(Offer, click.offer_id)
        assert partner is not None and offer is not None
        return Attribution(partner, offer, click, click.link_id, click.sub1, promo[0] if promo else None)
    if promo is None:
        raise PostbackError(404, "unknown_promo", "no approved partner has this promo code")
    owner, link = promo
    offer = await _offer_for_promo(uow, req, link)
    return Attribution(owner, offer, None, link.id if link else None, link.sub1 if link else None, owner)


def idempotency_key(req: PostbackRequest, who: Attribution) -> str:
    if req.txid is not None:
        return f"tx:{who.offer.id}:{req.goal}:{req.txid}"
    if who.click is not None:
        return f"click:{who.click.id}:{req.goal}"
    # Many buyers use one promo code: without a transaction id a repeat cannot be told from a new sale.
    raise bad("txid_required", "a postback by promo code needs txid")


def fraud_flags(config: ProgramConfig, who: Attribution, now: datetime) -> list[str]:
    flags = []
    if who.click is not None:
        if (now - who.click.created_at).total_seconds() < config.fraud_min_seconds:
            flags.append(FLAG_FAST)
        if who.click.flags:
            flags.append(FLAG_CLICK)
    # Self-referral, defined sharply: the buyer came through partner P's click but used the promo code of P's
    # direct inviter or direct sub-partner — one buyer touched by both ends of a referral edge, which is what
    # farming second-level commission through one's own sub-account looks like. (An IP-based check is not
    # possible: we never see partners' own IPs, only visitors'.)
    owner, partner = who.promo_owner, who.partner
    if who.click is not None and owner is not None and owner.id != partner.id and (
            owner.parent_id == partner.id or partner.parent_id == owner.id):
        flags.append(FLAG_SELF_REFERRAL)
    return flags


def not_payable_reason(who: Attribution, now: datetime) -> str | None:
    if who.click is not None and now > who.click.created_at + timedelta(days=who.offer.attribution_days):
        return "attribution_window"
    if who.partner.status != "approved":  # blocked since the click: unpaid commission is cancelled
        return f"partner_{who.partner.status}"[:64]
    return None
