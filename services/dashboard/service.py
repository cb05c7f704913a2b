"""The web dashboard's use cases: who is asking (Telegram launch data or a session), what they may see (their
own figures only — no request names a partner), the /dashboard sign-in link, and CSV exports.

The web adapter (bot/web_dashboard.py) only turns HTTP into these calls and back.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from services.contests import service as contest_service
from services.dashboard import tokens, views
from services.dashboard.initdata import InitDataError, validate
from services.db.models import Partner
from services.kernel.deps import Deps
from services.kernel.dto import Button, Incoming, Reply, Screen
from services.kernel.i18n import LOCALES, Translator, pick_locale
from services.stats.export import to_csv
from services.stats.periods import parse_period
from services.stats.queries import balance_summary, partner_stats

WEB_PREFIX = "dash-web-"  # locale keys the page shows (sent to it whole, per language)


@dataclass(frozen=True)
class Viewer:
    """The outcome of authentication: a partner id, or an HTTP status with a reason the page can explain."""

    partner_id: int | None
    status: int = 200  # 200 | 401 (not signed in / bad signature) | 403 (signed in, not an approved partner)
    reason: str = ""
    locale: str | None = None  # best guess at the person's language, also when refused


class DashboardService:
    def __init__(self, deps: Deps, translator: Translator) -> None:
        self.deps = deps
        self.t = translator
        self._signer: tuple[str, tokens.Signer] | None = None

    @property
    def signer(self) -> tokens.Signer:
        # Built on first use: the composition root may still replace deps.config after construction.
        secret = self.deps.config.dashboard_secret
        if self._signer is None or self._signer[0] != secret:
            self._signer = (secret, tokens.Signer(secret))
        return self._signer[1]

    @property
    def secure(self) -> bool:
        return self.deps.config.public_base_url.startswith("https://")

    def url(self, path: str) -> str:
        return f"{self.deps.config.public_base_url.rstrip('/')}{path}"

    # ---- the bot side: /dashboard ----
    async def link(self, inc: Incoming) -> Reply:
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            account = await uow.accounts.get(inc.messenger, inc.user_id)
            partner = await uow.partners.get(account.partner_id) if account else None
            if partner is None or partner.status != "approved":
                return Reply.of(Screen("err-approved-only"))
            token = await tokens.issue_link(uow, self.signer, partner.id, now)
            await uow.commit()
        url = self.url(f"/app/login?t={token}")
        minutes = int(tokens.LINK_TTL.total_seconds() // 60)
        # Messengers refuse link buttons to plain-http or local addresses; the text carries the link anyway.
        buttons = ((Button("dash-open", url=url),),) if self.secure else ()
        return Reply.of(Screen("dash-link", {"url": url, "minutes": minutes}, buttons=buttons))

    # ---- the web side ----
    async def viewer(self, authorization: str | None, cookie: str | None, *, bot_token: str,
                     accept_language: str | None = None) -> Viewer:
        """Telegram launch data (`Authorization: tma <initData>`) wins over a session cookie; either must hold."""
        fallback = pick_locale(accept_language, self.deps.config.default_locale)
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            if authorization:
                scheme, _, data = authorization.partition(" ")
                if scheme.lower() != "tma":
                    return Viewer(None, 401, "unsupported", fallback)
                try:
                    user = validate(data.strip(), bot_token, now)
                except InitDataError as exc:
                    return Viewer(None, 401, exc.reason, fallback)
                locale = pick_locale(user.language_code, fallback)
                account = await uow.accounts.get("telegram", str(user.id))
                partner = await uow.partners.get(account.partner_id) if account else None
            else:
                partner_id = tokens.session_partner(self.signer, cookie, now)
                if partner_id is None:
                    return Viewer(None, 401, "no_session" if not cookie else "bad_session", fallback)
                locale = fallback
                partner = await uow.partners.get(partner_id)
        if partner is None:
            return Viewer(None, 403, "not_partner", locale)
        if partner.status != "approved":
            return Viewer(None, 403, "not_approved", partner.locale)
        return Viewer(partner.id, locale=partner.locale)

    async def check_link(self, token: str | None) -> tuple[tokens.Redemption, str | None]:
        """Whether a sign-in link would still work (nothing spent), and the partner's language if known."""
        async with self.deps.uow() as uow:
            redemption = await tokens.peek_link(uow, self.signer, token, self.deps.clock.now())
            partner = await uow.partners.get(redemption.partner_id) if redemption.partner_id else None
        if redemption.outcome is tokens.Redeemed.OK and (partner is None or partner.status != "approved"):
            redemption = tokens.Redemption(tokens.Redeemed.INVALID, redemption.partner_id)
        return redemption, partner.locale if partner is not None else None

    async def login(self, token: str | None) -> tuple[tokens.Redemption, str | None, str | None]:
        """Spends a sign-in link: (outcome, session cookie value when it worked, the partner's language)."""
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            redemption = await tokens.redeem_link(uow, self.signer, token, now)
            partner = await uow.partners.get(redemption.partner_id) if redemption.partner_id else None
            if redemption.outcome is tokens.Redeemed.OK and (partner is None or partner.status != "approved"):
                redemption = tokens.Redemption(tokens.Redeemed.INVALID, redemption.partner_id)
            await uow.commit()
        cookie = tokens.new_session(self.signer, partner.id, now) \
            if partner is not None and redemption.outcome is tokens.Redeemed.OK else None
        return redemption, cookie, partner.locale if partner is not None else None

    async def _partner(self, uow: Any, partner_id: int) -> Partner:
        partner = await uow.partners.get(partner_id)
        assert partner is not None and partner.status == "approved", "callers pass a Viewer's partner"
        return partner

    async def stats(self, partner_id: int, preset: str, group: str) -> dict[str, Any]:
        """Everything the page shows for one period: figures, balance, daily series, one table."""
        if preset not in views.PRESETS or group not in views.GROUPS:
            raise ValueError("bad period or group")
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            partner = await self._partner(uow, partner_id)
            period, _ = parse_period(preset, partner.timezone, now)
            daily = await partner_stats(uow, partner.id, period, "day")
            grouped = daily if group == "day" else await partner_stats(uow, partner.id, period, group)
            balance = await balance_summary(uow, partner.id)
        return views.dashboard(partner=partner, period=period, preset=preset, daily=daily, grouped=grouped,
                               group=group, balance=balance, now=now)

    async def contests(self, partner_id: int) -> dict[str, Any]:
        """The leaderboards of the contests this partner can see (the chat's /contest, as JSON)."""
        async with self.deps.uow(readonly=True) as uow:
            partner = await self._partner(uow, partner_id)
            found = await contest_service.visible_contests(uow, self.deps.clock.now())
            boards = [await contest_service.board(uow, self.deps, contest, partner.id) for contest in found]
        return {"contests": [contest_service.board_dict(board, partner.locale) for board in boards]}

    def export_url(self, partner_id: int, preset: str, group: str) -> str:
        if preset not in views.PRESETS or group not in views.GROUPS:
            raise ValueError("bad period or group")
        token = tokens.export_token(self.signer, partner_id, preset, group, self.deps.clock.now())
        return self.url(f"/app/export.csv?t={token}")

    async def export(self, token: str | None) -> tuple[bytes, str] | None:
        """(CSV, file name) for a download link still valid, of a partner still approved; None otherwise."""
        found = tokens.read_export(self.signer, token, self.deps.clock.now())
        if found is None or found[1] not in views.PRESETS or found[2] not in views.GROUPS:
            return None
        partner_id, preset, group = found
        async with self.deps.uow() as uow:
            partner = await uow.partners.get(partner_id)
            if partner is None or partner.status != "approved":
                return None
            period, _ = parse_period(preset, partner.timezone, self.deps.clock.now())
            report = await partner_stats(uow, partner.id, period, group)
        data = await asyncio.to_thread(to_csv, report, partner.locale)  # headers in the partner's language
        return data, f"stats-{preset}-{group}.csv"

    def strings(self) -> dict[str, dict[str, str]]:
        """Every text of the page in every language: the page picks one without another round trip."""
        return {locale: {key.removeprefix(WEB_PREFIX): self.t(locale, key)
                         for key in sorted(self.t.keys[locale]) if key.startswith(WEB_PREFIX)}
                for locale in LOCALES}

    def text(self, locale: str | None, key: str, **args: Any) -> str:
        return self.t(locale or self.deps.config.default_locale, key, args)
