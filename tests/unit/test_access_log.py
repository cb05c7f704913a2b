"""The web access log: no visitor IP, user agent or referer; no query of /r and /postback; secret-looking
parameters masked elsewhere. Checked on a real aiohttp server with the logger the process uses."""
from __future__ import annotations

import logging
import re
import socket

import aiohttp
import pytest
from aiohttp import web

from bot.access_log import RedactedAccessLogger, redacted_target


@pytest.mark.parametrize(("path", "query", "logged"), [
    ("/postback", "click_id=c1&txid=T1&amount=10&sig=deadbeef", "/postback"),
    ("/r/AbC123", "sub1=tg&utm_source=x", "/r/AbC123"),
    ("/healthz", "", "/healthz"),
    ("/other", "page=2&api_key=K&token=T&Signature=S&password=p", "/other?page=2&api_key=***&token=***"
                                                                   "&Signature=***&password=***"),
    ("/other", "q=%0Aforged%20line", "/other?q=%0Aforged%20line"),  # stays percent-encoded: one line
    ("/" + "a" * 500, "", "/" + "a" * 199),
])
def test_redacted_target(path: str, query: str, logged: str):
    assert redacted_target(path, query) == logged


async def test_access_lines_carry_no_ip_user_agent_or_signature(caplog: pytest.LogCaptureFixture):
    async def ok(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/postback", ok)
    app.router.add_get("/r/{code}", ok)
    caplog.set_level(logging.INFO, logger="aiohttp.access")
    runner = web.AppRunner(app, access_log_class=RedactedAccessLogger)  # as bot.__main__ builds it
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    await web.SockSite(runner, sock).start()
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    headers = {"User-Agent": "SpyAgent/1.0", "Referer": "https://private.example/page",
               "X-Forwarded-For": "203.0.113.9"}
    try:
        async with aiohttp.ClientSession(headers=headers) as http:
            for path in ("/postback?txid=T1&sig=deadbeef", "/r/AbC123?sub1=mine"):
                async with http.get(base + path) as response:
                    await response.read()
    finally:
        await runner.cleanup()
    lines = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert len(lines) == 2
    assert re.fullmatch(r"GET /postback 200 \d+ \d+\.\d{3}s", lines[0]), lines
    assert re.fullmatch(r"GET /r/AbC123 200 \d+ \d+\.\d{3}s", lines[1]), lines
    for line in lines:
        for private in ("127.0.0.1", "203.0.113.9", "SpyAgent", "private.example", "deadbeef", "sub1", "T1"):
            assert private not in line, line
