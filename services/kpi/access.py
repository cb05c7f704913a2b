"""Who may see program KPIs, and in which time zone: managers and admins (admins pass every role check), their
days counted in their own partner time zone when they are an approved partner too, else in PROGRAM_TIMEZONE. The
chat (/kpi) and the web dashboard's KPI page both ask this on every request."""
from __future__ import annotations

from services.db.uow import UnitOfWork
from services.kernel.dto import Incoming
from services.staff.roles import MANAGER_ROLES, has_role

WEB_PRESETS = ("today", "yesterday", "7d", "30d", "month", "lastmonth")  # "all" has no previous period


async def kpi_zone(uow: UnitOfWork, inc: Incoming, default_tz: str) -> str | None:
    """The caller's time zone if they may see KPIs, else None."""
    if not await has_role(uow, inc, MANAGER_ROLES):
        return None
    account = await uow.accounts.get(inc.messenger, inc.user_id)
    partner = await uow.partners.get(account.partner_id) if account else None
    return partner.timezone if partner is not None and partner.status == "approved" else default_tz


def staff_incoming(messenger: str, user_id: str) -> Incoming:
    """A staff member known from a web session, as the role checks take them."""
    return Incoming(messenger=messenger, user_id=user_id, chat_id=user_id)
