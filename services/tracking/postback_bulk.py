"""Group commit of postbacks: the admitted postbacks that arrived together, applied in ONE transaction.

The one-by-one path (postbacks.record_one) costs a dozen ORM round trips and a commit (an fsync on SQLite) per
postback. Here a batch costs a fixed handful of statements: one read each for its clicks, partners (and their
inviters), offers, existing conversions, mutes, messenger accounts and balances; then the new conversions in one
INSERT … RETURNING, a conditional UPDATE per status change, and the ledger entries, outbox rows and postback_log
rows each in one multi-row INSERT; one commit. The rules are the one-by-one path's own functions
(postbacks.new_conversion / move_values, commissions.approval_credits / partner_screen, notify.partner_rows), and
every fact keeps its unique key, so the database still refuses a double whatever happens here.

Isolation: a postback this batch cannot judge on its own is handed back (`later`) and goes the one-by-one way
after the commit — promo codes, a second different status for a key already touched in this batch, a reversal of
an approved conversion (it needs the ledger's postings). A postback refused by the rules (unknown click, 409…)
writes nothing but its log row. Anything the database refuses (a twin committed by another process, a lost
conditional UPDATE, a deadlock) rolls the whole batch back, and every postback of it is redone one by one in its
own transaction — the slow path with its retries — so one bad postback never fails another, and none is
answered before the transaction holding it committed.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, update

from services.db.models import MessengerAccount, OutboxMessage, Partner
from services.db.api_models import ConversionEvent
from services.db.tracking_models import Click, Conversion, LedgerEntry, NotificationMute, Offer, PostbackLog
from services.kernel.deps import Deps
from services.ledger import entries as ledger
from services.messaging import notify
from services.tracking import commissions
from services.tracking.commissions import APPROVED, PENDING
from services.tracking.postback_attribution import Attribution, idempotency_key
from services.tracking.postback_log import log_values
from services.tracking.postback_parse import PostbackError, PostbackRequest, PostbackResponse, RawPostback, bad
from services.tracking.postbacks import illegal, move_values, new_conversion

KINDS = ("conversion", "l2_conversion")


class LostRace(Exception):
    """A conditional UPDATE found the row moved by someone else: the batch is redone one by one."""


@dataclass
class Item:
    raw: RawPostback
    req: PostbackRequest
    received: datetime


@dataclass
class Result:
    responses: dict[int, PostbackResponse] = field(default_factory=dict)  # index in the batch → answer
    later: list[int] = field(default_factory=list)  # indexes to redo one by one after the commit
    outbox_rows: int = 0


@dataclass
class _Change:
    index: int
    conversion: Conversion
    old: str | None
    new: str
    values: dict[str, Any] | None = None  # a move: what its conditional UPDATE sets


def _accepted(conversion: Conversion, duplicate: bool) -> PostbackResponse:
    return PostbackResponse(200, {"status": "ok", "conversion_id": conversion.id,
                                  "conversion_status": conversion.status, "duplicate": duplicate})


class _Loaded:
    """Everything the batch reads, in a few queries."""

    async def load(self, session: Any, items: Sequence[Item]) -> None:
        ids = {item.req.click_id for item in items}
        # Clicks with their partners and offers in one round trip (each round trip is what a batch costs).
        self.clicks: dict[str, Click] = {}
        self.partners: dict[int, Partner] = {}
        self.offers: dict[int, Offer] = {}
        for click, partner, offer in (await session.execute(
                select(Click, Partner, Offer).join(Partner, Partner.id == Click.partner_id)
                .join(Offer, Offer.id == Click.offer_id).where(Click.click_id.in_(ids)))).all():
            self.clicks[click.click_id], self.partners[partner.id], self.offers[offer.id] = click, partner, offer
        wanted = {p.parent_id for p in self.partners.values() if p.parent_id is not None} - set(self.partners)
        if wanted:  # their inviters: second-level money goes to approved ones
            self.partners.update((p.id, p) for p in await session.scalars(select(Partner).where(
                Partner.id.in_(wanted))))
        partner_ids = list(self.partners)
        # Messenger accounts, each with its partner's mutes of conversion notices (one round trip for both).
        self.muted: set[tuple[int, str]] = set()
        self.accounts: dict[int, list[MessengerAccount]] = defaultdict(list)
        mutes = [select(NotificationMute.id).where(NotificationMute.partner_id == MessengerAccount.partner_id,
                                                   NotificationMute.kind == kind).exists() for kind in KINDS]
        for account, *muted in (await session.execute(select(MessengerAccount, *mutes).where(
                MessengerAccount.partner_id.in_(partner_ids)).order_by(MessengerAccount.id))).all():
            self.accounts[account.partner_id].append(account)
            self.muted.update((account.partner_id, kind) for kind, yes in zip(KINDS, muted) if yes)
        # Balances as they stand; the batch adds its own entries as it books them, in order.
        self.balances: dict[tuple[int, str], dict[str, Decimal]] = defaultdict(
            lambda: {ledger.HOLD: ledger.ZERO, ledger.AVAILABLE: ledger.ZERO})
        for partner_id, currency, bucket, total in (await session.execute(
                select(LedgerEntry.partner_id, LedgerEntry.currency, LedgerEntry.bucket, func.sum(LedgerEntry.amount))
                .where(LedgerEntry.partner_id.in_(partner_ids))
                .group_by(LedgerEntry.partner_id, LedgerEntry.currency, LedgerEntry.bucket))).all():
            # SQLite sums NUMERIC as floating point; entries have at most 4 places, so rounding back is exact.
            self.balances[(partner_id, currency)][bucket] = Decimal(total or 0).quantize(Decimal("0.0001"))

    def attribute(self, req: PostbackRequest) -> Attribution:
        """postback_attribution.attribute() for a click postback without a promo code, from what was loaded."""
        click = self.clicks.get(req.click_id or "")
        if click is None:
            raise PostbackError(404, "unknown_click", "no click with this click_id")
        if req.offer_id is not None and req.offer_id != click.offer_id:
            raise bad("offer_mismatch", "the click belongs to another offer")
        return Attribution(self.partners[click.partner_id], self.offers[click.offer_id], click, click.link_id,
                           click.sub1, None)


async def apply_batch(deps: Deps, items: Sequence[Item]) -> Result:
    """Applies the batch and commits. Raises when the database refused it (nothing of it was committed)."""
    result = Result()
    mine = [i for i, item in enumerate(items) if item.req.click_id is not None and item.req.promo is None]
    result.later = [i for i, item in enumerate(items) if item.req.click_id is None or item.req.promo is not None]
    if not mine:
        return result
    now = deps.clock.now()
    async with deps.uow() as uow:
        session = uow.session
        data = _Loaded()
        await data.load(session, [items[i] for i in mine])
        keys: dict[int, str] = {}
        for i in mine:
            try:
                who = data.attribute(items[i].req)
                if items[i].req.currency is not None and items[i].req.currency != who.offer.currency:
                    raise bad("currency_mismatch", f"this offer pays in {who.offer.currency}")
                keys[i] = idempotency_key(items[i].req, who)
            except PostbackError as exc:
                result.responses[i] = exc.response()
        existing = {c.idempotency_key: c for c in (await session.scalars(
            select(Conversion).where(Conversion.idempotency_key.in_(set(keys.values())))))} if keys else {}
        for conversion in existing.values():
            session.expunge(conversion)  # changed here in memory only: the conditional UPDATE writes it
        changes, repeats, created = _decide(deps, items, keys, existing, data, result, now)
        for change in changes:
            if change.old is not None:
                moved = await session.execute(
                    update(Conversion).where(Conversion.id == change.conversion.id, Conversion.status == change.old)
                    .values(**change.values or {}).execution_options(synchronize_session=False))
                if moved.rowcount != 1:  # type: ignore[attr-defined]
                    raise LostRace()
        await _insert_conversions(session, created)  # a twin's key (another process) raises here
        ledger_rows, outbox_rows = _effects(changes, data, now)
        for change in changes:
            result.responses[change.index] = _accepted(change.conversion, False)
        for i, conversion in repeats:
            result.responses[i] = _accepted(conversion, True)
        logs = [log_values(items[i].raw, items[i].received, result.responses[i],
                           result.responses[i].body.get("conversion_id")) for i in mine if i in result.responses]
        # The REST API's status history, as commissions.apply_status_change records it on the one-by-one path.
        events = [{"conversion_id": c.conversion.id, "from_status": c.old, "to_status": c.new,
                   "source": "advertiser", "created_at": now} for c in changes]
        for model, rows in ((LedgerEntry, ledger_rows), (OutboxMessage, outbox_rows), (PostbackLog, logs),
                            (ConversionEvent, events)):
            if rows:
                await session.execute(insert(model.__table__), rows)
        await uow.commit()
    result.outbox_rows = len(outbox_rows)
    return result


_CONVERSION_COLUMNS = [c.key for c in Conversion.__table__.columns if c.key != "id"]


async def _insert_conversions(session: Any, created: list[Conversion]) -> None:
    """Multi-row INSERT … RETURNING (the ORM's flush sends one INSERT per row on SQLite); ids by key."""
    if not created:
        return
    rows = [{name: getattr(c, name) for name in _CONVERSION_COLUMNS} for c in created]
    # The Table, not the mapped class: a plain Core executemany, compiled once and cached, sent as multi-row
    # INSERTs by SQLAlchemy's insertmanyvalues (the ORM bulk path spends more time per row than the database).
    table = Conversion.__table__
    ids = dict((await session.execute(insert(table).returning(table.c.idempotency_key, table.c.id), rows)).all())
    for conversion in created:
        conversion.id = ids[conversion.idempotency_key]


def _decide(deps: Deps, items: Sequence[Item], keys: dict[int, str], existing: dict[str, Conversion],
            data: _Loaded, result: Result, now: datetime
            ) -> tuple[list[_Change], list[tuple[int, Conversion]], list[Conversion]]:
    """In arrival order: which postbacks create, move or repeat; what waits for the one-by-one path."""
    changes: list[_Change] = []
    repeats: list[tuple[int, Conversion]] = []
    created: list[Conversion] = []
    touched: dict[str, Conversion] = {}
    for i, key in keys.items():
        req = items[i].req
        try:
            if key in touched:  # the same conversion twice in one batch: a repeat, or the next step after commit
                if commissions.step(touched[key].status, req.status) == "same":
                    repeats.append((i, touched[key]))
                else:
                    result.later.append(i)
                continue
            conversion = existing.get(key)
            if conversion is None:
                conversion = new_conversion(deps, req, data.attribute(req), key, now)
                created.append(conversion)
                changes.append(_Change(i, conversion, None, req.status))
            else:
                verdict = commissions.step(conversion.status, req.status)
                if verdict == "same":
                    repeats.append((i, conversion))
                elif verdict == "illegal":
                    raise illegal(conversion, req.status)
                elif conversion.status != PENDING:  # a reversal: the ledger's postings decide, one by one
                    result.later.append(i)
                    continue
                else:
                    offer, partner = data.offers[conversion.offer_id], data.partners.get(conversion.partner_id)
                    if partner is None:  # the click's partner is not the conversion's (edited by hand?)
                        result.later.append(i)
                        continue
                    values = move_values(deps, req, conversion, offer, partner, now)
                    old = conversion.status
                    for name, value in values.items():
                        setattr(conversion, name, value)
                    changes.append(_Change(i, conversion, old, req.status, values))
            touched[key] = conversion
        except PostbackError as exc:
            result.responses[i] = exc.response()
    return changes, repeats, created


def _effects(changes: list[_Change], data: _Loaded, now: datetime) -> tuple[list[dict], list[dict]]:
    """commissions.apply_status_change for each change, in order, as rows: ledger credits and notices."""
    ledger_rows: list[dict[str, Any]] = []
    outbox_rows: list[dict[str, Any]] = []
    for change in changes:
        conversion = change.conversion
        offer, partner = data.offers[conversion.offer_id], data.partners[conversion.partner_id]
        currency = conversion.currency
        l2: tuple[Partner, Decimal] | None = None
        if change.new == APPROVED:
            parent = commissions.parent_if_approved(partner, data.partners.get(partner.parent_id or 0))
            release_at = now + timedelta(days=offer.hold_days)
            for level, who, amount in commissions.approval_credits(conversion, offer, partner, parent):
                ledger_rows.append(dict(
                    entry_key=ledger.entry_key(conversion.id, "approved", level), partner_id=who.id,
                    conversion_id=conversion.id, kind=ledger.EARN_KIND[level], bucket=ledger.HOLD, amount=amount,
                    currency=currency, release_at=release_at, created_at=now))
                data.balances[(who.id, currency)][ledger.HOLD] += amount
                if level == "l2":
                    l2 = (who, amount)
        if (partner.id, "conversion") not in data.muted:
            screen = commissions.partner_screen(conversion, offer, change.new, "advertiser", commissions.balance_args(
                data.balances[(partner.id, currency)], currency))
            outbox_rows += notify.partner_rows(partner, data.accounts[partner.id], screen, "conversion", now,
                                               f"conv:{conversion.id}:{change.new}")
        if l2 is not None and (l2[0].id, "l2_conversion") not in data.muted:
            parent, amount = l2
            screen = commissions.l2_screen(conversion, offer, change.new, amount, commissions.balance_args(
                data.balances[(parent.id, currency)], currency))
            outbox_rows += notify.partner_rows(parent, data.accounts[parent.id], screen, "l2_conversion", now,
                                               f"conv:{conversion.id}:{change.new}:l2")
    return ledger_rows, outbox_rows
