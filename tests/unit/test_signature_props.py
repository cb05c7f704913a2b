"""Properties: postback signatures round-trip for any parameters and reject any tampering; the conversion status
machine never reaches an illegal state; the ledger of a conversion always equals its commission while (and only
while) it is approved — driven through the real postback use case on a migrated SQLite database."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import shutil
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlencode

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from services.db.engine import make_engine, make_session_factory
from services.db.models import Partner, StaffRole
from services.db.tracking_models import Click, Conversion, LedgerEntry, Offer, TrackingLink
from services.db.uow import UnitOfWorkFactory
from services.kernel.deps import Deps, ProgramConfig
from services.kernel.dto import Incoming
from services.tracking.commissions import (
    APPROVED,
    PENDING,
    REFUNDED,
    REJECTED,
    STATUSES,
    TRANSITIONS,
    cents,
    l2_commission,
    step,
)
from services.ledger.entries import release_due
from services.tracking.postbacks import STATUS_ALIASES, RawPostback, admit, handle_postback
from services.tracking.review import review
from services.tracking.signature import accepted_texts, canonical, ip_allowed, raw_canonical, sign, verify
from tests.fakes.clock import FakeClock

SECRET = "k3y"
ATTRIBUTION_DAYS = 30
FRAUD_MIN_SECONDS = 10

keys = st.text(min_size=1, max_size=12).filter(lambda k: k != "sig")
values = st.text(max_size=20)  # unicode, empty
param_dicts = st.dictionaries(keys, values, max_size=8)
secrets = st.text(min_size=1, max_size=32)


# ---- signature --------------------------------------------------------------------------------------------------

@given(param_dicts, secrets)
def test_signature_round_trips(params, secret):
    signature = sign(secret, params)
    assert len(signature) == 64
    assert verify(secret, params, signature)
    assert verify(secret, params, signature.upper())
    assert verify(secret, {**params, "sig": "anything"}, signature)  # sig never signs itself


@given(param_dicts, secrets, st.data())
def test_any_tamper_is_rejected(params, secret, data):
    signature = sign(secret, params)
    tampered = dict(params)
    action = data.draw(st.sampled_from(["change", "add", "remove", "rename"] if params else ["add"]))
    if action == "add":
        key = data.draw(keys.filter(lambda k: k not in params))
        tampered[key] = data.draw(values)
    else:
        key = data.draw(st.sampled_from(sorted(params)))
        if action == "change":
            tampered[key] = data.draw(values.filter(lambda v: v != params[key]))
        elif action == "remove":
            del tampered[key]
        else:
            tampered[data.draw(keys.filter(lambda k: k not in params))] = tampered.pop(key)
    assert canonical(tampered) != canonical(params)
    assert not verify(secret, tampered, signature)


@given(param_dicts, secrets, secrets)
def test_another_secret_or_no_secret_rejects(params, secret, other):
    assume(secret != other)
    assert not verify(other, params, sign(secret, params))
    assert not verify("", params, sign(secret, params))
    assert not verify(secret, params, None) and not verify(secret, params, "")


# Few characters, the separators and "%" among them: collisions under a weaker rule are found at once.
tricky = st.text(alphabet="a1&=% é", max_size=6)
tricky_dicts = st.dictionaries(tricky.filter(lambda k: k != "sig"), tricky, max_size=4)


@given(tricky_dicts, tricky_dicts)
def test_two_different_parameter_maps_never_share_a_canonical_string(one, other):
    assume(one != other)
    assert canonical(one) != canonical(other)


@given(st.dictionaries(st.text().filter(lambda k: k != "sig"), st.text(), max_size=8))
def test_canonical_string_decodes_back_to_its_map(params):
    """A left inverse exists, so the canonical form is injective for any text, not only the characters above."""
    pairs = [pair.split("=") for pair in canonical(params).split("&")] if params else []
    assert all(len(pair) == 2 for pair in pairs)
    assert {unquote(k, errors="strict"): unquote(v, errors="strict") for k, v in pairs} == params


@given(tricky_dicts, tricky_dicts, secrets)
def test_no_signature_verifies_two_different_maps(one, other, secret):
    """Whatever rule the advertiser signed with (encoded, or the earlier raw one where it is still accepted), a
    signature of one map never verifies another."""
    assume(one != other)
    assert not set(accepted_texts(one)) & set(accepted_texts(other))
    for text in accepted_texts(one):
        assert not verify(secret, other, hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest())


def test_a_value_holding_a_pair_no_longer_signs_as_two_pairs():
    """The reported collision: from one captured URL, a new txid (hence a second conversion) was minted."""
    split, joined = {"txid": "T", "uid": "77"}, {"txid": "T&uid=77"}
    assert canonical(split) == "txid=T&uid=77" and canonical(joined) == "txid=T%26uid%3D77"
    assert not verify(SECRET, joined, sign(SECRET, split)) and not verify(SECRET, split, sign(SECRET, joined))
    legacy = hmac.new(SECRET.encode(), b"txid=T&uid=77", hashlib.sha256).hexdigest()
    assert verify(SECRET, split, legacy) and not verify(SECRET, joined, legacy)


def legacy_sign(secret: str, params: dict[str, str]) -> str:
    """What advertisers computed before: raw values, sorted by name."""
    payload = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "sig")
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def test_todays_signatures_keep_verifying_where_they_are_unambiguous():
    plain = {"click_id": "0195a1b2c3d4e5f6a7b8c9d0e1f2a3b4", "status": "sale", "payout": "99.90", "offer": "1",
             "offer_id": "1", "currency": "RUB", "txid": "A-1_b.2~c"}
    assert canonical(plain) == raw_canonical(plain)  # unreserved only: one text under both rules
    assert verify(SECRET, plain, legacy_sign(SECRET, plain))
    spaced = {**plain, "reason": "Отказ клиента: дубль", "txid": "order 15/2"}
    assert verify(SECRET, spaced, legacy_sign(SECRET, spaced)) and verify(SECRET, spaced, sign(SECRET, spaced))
    for risky in ("a&b", "a=b", "100%"):  # the raw text would be ambiguous: only the encoded rule verifies
        params = {**plain, "reason": risky}
        assert not verify(SECRET, params, legacy_sign(SECRET, params))
        assert verify(SECRET, params, sign(SECRET, params))
    # "T 1" signed encoded is "T%201"; the raw text of a literal "T%201" must not reuse that signature.
    assert not verify(SECRET, {"txid": "T%201"}, sign(SECRET, {"txid": "T 1"}))


@given(st.dictionaries(st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True), values, max_size=6),
       st.sampled_from(sorted(STATUS_ALIASES)))
def test_signed_query_survives_url_encoding(extra, status):
    """What the advertiser signs (decoded values) is what we verify after percent-decoding, unicode included."""
    params = {**extra, "status": status, "click_id": "C1"}
    for name in ("payout", "amount", "currency", "goal", "txid", "promo", "offer", "offer_id", "reason", "cid",
                 "clickid", "subid", "ts"):  # ts: the signing time, tested on its own
        params.pop(name, None)
    query = urlencode({**params, "sig": sign(SECRET, params)})
    request = admit(ProgramConfig(postback_secret=SECRET), RawPostback("GET", "127.0.0.1", query),
                    now=FakeClock().now())
    assert (request.click_id, request.status) == ("C1", STATUS_ALIASES[status])


def test_ip_allowlist():
    allow = ("203.0.113.0/24", "2001:db8::/32", "198.51.100.7")
    assert ip_allowed("203.0.113.200", allow) and ip_allowed("::ffff:198.51.100.7", allow)
    assert ip_allowed("2001:db8::1", allow) and ip_allowed("anything", ())
    assert not ip_allowed("198.51.100.8", allow) and not ip_allowed(None, allow)
    assert not ip_allowed("203.0.113.1", ("not-an-ip",))  # a broken list fails closed


# ---- the status machine alone -------------------------------------------------------------------------------------

@given(st.lists(st.sampled_from(STATUSES), max_size=12))
def test_status_machine_only_walks_legal_edges(requests):
    state: str | None = None
    history = []
    for new in requests:
        verdict = step(state, new)
        if verdict == "apply":
            assert new in TRANSITIONS[state]
            state = new
            history.append(new)
        elif verdict == "same":
            assert new == state
    assert state is None or state in STATUSES
    # Every reachable history is a prefix of pending → approved → refunded, or ends in a single rejection.
    assert history in ([], [PENDING], [APPROVED], [REJECTED], [PENDING, APPROVED], [PENDING, REJECTED],
                       [APPROVED, REFUNDED], [PENDING, APPROVED, REFUNDED])


# ---- the machine and the money, through the real use case ------------------------------------------------------

amounts = st.one_of(st.none(), st.decimals(min_value=0, max_value=100000, places=2).map(str))
events = st.lists(st.one_of(
    st.tuples(st.just("postback"), st.sampled_from(sorted(STATUS_ALIASES)), amounts),
    st.tuples(st.just("release"), st.integers(min_value=0, max_value=45), st.none()),
    st.tuples(st.just("review"), st.sampled_from(["clear", "reject"]), st.none()),
), min_size=1, max_size=10)


@dataclass
class Model:
    """What the conversion should be, computed independently of the code under test."""

    revshare: bool
    cpa: Decimal
    percent: Decimal
    l2_percent: Decimal
    click_age: timedelta = timedelta(0)
    payable: bool = True
    status: str | None = None
    commission: Decimal | None = None
    review: str | None = None

    def earned(self, money: Decimal) -> Decimal:
        """The commission the postback's money parameter (payout for CPA, the sale sum for revshare) implies."""
        return cents(money * self.percent / 100 if self.revshare else money)

    def expect(self, new: str, money: Decimal | None) -> int:
        verdict = step(self.status, new)
        if verdict == "same":
            return 200
        if verdict == "illegal":
            return 409
        if self.status is None:
            if self.click_age > timedelta(days=ATTRIBUTION_DAYS):
                self.payable = False  # recorded, never paid
            elif money is not None:
                self.commission = self.earned(money)
            elif not self.revshare:
                self.commission = cents(self.cpa)  # the offer's fixed amount
        if self.payable and new == APPROVED:
            # Approval fixes the commission: its own money parameter wins over the lead's forecast.
            if money is not None:
                self.commission = self.earned(money)
            if self.commission is None:
                return 400
        if self.status is None:  # flagged "fast" only if it converts within fraud_min_seconds of the click
            self.review = "pending" if self.click_age < timedelta(seconds=FRAUD_MIN_SECONDS) else None
        self.status = new
        return 200

    @property
    def booked(self) -> Decimal:
        return self.commission if self.payable and self.commission is not None else Decimal(0)


_ids = itertools.count()


@pytest.fixture
def shared_db(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "props.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(revshare=st.booleans(), fast_click=st.booleans(), l2=st.sampled_from(["0", "5", "12.5"]), script=events)
def test_ledger_always_equals_commission_while_approved(shared_db, revshare, fast_click, l2, script):
    asyncio.run(_run_script(shared_db, revshare, fast_click, Decimal(l2), script))


async def _world(deps: Deps, revshare: bool, fast_click: bool, l2: Decimal) -> tuple[str, int, int]:
    n = next(_ids)
    now = deps.clock.now()
    async with deps.uow() as uow:
        parent = Partner(status="approved", ref_code=f"par{n}", locale="en", tier="certified", created_at=now)
        uow.session.add(parent)
        await uow.session.flush()
        child = Partner(status="approved", ref_code=f"chi{n}", locale="en", tier="gold", parent_id=parent.id,
                        created_at=now)
        offer = Offer(name="O", target_url="https://x.example/", payout_model="revshare" if revshare else "cpa",
                      cpa_amount=None if revshare else Decimal("123.45"), revshare_percent=None, currency="RUB",
                      hold_days=10, attribution_days=ATTRIBUTION_DAYS, l2_percent=l2, status="active",
                      created_at=now)
        uow.session.add_all([child, offer])
        await uow.session.flush()
        link = TrackingLink(code=f"L{n}", partner_id=child.id, offer_id=offer.id, created_at=now)
        uow.session.add(link)
        await uow.session.flush()
        click_id = f"P{n}"
        uow.session.add(Click(click_id=click_id, link_id=link.id, partner_id=child.id, offer_id=offer.id,
                              created_at=now - timedelta(seconds=2 if fast_click else 600), ip_hash="i", ua_hash="u"))
        await uow.commit()
        return click_id, child.id, parent.id


async def _run_script(url: str, revshare: bool, fast_click: bool, l2: Decimal, script: list[tuple]) -> None:
    engine = make_engine(url)
    clock = FakeClock()
    deps = Deps(uow=UnitOfWorkFactory(make_session_factory(engine)), clock=clock,
                config=ProgramConfig(postback_secret=SECRET, fraud_min_seconds=FRAUD_MIN_SECONDS))
    try:
        click_id, partner_id, parent_id = await _world(deps, revshare, fast_click, l2)
        async with deps.uow() as uow:
            uow.session.add(StaffRole(messenger="telegram", external_id=f"m{click_id}", role="manager",
                                      created_at=clock.now()))
            await uow.commit()
        manager = Incoming(messenger="telegram", user_id=f"m{click_id}", chat_id="1")
        model = Model(revshare=revshare, cpa=Decimal("123.45"), percent=Decimal("35"), l2_percent=l2,
                      click_age=timedelta(seconds=2 if fast_click else 600))
        for kind, arg, amount in script:
            if kind == "postback":
                money_param = "amount" if revshare else "payout"
                params = {"click_id": click_id, "status": arg, **({money_param: amount} if amount else {})}
                query = urlencode({**params, "sig": sign(SECRET, params)})
                expected = model.expect(STATUS_ALIASES[arg], Decimal(amount) if amount else None)
                response = await handle_postback(deps, RawPostback("GET", "127.0.0.1", query))
                assert response.status == expected, (script, response.body)
            elif kind == "release":
                clock.advance(days=arg)
                model.click_age += timedelta(days=arg)
                await release_due(deps)
            elif model.status is not None:
                result = await review(deps, manager, await _conversion_id(deps, click_id), arg)
                if model.review == "pending":
                    model.review = "cleared" if arg == "clear" else "rejected"
                    if arg == "reject" and model.status in (PENDING, APPROVED):
                        model.status = REJECTED
                assert (result.review, result.status) == (model.review, model.status)
            await _check(deps, click_id, partner_id, parent_id, model)
    finally:
        await engine.dispose()


async def _conversion_id(deps: Deps, click_id: str) -> int:
    async with deps.uow() as uow:
        return await uow.session.scalar(
            select(Conversion.id).join(Click, Click.id == Conversion.click_pk).where(Click.click_id == click_id))


async def _check(deps: Deps, click_id: str, partner_id: int, parent_id: int, model: Model) -> None:
    async with deps.uow() as uow:
        conversion = await uow.session.scalar(
            select(Conversion).join(Click, Click.id == Conversion.click_pk).where(Click.click_id == click_id))
        if model.status is None:
            assert conversion is None
            return
        assert conversion.status == model.status and conversion.status in STATUSES
        assert conversion.review == model.review
        entries = (await uow.session.scalars(
            select(LedgerEntry).where(LedgerEntry.conversion_id == conversion.id))).all()
    assert conversion.commission == model.booked
    # The invariant: a conversion's ledger holds exactly its commission while approved, and nothing otherwise.
    earned = model.booked if conversion.status == APPROVED else Decimal(0)
    expected = {partner_id: earned, parent_id: l2_commission(earned, model.l2_percent)}
    for who, total in expected.items():
        mine = [e for e in entries if e.partner_id == who]
        assert sum((e.amount for e in mine), Decimal(0)) == total
        for bucket in ("hold", "available"):  # money is in one place at a time, never below zero
            assert sum((e.amount for e in mine if e.bucket == bucket), Decimal(0)) >= 0
        if model.review == "pending":
            assert all(e.bucket == "hold" for e in mine)  # flagged: never released before a manager clears it
    assert {e.currency for e in entries} <= {"RUB"}
