"""Dashboard sign-in links (signed, 15 minutes, single-use in the database) and session cookies."""
from __future__ import annotations

import asyncio

import pytest

from services.dashboard import tokens
from services.dashboard.tokens import Redeemed, Signer
from tests.fakes.dashboard import seed_partner

SECRET = "s3cret-for-tests"


@pytest.fixture
async def partners(deps):
    a = await seed_partner(deps, 501, name="Ann")
    b = await seed_partner(deps, 502, name="Bob")
    return a.partner_id, b.partner_id


async def issue(deps, partner_id: int, signer: Signer | None = None) -> str:
    async with deps.uow() as uow:
        token = await tokens.issue_link(uow, signer or Signer(SECRET), partner_id, deps.clock.now())
        await uow.commit()
    return token


async def redeem(deps, token: str | None, signer: Signer | None = None) -> tokens.Redemption:
    async with deps.uow() as uow:
        result = await tokens.redeem_link(uow, signer or Signer(SECRET), token, deps.clock.now())
        await uow.commit()
    return result


async def peek(deps, token: str | None) -> tokens.Redemption:
    async with deps.uow() as uow:
        return await tokens.peek_link(uow, Signer(SECRET), token, deps.clock.now())


async def test_a_link_works_once(deps, partners):
    a, _ = partners
    token = await issue(deps, a)
    assert await peek(deps, token) == await peek(deps, token) == tokens.Redemption(Redeemed.OK, a)  # spends nothing
    assert await redeem(deps, token) == tokens.Redemption(Redeemed.OK, a)
    assert await peek(deps, token) == tokens.Redemption(Redeemed.USED, a)
    assert await redeem(deps, token) == tokens.Redemption(Redeemed.USED, a)


async def test_a_link_expires_after_15_minutes(deps, partners, clock):
    a, _ = partners
    fresh, stale = await issue(deps, a), await issue(deps, a)
    clock.advance(minutes=14, seconds=59)
    assert (await redeem(deps, fresh)).outcome is Redeemed.OK
    clock.advance(seconds=1)
    assert (await peek(deps, stale)).outcome is Redeemed.EXPIRED
    assert (await redeem(deps, stale)).outcome is Redeemed.EXPIRED


async def test_tampered_links_are_refused_and_not_spent(deps, partners):
    a, b = partners
    token = await issue(deps, a)
    partner, expires, nonce, mac = token.split(".")
    forged = [
        f"{b}.{expires}.{nonce}.{mac}",  # another partner's id on this signature
        f"{a}.{int(expires) + 3600}.{nonce}.{mac}",  # a later expiry
        f"{a}.{expires}.{nonce}.{mac[:-2]}AA",
        f"{a}.{expires}.{nonce}",
        "", None, "x" * 600,
    ]
    for bad in forged:
        assert (await peek(deps, bad)).outcome is Redeemed.INVALID, bad
        assert (await redeem(deps, bad)).outcome is Redeemed.INVALID, bad
    assert (await redeem(deps, token, Signer("another-key"))).outcome is Redeemed.INVALID
    assert (await redeem(deps, token)).outcome is Redeemed.OK  # none of that spent the real one


async def test_a_link_is_bound_to_its_partner_in_the_database(deps, partners):
    """Even a correctly signed token (a leaked key) cannot spend another partner's row."""
    a, b = partners
    signer = Signer(SECRET)
    _, expires, nonce, _ = (await issue(deps, a, signer)).split(".")
    crossed = signer.dumps("link", str(b), expires, nonce)
    assert (await redeem(deps, crossed, signer)).outcome is not Redeemed.OK
    assert (await redeem(deps, signer.dumps("link", str(a), expires, "unknown-nonce"), signer)).outcome \
        is not Redeemed.OK


async def test_concurrent_redemptions_let_exactly_one_in(deps, partners):
    a, _ = partners
    token = await issue(deps, a)
    results = await asyncio.gather(*(redeem(deps, token) for _ in range(5)))
    assert sorted(r.outcome.value for r in results) == ["ok", "used", "used", "used", "used"]


async def test_used_and_expired_rows_are_purged_a_day_later(deps, partners, clock):
    from sqlalchemy import func, select

    from services.db.dashboard_models import DashboardToken

    a, _ = partners
    await issue(deps, a)
    clock.advance(days=1, minutes=16)
    await issue(deps, a)
    async with deps.uow() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(DashboardToken)) == 1


def test_session_cookies(clock):
    signer, now = Signer(SECRET), clock.now()
    cookie = tokens.new_session(signer, 7, now)
    assert tokens.session_partner(signer, cookie, now) == 7
    partner, expires, nonce, mac = cookie.split(".")
    assert tokens.session_partner(signer, f"8.{expires}.{nonce}.{mac}", now) is None  # another partner
    assert tokens.session_partner(signer, f"7.{int(expires) + 9}.{nonce}.{mac}", now) is None
    assert tokens.session_partner(Signer("another-key"), cookie, now) is None
    assert tokens.session_partner(signer, cookie, now + tokens.SESSION_TTL) is None  # expired
    # A sign-in link or a CSV link is no session, even with the same key and fields.
    assert tokens.session_partner(signer, signer.dumps("link", "7", expires, nonce), now) is None
    assert tokens.read_export(signer, cookie, now) is None
