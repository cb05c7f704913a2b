"""Messenger accounts that blocked the bot: skipped by broadcasts until the person writes again."""
from __future__ import annotations

from sqlalchemy import update

from services.db.models import MessengerAccount
from services.kernel.deps import Deps


async def reachable_again(deps: Deps, messenger: str, external_id: str) -> None:
    """Called when the person writes to the bot: whatever blocked it is lifted. A conditional update, taken only
    when the account is marked (the caller read it first), so ordinary updates never write."""
    async with deps.uow() as uow:
        await uow.session.execute(update(MessengerAccount).where(
            MessengerAccount.messenger == messenger, MessengerAccount.external_id == external_id,
            MessengerAccount.unreachable_at.is_not(None)).values(unreachable_at=None))
        await uow.commit()
