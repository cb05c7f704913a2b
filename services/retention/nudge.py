"""Inactivity nudge: an approved partner with no clicks for INACTIVITY_DAYS gets a friendly reminder with the
latest published material of their offer — at most once per INACTIVITY_DAYS.

"No clicks" counts from the later of their approval and their last click, so a partner approved yesterday is
not nudged. The nudge is recorded (inactivity_nudges, one row per partner) in the transaction that writes its
outbox rows: a re-run finds the record and sends nothing; the next nudge needs another full quiet period.
Muted ("nudge") partners are recorded too, without a message. Quiet hours hold the row until morning.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError

from services.db.materials_models import Material
from services.db.models import Partner
from services.db.retention_models import InactivityNudge
from services.db.tracking_models import Click, Offer, TrackingLink
from services.db.uow import UnitOfWork
from services.kernel.deps import Deps
from services.kernel.dto import Button, Screen
from services.messaging import notify
from services.partners.status import PartnerStatus

log = logging.getLogger(__name__)

KIND = "nudge"


async def idle_partners(uow: UnitOfWork, deps: Deps) -> list[int]:
    """Approved partners with no click, approval or nudge within the last INACTIVITY_DAYS."""
    since = deps.clock.now() - timedelta(days=deps.config.inactivity_days)
    clicked = exists().where(Click.partner_id == Partner.id, Click.created_at >= since)  # (partner_id, created_at)
    nudged = exists().where(InactivityNudge.partner_id == Partner.id, InactivityNudge.sent_at > since)
    rows = await uow.session.scalars(select(Partner.id).where(
        Partner.status == PartnerStatus.APPROVED, func.coalesce(Partner.approved_at, Partner.created_at) <= since,
        ~clicked, ~nudged).order_by(Partner.id))
    return list(rows.all())


async def fresh_material(uow: UnitOfWork, partner_id: int) -> tuple[Offer | None, Material | None]:
    """The offer the partner promoted last (their newest live link; else any active offer) and its newest
    published material."""
    offer = await uow.session.scalar(
        select(Offer).join(TrackingLink, TrackingLink.offer_id == Offer.id)
        .where(TrackingLink.partner_id == partner_id, TrackingLink.archived_at.is_(None), Offer.status == "active")
        .order_by(TrackingLink.id.desc()).limit(1))
    if offer is None:
        offer = await uow.session.scalar(select(Offer).where(Offer.status == "active").order_by(Offer.id).limit(1))
    if offer is None:
        return None, None
    material = await uow.session.scalar(
        select(Material).where(Material.offer_id == offer.id, Material.status == "published")
        .order_by(func.coalesce(Material.published_at, Material.created_at).desc(), Material.id.desc()).limit(1))
    return offer, material


def nudge_screen(days: int, offer: Offer | None, material: Material | None) -> Screen:
    args = {"days": days, "offer": offer.name if offer else "", "material": material.title if material else "",
            "has_material": "yes" if material else "no"}
    if material is not None:
        button = Button("nudge-btn-material", f"mat:m:{material.id}:0")  # the material's card (services.materials)
    else:
        button = Button("nudge-btn-links", "menu:links")
    return Screen("nudge", args, buttons=((button,),))


async def _nudge(deps: Deps, partner_id: int) -> bool:
    async with deps.uow() as uow:
        now = deps.clock.now()
        since = now - timedelta(days=deps.config.inactivity_days)
        record = await uow.session.get(InactivityNudge, partner_id, with_for_update=True)
        if record is not None and record.sent_at > since:
            return False  # another run got here first
        partner = await uow.partners.get(partner_id)
        if partner is None or partner.status != PartnerStatus.APPROVED:
            return False
        if record is None:
            uow.session.add(InactivityNudge(partner_id=partner_id, sent_at=now))
        else:
            record.sent_at = now
        if not await notify.is_muted(uow, partner_id, KIND):
            offer, material = await fresh_material(uow, partner_id)
            await notify.to_partner(uow, deps, partner, nudge_screen(deps.config.inactivity_days, offer, material),
                                    kind=KIND, dedupe_key=f"nudge:{partner_id}:{now:%Y%m%d}")
        await uow.commit()
    return True


async def run_nudges(deps: Deps) -> list[int]:
    """The daily job; returns the partners nudged (muted ones included: they are recorded)."""
    async with deps.uow(readonly=True) as uow:
        candidates = await idle_partners(uow, deps)
    done = []
    for partner_id in candidates:
        try:
            if await _nudge(deps, partner_id):
                done.append(partner_id)
        except IntegrityError:  # a second process recorded this partner's nudge first
            continue
    if done:
        log.info("inactivity nudges: %d partner(s)", len(done))
        deps.wake_outbox()
    return done


