"""REST API test helpers: tokens issued through the real use case, rows written straight to the database, and the
real aiohttp app around a test container."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from aiohttp.test_utils import TestClient

from bot.config import Settings
from bot.container import Container
from services.api import tokens
from services.app import Services
from services.db.models import Partner
from services.db.payout_models import Payout
from services.db.tracking_models import Conversion, Offer
from services.kernel.deps import Deps
from services.kernel.dto import Incoming

ADMIN = Incoming("telegram", "903", "903")  # seeded as admin by tests/conftest.py


def container_for(deps: Deps, db_url: str, **settings: Any) -> Container:
    engine = deps.uow.session_factory.kw["bind"]  # type: ignore[attr-defined]
    return Container(settings=Settings(_env_file=None, database_url=db_url, **settings), engine=engine, deps=deps,
                     services=Services(deps))


async def issue(deps: Deps, scopes: tuple[str, ...] = tokens.SCOPES, *, days: int | None = 30,
                name: str = "BI") -> tuple[int, str]:
    now = deps.clock.now()
    async with deps.uow() as uow:
        row, secret = await tokens.create(uow, ADMIN, name, scopes, now + timedelta(days=days) if days else None,
                                          now)
        await uow.commit()
    return row.id, secret


async def get(client: TestClient, path: str, token: str | None, **params: Any) -> tuple[int, Any, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.get(path, params=params, headers=headers)
    return response.status, await response.json(), response.headers


async def pages(client: TestClient, path: str, token: str, between: Any = None, **params: Any) -> list[Any]:
    """Every row of a listing, following next_cursor; `between(n)` runs before page n + 1 is asked for."""
    found: list[Any] = []
    cursor = None
    for n in range(1000):
        status, body, _ = await get(client, path, token, **params, **({"cursor": cursor} if cursor else {}))
        assert status == 200, body
        found += body["data"]
        cursor = body["next_cursor"]
        if cursor is None:
            return found
        if between is not None:
            await between(n)
    raise AssertionError("no last page")


async def add_partner(deps: Deps, ref: str, *, created: datetime | None = None, status: str = "approved") -> int:
    async with deps.uow() as uow:
        row = Partner(status=status, locale="en", timezone="UTC", tier="certified", ref_code=ref, name="Secret Name",
                      email=f"{ref}@example.com", created_at=created or deps.clock.now(),
                      approved_at=deps.clock.now() if status == "approved" else None)
        uow.session.add(row)
        await uow.commit()
        return row.id


async def add_offer(deps: Deps) -> int:
    async with deps.uow() as uow:
        row = Offer(name="Shop", target_url="https://shop.example.com/", payout_model="cpa",
                    cpa_amount=Decimal("1500"), currency="RUB", hold_days=30, attribution_days=30,
                    l2_percent=Decimal("5"), status="active", created_at=deps.clock.now())
        uow.session.add(row)
        await uow.commit()
        return row.id


async def add_conversions(deps: Deps, partner_id: int, offer_id: int, count: int, *, at: datetime,
                          status: str = "approved", commission: str = "12.50", tag: str = "c") -> list[int]:
    """`count` conversions all created at the same instant `at` (ties are what the id in the order is for)."""
    async with deps.uow() as uow:
        rows = [Conversion(idempotency_key=f"{tag}:{partner_id}:{at.isoformat()}:{n}", partner_id=partner_id,
                           offer_id=offer_id, goal="default", status=status, commission=Decimal(commission),
                           currency="RUB", payable=True, created_at=at, updated_at=at) for n in range(count)]
        uow.session.add_all(rows)
        await uow.commit()
        return [r.id for r in rows]


async def add_payout(deps: Deps, partner_id: int, amount: str, *, at: datetime, status: str = "requested") -> int:
    async with deps.uow() as uow:
        row = Payout(partner_id=partner_id, amount=Decimal(amount), currency="RUB", status=status, method="card",
                     kind="visa", masked="•••• 4242", cipher="CIPHERTEXT", source="partner", created_at=at,
                     updated_at=at)
        uow.session.add(row)
        await uow.commit()
        return row.id
