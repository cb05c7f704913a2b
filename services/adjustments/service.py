"""Manual balance adjustments: use cases.

A manager or admin types the partner, the signed amount and the reason (a draft row), then confirms it — the two
steps. Confirmed within the requester's limit (admins: any amount), it is applied at once: the ledger entry
`adj:<id>` (kind "adjustment", bucket "available") is written in the same transaction as the row's move to
"applied", and the partner is told through the outbox. Over the limit it waits as "pending" for an admin, who
approves (applied, as above) or rejects it. Nobody adjusts their own balance or decides their own request.

Limits are per currency: the newest adjustment_limits row, else ADJUSTMENT_MANAGER_LIMIT; a currency with neither
needs an admin for every manager adjustment.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from sqlalchemy import select, update

from services.db.adjustment_models import AdjustmentLimit, BalanceAdjustment
from services.db.uow import UnitOfWork
from services.kernel.deps import Deps
from services.kernel.dto import Button, Incoming, Screen
from services.kernel.money import format_money
from services.ledger import entries as ledger
from services.adjustments.actions import Approve, Reject
from services.messaging import notify
from services.staff.roles import ADMIN_ROLES, MANAGER_ROLES, Role, own_partner_id, require_role

DRAFT, PENDING, APPLIED, REJECTED, CANCELLED = "draft", "pending", "applied", "rejected", "cancelled"
KIND = "adjustment"  # ledger kind and outbox kind (never muted: it is the partner's money)
MAX_AMOUNT = Decimal("10000000")

Outcome = Literal["applied", "pending", "rejected", "cancelled", "already_decided", "not_found", "own",
                  "no_partner"]


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    adjustment_id: int | None = None
    status: str | None = None  # the row's state after the call
    decided_by: str | None = None


def actor_of(inc: Incoming) -> str:
    return f"{inc.messenger}:{inc.user_id}"


def entry_key(adjustment_id: int) -> str:
    return f"adj:{adjustment_id}"


async def limit_for(uow: UnitOfWork, deps: Deps, currency: str) -> Decimal:
    newest = await uow.session.scalar(
        select(AdjustmentLimit.amount).where(AdjustmentLimit.currency == currency)
        .order_by(AdjustmentLimit.id.desc()).limit(1))
    if newest is not None:
        return newest
    return dict(deps.config.adjustment_manager_limit).get(currency, Decimal("0"))


async def limits(uow: UnitOfWork, deps: Deps) -> dict[str, Decimal]:
    """Every currency with a limit in force (set in the bot or by the setting)."""
    found = dict(deps.config.adjustment_manager_limit)
    rows = (await uow.session.execute(select(AdjustmentLimit.currency, AdjustmentLimit.amount)
                                      .order_by(AdjustmentLimit.id))).all()
    found.update({currency: amount for currency, amount in rows})  # newest wins
    return found


async def set_limit(uow: UnitOfWork, deps: Deps, inc: Incoming, currency: str, amount: Decimal) -> None:
    await require_role(uow, inc, ADMIN_ROLES)
    uow.session.add(AdjustmentLimit(currency=currency, amount=amount, set_by=actor_of(inc),
                                    created_at=deps.clock.now()))
    await uow.session.flush()


async def draft(uow: UnitOfWork, deps: Deps, inc: Incoming, partner_id: int, amount: Decimal, currency: str,
                reason: str) -> Result:
    """The first step: the typed adjustment, not yet confirmed (no money moves)."""
    await require_role(uow, inc, MANAGER_ROLES)
    if await uow.partners.get(partner_id) is None:
        return Result("no_partner")
    if partner_id == await own_partner_id(uow, inc):
        return Result("own")
    row = BalanceAdjustment(partner_id=partner_id, amount=amount, currency=currency, reason=reason, status=DRAFT,
                            requested_by=actor_of(inc), requested_by_name=inc.first_name or inc.username,
                            created_at=deps.clock.now())
    uow.session.add(row)
    await uow.session.flush()
    return Result("pending", row.id, DRAFT)


async def _move(uow: UnitOfWork, deps: Deps, adjustment_id: int, leaving: tuple[str, ...], entering: str,
                **values: object) -> bool:
    """The conditional UPDATE that makes each decision exactly once, whoever else presses at the same time."""
    done = await uow.session.execute(
        update(BalanceAdjustment).where(BalanceAdjustment.id == adjustment_id,
                                        BalanceAdjustment.status.in_(leaving))
        .values(status=entering, **values).execution_options(synchronize_session=False))
    return done.rowcount == 1  # type: ignore[attr-defined]


async def _refusal(uow: UnitOfWork, adjustment_id: int) -> Result:
    row = await uow.session.get(BalanceAdjustment, adjustment_id, populate_existing=True)
    if row is None:
        return Result("not_found", adjustment_id)
    return Result("already_decided", adjustment_id, row.status, row.decided_by or row.requested_by)


async def _apply(uow: UnitOfWork, deps: Deps, row: BalanceAdjustment) -> None:
    """The money and the partner's notice, in the caller's transaction (after its conditional UPDATE won)."""
    now = deps.clock.now()
    await ledger.add_entry(uow, key=entry_key(row.id), partner_id=row.partner_id, conversion_id=None, kind=KIND,
                           bucket=ledger.AVAILABLE, amount=row.amount, currency=row.currency, now=now)
    partner = await uow.partners.get(row.partner_id)
    if partner is not None:
        text = "adj-partner-credit" if row.amount > 0 else "adj-partner-debit"
        await notify.to_partner(uow, deps, partner, Screen(text, {
            "amount": format_money(abs(row.amount), row.currency), "reason": row.reason[:500]}), KIND,
            dedupe_key=f"adj:{row.id}")


async def confirm(uow: UnitOfWork, deps: Deps, inc: Incoming, adjustment_id: int) -> Result:
    """The second step, by the requester: applied at once within their limit, else pending for an admin."""
    held = await require_role(uow, inc, MANAGER_ROLES)
    row = await uow.session.get(BalanceAdjustment, adjustment_id)
    if row is None:
        return Result("not_found", adjustment_id)
    if row.requested_by != actor_of(inc):  # only the one who typed it confirms it
        return Result("already_decided", adjustment_id, row.status, row.requested_by)
    admin = Role.ADMIN in held
    within = admin or abs(row.amount) <= await limit_for(uow, deps, row.currency)
    now = deps.clock.now()
    entering = APPLIED if within else PENDING
    extra = {"decided_by": actor_of(inc), "decided_at": now} if within else {}
    if not await _move(uow, deps, adjustment_id, (DRAFT,), entering, confirmed_at=now, **extra):
        return await _refusal(uow, adjustment_id)
    await uow.session.refresh(row)
    if within:
        await _apply(uow, deps, row)
    else:
        await notify.to_staff(uow, deps, ADMIN_ROLES, approval_card(row), KIND, dedupe_key=f"adj:{row.id}:ask")
    return Result(entering, adjustment_id, entering)  # type: ignore[arg-type]


async def cancel(uow: UnitOfWork, deps: Deps, inc: Incoming, adjustment_id: int) -> Result:
    await require_role(uow, inc, MANAGER_ROLES)
    row = await uow.session.get(BalanceAdjustment, adjustment_id)
    if row is None or row.requested_by != actor_of(inc):
        return Result("not_found", adjustment_id)
    if not await _move(uow, deps, adjustment_id, (DRAFT,), CANCELLED, decided_at=deps.clock.now()):
        return await _refusal(uow, adjustment_id)
    return Result("cancelled", adjustment_id, CANCELLED)


async def decide(uow: UnitOfWork, deps: Deps, inc: Incoming, adjustment_id: int, approve: bool,
                 note: str | None = None) -> Result:
    """An admin's decision on a pending adjustment; never on their own request or their own balance."""
    await require_role(uow, inc, ADMIN_ROLES)
    row = await uow.session.get(BalanceAdjustment, adjustment_id)
    if row is None:
        return Result("not_found", adjustment_id)
    if row.requested_by == actor_of(inc) or row.partner_id == await own_partner_id(uow, inc):
        return Result("own", adjustment_id, row.status)
    entering = APPLIED if approve else REJECTED
    if not await _move(uow, deps, adjustment_id, (PENDING,), entering, decided_by=actor_of(inc),
                       decided_at=deps.clock.now(), decision_note=note):
        return await _refusal(uow, adjustment_id)
    await uow.session.refresh(row)
    if approve:
        await _apply(uow, deps, row)
    await _tell_requester(uow, deps, row)
    return Result(entering, adjustment_id, entering, actor_of(inc))  # type: ignore[arg-type]


async def _tell_requester(uow: UnitOfWork, deps: Deps, row: BalanceAdjustment) -> None:
    messenger, _, external_id = row.requested_by.partition(":")
    await uow.outbox.add(
        messenger=messenger, chat_id=external_id, kind=KIND, now=deps.clock.now(),
        locale=await notify.staff_locale(uow, deps, messenger, external_id),
        screen=Screen("adj-decided", {**card_args(row), "who": row.decided_by or ""}).to_dict(),
        dedupe_key=f"adj:{row.id}:decided")


def card_args(row: BalanceAdjustment) -> dict[str, str]:
    return {"id": str(row.id), "partner_id": str(row.partner_id), "status": row.status,
            "amount": ("+" if row.amount > 0 else "") + format_money(row.amount, row.currency),
            "reason": row.reason[:500], "requested_by": row.requested_by_name or row.requested_by,
            "created": f"{row.created_at:%d.%m.%Y %H:%M}"}


def approval_card(row: BalanceAdjustment) -> Screen:
    return Screen("adj-approval", card_args(row), buttons=(
        (Button("adj-btn-approve", Approve(row.id).pack(), style="positive"),
         Button("adj-btn-reject", Reject(row.id).pack(), style="negative")),))
