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
