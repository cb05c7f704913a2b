"""aiohttp web app, in the same process as the bots: health, the dashboard, clicks and postbacks plug in here."""
from __future__ import annotations

from aiohttp import web
from sqlalchemy import text

from bot.container import Container
from bot.web_clicks import add_click_routes
from bot.web_dashboard import add_dashboard_routes
from bot.web_postbacks import add_postback_routes

CONTAINER = web.AppKey("container", Container)


async def healthz(request: web.Request) -> web.Response:
    container = request.app[CONTAINER]
    try:
        async with container.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:  # the load balancer should see a sick database
        return web.json_response({"status": "error", "database": repr(exc)}, status=503)
    return web.json_response({
        "status": "ok",
        "telegram": "telegram" in container.notifiers,
        "vk": "vk" in container.notifiers,
    })


def build_web_app(container: Container, *, tracking: bool = False) -> web.Application:
    """The whole web side: health, the partner dashboard (/app), click redirects (/r/{code}) and advertiser
    postbacks (/postback)."""
    app = web.Application()
    app[CONTAINER] = container
    app.router.add_get("/healthz", healthz)
    add_dashboard_routes(app, container)
    if tracking:
        proxies = container.settings.trusted_proxies
        add_click_routes(app, container, trusted_proxies=proxies)
        add_postback_routes(app, container, trusted_proxies=proxies)
    return app
