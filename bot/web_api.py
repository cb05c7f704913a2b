"""The REST API on the bot's aiohttp app (/api/v1): every route of services/api/endpoints.py registered
generically — bearer token → scope → per-token rate limit → parameters → use case → JSON. Who may read what is
decided in services/api; this module only speaks HTTP."""
from __future__ import annotations

import logging
import math
from typing import Any

from aiohttp import hdrs, web
from pydantic import BaseModel, ValidationError

from bot.container import Container
from services.api import tokens
from services.api.endpoints import BASE, ENDPOINTS, OPENAPI_PATH, Endpoint
from services.api.errors import ApiError
from services.api.openapi import document
from services.shared.rate import Admission, MemoryAdmission, RedisAdmission

log = logging.getLogger(__name__)

HEADERS = {"X-Content-Type-Options": "nosniff", hdrs.CACHE_CONTROL: "no-store, private", hdrs.VARY: "Authorization"}
UNAUTHORIZED = {tokens.Auth.MISSING: "send Authorization: Bearer <token> (an admin issues tokens in the bot)",
                tokens.Auth.INVALID: "the token is not valid", tokens.Auth.REVOKED: "the token was revoked",
                tokens.Auth.EXPIRED: "the token has expired"}
API = web.AppKey("api_admission", object)


def error(exc: ApiError) -> web.Response:
    headers = dict(HEADERS)
    if exc.status == 401:
        headers[hdrs.WWW_AUTHENTICATE] = 'Bearer realm="api"'
    if exc.retry_after is not None:
        headers[hdrs.RETRY_AFTER] = str(exc.retry_after)
    return web.json_response({"error": exc.error, "detail": exc.detail}, status=exc.status, headers=headers)


def _parameters(request: web.Request, model: type[BaseModel]) -> dict[str, Any]:
    """The query string as the model's fields: list fields take repeats and commas; others one value."""
    values: dict[str, Any] = {}
    fields = {(f.alias or name): f for name, f in model.model_fields.items()}
    for name in request.query:
        if name not in fields:
            raise ApiError(400, "bad_filter", f"unknown parameter {name!r}; known: {', '.join(sorted(fields))}")
        given = request.query.getall(name)
        if getattr(fields[name].annotation, "__origin__", None) is list:
            values[name] = [part.strip() for item in given for part in item.split(",") if part.strip()]
        elif len(given) > 1:
            raise ApiError(400, "bad_filter", f"{name!r} given more than once")
        else:
            values[name] = given[0]
    return values


def _validated(model: type[BaseModel], values: dict[str, Any]) -> BaseModel:
    try:
        return model.model_validate(values)
    except ValidationError as bad:
        detail = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'query'}: {e['msg']}" for e in bad.errors())
        raise ApiError(400, "bad_filter", detail[:500]) from None


def build_admission(container: Container) -> Admission:
    settings = container.settings
    redis = container.shared.redis if container.shared is not None else None
    if redis is not None:
        return RedisAdmission(redis, "partnerbot:api:", settings.api_rate_per_minute, settings.api_rate_burst)
    return MemoryAdmission(settings.api_rate_per_minute, settings.api_rate_burst)


def add_api_routes(app: web.Application, container: Container, admission: Admission | None = None) -> None:
    deps = container.deps
    limiter = admission or build_admission(container)
    app[API] = limiter

    async def authorise(request: web.Request, scope: str) -> None:
        now = deps.clock.now()
        async with deps.uow(readonly=True) as uow:
            checked = await tokens.check(uow, tokens.bearer(request.headers.get(hdrs.AUTHORIZATION)), now)
        if checked.outcome is not tokens.Auth.OK or checked.token_id is None:
            raise ApiError(401, "unauthorized", UNAUTHORIZED[checked.outcome])
        if scope not in checked.scopes:
            raise ApiError(403, "forbidden", f"this token lacks the scope {scope}")
        wait = await limiter.admit(str(checked.token_id))
        if wait > 0:
            raise ApiError(429, "rate_limited", "too many requests for this token", retry_after=math.ceil(wait))
        if checked.touch:
            try:  # last-used time is bookkeeping: a busy database must not fail the read itself
                async with deps.uow() as uow:
                    await tokens.touch(uow, checked.token_id, now)
                    await uow.commit()
            except Exception:
                log.warning("api token %s: last use not recorded", checked.token_id, exc_info=True)

    def route(endpoint: Endpoint) -> Any:
        async def handle(request: web.Request) -> web.Response:
            try:
                await authorise(request, endpoint.scope)
                query = _validated(endpoint.query, _parameters(request, endpoint.query))
                path = _validated(endpoint.path_params, dict(request.match_info))
                result = await endpoint.handler(deps, query, path)
            except ApiError as exc:
                return error(exc)
            return web.json_response(result.model_dump(mode="json", by_alias=True), headers=HEADERS)
        return handle

    async def openapi(request: web.Request) -> web.Response:
        return web.json_response(document(container.deps.config.public_base_url or "/"), headers=HEADERS)

    async def unknown(request: web.Request) -> web.Response:
        if request.method not in (hdrs.METH_GET, hdrs.METH_HEAD):  # read-only: every endpoint is GET
            response = error(ApiError(405, "method_not_allowed", "this API is read-only: GET only"))
            response.headers[hdrs.ALLOW] = "GET"
            return response
        return error(ApiError(404, "not_found", f"no endpoint {request.path}; see {OPENAPI_PATH}"))

    app.router.add_get(OPENAPI_PATH, openapi)
    for endpoint in ENDPOINTS:
        app.router.add_get(endpoint.path, route(endpoint))
    app.router.add_route("*", BASE + "/{tail:.*}", unknown)
