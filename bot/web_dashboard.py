"""The web dashboard on the bot's aiohttp app: the page (GET /app), its static files, the sign-in link target
(/app/login), JSON under /app/api/ and CSV downloads. Who may see what is decided in services/dashboard."""
from __future__ import annotations

import hashlib
import html
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import hdrs, web

from bot.container import Container
from services.dashboard.service import DashboardService, Viewer
from services.dashboard.tokens import SESSION_TTL, Redeemed
from services.dashboard.views import GROUPS, PRESETS
from services.kernel.i18n import pick_locale

STATIC = Path(__file__).resolve().parent / "dashboard_static"
ASSETS = {"app.js": "application/javascript", "chart.js": "application/javascript", "app.css": "text/css",
          "kpi.js": "application/javascript"}  # kpi.js: the staff KPI page (bot/web_kpi.py)
COOKIE = "pb_dash"
TELEGRAM_SCRIPT = "https://telegram.org/js/telegram-web-app.js"  # loaded by the page only inside Telegram

# Telegram Web shows Mini Apps in an iframe; everything else the page needs comes from this server.
CSP = ("default-src 'none'; script-src 'self' https://telegram.org; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'self' https://web.telegram.org https://*.telegram.org")
PAGE_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer", hdrs.CACHE_CONTROL: "no-store"}
API_HEADERS = {"X-Content-Type-Options": "nosniff", hdrs.CACHE_CONTROL: "no-store, private",
               hdrs.VARY: "Authorization, Cookie"}


def _versioned() -> dict[str, str]:
    """asset name → name?v=<content hash>: browsers may cache assets a day and still never run stale ones."""
    return {name: f"{name}?v={hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:10]}" for name in ASSETS}


def _json_for_script(value: Any) -> str:
    # Inside <script type="application/json">: only "</" could end the element early.
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def add_dashboard_routes(app: web.Application, container: Container) -> None:
    service: DashboardService = container.services.dashboard
    # Behind a proxy that strips a path prefix (PUBLIC_BASE_URL=https://host/partners), links must keep it.
    base = urlsplit(container.deps.config.public_base_url).path.rstrip("/") + "/app"
    template = (STATIC / "app.html").read_text(encoding="utf-8")
    assets = {name: f"{base}/static/{versioned}" for name, versioned in _versioned().items()}
    boot = {"strings": service.strings(), "presets": PRESETS, "groups": GROUPS, "base": base,
            "telegramScript": TELEGRAM_SCRIPT}

    def page(locale: str, body_class: str = "", gate: tuple[str, str] | None = None, status: int = 200,
             extra: str = "") -> web.Response:
        gate_html = ""
        if gate is not None:
            gate_html = f'<h1 class="gate-title">{html.escape(gate[0])}</h1>' + (
                f'<p class="gate-text">{html.escape(gate[1])}</p>' if gate[1] else "") + extra
        text = (template.replace("{{lang}}", locale)
                .replace("{{title}}", html.escape(service.text(locale, "dash-web-title")))
                .replace("{{css}}", assets["app.css"]).replace("{{js}}", assets["app.js"])
                .replace("{{chart}}", assets["chart.js"]).replace("{{body_class}}", body_class)
                .replace("{{boot}}", _json_for_script({**boot, "locale": locale}))
                .replace("{{gate}}", gate_html))  # last: nothing inside it is taken for a placeholder
        return web.Response(text=text, content_type="text/html", status=status, headers=PAGE_HEADERS)

    def accept_language(request: web.Request) -> str:
        return pick_locale(request.headers.get(hdrs.ACCEPT_LANGUAGE, "").split(",")[0].split(";")[0].strip() or None,
                           container.deps.config.default_locale)

    async def index(request: web.Request) -> web.Response:
        return page(accept_language(request))

    async def static(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in ASSETS:
            raise web.HTTPNotFound()
        return web.Response(body=(STATIC / name).read_bytes(), content_type=ASSETS[name],
                            headers={hdrs.CACHE_CONTROL: "public, max-age=86400", "X-Content-Type-Options": "nosniff"})

    def link_dead(locale: str, outcome: Redeemed) -> web.Response:
        gate = (service.text(locale, "dash-web-link-dead-title"), service.text(locale, "dash-web-link-dead-text"))
        return page(locale, "gated", gate, 410 if outcome in (Redeemed.EXPIRED, Redeemed.USED) else 403)

    async def login_page(request: web.Request) -> web.Response:
        """GET only looks: messengers fetch every link they show for a preview, and that must not spend it.
        A live link gets a one-button form that app.js submits at once (previews run no scripts)."""
        token = request.query.get("t", "")
        redemption, locale = await service.check_link(token)
        locale = locale or accept_language(request)
        if redemption.outcome is not Redeemed.OK:
            return link_dead(locale, redemption.outcome)
        form = (f'<form id="login-form" method="post" action="{base}/login">'
                f'<input type="hidden" name="t" value="{html.escape(token)}">'
                f'<button class="btn" type="submit">{html.escape(service.text(locale, "dash-web-continue"))}'
                f'</button></form>')
        return page(locale, "gated", (service.text(locale, "dash-web-continue-title"), ""), extra=form)

    async def login(request: web.Request) -> web.Response:
        form = await request.post()
        token = form.get("t")
        redemption, cookie, locale = await service.login(token if isinstance(token, str) else None)
        if cookie is None:
            return link_dead(locale or accept_language(request), redemption.outcome)
        # The token leaves the address bar at once: the page's own URL carries nothing worth copying.
        response = web.Response(status=303, headers={**PAGE_HEADERS, hdrs.LOCATION: base})
        response.set_cookie(COOKIE, cookie, max_age=int(SESSION_TTL.total_seconds()), path=base, httponly=True,
                            samesite="Lax", secure=service.secure)
        return response

    async def viewer(request: web.Request) -> Viewer:
        return await service.viewer(request.headers.get(hdrs.AUTHORIZATION), request.cookies.get(COOKIE),
                                    bot_token=container.settings.telegram_bot_token,
                                    accept_language=request.headers.get(hdrs.ACCEPT_LANGUAGE))

    def refused(who: Viewer) -> web.Response:
        error = "unauthorized" if who.status == 401 else "forbidden"
        headers = {**API_HEADERS, hdrs.WWW_AUTHENTICATE: "tma"} if who.status == 401 else API_HEADERS
        return web.json_response({"error": error, "reason": who.reason, "locale": who.locale}, status=who.status,
                                 headers=headers)

    def choice(request: web.Request) -> tuple[str, str] | None:
        preset, group = request.query.get("period", "7d"), request.query.get("group", "day")
        return (preset, group) if preset in PRESETS and group in GROUPS else None

    async def stats(request: web.Request) -> web.Response:
        who = await viewer(request)
        if who.partner_id is None:
            return refused(who)
        chosen = choice(request)
        if chosen is None:
            return web.json_response({"error": "bad_request"}, status=400, headers=API_HEADERS)
        return web.json_response(await service.stats(who.partner_id, *chosen), headers=API_HEADERS)

    async def export_link(request: web.Request) -> web.Response:
        who = await viewer(request)
        if who.partner_id is None:
            return refused(who)
        chosen = choice(request)
        if chosen is None:
            return web.json_response({"error": "bad_request"}, status=400, headers=API_HEADERS)
        return web.json_response({"url": service.export_url(who.partner_id, *chosen)}, headers=API_HEADERS)

    async def export_csv(request: web.Request) -> web.Response:
        found = await service.export(request.query.get("t"))
        if found is None:
            return link_dead(accept_language(request), Redeemed.EXPIRED)
        data, filename = found
        return web.Response(body=data, headers={
            **API_HEADERS, hdrs.CONTENT_TYPE: "text/csv; charset=utf-8",
            hdrs.CONTENT_DISPOSITION: f'attachment; filename="{filename}"'})

    app.router.add_get("/app", index)
    app.router.add_get("/app/", index)
    app.router.add_get("/app/static/{name}", static)
    app.router.add_get("/app/login", login_page)
    app.router.add_post("/app/login", login)
    app.router.add_get("/app/api/stats", stats)
    app.router.add_get("/app/api/export", export_link)
    app.router.add_get("/app/export.csv", export_csv)
