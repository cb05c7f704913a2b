"""Role checks for staff actions. Enforced here, in services, whatever buttons an adapter shows."""
from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from services.db.uow import UnitOfWork
from services.kernel.dto import Incoming


class Role(StrEnum):
    """StaffRole.role. An admin passes every role check."""

    ADMIN = "admin"
    MANAGER = "manager"
    SUPPORT = "support"


ROLES = tuple(Role)
MANAGER_ROLES = (Role.ADMIN, Role.MANAGER)
ADMIN_ROLES = (Role.ADMIN,)


class AccessDenied(Exception):
    pass


async def require_role(uow: UnitOfWork, inc: Incoming, roles: Iterable[str]) -> set[str]:
    """The caller's roles, if any of them is in `roles` (admin passes every check); else AccessDenied."""
    held = await uow.staff.roles(inc.messenger, inc.user_id)
    if Role.ADMIN in held or held.intersection(roles):
        return held
    raise AccessDenied(f"{inc.messenger}:{inc.user_id} lacks {sorted(roles)}")


async def has_role(uow: UnitOfWork, inc: Incoming, roles: Iterable[str]) -> bool:
    """require_role as a yes/no, for screens that answer a refusal themselves."""
    try:
        await require_role(uow, inc, roles)
    except AccessDenied:
        return False
    return True


async def own_partner_id(uow: UnitOfWork, inc: Incoming) -> int | None:
    """The partner linked to the caller's messenger account: what is "their own" application, conversion or
    ticket, which no role lets them decide on."""
    account = await uow.accounts.get(inc.messenger, inc.user_id)
    return account.partner_id if account is not None else None


async def identities(uow: UnitOfWork, inc: Incoming) -> set[tuple[str, str]]:
    """Every (messenger, user id) the caller is known as: this account and the ones linked to the same partner."""
    found = {(inc.messenger, inc.user_id)}
    partner_id = await own_partner_id(uow, inc)
    if partner_id is not None:
        found |= {(a.messenger, a.external_id) for a in await uow.accounts.for_partner(partner_id)}
    return found
