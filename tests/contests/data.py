"""Contest test data written straight into the tables; figures must come out as computed by hand."""
from __future__ import annotations

import itertools
from datetime import datetime
from decimal import Decimal
from typing import Any

from services.db.contest_models import Contest, ContestEntry
from services.db.models import MessengerAccount, Partner
from services.db.tracking_models import Conversion
from services.kernel.deps import Deps

_n = itertools.count(1)
PRIZES = [{"place": 1, "amount": "5000", "currency": "RUB"}, {"place": 2, "amount": "2000", "currency": "RUB"},
          {"place": 3, "text": "Headphones"}]


async def make_contest(deps: Deps, start: datetime, end: datetime, *, metric: str = "conversions",
                       status: str = "running", offers: list[int] | None = None, opt_in: bool = False,
                       currency: str | None = None, prizes: list[dict[str, Any]] | None = None) -> int:
    async with deps.uow() as uow:
        contest = Contest(status=status, title_ru="Весенний забег", title_en="Spring race",
                          description_ru="Кто больше", description_en="Who gets more", starts_at=start, ends_at=end,
                          metric=metric, currency=currency, offer_ids=offers or [],
                          prizes=PRIZES if prizes is None else prizes, opt_in=opt_in, created_by="test",
                          created_at=deps.clock.now())
        uow.session.add(contest)
        await uow.commit()
        return contest.id


async def join(deps: Deps, contest_id: int, partner_id: int, at: datetime) -> None:
    async with deps.uow() as uow:
        uow.session.add(ContestEntry(contest_id=contest_id, partner_id=partner_id, joined_at=at))
        await uow.commit()


async def conversion(deps: Deps, partner_id: int, offer_id: int, at: datetime, *, status: str = "approved",
                     review: str | None = None, payable: bool = True, sale: str | None = None,
                     currency: str = "RUB", updated: datetime | None = None) -> int:
    async with deps.uow() as uow:
        row = Conversion(idempotency_key=f"ct:{next(_n)}", partner_id=partner_id, offer_id=offer_id, goal="default",
                         status=status, sale_amount=Decimal(sale) if sale else None, commission=Decimal("10"),
                         currency=currency, payable=payable, review=review, flags="fast" if review else None,
                         created_at=at, updated_at=updated or at)
        uow.session.add(row)
        await uow.commit()
        return row.id


async def set_status(deps: Deps, conversion_id: int, status: str, at: datetime) -> None:
    """What a later postback does to the row: a new status, updated_at moved."""
    async with deps.uow() as uow:
        row = await uow.session.get(Conversion, conversion_id)
        row.status, row.updated_at = status, at
        await uow.commit()


async def messenger_partner(deps: Deps, user: int, *, messenger: str = "telegram", name: str = "Ivan",
                            locale: str = "en", public_name: bool = False, parent_id: int | None = None,
                            approved_at: datetime | None = None, status: str = "approved") -> int:
    """An approved partner with a messenger account (so notices have somewhere to go)."""
    now = deps.clock.now()
    async with deps.uow() as uow:
        partner = await uow.partners.add(Partner(status=status, locale=locale, ref_code=f"C{user}{next(_n)}",
                                                 name=name, public_name=public_name, parent_id=parent_id,
                                                 created_at=now, approved_at=approved_at or now))
        await uow.accounts.add(MessengerAccount(partner_id=partner.id, messenger=messenger, external_id=str(user),
                                                chat_id=str(user), first_name=name, created_at=now))
        await uow.commit()
        return partner.id
