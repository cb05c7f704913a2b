"""GET/HEAD /r/{code}: the aiohttp side of the click redirect. All decisions live in services.tracking.clicks."""
from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from aiohttp import hdrs, web

from bot.container import Container
from services.tracking.click_writer import ClickNotRecorded
from services.tracking.clicks import CLICK_COOKIE, ClickRequest, ClickService, NotFound
from services.tracking.visitors import DEFAULT_TRUSTED_PROXIES, client_ip, parse_networks

CLICKS = web.AppKey("clicks", ClickService)

# Neutral on purpose: the visitor's language is unknown and the page must not say which program the code was for.
NOT_FOUND_HTML = """<!doctype html>
<html><head><meta charset="utf-8"><meta name="robots" content="noindex">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>404</title></head>
<body style="font-family:sans-serif;text-align:center;margin-top:20vh;color:#444">
<h1>404</h1><p>Link not found &middot; Ссылка не найдена</p></body></html>
"""

# Every click must reach us: no browser or proxy may replay a cached redirect.
_NO_STORE = {hdrs.CACHE_CONTROL: "no-store", "X-Robots-Tag": "noindex"}


def add_click_routes(app: web.Application, container: Container,
                     trusted_proxies: Sequence[str] = DEFAULT_TRUSTED_PROXIES,
                     service: ClickService | None = None) -> None:
    """Registers /r/{code} (GET and HEAD) and runs the click writer for the app's lifetime: started on startup,
    flushed and stopped on cleanup. Call before the app starts. trusted_proxies: peers (IPs or CIDRs) whose
    X-Forwarded-For is believed — put your reverse proxy here; everyone else's header is ignored."""
    # SQLite file: clicks get a writer process of their own (see services/tracking/click_store.py).
    if service is None:
        service = container.click_service()
    else:
        container.deps.signals.on_link_changed(service.invalidate)
    trusted = parse_networks(trusted_proxies)
    # Assembled by hand, not with set_cookie(): the id is hex and the rest is fixed, so no quoting is
    # needed, and http.cookies costs more per click than the rest of this handler.
    cookie_attributes = "; Path=/; HttpOnly; SameSite=Lax" + (
        "; Secure" if container.deps.config.public_base_url.startswith("https://") else "")
    app[CLICKS] = service
    container.deps.click_metrics = service  # staff see unrecorded clicks in /admin

    async def redirect(request: web.Request) -> web.StreamResponse:
        click = ClickRequest(
            code=request.match_info["code"],
            client_ip=client_ip(request.remote, request.headers.getall(hdrs.X_FORWARDED_FOR, ()), trusted),
            user_agent=request.headers.get(hdrs.USER_AGENT),
            referer=request.headers.get(hdrs.REFERER),
            params=request.query if request.query_string else {},
            record=request.method != hdrs.METH_HEAD,
        )
        try:
            result = await service.click(click)
        except ClickNotRecorded:  # the link could not be looked up: nowhere to send the visitor
            return web.Response(status=503, text="Service temporarily unavailable\n",
                                headers={**_NO_STORE, hdrs.RETRY_AFTER: "1"})
        if isinstance(result, NotFound):
            return web.Response(status=404, text=NOT_FOUND_HTML, content_type="text/html", headers=_NO_STORE)
        headers = {**_NO_STORE, hdrs.LOCATION: result.url}
        if result.click_id is not None:
            headers[hdrs.SET_COOKIE] = (f"{CLICK_COOKIE}={result.click_id}; Max-Age={result.cookie_max_age}"
                                        f"{cookie_attributes}")
        return web.Response(status=302, headers=headers)

    async def writer(_app: web.Application) -> AsyncIterator[None]:
        await service.start()
        yield
        await service.stop()

    app.router.add_get("/r/{code}", redirect)  # allow_head: HEAD runs the same handler, body stripped
    app.cleanup_ctx.append(writer)
