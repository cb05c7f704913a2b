"""Staff in the web dashboard: the KPI page. Staff sign in the way partners do — Telegram launch data
(`Authorization: tma …`) or a signed single-use link from the bot (/kpi → Web) that becomes a session cookie —
but a staff session names a messenger account, not a partner, and the manager role is checked on EVERY request
(a role revoked in the bot ends web access at once; a partner's session is refused with 403).

Tokens: "staff_link" (messenger, id, expiry, nonce; single-use through staff_dashboard_tokens) and
"staff_session" (messenger, id, expiry, nonce), signed with the dashboard's key under their own purposes, so
neither is mistaken for a partner's link or cookie.
"""
from __future__ import annotations

import asyncio
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select, update

from services.dashboard import tokens
from services.dashboard.initdata import InitDataError, validate
from services.db.dashboard_models import StaffDashboardToken
from services.db.tracking_models import Offer
from services.db.uow import UnitOfWork
from services.kernel.deps import Deps
from services.kernel.dto import Button, Incoming, Reply, Screen
from services.kernel.i18n import Translator, pick_locale
from services.kpi.access import WEB_PRESETS, kpi_zone, staff_incoming
from services.kpi.export import to_csv
from services.kpi.figures import METRICS
from services.kpi.format import metric_text, money_text
from services.kpi.queries import program_kpis
from services.staff.roles import MANAGER_ROLES, has_role
from services.stats.periods import parse_period

_ID = re.compile(r"[0-9]{1,20}")
_MESSENGERS = ("telegram", "vk")


@dataclass(frozen=True)
class StaffViewer:
    """A staff member allowed to see KPIs (messenger, user id, time zone), or an HTTP status and reason."""

    messenger: str | None
    user_id: str | None = None
    tz: str = "UTC"
    status: int = 200  # 200 | 401 (not signed in / bad signature) | 403 (signed in, not a manager or admin)
    reason: str = ""
    locale: str = "ru"


class StaffDashboard:
    def __init__(self, deps: Deps, translator: Translator, signer: Any) -> None:
        self.deps = deps
        self.t = translator
        self._signer = signer  # () → tokens.Signer: the dashboard's, built once the config is final

    def _url(self, path: str) -> str:
        return f"{self.deps.config.public_base_url.rstrip('/')}{path}"

    # ---- the bot side: /kpi → Web ----
    async def link(self, inc: Incoming) -> Reply:
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, MANAGER_ROLES):
                return Reply.of(Screen("err-not-allowed"))
            await uow.session.execute(delete(StaffDashboardToken).where(
                StaffDashboardToken.expires_at < now - tokens.PURGE_AFTER))
            nonce = secrets.token_urlsafe(16)
            expires = now + tokens.LINK_TTL
            uow.session.add(StaffDashboardToken(id=nonce, messenger=inc.messenger, external_id=inc.user_id,
                                                created_at=now, expires_at=expires))
            await uow.commit()
        token = self._signer().dumps("staff_link", inc.messenger, inc.user_id, str(int(expires.timestamp())), nonce)
        url = self._url(f"/app/kpi/login?t={token}")
        buttons = ((Button("dash-open", url=url),),) if self.deps.config.public_base_url.startswith("https://") \
            else ()
        return Reply.of(Screen("kpi-web-link", {"url": url, "minutes": int(tokens.LINK_TTL.total_seconds() // 60)},
                               buttons=buttons))

    # ---- the web side ----
    def _fields(self, purpose: str, token: str | None) -> tuple[str, str, datetime, str] | None:
        fields = self._signer().loads(purpose, token, 4)
        if fields is None or fields[0] not in _MESSENGERS or not _ID.fullmatch(fields[1]) \
                or not fields[2].isdigit():
            return None
        return fields[0], fields[1], datetime.fromtimestamp(int(fields[2]), UTC), fields[3]

    async def redeem(self, token: str | None, *, spend: bool) -> str | None:
        """A session cookie for a live link of a current manager (spent once when `spend`), else None."""
        found = self._fields("staff_link", token)
        now = self.deps.clock.now()
        if found is None or found[2] <= now:
            return None
        messenger, user_id, _, nonce = found
        async with self.deps.uow() as uow:
            if not await has_role(uow, staff_incoming(messenger, user_id), MANAGER_ROLES):
                return None
            live = (StaffDashboardToken.id == nonce, StaffDashboardToken.messenger == messenger,
                    StaffDashboardToken.external_id == user_id, StaffDashboardToken.used_at.is_(None),
                    StaffDashboardToken.expires_at > now)
            if spend:  # a conditional UPDATE: exactly one request wins the link
                won = (await uow.session.execute(update(StaffDashboardToken).where(*live).values(used_at=now)))
                await uow.commit()
                if won.rowcount != 1:  # type: ignore[attr-defined]
                    return None
            elif await uow.session.scalar(select(StaffDashboardToken.id).where(*live)) is None:
                return None
        expiry = str(int((now + tokens.SESSION_TTL).timestamp()))
        return self._signer().dumps("staff_session", messenger, user_id, expiry, secrets.token_urlsafe(9))

    async def viewer(self, authorization: str | None, cookie: str | None, *, bot_token: str,
                     partner_cookie: bool = False, accept_language: str | None = None) -> StaffViewer:
        """Telegram launch data wins over the staff cookie; either way the role is checked now."""
        locale = pick_locale(accept_language, self.deps.config.default_locale)
        now = self.deps.clock.now()
        if authorization:
            scheme, _, data = authorization.partition(" ")
            if scheme.lower() != "tma":
                return StaffViewer(None, status=401, reason="unsupported", locale=locale)
            try:
                user = validate(data.strip(), bot_token, now)
            except InitDataError as exc:
                return StaffViewer(None, status=401, reason=exc.reason, locale=locale)
            messenger, user_id = "telegram", str(user.id)
            locale = pick_locale(user.language_code, locale)
        else:
            found = self._fields("staff_session", cookie)
            if found is None or found[2] <= now:
                reason = "bad_session" if cookie else "not_staff" if partner_cookie else "no_session"
                return StaffViewer(None, status=403 if reason == "not_staff" else 401, reason=reason, locale=locale)
            messenger, user_id = found[0], found[1]
        async with self.deps.uow(readonly=True) as uow:
            tz = await kpi_zone(uow, staff_incoming(messenger, user_id), self.deps.config.program_timezone)
        if tz is None:
            return StaffViewer(None, status=403, reason="not_staff", locale=locale)
        return StaffViewer(messenger, user_id, tz, locale=locale)

    async def _report(self, uow: UnitOfWork, viewer: StaffViewer, preset: str, offer_id: int | None) -> Any:
        if preset not in WEB_PRESETS:
            raise ValueError("bad period")
        period, _ = parse_period(preset, viewer.tz, self.deps.clock.now())
        return await program_kpis(uow, period, offer_id)

    async def kpis(self, viewer: StaffViewer, preset: str, offer_id: int | None) -> dict[str, Any]:
        """The KPI page's data: the report as the REST API has it, plus texts ready for people."""
        async with self.deps.uow(readonly=True) as uow:
            report = await self._report(uow, viewer, preset, offer_id)
            offers = (await uow.session.execute(select(Offer.id, Offer.name).order_by(Offer.id))).all()
        locale = viewer.locale
        return {**report.to_dict(), "preset": preset, "locale": locale,
                "offers": [{"id": i, "name": name} for i, name in offers],
                "texts": {m.name: metric_text(m) for m in report.metrics},
                "labels": {name: self.t(locale, f"kpi-m-{name}") for name, _ in METRICS},
                "top_texts": {key: [money_text(row.commissions) for row in rows]
                              for key, rows in (("top_partners", report.top_partners),
                                                ("top_offers", report.top_offers))}}

    async def export(self, viewer: StaffViewer, preset: str, offer_id: int | None) -> tuple[bytes, str]:
        async with self.deps.uow(readonly=True) as uow:
            report = await self._report(uow, viewer, preset, offer_id)
        data = await asyncio.to_thread(to_csv, report, viewer.locale)
        return data, f"kpi-{preset}{f'-offer{offer_id}' if offer_id else ''}.csv"
