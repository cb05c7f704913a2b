"""The web app's access log without personal data or secrets. aiohttp's default line carries the visitor's IP,
user agent, referer and the full URL — for /postback that is the advertiser's signed query (sig, amounts), for
/r the visitor's sub ids. Here: method, path, status, size and time; no IP, no user agent, no referer; no query
for /r and /postback, and other queries with secret-looking parameters masked."""
from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, quote

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, StreamResponse

# Names of query parameters whose values never reach a log line (sig, api_key, token, secret, password…).
SECRET_PARAM = re.compile(r"sig|secret|token|key|pass|auth|hash|session|code", re.IGNORECASE)
TARGET_MAX = 200  # a path can be kilobytes long; the line stays one screen wide
_MASK = "***"


def redacted_target(raw_path: str, raw_query: str) -> str:
    """raw_path is the path as received (percent-encoded, so no newline can forge a log line)."""
    path = raw_path[:TARGET_MAX]
    if not raw_query or raw_path == "/postback" or raw_path.startswith("/r/"):
        return path
    pairs = parse_qsl(raw_query, keep_blank_values=True)
    query = "&".join(f"{quote(name, safe='')}={_MASK if SECRET_PARAM.search(name) else quote(value, safe='')}"
                     for name, value in pairs)
    return f"{path}?{query}"[:TARGET_MAX]


class RedactedAccessLogger(AbstractAccessLogger):
    """AppRunner(app, access_log_class=RedactedAccessLogger): logs to aiohttp.access at INFO."""

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        self.logger.info("%s %s %s %s %.3fs", request.method,
                         redacted_target(request.rel_url.raw_path, request.rel_url.raw_query_string),
                         response.status, response.body_length, time)

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)
