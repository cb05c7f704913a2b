"""POST|GET /postback without the HTTP: authenticate, parse, attribute, record the conversion exactly once.

The adapter (bot/web_postbacks.py) hands over the raw request (RawPostback) and turns the PostbackResponse into
JSON. The web app records admitted postbacks through its group committer (postback_batch.py, many per
transaction); record_one below is the one-by-one path it falls back to, and what callers without one use. Every request, accepted or not, lands in postback_log.

Exactly-once without in-process locks (several processes may serve postbacks):
- a new conversion is an INSERT on the unique idempotency key; the loser of a race gets IntegrityError, and the
  whole transaction is retried — it then finds the winner's row and answers as a repeat;
- a status change is `UPDATE … WHERE id = :id AND status = :old`; only one writer sees rowcount 1, the others
  retry and find the new status;
- ledger entries and outbox rows are written in that same transaction, under unique keys derived from the
  conversion and the status, so they exist exactly when the transition does.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from services.db.models import Partner
from services.db.tracking_models import Conversion, Offer
from services.db.uow import UnitOfWork
from services.kernel.deps import Deps
from services.tracking import commissions
from services.tracking.commissions import APPROVED, PENDING, REFUNDED, REJECTED
from services.tracking.postback_attribution import (
    Attribution,
    attribute,
    fraud_flags,
    idempotency_key,
    not_payable_reason,
)
from services.tracking.postback_log import RefusalLimiter, log_alone, log_row
from services.tracking.postback_parse import (  # noqa: F401  (re-exported: the postback path's public names)
    MAX_BODY,
    STATUS_ALIASES,
    PostbackError,
    PostbackRequest,
    PostbackResponse,
    RawPostback,
    admit,
    bad,
)

log = logging.getLogger(__name__)

ATTEMPTS = 5  # transaction retries after losing a race
_RETRY_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock: PostgreSQL asks for a retry


class _Retry(Exception):
    """Lost a race (another transaction moved the row first): run the transaction again."""


# ---------------------------------------------------------------------------------------------------------------
# Recording

def _missing_money(offer: Offer) -> PostbackError:
    if offer.payout_model == "cpa":
        return bad("missing_payout", "this offer has no fixed amount: send payout")
    return bad("missing_amount", "a revshare sale needs amount (the sale sum)")


@dataclass
class _Outcome:
    response: PostbackResponse
    conversion_id: int | None = None
    outbox_rows: int = 0


def _accepted(conversion: Conversion, duplicate: bool) -> PostbackResponse:
    return PostbackResponse(200, {"status": "ok", "conversion_id": conversion.id,
                                  "conversion_status": conversion.status, "duplicate": duplicate})


def new_conversion(deps: Deps, req: PostbackRequest, who: Attribution, key: str, now: datetime) -> Conversion:
    """The conversion a first postback creates (not yet added to a session). Raises PostbackError."""
    if commissions.step(None, req.status) == "illegal":
        raise PostbackError(409, "illegal_transition", f"no conversion to move to {req.status}")
    reason = not_payable_reason(who, now)
    money = commissions.commission(who.offer, tiers=deps.config.tiers, partner_tier=who.partner.tier,
                                   payout=req.payout, sale_amount=req.amount)
    if money is None and reason is None:
        # Unknown for now is fine only for a rejection, or a revshare lead whose sale sum comes with approval
        # (sale_amount stays NULL until then). A CPA commission is always known: payout or the offer's amount.
        known_later = req.status == PENDING and who.offer.payout_model == "revshare"
        if req.status != REJECTED and not known_later:
            raise _missing_money(who.offer)
    if reason is not None or money is None:
        money = Decimal("0.00")  # not payable, or not known yet: no money moves on this conversion now
    flags = fraud_flags(deps.config, who, now)
    return Conversion(
        idempotency_key=key, click_pk=who.click.id if who.click else None, partner_id=who.partner.id,
        offer_id=who.offer.id, link_id=who.link_id, goal=req.goal, txid=req.txid, promo_code=req.promo,
        status=req.status, sale_amount=req.amount, commission=money, currency=who.offer.currency,
        payable=reason is None, not_payable_reason=reason,
        flags=",".join(flags) or None, review="pending" if flags else None,  # flagged → held for a manager
        reason=req.reason if req.status in (REJECTED, REFUNDED) else None, sub1=who.sub1,
        created_at=now, updated_at=now,
    )


async def _create(uow: UnitOfWork, deps: Deps, req: PostbackRequest, who: Attribution, key: str,
                  now: datetime) -> _Outcome:
    conversion = new_conversion(deps, req, who, key, now)
    uow.session.add(conversion)
    await uow.session.flush()  # IntegrityError here: a concurrent twin won the key → retry, then a repeat
    rows = await commissions.apply_status_change(uow, deps, conversion, None, req.status)
    return _Outcome(_accepted(conversion, False), conversion.id, rows)


def final_commission(deps: Deps, req: PostbackRequest, conversion: Conversion, offer: Offer,
                     partner: Partner) -> dict[str, Decimal]:
    """Approval fixes the commission for good (it is what the ledger books). A lead's commission is a forecast:
    the approval's own payout (CPA) or sale sum (revshare) replaces it; without one the forecast stands."""
    carried = req.payout if offer.payout_model == "cpa" else req.amount
    if carried is None:
        if offer.payout_model == "revshare" and conversion.sale_amount is None:
            raise _missing_money(offer)
        return {}
    money = commissions.commission(offer, tiers=deps.config.tiers, partner_tier=partner.tier,
                                   payout=req.payout, sale_amount=req.amount)
    assert money is not None
    return {"commission": money}


def move_values(deps: Deps, req: PostbackRequest, conversion: Conversion, offer: Offer, partner: Partner,
                now: datetime) -> dict[str, Any]:
    """The columns an "apply" step sets (status first). Raises PostbackError (a revshare approval without sum)."""
    values: dict[str, Any] = {"status": req.status, "updated_at": now}
    if req.status in (REJECTED, REFUNDED) and req.reason:
        values["reason"] = req.reason
    if req.amount is not None and conversion.status == PENDING:
        values["sale_amount"] = req.amount
    if req.status == APPROVED and conversion.payable:
        values.update(final_commission(deps, req, conversion, offer, partner))
    return values


def illegal(conversion: Conversion, status: str) -> PostbackError:
    return PostbackError(409, "illegal_transition", f"conversion {conversion.id} is {conversion.status}; "
                                                    f"it cannot become {status}")


async def _move(uow: UnitOfWork, deps: Deps, req: PostbackRequest, conversion: Conversion,
                now: datetime) -> _Outcome:
    old = conversion.status
    verdict = commissions.step(old, req.status)
    if verdict == "same":
        return _Outcome(_accepted(conversion, True), conversion.id)
    if verdict == "illegal":
        raise illegal(conversion, req.status)
    offer = await uow.session.get(Offer, conversion.offer_id)
    partner = await uow.partners.get(conversion.partner_id)
    assert offer is not None and partner is not None
    values = move_values(deps, req, conversion, offer, partner, now)
    moved = await uow.session.execute(
        update(Conversion).where(Conversion.id == conversion.id, Conversion.status == old).values(**values)
        .execution_options(synchronize_session=False))
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise _Retry()
    await uow.session.refresh(conversion)
    rows = await commissions.apply_status_change(uow, deps, conversion, old, req.status)
    return _Outcome(_accepted(conversion, False), conversion.id, rows)


async def _apply(uow: UnitOfWork, deps: Deps, req: PostbackRequest, now: datetime) -> _Outcome:
    who = await attribute(uow, req)
    if req.currency is not None and req.currency != who.offer.currency:
        raise bad("currency_mismatch", f"this offer pays in {who.offer.currency}")
    key = idempotency_key(req, who)
    conversion = await uow.session.scalar(select(Conversion).where(Conversion.idempotency_key == key))
    if conversion is None:
        return await _create(uow, deps, req, who, key, now)
    return await _move(uow, deps, req, conversion, now)


def retriable(exc: Exception) -> bool:
    if isinstance(exc, (IntegrityError, _Retry)):
        return True
    orig = getattr(exc, "orig", None)
    return isinstance(exc, DBAPIError) and (
        getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)) in _RETRY_SQLSTATES


async def record_one(deps: Deps, raw: RawPostback, req: PostbackRequest, received: datetime) -> PostbackResponse:
    """Applies the postback and logs it in ONE transaction, retried when a concurrent twin won a race."""
    for attempt in range(1, ATTEMPTS + 1):
        async with deps.uow() as uow:
            try:
                try:
                    outcome = await _apply(uow, deps, req, deps.clock.now())
                except PostbackError as exc:  # raised before anything was written
                    outcome = _Outcome(exc.response())
                uow.session.add(log_row(raw, received, outcome.response, outcome.conversion_id))
                await uow.commit()
            except Exception as exc:
                if not retriable(exc):
                    raise
                log.debug("postback attempt %d lost a race: %r", attempt, exc)
                continue
        if outcome.outbox_rows:
            deps.wake_outbox()
        return outcome.response
    raise PostbackError(503, "busy", "too many concurrent updates of this conversion; retry")


class Recorder(Protocol):
    """postback_batch.PostbackBatcher.submit: records an admitted postback in a group commit."""

    async def __call__(self, raw: RawPostback, req: PostbackRequest, received: datetime) -> PostbackResponse: ...


async def handle_postback(deps: Deps, raw: RawPostback, limiter: RefusalLimiter | None = None,
                          recorder: Recorder | None = None) -> PostbackResponse:
    """The whole /postback: never raises; the response says what happened, postback_log keeps the request.
    With a limiter, a source refused too often is answered 429 before any work. With a recorder (the web app's
    batcher) the postback is group-committed with others; without one it gets its own transaction."""
    received = deps.clock.now()
    if limiter is not None and (over := limiter.check(raw.remote, received)) is not None:
        retry_after, first = over
        response = PostbackResponse(429, {"error": "rate_limited", "message": "too many refused postbacks from "
                                          f"this address; retry in {retry_after} s"}, retry_after=retry_after)
        if first:  # once per window: a flood must not become a flood of log rows
            log.warning("postbacks from %s rate-limited for %d s after %d refusals", raw.remote, retry_after,
                        limiter.limit)
            await log_alone(deps, raw, received, response)
        return response
    try:
        req = admit(deps.config, raw, now=received)
        response = await (recorder(raw, req, received) if recorder is not None
                          else record_one(deps, raw, req, received))
    except PostbackError as exc:
        response = exc.response()
        if exc.status == 403:
            log.warning("postback refused (%s) from %s", exc.code, raw.remote)
        await log_alone(deps, raw, received, response)
    except Exception:
        log.exception("postback failed")
        response = PostbackResponse(500, {"error": "internal", "message": "internal error; retry later"})
        await log_alone(deps, raw, received, response)
    if limiter is not None and 400 <= response.status < 500:
        limiter.refused(raw.remote, received)
    return response
