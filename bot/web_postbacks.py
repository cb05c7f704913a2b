"""GET|POST /postback: the aiohttp side of advertiser postbacks. All decisions live in services.tracking.postbacks."""
from __future__ import annotations

import asyncio
from collections.abc import Sequence

from aiohttp import hdrs, web

from bot.container import Container
from services.tracking.postback_batch import PostbackBatcher
from services.tracking.postback_log import RefusalLimiter
from services.tracking.postbacks import MAX_BODY, PostbackResponse, RawPostback, handle_postback
from services.tracking.visitors import DEFAULT_TRUSTED_PROXIES, client_ip, parse_networks

# The answer is about one request; no cache may keep or replay it.
_NO_STORE = {hdrs.CACHE_CONTROL: "no-store"}


async def read_body(request: web.Request, limit: int) -> bytes | None:
    """The whole body, or None when it is longer than limit. Reads until the end: content.read(n) returns only what
    has arrived so far, and a body split across packets was cut short (and its signature failed)."""
    if request.content_length is not None and request.content_length > limit:
        return None  # refused unread
    body = bytearray()
    async for chunk in request.content.iter_any():
        body += chunk
        if len(body) > limit:  # chunked, or a Content-Length that lied: stop at the first byte over
            return None
    return bytes(body)


def add_postback_routes(app: web.Application, container: Container,
                        trusted_proxies: Sequence[str] = DEFAULT_TRUSTED_PROXIES,
                        limiter: RefusalLimiter | None = None) -> None:
    """Registers GET and POST /postback (not HEAD: a HEAD must not record a sale). trusted_proxies: peers whose
    X-Forwarded-For is believed when matching POSTBACK_IP_ALLOWLIST — your reverse proxy."""
    trusted = parse_networks(trusted_proxies)
    deps = container.deps
    limiter = limiter or RefusalLimiter()
    batcher = PostbackBatcher(deps)  # group commit: postbacks arriving together share one transaction

    async def stop_batcher(_app: web.Application) -> None:
        await batcher.close()  # on_cleanup runs after the requests in flight got their answers

    app.on_cleanup.append(stop_batcher)

    async def postback(request: web.Request) -> web.Response:
        body: bytes | None = b""
        if request.method == hdrs.METH_POST and request.body_exists:
            body = await read_body(request, MAX_BODY)
        raw = RawPostback(
            method=request.method,
            remote=client_ip(request.remote, request.headers.getall(hdrs.X_FORWARDED_FOR, ()), trusted),
            query=request.rel_url.raw_query_string,
            body=body or b"",
            content_type=request.headers.get(hdrs.CONTENT_TYPE, ""),
            oversize=body is None,
        )
        # Shielded: an advertiser hanging up must not cut the transaction (it would roll back safely, but the
        # answer would be lost to the log and the advertiser would retry anyway).
        response: PostbackResponse = await asyncio.shield(handle_postback(deps, raw, limiter, batcher.submit))
        headers = dict(_NO_STORE)
        if response.retry_after is not None:
            headers[hdrs.RETRY_AFTER] = str(response.retry_after)
        return web.json_response(response.body, status=response.status, headers=headers)

    app.router.add_route(hdrs.METH_GET, "/postback", postback)
    app.router.add_route(hdrs.METH_POST, "/postback", postback)
