"""Test data for payouts: approved partners, available money and payout details, written directly."""
from __future__ import annotations

import itertools
from decimal import Decimal

from services.db.models import MessengerAccount, Partner
from services.db.tracking_models import LedgerEntry
from services.payouts import details as payout_details
from services.payouts.service import save_details

_keys = itertools.count(1)
CARD = "4242 4242 4242 4242"


async def make_partner(services, user: int = 111, *, messenger: str = "telegram", name: str = "Ivan Petrov",
                       locale: str = "en") -> int:
    now = services.deps.clock.now()
    async with services.deps.uow() as uow:
        partner = await uow.partners.add(Partner(status="approved", locale=locale, ref_code=f"R{user}{messenger[0]}",
                                                 name=name, created_at=now, approved_at=now))
        await uow.accounts.add(MessengerAccount(partner_id=partner.id, messenger=messenger, external_id=str(user),
                                                chat_id=str(user), first_name=name, created_at=now))
        await uow.commit()
        return partner.id


async def credit(services, partner_id: int, amount: str, currency: str = "RUB") -> None:
    """Money already released to "available" (as if a conversion's hold ended)."""
    async with services.deps.uow() as uow:
        uow.session.add(LedgerEntry(entry_key=f"test:{next(_keys)}", partner_id=partner_id, kind="commission",
                                    bucket="available", amount=Decimal(amount), currency=currency,
                                    created_at=services.deps.clock.now()))
        await uow.commit()


async def give_details(services, partner_id: int, method: str = "card", text: str = CARD) -> None:
    parsed = payout_details.parse(method, text)
    cipher = services.payouts.cipher
    await cipher.ready()
    async with services.deps.uow() as uow:
        await save_details(uow, services.deps, partner_id, parsed, cipher.encrypt(parsed.value), "test")
        await uow.commit()
