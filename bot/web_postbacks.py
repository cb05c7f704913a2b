"""GET|POST /postback: the aiohttp side of advertiser postbacks. All decisions live in services.tracking.postbacks."""
from __future__ import annotations

import asyncio
from collections.abc import Sequence

from aiohttp import hdrs, web

from bot.container import Container
from services.tracking.visitors import DEFAULT_TRUSTED_PROXIES, client_ip, parse_networks
from services.tracking.postbacks import MAX_BODY, PostbackResponse, RawPostback, handle_postback

# The answer is about one request; no cache may keep or replay it.
_NO_STORE = {hdrs.CACHE_CONTROL: "no-store"}


def add_postback_routes(app: web.Application, container: Container,
                        trusted_proxies: Sequence[str] = DEFAULT_TRUSTED_PROXIES) -> None:
    """Registers GET and POST /postback (not HEAD: a HEAD must not record a sale). trusted_proxies: peers whose
    X-Forwarded-For is believed when matching POSTBACK_IP_ALLOWLIST — your reverse proxy."""
    trusted = parse_networks(trusted_proxies)
    deps = container.deps

    async def postback(request: web.Request) -> web.Response:
        body = b""
        if request.method == hdrs.METH_POST and request.body_exists:
            # One byte over the limit is enough to refuse; never buffer an absurd body.
            body = await request.content.read(MAX_BODY + 1)
        raw = RawPostback(
            method=request.method,
            remote=client_ip(request.remote, request.headers.getall(hdrs.X_FORWARDED_FOR, ()), trusted),
            query=request.rel_url.raw_query_string,
            body=body,
            content_type=request.headers.get(hdrs.CONTENT_TYPE, ""),
        )
        # Shielded: an advertiser hanging up must not cut the transaction (it would roll back safely, but the
        # answer would be lost to the log and the advertiser would retry anyway).
        response: PostbackResponse = await asyncio.shield(handle_postback(deps, raw))
        return web.json_response(response.body, status=response.status, headers=_NO_STORE)

    app.router.add_route(hdrs.METH_GET, "/postback", postback)
    app.router.add_route(hdrs.METH_POST, "/postback", postback)
