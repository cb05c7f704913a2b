"""POST|GET /postback without the HTTP: authenticate, parse, attribute, record the conversion exactly once.

The adapter (bot/web_postbacks.py) hands over the raw request (RawPostback) and turns the PostbackResponse into
JSON. Every request, accepted or not, lands in postback_log.

Exactly-once without in-process locks (several processes may serve postbacks):
- a new conversion is an INSERT on the unique idempotency key; the loser of a race gets IntegrityError, and the
  whole transaction is retried — it then finds the winner's row and answers as a repeat;
- a status change is `UPDATE … WHERE id = :id AND status = :old`; only one writer sees rowcount 1, the others
  retry and find the new status;
- ledger entries and outbox rows are written in that same transaction, under unique keys derived from the
  conversion and the status, so they exist exactly when the transition does.
"""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import parse_qsl

from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from services.db.models import Partner
from services.db.tracking_models import Click, Conversion, Offer, PostbackLog, TrackingLink
from services.db.uow import UnitOfWork
from services.kernel.deps import Deps, ProgramConfig
from services.promo.use_cases import owner_of_promo
from services.tracking import commissions
from services.tracking.commissions import APPROVED, PENDING, REFUNDED, REJECTED
from services.tracking.signature import SIGNATURE_PARAM, ip_allowed, verify

log = logging.getLogger(__name__)

STATUS_ALIASES = {
    "lead": PENDING, "pending": PENDING,
    "approved": APPROVED, "sale": APPROVED,
    "rejected": REJECTED, "declined": REJECTED,
    "refunded": REFUNDED, "chargeback": REFUNDED,
}
CLICK_ALIASES = ("click_id", "clickid", "subid", "cid")
OFFER_ALIASES = ("offer", "offer_id")
DEFAULT_GOAL = "default"

# Flags on a conversion; any of them holds its money for a manager's review.
FLAG_FAST, FLAG_CLICK, FLAG_SELF_REFERRAL = "fast", "click_flagged", "self_referral"

# Sizes: anything beyond these is a broken integration or an attack, not a sale.
MAX_BODY = 64 * 1024
MAX_PARAMS = 64
MAX_VALUE = 2048
MAX_AMOUNT = Decimal("1000000000")
MAX_LEN = {"click_id": 64, "txid": 128, "promo": 64, "reason": 1000}
ATTEMPTS = 5  # transaction retries after losing a race

_KEY = re.compile(r"[A-Za-z0-9_.\-]{1,64}")
_GOAL = re.compile(r"[A-Za-z0-9_.\-]{1,64}")  # no ":" — it separates the parts of the idempotency key
_DECIMAL = re.compile(r"([+-]?)(\d{1,15})(?:\.(\d{1,8}))?")
_CURRENCY = re.compile(r"[A-Za-z]{3}")
_RETRY_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock: PostgreSQL asks for a retry


# ---------------------------------------------------------------------------------------------------------------
# Requests, responses, errors

@dataclass(frozen=True)
class RawPostback:
    """The request as received; `query` is the raw (still percent-encoded) query string."""

    method: str
    remote: str | None
    query: str = ""
    body: bytes = b""
    content_type: str = ""


@dataclass(frozen=True)
class PostbackResponse:
    status: int
    body: dict[str, Any]


class PostbackError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message

    def response(self) -> PostbackResponse:
        return PostbackResponse(self.status, {"error": self.code, "message": self.message})


def _bad(code: str, message: str) -> PostbackError:
    return PostbackError(400, code, message)


class _Retry(Exception):
    """Lost a race (another transaction moved the row first): run the transaction again."""


@dataclass(frozen=True)
class PostbackRequest:
    status: str
    click_id: str | None = None
    promo: str | None = None
    offer_id: int | None = None
    payout: Decimal | None = None
    amount: Decimal | None = None
    currency: str | None = None
    txid: str | None = None
    goal: str = DEFAULT_GOAL
    reason: str | None = None


# ---------------------------------------------------------------------------------------------------------------
# Parsing: raw request → signed parameter dict → PostbackRequest

def _pairs_from_query(query: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(query, keep_blank_values=True, encoding="utf-8", errors="strict",
                         max_num_fields=MAX_PARAMS)
    except UnicodeDecodeError:
        raise _bad("bad_encoding", "parameters must be UTF-8") from None
    except ValueError:
        raise _bad("too_many_params", f"at most {MAX_PARAMS} parameters") from None


def _pairs_from_body(content_type: str, body: bytes) -> list[tuple[str, str]]:
    if not body.strip():
        return []
    if len(body) > MAX_BODY:
        raise _bad("too_large", f"the body exceeds {MAX_BODY} bytes")
    kind = content_type.split(";", 1)[0].strip().lower()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise _bad("bad_encoding", "the body must be UTF-8") from None
    if kind == "application/json":
        try:
            # Numbers stay text exactly as written ("10.50"), which is also what the advertiser signed.
            data = json.loads(text, parse_float=str, parse_int=str, parse_constant=_reject_constant)
        except ValueError:
            raise _bad("bad_body", "the body is not valid JSON") from None
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise _bad("bad_body", "the JSON body must be one object of strings and numbers")
        if len(data) > MAX_PARAMS:
            raise _bad("too_many_params", f"at most {MAX_PARAMS} parameters")
        return list(data.items())
    if kind in ("", "application/x-www-form-urlencoded"):
        return _pairs_from_query(text.strip())
    raise _bad("unsupported_body", "send the parameters in the query, as a form or as a JSON object")


def _reject_constant(name: str) -> str:
    raise ValueError(name)  # NaN / Infinity are not amounts


def merge_params(raw: RawPostback) -> dict[str, str]:
    """Query and body merged into one dict. A key given twice with different values is refused: which one the
    signature covered would be a guess."""
    params: dict[str, str] = {}
    for key, value in [*_pairs_from_query(raw.query), *_pairs_from_body(raw.content_type, raw.body)]:
        if not _KEY.fullmatch(key):
            raise _bad("bad_param", f"parameter names are 1-64 of A-Z a-z 0-9 _ . - (got {key[:64]!r})")
        if len(value) > MAX_VALUE:
            raise _bad("too_large", f"{key} is longer than {MAX_VALUE} characters")
        if params.get(key, value) != value:
            raise _bad("duplicate_param", f"{key} is given twice with different values")
        params[key] = value
    if len(params) > MAX_PARAMS:
        raise _bad("too_many_params", f"at most {MAX_PARAMS} parameters")
    return params


def _one_of(params: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    values = {params[name].strip() for name in names if params.get(name, "").strip()}
    if len(values) > 1:
        raise _bad("duplicate_param", f"{' / '.join(names)} disagree")
    return values.pop() if values else None


def _text(params: Mapping[str, str], name: str) -> str | None:
    value = params.get(name, "").strip()
    limit = MAX_LEN.get(name, MAX_VALUE)
    if len(value) > limit:
        raise _bad("too_long", f"{name} is longer than {limit} characters")
    return value or None


def parse_amount(name: str, value: str | None) -> Decimal | None:
    """A plain decimal ("1500", "99.90"): no exponents, no thousands separators, no NaN; ≥ 0 and sane."""
    if value is None:
        return None
    match = _DECIMAL.fullmatch(value)
    if match is None:
        raise _bad("bad_decimal", f"{name} must be a plain decimal number like 1500 or 99.90")
    number = Decimal(value)
    if match.group(1) == "-" and number != 0:
        raise _bad("negative_amount", f"{name} must not be negative")
    if number > MAX_AMOUNT:
        raise _bad("amount_too_large", f"{name} exceeds {MAX_AMOUNT}")
    return abs(number).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)  # the Money column's scale


def parse_request(params: Mapping[str, str]) -> PostbackRequest:
    raw_status = _text(params, "status")
    if raw_status is None:
        raise _bad("missing_status", f"status is required: one of {', '.join(STATUS_ALIASES)}")
    status = STATUS_ALIASES.get(raw_status.lower())
    if status is None:
        raise _bad("unknown_status", f"status must be one of {', '.join(STATUS_ALIASES)}")
    click_id = _one_of(params, CLICK_ALIASES)
    if click_id is not None and len(click_id) > MAX_LEN["click_id"]:
        raise _bad("too_long", "click_id is too long")
    promo = _text(params, "promo")
    if click_id is None and promo is None:
        raise _bad("missing_click", "click_id (or clickid / subid / cid) or promo is required")
    offer = _one_of(params, OFFER_ALIASES)
    if offer is not None and not (offer.isascii() and offer.isdigit() and len(offer) <= 18):
        raise _bad("bad_offer", "offer must be an offer id (a whole number)")
    currency = _text(params, "currency")
    if currency is not None and not _CURRENCY.fullmatch(currency):
        raise _bad("bad_currency", "currency is a three-letter code such as RUB")
    goal = _text(params, "goal") or DEFAULT_GOAL
    if not _GOAL.fullmatch(goal):
        raise _bad("bad_goal", "goal is 1-64 of A-Z a-z 0-9 _ . -")
    return PostbackRequest(
        status=status, click_id=click_id, promo=promo, offer_id=int(offer) if offer else None,
        payout=parse_amount("payout", _text(params, "payout")),
        amount=parse_amount("amount", _text(params, "amount")),
        currency=currency.upper() if currency else None, txid=_text(params, "txid"), goal=goal,
        reason=_text(params, "reason"),
    )


def admit(config: ProgramConfig, raw: RawPostback) -> PostbackRequest:
    """Everything that needs no database: origin, signature, shape. Raises PostbackError (403 / 400)."""
    if not ip_allowed(raw.remote, config.postback_ip_allowlist):
        raise PostbackError(403, "ip_not_allowed", "this address may not send postbacks")
    if not config.postback_secret:
        raise PostbackError(403, "postbacks_disabled", "postbacks are refused until POSTBACK_SECRET is set")
    params = merge_params(raw)
    signature = params.pop(SIGNATURE_PARAM, None)
    if not verify(config.postback_secret, params, signature):
        raise PostbackError(403, "bad_signature", "sig must be the hex HMAC-SHA256 of the sorted parameters")
    return parse_request(params)


# ---------------------------------------------------------------------------------------------------------------
# Attribution: which partner and offer the conversion belongs to

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
            raise _bad("offer_mismatch", "the promo code belongs to another offer")
        offer = await uow.session.get(Offer, link.offer_id)
    elif req.offer_id is not None:
        offer = await uow.session.get(Offer, req.offer_id)
        if offer is None:
            raise PostbackError(404, "unknown_offer", "no offer with this id")
    else:
        # A partner's ref code names no offer; with a single active offer there is nothing to guess.
        active = (await uow.session.scalars(select(Offer).where(Offer.status == "active").limit(2))).all()
        if len(active) != 1:
            raise _bad("offer_required", "this promo code needs offer=<offer id>")
        offer = active[0]
    assert offer is not None
    return offer


async def attribute(uow: UnitOfWork, req: PostbackRequest) -> Attribution:
    # A personal promo code (services/promo) first; link and ref codes still count for codes handed out before.
    personal = await owner_of_promo(uow, req.promo) if req.promo else None
    promo = (personal[0], None) if personal else await _promo_owner(uow, req.promo) if req.promo else None
    if req.click_id is not None:  # the click wins over a promo code
        click = await uow.session.scalar(select(Click).where(Click.click_id == req.click_id))
        if click is None:
            raise PostbackError(404, "unknown_click", "no click with this click_id")
        if req.offer_id is not None and req.offer_id != click.offer_id:
            raise _bad("offer_mismatch", "the click belongs to another offer")
        partner = await uow.partners.get(click.partner_id)
        offer = await uow.session.get(Offer, click.offer_id)
        assert partner is not None and offer is not None
        return Attribution(partner, offer, click, click.link_id, click.sub1, promo[0] if promo else None)
    if personal is not None:
        owner, offer = personal
        if req.offer_id is not None and req.offer_id != offer.id:
            raise _bad("offer_mismatch", "the promo code belongs to another offer")
        return Attribution(owner, offer, None, None, None, owner)
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
    raise _bad("txid_required", "a postback by promo code needs txid")


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


def _missing_money(offer: Offer) -> PostbackError:
    if offer.payout_model == "cpa":
        return _bad("missing_payout", "this offer has no fixed amount: send payout")
    return _bad("missing_amount", "a revshare sale needs amount (the sale sum)")


# ---------------------------------------------------------------------------------------------------------------
# Recording

@dataclass
class _Outcome:
    response: PostbackResponse
    conversion_id: int | None = None
    outbox_rows: int = 0


def _accepted(conversion: Conversion, duplicate: bool) -> PostbackResponse:
    return PostbackResponse(200, {"status": "ok", "conversion_id": conversion.id,
                                  "conversion_status": conversion.status, "duplicate": duplicate})


async def _create(uow: UnitOfWork, deps: Deps, req: PostbackRequest, who: Attribution, key: str,
                  now: datetime) -> _Outcome:
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
    conversion = Conversion(
        idempotency_key=key, click_pk=who.click.id if who.click else None, partner_id=who.partner.id,
        offer_id=who.offer.id, link_id=who.link_id, goal=req.goal, txid=req.txid, promo_code=req.promo,
        status=req.status, sale_amount=req.amount, commission=money, currency=who.offer.currency,
        payable=reason is None, not_payable_reason=reason,
        flags=",".join(flags) or None, review="pending" if flags else None,  # flagged → held for a manager
        reason=req.reason if req.status in (REJECTED, REFUNDED) else None, sub1=who.sub1,
        created_at=now, updated_at=now,
    )
    uow.session.add(conversion)
    await uow.session.flush()  # IntegrityError here: a concurrent twin won the key → retry, then a repeat
    rows = await commissions.apply_status_change(uow, deps, conversion, None, req.status)
    return _Outcome(_accepted(conversion, False), conversion.id, rows)


async def _final_commission(uow: UnitOfWork, deps: Deps, req: PostbackRequest, conversion: Conversion
                            ) -> dict[str, Decimal]:
    """Approval fixes the commission for good (it is what the ledger books). A lead's commission is a forecast:
    the approval's own payout (CPA) or sale sum (revshare) replaces it; without one the forecast stands."""
    offer = await uow.session.get(Offer, conversion.offer_id)
    partner = await uow.partners.get(conversion.partner_id)
    assert offer is not None and partner is not None
    carried = req.payout if offer.payout_model == "cpa" else req.amount
    if carried is None:
        if offer.payout_model == "revshare" and conversion.sale_amount is None:
            raise _missing_money(offer)
        return {}
    money = commissions.commission(offer, tiers=deps.config.tiers, partner_tier=partner.tier,
                                   payout=req.payout, sale_amount=req.amount)
    assert money is not None
    return {"commission": money}


async def _move(uow: UnitOfWork, deps: Deps, req: PostbackRequest, conversion: Conversion,
                now: datetime) -> _Outcome:
    old = conversion.status
    verdict = commissions.step(old, req.status)
    if verdict == "same":
        return _Outcome(_accepted(conversion, True), conversion.id)
    if verdict == "illegal":
        raise PostbackError(409, "illegal_transition", f"conversion {conversion.id} is {old}; "
                                                       f"it cannot become {req.status}")
    values: dict[str, Any] = {"status": req.status, "updated_at": now}
    if req.status in (REJECTED, REFUNDED) and req.reason:
        values["reason"] = req.reason
    if req.amount is not None and old == PENDING:
        values["sale_amount"] = req.amount
    if req.status == APPROVED and conversion.payable:
        values.update(await _final_commission(uow, deps, req, conversion))
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
        raise _bad("currency_mismatch", f"this offer pays in {who.offer.currency}")
    key = idempotency_key(req, who)
    conversion = await uow.session.scalar(select(Conversion).where(Conversion.idempotency_key == key))
    if conversion is None:
        return await _create(uow, deps, req, who, key, now)
    return await _move(uow, deps, req, conversion, now)


def _retriable(exc: Exception) -> bool:
    if isinstance(exc, (IntegrityError, _Retry)):
        return True
    orig = getattr(exc, "orig", None)
    return isinstance(exc, DBAPIError) and (
        getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)) in _RETRY_SQLSTATES


def _log_row(raw: RawPostback, received: datetime, response: PostbackResponse,
             conversion_id: int | None) -> PostbackLog:
    return PostbackLog(
        received_at=received, method=raw.method[:8], remote=(raw.remote or "")[:64] or None,
        query=raw.query[:16384], body=raw.body[:MAX_BODY].decode("utf-8", "replace") or None,
        status_code=response.status, result=response.body, conversion_id=conversion_id,
    )


async def _record(deps: Deps, raw: RawPostback, req: PostbackRequest, received: datetime) -> PostbackResponse:
    """Applies the postback and logs it in ONE transaction, retried when a concurrent twin won a race."""
    for attempt in range(1, ATTEMPTS + 1):
        async with deps.uow() as uow:
            try:
                try:
                    outcome = await _apply(uow, deps, req, deps.clock.now())
                except PostbackError as exc:  # raised before anything was written
                    outcome = _Outcome(exc.response())
                uow.session.add(_log_row(raw, received, outcome.response, outcome.conversion_id))
                await uow.commit()
            except Exception as exc:
                if not _retriable(exc):
                    raise
                log.debug("postback attempt %d lost a race: %r", attempt, exc)
                continue
        if outcome.outbox_rows:
            deps.wake_outbox()
        return outcome.response
    raise PostbackError(503, "busy", "too many concurrent updates of this conversion; retry")


async def _log_alone(deps: Deps, raw: RawPostback, received: datetime, response: PostbackResponse) -> None:
    try:
        async with deps.uow() as uow:
            uow.session.add(_log_row(raw, received, response, None))
            await uow.commit()
    except Exception:  # the answer matters more than its log line
        log.exception("could not write postback_log")


async def handle_postback(deps: Deps, raw: RawPostback) -> PostbackResponse:
    """The whole /postback: never raises; the response says what happened, postback_log keeps the request."""
    received = deps.clock.now()
    try:
        req = admit(deps.config, raw)
        return await _record(deps, raw, req, received)
    except PostbackError as exc:
        response = exc.response()
        if exc.status == 403:
            log.warning("postback refused (%s) from %s", exc.code, raw.remote)
    except Exception:
        log.exception("postback failed")
        response = PostbackResponse(500, {"error": "internal", "message": "internal error; retry later"})
    await _log_alone(deps, raw, received, response)
    return response
