"""aiohttp web app, in the same process as the bots: health now; clicks and postbacks plug in here."""
from __future__ import annotations

from aiohttp import web
from sqlalchemy import text

from bot.container import Container

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


def build_web_app(container: Container) -> web.Application:
    app = web.Application()
    app[CONTAINER] = container
    app.router.add_get("/healthz", healthz)
    return app
