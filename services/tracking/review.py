"""Manager review of flagged conversions: money of a flagged conversion stays on hold until a manager clears it
(release_due then moves it as usual) or rejects it (the conversion becomes rejected, its money is reversed).

Bot screens (/admin → Review) sit on top of list_pending_review / count_pending_review / review.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

from sqlalchemy import func, select, update

from services.db.models import Partner
from services.db.tracking_models import Click, Conversion, Offer
from services.db.uow import UnitOfWork
from services.kernel.deps import Deps
from services.kernel.dto import Incoming
from services.messaging.notify import MANAGER_ROLES
from services.staff.roles import own_partner_id, require_role
from services.tracking import commissions
from services.ledger import entries as ledger
from services.tracking.commissions import APPROVED, PENDING, REJECTED

log = logging.getLogger(__name__)

Decision = Literal["clear", "reject"]
# Only conversions whose money is still at stake wait for a manager; a flagged one the advertiser has rejected
# or refunded meanwhile has nothing left to decide.
_OPEN = (Conversion.review == "pending", Conversion.status.in_((PENDING, APPROVED)))


@dataclass(frozen=True)
class ReviewItem:
    conversion_id: int
    partner_id: int
    partner_name: str | None
    offer_name: str
    status: str
    commission: Decimal
    currency: str
    flags: tuple[str, ...]
    sub1: str | None
    click_id: str | None
    created_at: datetime


@dataclass(frozen=True)
class ReviewResult:
    outcome: Literal["cleared", "rejected", "already_decided", "not_found", "own"]
    conversion_id: int
    review: str | None = None  # the conversion's review state after the call
    status: str | None = None  # and its status


async def count_pending_review(uow: UnitOfWork) -> int:
    return int(await uow.session.scalar(select(func.count()).select_from(Conversion).where(*_OPEN)) or 0)


async def list_pending_review(uow: UnitOfWork, limit: int = 20, offset: int = 0) -> list[ReviewItem]:
    """Oldest first: they have waited longest and their hold ends first."""
    rows = (await uow.session.execute(
        select(Conversion, Partner.name, Offer.name, Click.click_id)
        .join(Partner, Partner.id == Conversion.partner_id)
        .join(Offer, Offer.id == Conversion.offer_id)
        .outerjoin(Click, Click.id == Conversion.click_pk)
        .where(*_OPEN)
        .order_by(Conversion.created_at, Conversion.id)
        .limit(limit).offset(offset))).all()
    return [
        ReviewItem(c.id, c.partner_id, partner_name, offer_name, c.status, c.commission, c.currency,
                   tuple(filter(None, (c.flags or "").split(","))), c.sub1, click_id, c.created_at)
        for c, partner_name, offer_name, click_id in rows
    ]


async def _is_own(uow: UnitOfWork, staff: Incoming, conversion: Conversion) -> bool:
    """The staff member's partner earns from it: as the converting partner, or as its inviter (L2 commission)."""
    mine = await own_partner_id(uow, staff)
    if mine is None:
        return False
    if conversion.partner_id == mine:
        return True
    partner = await uow.partners.get(conversion.partner_id)
    return partner is not None and partner.parent_id == mine


async def review(deps: Deps, staff: Incoming, conversion_id: int, decision: Decision) -> ReviewResult:
    """A manager's (or admin's) decision on a flagged conversion; raises services.staff.roles.AccessDenied for anyone
    else. Decided once: a second decision (two managers at once) gets "already_decided" and changes nothing; a
    conversion the staff member earns from is "own" and left to someone else."""
    if decision not in ("clear", "reject"):
        raise ValueError(f"unknown review decision {decision!r}")
    verdict = "cleared" if decision == "clear" else "rejected"
    async with deps.uow() as uow:
        await require_role(uow, staff, MANAGER_ROLES)
        conversion = await uow.session.get(Conversion, conversion_id)
        if conversion is None:
            return ReviewResult("not_found", conversion_id)
        if await _is_own(uow, staff, conversion):
            return ReviewResult("own", conversion_id, conversion.review, conversion.status)
        now = deps.clock.now()
        decided = await uow.session.execute(
            update(Conversion).where(Conversion.id == conversion_id, Conversion.review == "pending")
            .values(review=verdict, updated_at=now, reviewed_by=f"{staff.messenger}:{staff.user_id}",
                    reviewed_at=now).execution_options(synchronize_session=False))
        # From here the row is ours until commit (PostgreSQL row lock; SQLite holds the write lock), so the
        # status read below cannot change under us: a concurrent postback waits, then sees the decision.
        await uow.session.refresh(conversion)
        if decided.rowcount != 1:  # type: ignore[attr-defined]
            return ReviewResult("already_decided", conversion_id, conversion.review, conversion.status)
        rows = 0
        old = conversion.status
        if verdict == "cleared":
            # Its hold may have ended while it waited for us: release now rather than at the next sweep.
            await ledger.release_conversion(uow, conversion_id, now)
        elif old in (PENDING, APPROVED):
            await uow.session.execute(
                update(Conversion).where(Conversion.id == conversion_id, Conversion.status == old)
                .values(status=REJECTED).execution_options(synchronize_session=False))
            await uow.session.refresh(conversion)
            rows = await commissions.apply_status_change(uow, deps, conversion, old, REJECTED,
                                                         reason_kind="review")
        await uow.commit()
    log.info("conversion %s review %s by %s:%s", conversion_id, verdict, staff.messenger, staff.user_id)
    if rows:
        deps.wake_outbox()
    return ReviewResult(verdict, conversion_id, conversion.review, conversion.status)
