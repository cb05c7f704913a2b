"""The staff KPI page of the web dashboard: GET /app/kpi (the page), /app/kpi/login (a staff sign-in link from
/kpi → Web: GET only shows a one-button form, POST spends it), JSON at /app/api/kpi and the CSV at
/app/api/kpi.csv. Every data request is authenticated and role-checked in services/dashboard/staff.py: Telegram
launch data or the staff cookie of a current manager or admin; a partner's session gets 403."""
from __future__ import annotations

import html
from typing import Any
from urllib.parse import urlsplit

from aiohttp import hdrs, web

from bot.container import Container
from bot.web_dashboard import API_HEADERS, COOKIE as PARTNER_COOKIE, PAGE_HEADERS, STATIC, TELEGRAM_SCRIPT, \
    _json_for_script, _versioned
from services.dashboard.staff import StaffDashboard, StaffViewer
from services.dashboard.tokens import SESSION_TTL
from services.kernel.i18n import pick_locale
from services.kpi.access import WEB_PRESETS

COOKIE = "pb_staff"
ASSETS = ("kpi.js", "chart.js", "app.css")


def add_kpi_routes(app: web.Application, container: Container) -> None:
    staff: StaffDashboard = container.services.staff_dashboard
    dashboard = container.services.dashboard

    base = urlsplit(container.deps.config.public_base_url).path.rstrip("/") + "/app"
    template = (STATIC / "kpi.html").read_text(encoding="utf-8")
    versions = _versioned()
    assets = {name: f"{base}/static/{versions[name]}" for name in ASSETS}
    boot = {"strings": dashboard.strings(), "presets": list(WEB_PRESETS), "base": base,
            "telegramScript": TELEGRAM_SCRIPT}

    def locale_of(request: web.Request) -> str:
        return pick_locale(request.headers.get(hdrs.ACCEPT_LANGUAGE, "").split(",")[0].split(";")[0].strip()
                           or None, container.deps.config.default_locale)

    def page(locale: str, gate: str = "", status: int = 200) -> web.Response:
        text = (template.replace("{{lang}}", locale)
                .replace("{{title}}", html.escape(dashboard.text(locale, "dash-web-kpi-title")))
                .replace("{{css}}", assets["app.css"]).replace("{{js}}", assets["kpi.js"])
                .replace("{{chart}}", assets["chart.js"]).replace("{{body_class}}", "gated" if gate else "")
                .replace("{{boot}}", _json_for_script({**boot, "locale": locale}))
                .replace("{{gate}}", gate))  # last: nothing inside it is taken for a placeholder
        return web.Response(text=text, content_type="text/html", status=status, headers=PAGE_HEADERS)

    def dead(locale: str) -> web.Response:
        gate = (f'<h1 class="gate-title">{html.escape(dashboard.text(locale, "dash-web-link-dead-title"))}</h1>'
                f'<p class="gate-text">{html.escape(dashboard.text(locale, "dash-web-kpi-not-staff"))}</p>')
        return page(locale, gate, 403)

    async def index(request: web.Request) -> web.Response:
        return page(locale_of(request))

    async def login_page(request: web.Request) -> web.Response:
        """Looks without spending: messengers fetch every link they show for a preview."""
        token = request.query.get("t", "")
        if await staff.redeem(token, spend=False) is None:
            return dead(locale_of(request))
        locale = locale_of(request)
        form = (f'<h1 class="gate-title">{html.escape(dashboard.text(locale, "dash-web-continue-title"))}</h1>'
                f'<form id="login-form" method="post" action="{base}/kpi/login">'
                f'<input type="hidden" name="t" value="{html.escape(token)}">'
                f'<button class="btn" type="submit">{html.escape(dashboard.text(locale, "dash-web-continue"))}'
                f'</button></form>')
        return page(locale, form)

    async def login(request: web.Request) -> web.Response:
        form = await request.post()
        token = form.get("t")
        cookie = await staff.redeem(token if isinstance(token, str) else None, spend=True)
        if cookie is None:
            return dead(locale_of(request))
        response = web.Response(status=303, headers={**PAGE_HEADERS, hdrs.LOCATION: f"{base}/kpi"})
        response.set_cookie(COOKIE, cookie, max_age=int(SESSION_TTL.total_seconds()), path=base, httponly=True,
                            samesite="Lax", secure=dashboard.secure)
        return response

    async def viewer(request: web.Request) -> StaffViewer:
        return await staff.viewer(request.headers.get(hdrs.AUTHORIZATION), request.cookies.get(COOKIE),
                                  bot_token=container.settings.telegram_bot_token,
                                  partner_cookie=PARTNER_COOKIE in request.cookies,
                                  accept_language=request.headers.get(hdrs.ACCEPT_LANGUAGE))

    def refused(who: StaffViewer) -> web.Response:
        headers = {**API_HEADERS, hdrs.WWW_AUTHENTICATE: "tma"} if who.status == 401 else API_HEADERS
        return web.json_response({"error": "unauthorized" if who.status == 401 else "forbidden",
                                  "reason": who.reason, "locale": who.locale}, status=who.status, headers=headers)

    def choice(request: web.Request) -> tuple[str, int | None] | None:
        preset, offer = request.query.get("period", "7d"), request.query.get("offer", "")
        if preset not in WEB_PRESETS or (offer and not (offer.isdigit() and len(offer) <= 18)):
            return None
        return preset, int(offer) if offer and int(offer) else None

    async def data(request: web.Request) -> web.Response:
        who = await viewer(request)
        if who.messenger is None:
            return refused(who)
        chosen = choice(request)
        if chosen is None:
            return web.json_response({"error": "bad_request"}, status=400, headers=API_HEADERS)
        body: dict[str, Any] = await staff.kpis(who, *chosen)
        return web.json_response(body, headers=API_HEADERS)

    async def csv(request: web.Request) -> web.Response:
        who = await viewer(request)
        if who.messenger is None:
            return refused(who)
        chosen = choice(request)
        if chosen is None:
            return web.json_response({"error": "bad_request"}, status=400, headers=API_HEADERS)
        payload, filename = await staff.export(who, *chosen)
        return web.Response(body=payload, headers={**API_HEADERS, hdrs.CONTENT_TYPE: "text/csv; charset=utf-8",
                                                   hdrs.CONTENT_DISPOSITION: f'attachment; filename="{filename}"'})

    app.router.add_get("/app/kpi", index)
    app.router.add_get("/app/kpi/login", login_page)
    app.router.add_post("/app/kpi/login", login)
    app.router.add_get("/app/api/kpi", data)
    app.router.add_get("/app/api/kpi.csv", csv)
