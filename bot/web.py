"""aiohttp web app, in the same process as the bots: health, the dashboard, clicks and postbacks plug in here."""
from __future__ import annotations

from aiohttp import web

from bot.container import Container
from bot.health import health
from bot.web_clicks import CLICKS, add_click_routes
from bot.web_dashboard import add_dashboard_routes
from bot.web_kpi import add_kpi_routes
from bot.web_postbacks import add_postback_routes

CONTAINER = web.AppKey("container", Container)


async def healthz(request: web.Request) -> web.Response:
    status, body = await health(request.app[CONTAINER], request.app.get(CLICKS))
    return web.json_response(body, status=status, headers={"Cache-Control": "no-store"})


def build_web_app(container: Container, *, tracking: bool = False) -> web.Application:
    """The whole web side: health, the partner dashboard (/app), click redirects (/r/{code}) and advertiser
    postbacks (/postback)."""
    app = web.Application()
    app[CONTAINER] = container
    app.router.add_get("/healthz", healthz)
    add_dashboard_routes(app, container)
    add_kpi_routes(app, container)
    if tracking:
        proxies = container.settings.trusted_proxies
        add_click_routes(app, container, trusted_proxies=proxies)
        add_postback_routes(app, container, trusted_proxies=proxies)
    return app
