"""The append-only money ledger: commission into hold, hold released to available, reversals, balances.

Rows are never updated or deleted. Every movement has a unique `entry_key` naming the fact it records, so a
retried or concurrent writer cannot book a fact twice:

    conv:<id>:approved:l1|l2              +commission into "hold" (release_at = approval + offer.hold_days)
    conv:<id>:release:l1|l2:hold          −amount from "hold"      } the release pair, written together
    conv:<id>:release:l1|l2:available     +amount into "available" }
    conv:<id>:refunded:l1|l2              −amount from wherever the money is now (hold, or available if released)
    conv:<id>:rejected:l1|l2              the same, when a manager rejects an approved conversion on review

l1 is the converting partner, l2 their inviter (second-level commission).

Bonuses (kind "bonus": contest prizes, milestone bonuses) are keyed by what earned them, e.g.
    contest:<id>:place:<n>                +prize into "available", written by add_entry_once
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import String, case, cast, exists, func, literal, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from services.db.tracking_models import Conversion, LedgerEntry
from services.db.uow import UnitOfWork
from services.messaging import notify
from services.kernel.deps import Deps
from services.kernel.dto import Screen
from services.kernel.enums import ConversionStatus
from services.kernel.money import format_money

log = logging.getLogger(__name__)

HOLD, AVAILABLE = "hold", "available"
LEVELS = ("l1", "l2")
# Ledger kinds of the money a conversion earns, per level; reversals are "refund", releases "release".
EARN_KIND = {"l1": "commission", "l2": "l2_commission"}
LEVEL_OF_KIND = {kind: level for level, kind in EARN_KIND.items()}
REFUND, RELEASE = "refund", "release"
BONUS = "bonus"  # money granted by the program, not earned by a conversion: contest prizes, milestone bonuses
ZERO = Decimal("0")
DEFAULT_BATCH = 500


def entry_key(conversion_id: int, event: str, level: str, bucket: str | None = None) -> str:
    key = f"conv:{conversion_id}:{event}:{level}"
    return f"{key}:{bucket}" if bucket else key


@dataclass(frozen=True)
class Posting:
    """One level's money of a conversion, as it stands in the ledger."""

    level: str
    partner_id: int
    amount: Decimal  # what was earned (positive)
    currency: str
    released: bool  # already moved to "available"


async def add_entry(uow: UnitOfWork, *, key: str, partner_id: int, conversion_id: int | None, kind: str,
                    bucket: str, amount: Decimal, currency: str, now: datetime,
                    release_at: datetime | None = None) -> None:
    """Plain insert: a duplicate key raises IntegrityError, which the callers treat as "retry the transaction"
    (their own state transition is what makes the key unique to one writer)."""
    uow.session.add(LedgerEntry(entry_key=key, partner_id=partner_id, conversion_id=conversion_id, kind=kind,
                                bucket=bucket, amount=amount, currency=currency, release_at=release_at,
                                created_at=now))
    await uow.session.flush()


async def add_entry_once(uow: UnitOfWork, *, key: str, partner_id: int, kind: str, bucket: str, amount: Decimal,
                         currency: str, now: datetime, release_at: datetime | None = None) -> bool:
    """Insert unless an entry with this key exists (then nothing happens): True when this call wrote it. For
    facts that several writers may record at once without a state row to decide between them first."""
    result = await uow.session.execute(_insert_ignoring_duplicates(uow, [{
        "entry_key": key, "partner_id": partner_id, "conversion_id": None, "kind": kind, "bucket": bucket,
        "amount": amount, "currency": currency, "release_at": release_at, "created_at": now}]))
    return bool(result.rowcount)


async def credit_hold(uow: UnitOfWork, conversion: Conversion, level: str, partner_id: int, amount: Decimal,
                      now: datetime, release_at: datetime) -> None:
    await add_entry(uow, key=entry_key(conversion.id, "approved", level), partner_id=partner_id,
                    conversion_id=conversion.id, kind=EARN_KIND[level], bucket=HOLD, amount=amount,
                    currency=conversion.currency, now=now, release_at=release_at)


async def postings(uow: UnitOfWork, conversion_id: int) -> dict[str, Posting]:
    """What each level of the conversion earned, and whether it was released. Read after the caller locked the
    conversion row (its conditional UPDATE), so a concurrent release is either fully visible or waits for us."""
    keys = {entry_key(conversion_id, "approved", level): level for level in LEVELS}
    released_keys = {entry_key(conversion_id, RELEASE, level, AVAILABLE): level for level in LEVELS}
    rows = (await uow.session.execute(
        select(LedgerEntry.entry_key, LedgerEntry.partner_id, LedgerEntry.amount, LedgerEntry.currency)
        .where(LedgerEntry.conversion_id == conversion_id,
               LedgerEntry.entry_key.in_([*keys, *released_keys])))).all()
    released = {released_keys[key] for key, *_ in rows if key in released_keys}
    return {
        keys[key]: Posting(keys[key], partner_id, amount, currency, keys[key] in released)
        for key, partner_id, amount, currency in rows if key in keys
    }


async def reverse(uow: UnitOfWork, conversion_id: int, event: str, now: datetime) -> dict[str, Posting]:
    """Takes back what the conversion earned (event: "refunded" | "rejected"), from hold if it is still there,
    else from available (the balance may go negative: a chargeback after payout is owed back)."""
    earned = await postings(uow, conversion_id)
    for level, posting in earned.items():
        await add_entry(uow, key=entry_key(conversion_id, event, level), partner_id=posting.partner_id,
                        conversion_id=conversion_id, kind=REFUND,
                        bucket=AVAILABLE if posting.released else HOLD, amount=-posting.amount,
                        currency=posting.currency, now=now)
    return earned


# ---------------------------------------------------------------------------------------------------------------
# Balances

async def balances(uow: UnitOfWork, partner_id: int) -> dict[str, dict[str, Decimal]]:
    """{currency: {"hold": Decimal, "available": Decimal}}, summed over the ledger."""
    rows = (await uow.session.execute(
        select(LedgerEntry.currency, LedgerEntry.bucket, func.sum(LedgerEntry.amount))
        .where(LedgerEntry.partner_id == partner_id)
        .group_by(LedgerEntry.currency, LedgerEntry.bucket))).all()
    result: dict[str, dict[str, Decimal]] = {}
    for currency, bucket, total in rows:
        buckets = result.setdefault(currency, {HOLD: ZERO, AVAILABLE: ZERO})
        # SQLite sums NUMERIC as floating point; every entry has at most 4 places, so rounding back is exact.
        buckets[bucket] = Decimal(total or 0).quantize(Decimal("0.0001")) + ZERO
    return result


async def balance(uow: UnitOfWork, partner_id: int, currency: str) -> dict[str, Decimal]:
    return (await balances(uow, partner_id)).get(currency, {HOLD: ZERO, AVAILABLE: ZERO})


# ---------------------------------------------------------------------------------------------------------------
# Hold release (a scheduler job)

def _release_key_sql(hold: Any) -> Any:
    """SQL for entry_key(conversion_id, "release", level, "hold") of a hold entry, to look it up by the unique
    index instead of scanning a conversion's entries."""
    level = case((hold.kind == EARN_KIND["l1"], literal("l1")), else_=literal("l2"))
    return (literal("conv:") + cast(hold.conversion_id, String) + literal(":release:") + level
            + literal(":hold"))


def _insert_ignoring_duplicates(uow: UnitOfWork, rows: list[dict[str, Any]]) -> Any:
    dialect = uow.session.bind.dialect.name
    module = postgresql if dialect == "postgresql" else sqlite if dialect == "sqlite" else None
    if module is None:
        raise NotImplementedError(f"release_due has no upsert for {dialect}")
    return module.insert(LedgerEntry).values(rows).on_conflict_do_nothing(index_elements=["entry_key"])


async def _release_batch(uow: UnitOfWork, now: datetime, limit: int, *, since: datetime | None = None,
                         conversion_id: int | None = None,
                         moved: dict[tuple[int, str], Decimal] | None = None) -> tuple[int, int]:
    """(entries released, candidates seen), in the caller's transaction. `since`: only entries that fell due
    after it; `conversion_id`: only that conversion's; `moved` collects the released sums per (partner, currency)."""
    hold = aliased(LedgerEntry)
    released = aliased(LedgerEntry)
    releasable = or_(Conversion.review.is_(None), Conversion.review == "cleared")
    where = [hold.bucket == HOLD, hold.kind.in_(tuple(EARN_KIND.values())), hold.release_at <= now,
             Conversion.status == ConversionStatus.APPROVED, releasable,
             ~exists().where(released.entry_key == _release_key_sql(hold))]
    if since is not None:
        where.append(hold.release_at >= since)
    if conversion_id is not None:
        where.append(hold.conversion_id == conversion_id)
    candidates = (await uow.session.execute(
        select(hold.conversion_id, hold.partner_id, hold.kind, hold.amount, hold.currency)
        .join(Conversion, Conversion.id == hold.conversion_id)
        .where(*where)
        .order_by(hold.release_at, hold.id).limit(limit))).all()
    if not candidates:
        return 0, 0
    # Lock the conversions (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises us) and re-check them: a
    # refund or a review that committed since the query above wins, and one still running waits for us — its
    # reversal then sees our release and takes the money from "available".
    ids = sorted({row.conversion_id for row in candidates})
    still = set((await uow.session.scalars(
        select(Conversion.id).where(Conversion.id.in_(ids), Conversion.status == ConversionStatus.APPROVED, releasable)
        .order_by(Conversion.id).with_for_update())).all())
    count = 0
    for conversion_id, partner_id, kind, amount, currency in candidates:
        if conversion_id not in still:
            continue
        level = LEVEL_OF_KIND[kind]
        common = {"partner_id": partner_id, "conversion_id": conversion_id, "kind": RELEASE,
                  "currency": currency, "release_at": None, "created_at": now}
        result = await uow.session.execute(_insert_ignoring_duplicates(uow, [
            {**common, "entry_key": entry_key(conversion_id, RELEASE, level, HOLD), "bucket": HOLD,
             "amount": -amount},
            {**common, "entry_key": entry_key(conversion_id, RELEASE, level, AVAILABLE), "bucket": AVAILABLE,
             "amount": amount},
        ]))
        # 2: we released it; 0: a concurrent run did. Never 1 — both keys are only ever written together.
        if result.rowcount:
            count += 1
            if moved is not None:
                moved[(partner_id, currency)] = moved.get((partner_id, currency), ZERO) + amount
    return count, len(candidates)


async def release_conversion(uow: UnitOfWork, conversion_id: int, now: datetime) -> int:
    """Releases what is due of one conversion inside the caller's transaction (a manager just cleared it)."""
    released, _ = await _release_batch(uow, now, len(LEVELS), conversion_id=conversion_id)
    return released


async def release_due(deps: Deps, *, batch: int = DEFAULT_BATCH, horizon: timedelta | None = None) -> int:
    """Moves every due hold entry (release_at ≤ now) of approved, unflagged or cleared conversions to available.
    Idempotent and safe to run in several processes at once. Returns how many entries it released.

    The ledger is append-only, so released hold entries stay "due" forever and a full pass probes all of them
    (one unique-index lookup each). `horizon` bounds a frequent run to entries that fell due within it; a rare
    run without it sweeps up whatever a long outage left behind. Conversions cleared on review are released by
    review() itself, so no horizon can strand them."""
    total = 0
    while True:
        async with deps.uow() as uow:
            now = deps.clock.now()
            moved: dict[tuple[int, str], Decimal] = {}
            released, seen = await _release_batch(uow, now, batch, moved=moved,
                                                  since=now - horizon if horizon is not None else None)
            await _announce_available(uow, deps, moved)
            await uow.commit()
        total += released
        # A short batch was the last; a full one in which nothing moved means others are racing us for the same
        # rows — they will finish them.
        if seen < batch or released == 0:
            break
    if total:
        log.info("released %d hold entries", total)
        deps.wake_outbox()
    return total


async def _announce_available(uow: UnitOfWork, deps: Deps, moved: dict[tuple[int, str], Decimal]) -> None:
    """"Money available" to each partner whose hold ended, in the release's own transaction (mutable kind)."""
    for (partner_id, currency), amount in sorted(moved.items()):
        partner = await uow.partners.get(partner_id)
        if partner is None:
            continue
        buckets = await balance(uow, partner_id, currency)
        await notify.to_partner(uow, deps, partner, Screen("hold-released", {
            "amount": format_money(amount, currency), "available": format_money(buckets[AVAILABLE], currency)}),
            kind="hold_released")
