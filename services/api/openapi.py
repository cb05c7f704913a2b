"""The OpenAPI 3.1 document, built from the route table and the pydantic models the handlers use: parameters
from each endpoint's query / path model, responses from its response model, schemas from their JSON schemas
(OpenAPI 3.1 takes JSON Schema 2020-12 as pydantic writes it)."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from services.api import models as m
from services.api.endpoints import ENDPOINTS, Endpoint
from services.api.tokens import SCOPES

REF = "#/components/schemas/{model}"
ERRORS = {"400": "a bad filter or cursor", "401": "no token, or a wrong, revoked or expired one",
          "403": "the token's scopes do not include this endpoint's", "429": "too many requests for this token; "
          "see Retry-After"}


def _parameters(model: type[BaseModel], where: str, schema: dict[str, Any]) -> list[dict[str, Any]]:
    props = schema.get("properties", {})
    required = set(schema.get("required", ()))
    found = []
    for name, prop in props.items():
        prop = dict(prop)
        description = prop.pop("description", None)
        prop.pop("title", None)
        options = prop.get("anyOf")
        if options and {"type": "null"} in options and len(options) == 2:  # optional: absence says it, not null
            prop = {**[o for o in options if o != {"type": "null"}][0],
                    **{k: v for k, v in prop.items() if k not in ("anyOf", "default")}}
        param: dict[str, Any] = {"name": name, "in": where, "required": where == "path" or name in required,
                                 "schema": prop}
        if description:
            param["description"] = description
        if prop.get("type") == "array":
            param.update(style="form", explode=True)
        found.append(param)
    return found


def _operation(endpoint: Endpoint, schemas: dict[str, Any]) -> dict[str, Any]:
    query = endpoint.query.model_json_schema(by_alias=True, ref_template=REF)
    path = endpoint.path_params.model_json_schema(by_alias=True, ref_template=REF)
    for extra in (query, path):
        schemas.update(extra.pop("$defs", {}))
    responses: dict[str, Any] = {"200": {"description": "OK", "content": {"application/json": {"schema": {
        "$ref": REF.format(model=endpoint.response.__name__)}}}}}
    codes = dict(ERRORS)
    if endpoint.not_found:
        codes["404"] = "no such object"
    for code, text in sorted(codes.items()):
        responses[code] = {"description": text, "content": {"application/json": {"schema": {
            "$ref": REF.format(model="Error")}}}}
    return {"operationId": endpoint.operation, "summary": endpoint.summary,
            "description": f"Needs the scope `{endpoint.scope}`.",
            "parameters": _parameters(endpoint.path_params, "path", path) + _parameters(endpoint.query, "query",
                                                                                        query),
            "security": [{"bearer": [endpoint.scope]}], "responses": responses}


def document(server_url: str = "/") -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    _, top = models_json_schema([(e.response, "serialization") for e in ENDPOINTS] + [(m.Error, "serialization")],
                                by_alias=True, ref_template=REF)
    schemas.update(top.get("$defs", {}))
    paths: dict[str, Any] = {}
    for endpoint in ENDPOINTS:
        paths.setdefault(endpoint.path, {})["get"] = _operation(endpoint, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Partner program API", "version": "1.0.0", "description": (
            "Read-only data for BI. Bearer tokens are issued by admins in the bot (/admin → API tokens). Times are "
            "ISO 8601 in UTC; money is a decimal string with its currency; lists are paged by an opaque cursor "
            "in a stable order (created_at, id).")},
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "Scopes: "
                                           + ", ".join(SCOPES)}},
        },
    }
