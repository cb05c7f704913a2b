"""The OpenAPI document: valid OpenAPI 3.1, served at /api/v1/openapi.json, and the same route table as the
router — every route documented, every documented path routed, every parameter a handler takes listed — and
real responses valid against its schemas."""
from __future__ import annotations

from datetime import timedelta

from aiohttp.test_utils import TestClient, TestServer
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from bot.web import build_web_app
from services.api.endpoints import BASE, ENDPOINTS, OPENAPI_PATH
from services.api.openapi import document
from services.tracking import history
from tests.api.helpers import add_conversions, add_offer, add_partner, add_payout, container_for, get, issue


def test_the_document_is_valid_openapi_3_1():
    doc = document("https://partners.example.com")
    validate(doc)
    assert doc["openapi"] == "3.1.0"
    for path, item in doc["paths"].items():
        operation = item["get"]
        assert {"200", "400", "401", "403", "429"} <= set(operation["responses"]), path
        names = {p["name"] for p in operation["parameters"]}
        endpoint = next(e for e in ENDPOINTS if e.path == path)
        fields = {f.alias or n for n, f in endpoint.query.model_fields.items()}
        fields |= set(endpoint.path_params.model_fields)
        assert names == fields, path
        assert operation["security"] == [{"bearer": [endpoint.scope]}]


async def test_documented_paths_are_exactly_the_routed_ones_and_responses_match(deps, db_url, services, clock):
    app = build_web_app(container_for(deps, db_url))
    routed = {r.canonical for r in app.router.resources() if r.canonical.startswith(BASE)}
    routed -= {OPENAPI_PATH, BASE + "/{tail}"}
    async with TestClient(TestServer(app)) as client:
        response = await client.get(OPENAPI_PATH)
        served = await response.json()
        assert response.status == 200 and served["servers"] == [{"url": "https://partners.example.com"}]
        assert set(served["paths"]) == routed and len(routed) == len(ENDPOINTS)

        offer = await add_offer(deps)
        partner = await add_partner(deps, "ann")
        [conversion] = await add_conversions(deps, partner, offer, 1, at=clock.now() - timedelta(hours=2))
        await add_payout(deps, partner, "100", at=clock.now())
        async with deps.uow() as uow:
            history.record(uow, conversion, None, "approved", "advertiser", clock.now())
            await uow.commit()
        _, token = await issue(deps)
        ids = {"conversion_id": conversion, "partner_id": partner}
        for path, item in served["paths"].items():
            schema = item["get"]["responses"]["200"]["content"]["application/json"]["schema"]
            status, body, _ = await get(client, path.format(**ids), token)
            assert status == 200, (path, body)
            assert body.get("data", [body]), path  # something to check, not an empty page
            OAS31Validator({**schema, "components": served["components"]}).validate(body)
        status, body, _ = await get(client, f"{BASE}/payouts", None)
        error = served["paths"][f"{BASE}/payouts"]["get"]["responses"]["401"]["content"]["application/json"]
        OAS31Validator({**error["schema"], "components": served["components"]}).validate(body)
