"""Conversion lifecycle: the status machine, commission arithmetic, and what each status change does to the
ledger and to the partner's notifications. Everything here runs inside the caller's transaction.

Money is Decimal end to end, rounded once to cents with ROUND_HALF_UP; floats never appear.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Literal

from services.messaging import notify
from services.db.models import Partner
from services.db.tracking_models import Conversion, Offer
from services.db.uow import UnitOfWork
from services.kernel.deps import Deps, TierRule
from services.kernel.dto import Button, Screen
from services.kernel.money import cents, format_money  # noqa: F401  (re-exported: callers use both)
from services.ledger import entries as ledger
from services.tracking import history

log = logging.getLogger(__name__)

PENDING, APPROVED, REJECTED, REFUNDED = "pending", "approved", "rejected", "refunded"
STATUSES = (PENDING, APPROVED, REJECTED, REFUNDED)

# The advertiser's postbacks may move a conversion only along these edges (None: it does not exist yet).
TRANSITIONS: dict[str | None, frozenset[str]] = {
    None: frozenset({PENDING, APPROVED, REJECTED}),
    PENDING: frozenset({APPROVED, REJECTED}),
    APPROVED: frozenset({REFUNDED}),
    REJECTED: frozenset(),
    REFUNDED: frozenset(),
}

Step = Literal["apply", "same", "illegal"]


def step(old: str | None, new: str) -> Step:
    """"same": a repeat, answered without change; "illegal": 409; "apply": move."""
    if old == new:
        return "same"
    return "apply" if new in TRANSITIONS.get(old, frozenset()) else "illegal"


# ---------------------------------------------------------------------------------------------------------------
# Arithmetic

CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def tier_percent(tiers: Sequence[TierRule], tier: str) -> Decimal:
    for rule in tiers:
        if rule.name == tier:
            return rule.revshare_percent
    # An unknown tier name (renamed in config) pays the lowest rate rather than nothing or the highest.
    log.warning("unknown partner tier %r; paying the lowest tier rate", tier)
    return min(rule.revshare_percent for rule in tiers)


def commission(offer: Offer, *, tiers: Sequence[TierRule], partner_tier: str, payout: Decimal | None,
               sale_amount: Decimal | None) -> Decimal | None:
    """The partner's (first-level) commission, or None when it cannot be known yet (revshare without a sale
    amount, CPA without a payout anywhere)."""
    if offer.payout_model == "cpa":
        base = payout if payout is not None else offer.cpa_amount
        return None if base is None else cents(base)
    if sale_amount is None:
        return None
    percent = offer.revshare_percent if offer.revshare_percent is not None else tier_percent(tiers, partner_tier)
    return cents(sale_amount * percent / HUNDRED)


def l2_commission(first_level: Decimal, l2_percent: Decimal) -> Decimal:
    return cents(first_level * l2_percent / HUNDRED)


# ---------------------------------------------------------------------------------------------------------------
# Effects of a status change

async def approved_parent(uow: UnitOfWork, partner: Partner) -> Partner | None:
    if partner.parent_id is None or partner.parent_id == partner.id:
        return None
    parent = await uow.partners.get(partner.parent_id)
    return parent if parent is not None and parent.status == "approved" else None


def approval_credits(conversion: Conversion, offer: Offer, partner: Partner, parent: Partner | None
                     ) -> list[tuple[str, Partner, Decimal]]:
    """What an approval books into hold, per level: (level, whose, amount). Empty when nothing is payable.
    `parent` is approved_parent(partner). Shared by the one-by-one path and the postback batch."""
    if not (conversion.payable and conversion.commission > 0):
        return []
    credits = [("l1", partner, conversion.commission)]
    if parent is not None:
        amount = l2_commission(conversion.commission, offer.l2_percent)
        if amount > 0:
            credits.append(("l2", parent, amount))
    return credits


def parent_if_approved(partner: Partner, parent: Partner | None) -> Partner | None:
    """approved_parent() for a parent already loaded."""
    if partner.parent_id is None or partner.parent_id == partner.id or parent is None:
        return None
    return parent if parent.status == "approved" else None


async def apply_status_change(uow: UnitOfWork, deps: Deps, conversion: Conversion, old: str | None,
                              new: str, *, reason_kind: str = "advertiser") -> int:
    """Books the money of `conversion` moving old → new (it already carries `new`) and writes the partners'
    notifications. The caller owns the transition (a unique insert or a conditional UPDATE), so this runs once
    per transition. Returns the number of outbox rows written. reason_kind: "advertiser" | "review"."""
    now = deps.clock.now()
    history.record(uow, conversion.id, old, new, reason_kind, now)  # the REST API's status history
    offer = await uow.session.get(Offer, conversion.offer_id)
    partner = await uow.partners.get(conversion.partner_id)
    assert offer is not None and partner is not None, "conversion rows reference existing offers and partners"

    l2: tuple[Partner, Decimal] | None = None  # the inviter and their money moved by this change
    if new == APPROVED and conversion.payable and conversion.commission > 0:
        release_at = now + timedelta(days=offer.hold_days)
        parent = await approved_parent(uow, partner)
        for level, who, amount in approval_credits(conversion, offer, partner, parent):
            await ledger.credit_hold(uow, conversion, level, who.id, amount, now, release_at)
            if level == "l2":
                l2 = (who, amount)
    elif old == APPROVED and new in (REFUNDED, REJECTED):
        reversed_ = await ledger.reverse(uow, conversion.id, new, now)
        if "l2" in reversed_:
            parent = await uow.partners.get(reversed_["l2"].partner_id)
            if parent is not None:
                l2 = (parent, reversed_["l2"].amount)

    rows = await notify.to_partner(
        uow, deps, partner, await _partner_screen(uow, conversion, offer, new, reason_kind), kind="conversion",
        dedupe_key=f"conv:{conversion.id}:{new}")
    if l2 is not None:
        parent, amount = l2
        rows += await notify.to_partner(
            uow, deps, parent, await _l2_screen(uow, conversion, offer, parent, new, amount),
            kind="l2_conversion", dedupe_key=f"conv:{conversion.id}:{new}:l2")
    return rows


def balance_args(buckets: dict[str, Decimal], currency: str) -> dict[str, str]:
    return {"available": format_money(buckets[ledger.AVAILABLE], currency),
            "hold": format_money(buckets[ledger.HOLD], currency)}


async def _balance_args(uow: UnitOfWork, partner_id: int, currency: str) -> dict[str, str]:
    return balance_args(await ledger.balance(uow, partner_id, currency), currency)


async def _partner_screen(uow: UnitOfWork, conversion: Conversion, offer: Offer, status: str,
                          reason_kind: str) -> Screen:
    return partner_screen(conversion, offer, status, reason_kind,
                          await _balance_args(uow, conversion.partner_id, conversion.currency))


def partner_screen(conversion: Conversion, offer: Offer, status: str, reason_kind: str,
                   balance: dict[str, str]) -> Screen:
    """The partner's notice of a conversion change; `balance` is balance_args() after the change was booked."""
    reason = (conversion.reason or "").strip() if status in (REJECTED, REFUNDED) else ""
    if reason_kind == "review":
        shown_reason = "review"
    else:
        shown_reason = "advertiser" if reason else "none"
    # A revshare lead may arrive without its sale sum: the commission is not known until approval.
    known = not (offer.payout_model == "revshare" and conversion.sale_amount is None)
    return Screen("conv-notify", {
        "id": str(conversion.id),  # text: Fluent would group digits of a number ("1,234")
        "offer": offer.name,
        "sub1": conversion.sub1 or "—",
        "status": status,
        "amount": format_money(conversion.commission, conversion.currency),
        "value": str(conversion.commission), "currency": conversion.currency,  # raw, for burst summaries
        "known": "yes" if known else "no",
        "payable": "yes" if conversion.payable else "no",
        "why": conversion.not_payable_reason or "",
        "reason_kind": shown_reason,
        "reason": reason[:500],
        **balance,
    }, buttons=((Button("conv-btn-dispute", f"sup:dispute:{conversion.id}"),),) if status == REJECTED else ())


async def _l2_screen(uow: UnitOfWork, conversion: Conversion, offer: Offer, parent: Partner, status: str,
                     amount: Decimal) -> Screen:
    return l2_screen(conversion, offer, status, amount,
                     await _balance_args(uow, parent.id, conversion.currency))


def l2_screen(conversion: Conversion, offer: Offer, status: str, amount: Decimal,
              balance: dict[str, str]) -> Screen:
    """The inviter's notice of a second-level change; `balance` is the inviter's balance_args() after it."""
    return Screen("conv-notify-l2", {
        "id": str(conversion.id),
        "offer": offer.name,
        "status": status,
        "amount": format_money(amount, conversion.currency),
        "value": str(amount), "currency": conversion.currency,
        **balance,
    })
