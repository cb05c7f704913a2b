"""Payout use cases: details on file, a request that reserves its money at once, and a manager's decisions.

Money moves in the append-only ledger (services/ledger/entries.py), keyed by the payout:

    payout:<id>:reserve:available   −amount from "available"  } written with the request: the money is no
    payout:<id>:reserve:reserved    +amount into "reserved"   } longer available to anything else
    payout:<id>:paid:reserved       −amount from "reserved"   } marked paid: the money left the program
    payout:<id>:paid:paid           +amount into "paid"       } ("paid" sums to everything ever paid out)
    payout:<id>:return:reserved     −amount from "reserved"   } rejected: the money is available again
    payout:<id>:return:available    +amount into "available"  }

A request locks the partner's row before it reads the balance (PostgreSQL: FOR UPDATE; SQLite: every writing
unit of work holds the write lock from BEGIN IMMEDIATE), so requests of one partner — two taps, two messengers,
two processes — are applied one after another and the second sees the first one's reservation. A decision is a
conditional UPDATE from the states it may leave, so two managers pressing at once make one decision.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Literal

from sqlalchemy import update

from services.db.models import Partner
from services.db.payout_models import Payout, PayoutDetails, PayoutEvent
from services.db.uow import UnitOfWork
from services.kernel.deps import Deps
from services.kernel.dto import Button, Incoming, Screen
from services.kernel.money import CENT, format_money
from services.ledger import entries as ledger
from services.messaging import notify
from services.payouts.details import Details
from services.staff.roles import own_partner_id, require_role

log = logging.getLogger(__name__)

REQUESTED, APPROVED, PAID, REJECTED = "requested", "approved", "paid", "rejected"
OPEN = (REQUESTED, APPROVED)
RESERVED, PAID_BUCKET = "reserved", "paid"
PAYOUT_KIND = "payout"  # ledger kind of every payout movement; also the outbox kind (never muted)
# action → (states it may leave, state it enters)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "approve": ((REQUESTED,), APPROVED),
    "pay": ((APPROVED,), PAID),
    "reject": ((REQUESTED, APPROVED), REJECTED),
}

RequestOutcome = Literal["requested", "no_details", "negative_balance", "below_minimum", "insufficient",
                         "not_approved", "already_scheduled"]
DecisionOutcome = Literal["approved", "paid", "rejected", "already_decided", "illegal", "not_found", "own"]


@dataclass(frozen=True)
class RequestResult:
    outcome: RequestOutcome
    currency: str
    payout_id: int | None = None
    amount: Decimal | None = None  # what was reserved
    available: Decimal | None = None  # before the request
    minimum: Decimal | None = None
    masked: str = ""


@dataclass(frozen=True)
class DecisionResult:
    outcome: DecisionOutcome
    payout_id: int
    status: str | None = None  # the payout's state after the call
    decided_by: str | None = None  # who made the decision standing now


def actor_of(inc: Incoming) -> str:
    return f"{inc.messenger}:{inc.user_id}"


def minimum_for(deps: Deps, currency: str) -> Decimal:
    return dict(deps.config.min_payout).get(currency, CENT)


async def audit(uow: UnitOfWork, deps: Deps, *, partner_id: int, actor: str, action: str,
                payout_id: int | None = None, from_status: str | None = None, to_status: str | None = None,
                note: str | None = None) -> None:
    uow.session.add(PayoutEvent(payout_id=payout_id, partner_id=partner_id, actor=actor, action=action,
                                from_status=from_status, to_status=to_status, note=note,
                                created_at=deps.clock.now()))
    await uow.session.flush()


async def save_details(uow: UnitOfWork, deps: Deps, partner_id: int, details: Details, cipher: str,
                       actor: str) -> None:
    """Replaces the partner's details (`cipher`: the value, encrypted by the caller). Requests already made
    keep the details they were made with."""
    row = await uow.session.get(PayoutDetails, partner_id)
    if row is None:
        row = PayoutDetails(partner_id=partner_id)
        uow.session.add(row)
    row.method, row.kind, row.masked, row.cipher = details.method, details.kind, details.masked, cipher
    row.updated_at = deps.clock.now()
    await uow.session.flush()
    await audit(uow, deps, partner_id=partner_id, actor=actor, action="details",
                note=f"{details.method}/{details.kind} {details.masked}")


async def _move(uow: UnitOfWork, payout: Payout, step: str, source: str, target: str, now) -> None:  # type: ignore[no-untyped-def]
    common = {"partner_id": payout.partner_id, "conversion_id": None, "kind": PAYOUT_KIND,
              "currency": payout.currency, "now": now}
    await ledger.add_entry(uow, key=f"payout:{payout.id}:{step}:{source}", bucket=source, amount=-payout.amount,
                           **common)
    await ledger.add_entry(uow, key=f"payout:{payout.id}:{step}:{target}", bucket=target, amount=payout.amount,
                           **common)


async def request_in(uow: UnitOfWork, deps: Deps, partner_id: int, currency: str, amount: Decimal | None, *,
                     actor: str, source: str = "partner", period: str | None = None) -> RequestResult:
    """Reserves `amount` (None: everything available, down to the cent) for a payout, inside the caller's unit of
    work. Refused while any currency's available balance is negative (a chargeback after a payout is owed)."""
    partner = await uow.session.get(Partner, partner_id, with_for_update=True, populate_existing=True)
    if partner is None or partner.status != "approved":
        return RequestResult("not_approved", currency)
    details = await uow.session.get(PayoutDetails, partner_id, populate_existing=True)
    if details is None:
        return RequestResult("no_details", currency)
    sums = await ledger.balances(uow, partner_id)
    available = sums.get(currency, {}).get(ledger.AVAILABLE, ledger.ZERO)
    minimum = minimum_for(deps, currency)
    base = {"currency": currency, "available": available, "minimum": minimum, "masked": details.masked}
    if any(buckets.get(ledger.AVAILABLE, ledger.ZERO) < 0 for buckets in sums.values()):
        return RequestResult("negative_balance", **base)
    wanted = available.quantize(CENT, rounding=ROUND_DOWN) if amount is None else amount
    if wanted > available or wanted <= 0:
        return RequestResult("insufficient", **base)
    if wanted < minimum:
        return RequestResult("below_minimum", **base)
    now = deps.clock.now()
    payout = Payout(partner_id=partner_id, amount=wanted, currency=currency, status=REQUESTED,
                    method=details.method, kind=details.kind, masked=details.masked, cipher=details.cipher,
                    source=source, period=period, created_at=now, updated_at=now)
    uow.session.add(payout)
    await uow.session.flush()
    await _move(uow, payout, "reserve", ledger.AVAILABLE, RESERVED, now)
    await audit(uow, deps, partner_id=partner_id, actor=actor, action="request", payout_id=payout.id,
                to_status=REQUESTED, note=f"{format_money(wanted, currency)} {source}")
    if source == "partner":  # a scheduled run tells managers once, with its count (services.payouts.schedule)
        await notify.to_staff(uow, deps, notify.MANAGER_ROLES, Screen("pam-new", {
            "id": str(payout.id), "amount": format_money(wanted, currency), "partner": partner.name or "—",
            "partner_id": str(partner_id), "masked": details.masked, "method": details.method},
            buttons=((Button("pam-btn-open", f"pam:card:{payout.id}"),),)), kind=PAYOUT_KIND,
            dedupe_key=f"payout:{payout.id}:new")
    log.info("payout %s requested: partner %s, %s", payout.id, partner_id, format_money(wanted, currency))
    return RequestResult("requested", payout_id=payout.id, amount=wanted, **base)


async def request(deps: Deps, partner_id: int, currency: str, amount: Decimal | None, *, actor: str) -> RequestResult:
    """request_in in a unit of work of its own."""
    async with deps.uow() as uow:
        result = await request_in(uow, deps, partner_id, currency, amount, actor=actor)
        await uow.commit()
    if result.outcome == "requested":
        deps.wake_outbox()
    return result


def partner_screen(payout: Payout) -> Screen:
    """What the partner is told when their payout moves (approved, paid, rejected, created by the schedule)."""
    return Screen("pay-notify", {
        "id": str(payout.id), "status": payout.status, "amount": format_money(payout.amount, payout.currency),
        "masked": payout.masked, "reference": payout.reference or "", "reason": (payout.reason or "")[:500],
    })


async def decide_in(uow: UnitOfWork, deps: Deps, staff: Incoming, payout_id: int, action: str,
                    note: str | None = None) -> DecisionResult:
    """A manager moves a payout (approve | pay with a reference | reject with a reason), inside the caller's
    unit of work. Raises AccessDenied for anyone but managers and admins."""
    sources, target = TRANSITIONS[action]
    await require_role(uow, staff, notify.MANAGER_ROLES)
    # Locked before it is read (PostgreSQL: FOR UPDATE waits for a concurrent decision and then reads its result;
    # SQLite: we already hold the write lock), so the state we move from is the state the row is in.
    payout = await uow.session.get(Payout, payout_id, with_for_update=True, populate_existing=True)
    if payout is None:
        return DecisionResult("not_found", payout_id)
    if payout.partner_id == await own_partner_id(uow, staff):  # a manager paying themselves: someone else decides
        return DecisionResult("own", payout_id, payout.status, payout.decided_by)
    old = payout.status
    if old not in sources:
        outcome: DecisionOutcome = "already_decided" if old in (target, PAID, REJECTED) else "illegal"
        return DecisionResult(outcome, payout_id, old, payout.decided_by)
    now, who = deps.clock.now(), actor_of(staff)
    values: dict[str, object] = {"status": target, "updated_at": now, "decided_by": who}
    if action == "pay":
        values["reference"] = note
    elif action == "reject":
        values["reason"] = note
    moved = await uow.session.execute(
        update(Payout).where(Payout.id == payout_id, Payout.status == old).values(**values)
        .execution_options(synchronize_session=False))
    assert moved.rowcount == 1, "the locked row changed under us"  # type: ignore[attr-defined]
    await uow.session.refresh(payout)
    if action == "pay":
        await _move(uow, payout, "paid", RESERVED, PAID_BUCKET, now)
    elif action == "reject":
        await _move(uow, payout, "return", RESERVED, ledger.AVAILABLE, now)
    await audit(uow, deps, partner_id=payout.partner_id, actor=who, action=action, payout_id=payout_id,
                from_status=old, to_status=target, note=note)
    partner = await uow.partners.get(payout.partner_id)
    if partner is not None:
        await notify.to_partner(uow, deps, partner, partner_screen(payout), kind=PAYOUT_KIND,
                                dedupe_key=f"payout:{payout_id}:{target}")
    log.info("payout %s %s by %s", payout_id, target, who)
    return DecisionResult(target, payout_id, target, who)  # type: ignore[arg-type]


async def decide(deps: Deps, staff: Incoming, payout_id: int, action: str, note: str | None = None) -> DecisionResult:
    async with deps.uow() as uow:
        result = await decide_in(uow, deps, staff, payout_id, action, note)
        await uow.commit()
    deps.wake_outbox()
    return result
