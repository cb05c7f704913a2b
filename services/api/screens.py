"""/admin → API tokens (admins only, both messengers): the list with last use, a form to issue one (name, scopes,
expiry; the token is shown once), revocation with a confirmation, and the audit trail. The role is checked in
services/api/tokens.py on every step, whatever buttons were shown."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any

from services.api import tokens
from services.db.api_models import ApiToken
from services.db.uow import UnitOfWork
from services.kernel import validation
from services.kernel.actions import ActionData, ActionTable
from services.kernel.deps import Deps
from services.kernel.dto import Button, Incoming, Reply, Screen, Toast
from services.kernel.forms import Field, Form, FormRunner
from services.staff.roles import AccessDenied

FORM = "api_token"
PAGE = 6  # revoke buttons per page, two a row (VK: at most 10 inline buttons with navigation and actions)
LIST_MAX = 15  # lines of ~200 characters at most: the list stays well inside a message's 4096
AUDIT_LINES = 20
MAX_DAYS = 3650
ALL = "all"


class ApiHome(ActionData, prefix="adm:api"):
    page: int | None = None


class ApiNew(ActionData, prefix="adm:api:new"):
    pass


class ApiAudit(ActionData, prefix="adm:api:log"):
    pass


class ApiRevokeAsk(ActionData, prefix="adm:api:rev"):
    token: int


class ApiRevoke(ActionData, prefix="adm:api:revy"):
    token: int


def scopes_answer(value: str) -> str:
    """Typed scopes: "all", or names separated by commas or spaces ("stats conversions:read")."""
    words = [w for w in re.split(r"[\s,;]+", value.strip().casefold()) if w]
    if words == [ALL]:
        return ALL
    chosen = []
    for word in words:
        scope = word if ":" in word else f"{word}:read"
        if scope not in tokens.SCOPES:
            raise validation.Invalid("api-err-scope", {"scope": word[:32], "scopes": ", ".join(tokens.SCOPES)})
        chosen.append(scope)
    if not chosen:
        raise validation.Invalid("api-err-scope", {"scope": "—", "scopes": ", ".join(tokens.SCOPES)})
    return tokens.scopes_text(chosen)


def expiry_answer(value: str) -> str:
    """Typed expiry: days from now (1–3650), a date (YYYY-MM-DD, the token works until that day's end, UTC) or
    "never"."""
    text = value.strip().casefold()
    if text in ("never", "никогда", "0"):
        return "never"
    if text.isdigit() and 1 <= int(text) <= MAX_DAYS:
        return text
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise validation.Invalid("api-err-expiry", {"max": MAX_DAYS}) from None


def expires_at(answer: str, now: datetime) -> datetime | None:
    if answer == "never":
        return None
    if answer.isdigit():
        return now + timedelta(days=int(answer))
    return datetime.combine(date.fromisoformat(answer) + timedelta(days=1), time(), tzinfo=UTC)


FIELDS = [
    Field("name", "api-ask-name", partial(validation.text_length, max_len=64, min_len=2)),
    Field("scopes", "api-ask-scopes", scopes_answer,
          choices=((ALL, "api-scope-all"), *((s, f"api-scope-{s.split(':')[0]}") for s in tokens.SCOPES))),
    Field("expiry", "api-ask-expiry", expiry_answer,
          choices=(("30", "api-exp-30"), ("90", "api-exp-90"), ("365", "api-exp-365"), ("never", "api-exp-never"))),
]


def _when(at: datetime | None) -> str:
    return f"{at:%Y-%m-%d %H:%M} UTC" if at is not None else "—"


def _scopes(text: str) -> str:
    return ALL if text == tokens.scopes_text(tokens.SCOPES) else text


def _state(token: ApiToken, now: datetime) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


class ApiTokenScreens:
    def __init__(self, deps: Deps, forms: FormRunner, actions: ActionTable) -> None:
        self.deps = deps
        self.forms = forms
        forms.register(Form(FORM, FIELDS, self._create, prompt_args=lambda data: {"name": data.get("name") or ""}))
        actions.on(ApiHome, self.home)
        actions.on(ApiNew, self.start)
        actions.on(ApiAudit, self.audit)
        actions.on(ApiRevokeAsk, self.ask_revoke)
        actions.on(ApiRevoke, self.revoke)

    async def home(self, inc: Incoming, data: ApiHome) -> Reply:
        try:
            async with self.deps.uow(readonly=True) as uow:
                screen = await self._list(uow, inc, data.page or 0, edit=True)
        except AccessDenied:
            return Reply(toast=Toast("err-not-allowed", alert=True))
        return Reply.of(screen)

    async def _list(self, uow: UnitOfWork, inc: Incoming, page: int, *, edit: bool) -> Screen:
        now = self.deps.clock.now()
        found = await tokens.listed(uow, inc)
        found.sort(key=lambda t: _state(t, now) != "active")  # working tokens first (stable: newest first)
        lines = [f"#{t.id} {t.name} · {_scopes(t.scopes)} · {_state(t, now)} · ⏳ {_when(t.expires_at)} · 👁 "
                 f"{_when(t.last_used_at)}" for t in found[:LIST_MAX]]
        if len(found) > LIST_MAX:
            lines.append(f"+{len(found) - LIST_MAX}")
        live = [t for t in found if _state(t, now) == "active"]
        chunk = live[page * PAGE:(page + 1) * PAGE]
        revoke = [Button("api-btn-revoke", ApiRevokeAsk(t.id).pack(), {"id": t.id, "name": t.name},
                         style="negative") for t in chunk]
        rows: list[tuple[Button, ...]] = [tuple(revoke[i:i + 2]) for i in range(0, len(revoke), 2)]
        nav = []
        if page > 0:
            nav.append(Button("btn-prev", ApiHome(page - 1).pack()))
        if (page + 1) * PAGE < len(live):
            nav.append(Button("btn-next", ApiHome(page + 1).pack()))
        if nav:
            rows.append(tuple(nav))
        rows.append((Button("api-btn-new", ApiNew().pack(), style="positive"),
                     Button("api-btn-audit", ApiAudit().pack())))
        return Screen("api-list", {"count": len(found), "tokens": "\n".join(lines) or "—"}, buttons=tuple(rows),
                      edit=edit)

    async def start(self, inc: Incoming, data: ApiNew) -> Reply:
        async with self.deps.uow() as uow:
            try:
                await tokens.listed(uow, inc)  # the role check
            except AccessDenied:
                return Reply(toast=Toast("err-not-allowed", alert=True))
            reply = await self.forms.begin(uow, inc, FORM, {})
            await uow.commit()
        return reply

    async def _create(self, uow: UnitOfWork, inc: Incoming, data: dict[str, Any]) -> Reply:
        now = self.deps.clock.now()
        chosen = tuple(tokens.SCOPES) if data["scopes"] == ALL else tuple(data["scopes"].split(","))
        try:
            row, secret = await tokens.create(uow, inc, data["name"], chosen, expires_at(data["expiry"], now), now)
        except AccessDenied:
            return Reply.of(Screen("err-not-allowed"))
        return Reply.of(Screen("api-created", {"id": row.id, "name": row.name, "scopes": row.scopes,
                                               "expires": _when(row.expires_at), "token": secret},
                               buttons=((Button("api-btn-list", ApiHome().pack()),),)))

    async def ask_revoke(self, inc: Incoming, data: ApiRevokeAsk) -> Reply:
        try:
            async with self.deps.uow(readonly=True) as uow:
                token = await tokens.get(uow, inc, data.token)
        except AccessDenied:
            return Reply(toast=Toast("err-not-allowed", alert=True))
        if token is None or _state(token, self.deps.clock.now()) != "active":
            return Reply(toast=Toast("err-stale-button"))
        return Reply.of(Screen("api-revoke-ask", {"id": token.id, "name": token.name, "scopes": token.scopes},
                               buttons=((Button("api-btn-confirm", ApiRevoke(token.id).pack(), style="negative"),
                                         Button("btn-back", ApiHome().pack())),), edit=True))

    async def revoke(self, inc: Incoming, data: ApiRevoke) -> Reply:
        try:
            async with self.deps.uow() as uow:
                token = await tokens.revoke(uow, inc, data.token, self.deps.clock.now())
                screen = await self._list(uow, inc, 0, edit=True)
                await uow.commit()
        except AccessDenied:
            return Reply(toast=Toast("err-not-allowed", alert=True))
        if token is None:  # a double tap, or another admin was first
            return Reply(screens=[screen], toast=Toast("err-stale-button"))
        return Reply(screens=[screen], toast=Toast("api-revoked", {"id": token.id, "name": token.name}))

    async def audit(self, inc: Incoming, data: ApiAudit) -> Reply:
        try:
            async with self.deps.uow(readonly=True) as uow:
                entries = await tokens.audit(uow, inc, AUDIT_LINES)
        except AccessDenied:
            return Reply(toast=Toast("err-not-allowed", alert=True))
        lines = [f"{e.created_at:%Y-%m-%d %H:%M} · {e.actor} · {e.action} #{e.token_id} {e.name} ({e.scopes})"
                 for e in entries]
        return Reply.of(Screen("api-audit", {"items": "\n".join(lines) or "—"},
                               buttons=((Button("btn-back", ApiHome().pack()),),), edit=True))
