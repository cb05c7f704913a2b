"""/admin → Staff: admins list staff, grant roles (form engine) and revoke them (confirmed), with an audit trail.

Only admins, checked here on every step (a form can outlive the role that opened it). Env-seeded roles can be
revoked here too, at once; the environment puts them back at the next start unless the id leaves it as well,
which the admin is told.
"""
from __future__ import annotations

import re
from typing import Any

from services.db.models import StaffRole
from services.db.uow import UnitOfWork
from services.kernel import validation
from services.kernel.actions import ID, ActionTable
from services.kernel.deps import Deps
from services.kernel.dto import MESSENGERS, Button, Incoming, Reply, Screen, Toast
from services.kernel.forms import Field, Form, FormRunner
from services.staff.roles import ADMIN_ROLES, ROLES, Role, has_role, identities

GRANT_FORM = "staff_grant"
PAGE = 6  # revoke buttons per page, two a row: with navigation and grant/audit, within VK's 10 inline buttons
LIST_MAX = 40  # people listed in the text; the rest are counted
AUDIT_LINES = 20


def user_id(value: str) -> str:
    """A messenger's numeric user id (Telegram and VK users are positive integers)."""
    text = value.strip()
    if not re.fullmatch(r"[0-9]{1,18}", text) or int(text) == 0:
        raise validation.Invalid("staff-err-user-id")
    return str(int(text))


FIELDS = [
    Field("messenger", "staff-ask-messenger", choices=tuple((m, f"staff-messenger-{m}") for m in MESSENGERS)),
    Field("user", "staff-ask-user", user_id),
    Field("role", "staff-ask-role", choices=tuple((r, f"staff-role-{r}") for r in ROLES)),
    Field("confirm", "staff-ask-confirm", choices=(("yes", "staff-btn-confirm"),)),
]


def _who(messenger: str, external_id: str) -> str:
    return f"{messenger}:{external_id}"


class StaffService:
    def __init__(self, deps: Deps, forms: FormRunner, actions: ActionTable) -> None:
        self.deps = deps
        self.forms = forms
        forms.register(Form(GRANT_FORM, FIELDS, self._grant, prompt_args=lambda data: {
            "messenger": data.get("messenger") or "", "user": data.get("user") or "", "role": data.get("role") or ""}))
        actions.add(r"adm:staff", self.list)
        actions.add(rf"adm:staff:{ID}", self.list)
        actions.add(r"adm:stg", self.start_grant)
        actions.add(rf"adm:str:{ID}", self.ask_revoke)
        actions.add(rf"adm:stry:{ID}", self.revoke)
        actions.add(r"adm:sta", self.audit)

    async def list(self, inc: Incoming, page: int = 0, *, toast: Toast | None = None, edit: bool = True) -> Reply:
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, ADMIN_ROLES):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            screen = await self._list_screen(uow, page, edit)
        return Reply(screens=[screen], toast=toast)

    async def _list_screen(self, uow: UnitOfWork, page: int, edit: bool) -> Screen:
        roles = list(await uow.staff.all())
        people: dict[tuple[str, str], list[StaffRole]] = {}
        for role in roles:
            people.setdefault((role.messenger, role.external_id), []).append(role)
        lines = [f"{_who(*person)} — " + ", ".join(f"{r.role} ({r.source})" for r in held)
                 for person, held in list(people.items())[:LIST_MAX]]
        if len(people) > LIST_MAX:
            lines.append(f"+{len(people) - LIST_MAX}")
        chunk = roles[page * PAGE:(page + 1) * PAGE]
        revoke = [Button("staff-btn-revoke", f"adm:str:{r.id}",
                         {"role": r.role, "who": _who(r.messenger, r.external_id)}, style="negative") for r in chunk]
        rows: list[tuple[Button, ...]] = [tuple(revoke[i:i + 2]) for i in range(0, len(revoke), 2)]
        nav = []
        if page > 0:
            nav.append(Button("btn-prev", f"adm:staff:{page - 1}"))
        if (page + 1) * PAGE < len(roles):
            nav.append(Button("btn-next", f"adm:staff:{page + 1}"))
        if nav:
            rows.append(tuple(nav))
        rows.append((Button("staff-btn-grant", "adm:stg", style="positive"), Button("staff-btn-audit", "adm:sta")))
        return Screen("staff-list", {"count": len(people), "people": "\n".join(lines) or "—"},
                      buttons=tuple(rows), edit=edit)

    async def start_grant(self, inc: Incoming) -> Reply:
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, ADMIN_ROLES):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            reply = await self.forms.begin(uow, inc, GRANT_FORM, {})
            await uow.commit()
        return reply

    async def _grant(self, uow: UnitOfWork, inc: Incoming, data: dict[str, Any]) -> Reply:
        if not await has_role(uow, inc, ADMIN_ROLES):
            return Reply.of(Screen("err-not-allowed"))
        messenger, target, role = data["messenger"], data["user"], data["role"]
        if messenger not in MESSENGERS or role not in ROLES:  # form data is ours, but never trust stored input
            return Reply.of(Screen("err-stale-button"))
        args = {"role": role, "who": _who(messenger, target)}
        granted = await uow.staff.grant(messenger, target, role, _who(inc.messenger, inc.user_id),
                                        self.deps.clock.now())
        return Reply.of(Screen("staff-granted" if granted else "staff-already", args),
                        await self._list_screen(uow, 0, edit=False))

    async def ask_revoke(self, inc: Incoming, role_id: int) -> Reply:
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, ADMIN_ROLES):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            role = await uow.staff.get(role_id)
            if role is None:
                return Reply(screens=[await self._list_screen(uow, 0, edit=True)], toast=Toast("err-stale-button"))
            refusal = await self._refusal(uow, inc, role)
        if refusal is not None:
            return Reply(toast=refusal)
        return Reply.of(Screen("staff-revoke-ask", {"role": role.role, "who": _who(role.messenger, role.external_id),
                                                    "source": role.source}, buttons=((
            Button("staff-btn-confirm", f"adm:stry:{role_id}", style="negative"), Button("btn-back", "adm:staff")),),
            edit=True))

    async def revoke(self, inc: Incoming, role_id: int) -> Reply:
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, ADMIN_ROLES):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            role = await uow.staff.get(role_id)
            refusal = Toast("err-stale-button") if role is None else await self._refusal(uow, inc, role)
            if role is None or refusal is not None:
                return Reply(screens=[await self._list_screen(uow, 0, edit=True)], toast=refusal)
            if not await uow.staff.revoke(role, _who(inc.messenger, inc.user_id), self.deps.clock.now()):
                return Reply(screens=[await self._list_screen(uow, 0, edit=True)], toast=Toast("err-stale-button"))
            screen = await self._list_screen(uow, 0, edit=True)
            await uow.commit()
        args = {"role": role.role, "who": _who(role.messenger, role.external_id)}
        # An env role comes back at the next start while its id is still listed there: say so, loudly.
        toast = Toast("staff-revoked-env", args, alert=True) if role.source == "env" else Toast("staff-revoked", args)
        return Reply(screens=[screen], toast=toast)

    @staticmethod
    async def _refusal(uow: UnitOfWork, inc: Incoming, role: StaffRole) -> Toast | None:
        """An admin may not take away their own last admin role (nobody would be left to give it back)."""
        if role.role != Role.ADMIN or (role.messenger, role.external_id) != (inc.messenger, inc.user_id):
            return None
        for messenger, external_id in await identities(uow, inc) - {(inc.messenger, inc.user_id)}:
            if Role.ADMIN in await uow.staff.roles(messenger, external_id):
                return None
        return Toast("staff-err-last-admin", alert=True)

    async def audit(self, inc: Incoming) -> Reply:
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, ADMIN_ROLES):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            entries = await uow.staff.audit(AUDIT_LINES)
        lines = [f"{e.created_at:%Y-%m-%d %H:%M} · {e.actor} · {e.action} {e.role} · "
                 f"{_who(e.messenger, e.external_id)} ({e.source})" for e in entries]
        return Reply.of(Screen("staff-audit", {"items": "\n".join(lines) or "—"},
                               buttons=((Button("btn-back", "adm:staff"),),), edit=True))
