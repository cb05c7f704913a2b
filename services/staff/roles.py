"""Role checks for staff actions. Enforced here, in services, whatever buttons an adapter shows."""
from __future__ import annotations

from collections.abc import Iterable

from services.db.uow import UnitOfWork
from services.kernel.dto import Incoming

ROLES = ("admin", "manager", "support")


class AccessDenied(Exception):
    pass


async def require_role(uow: UnitOfWork, inc: Incoming, roles: Iterable[str]) -> set[str]:
    """The caller's roles, if any of them is in `roles` (admin passes every check); else AccessDenied."""
    held = await uow.staff.roles(inc.messenger, inc.user_id)
    if "admin" in held or held.intersection(roles):
        return held
    raise AccessDenied(f"{inc.messenger}:{inc.user_id} lacks {sorted(roles)}")


async def has_role(uow: UnitOfWork, inc: Incoming, roles: Iterable[str]) -> bool:
    """require_role as a yes/no, for screens that answer a refusal themselves."""
    try:
        await require_role(uow, inc, roles)
    except AccessDenied:
        return False
    return True
