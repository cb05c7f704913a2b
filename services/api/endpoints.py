"""THE route table of the REST API: path, scope, parameter and response models, use case. The aiohttp router
(bot/web_api.py) and the OpenAPI document (services/api/openapi.py) are both generated from it, so neither can
list a route the other lacks."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from services.api import models as m
from services.api import use_cases as uc

BASE = "/api/v1"
OPENAPI_PATH = f"{BASE}/openapi.json"


@dataclass(frozen=True)
class Endpoint:
    path: str  # aiohttp and OpenAPI share the {name} syntax for path parameters
    operation: str  # OpenAPI operationId
    summary: str
    scope: str
    query: type[m.Query]
    response: type[BaseModel]
    handler: Callable[[Any, Any, Any], Awaitable[BaseModel]]  # (deps, query, path) → response
    path_params: type[m.Query] = m.NoQuery
    not_found: bool = False  # answers 404 for an unknown id


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(f"{BASE}/stats", "getStats", "Clicks, conversions and money per partner and day / link / offer / "
             "sub-id, from the stats rollups", "stats:read", m.StatsQuery, m.StatsPage, uc.stats),
    Endpoint(f"{BASE}/conversions", "listConversions", "Conversions with their status history",
             "conversions:read", m.ConversionsQuery, m.ConversionsPage, uc.list_conversions),
    Endpoint(f"{BASE}/conversions/{{conversion_id}}", "getConversion", "One conversion with its status history",
             "conversions:read", m.NoQuery, m.ConversionOut, uc.get_conversion, m.ConversionPath, True),
    Endpoint(f"{BASE}/conversion-events", "listConversionEvents", "Every conversion status change in time order: "
             "follow it to sync changes since the last run", "conversions:read", m.EventsQuery,
             m.ConversionEventsPage, uc.list_events),
    Endpoint(f"{BASE}/payouts", "listPayouts", "Payout requests (no payout details)", "payouts:read",
             m.PayoutsQuery, m.PayoutsPage, uc.list_payouts),
    Endpoint(f"{BASE}/partners", "listPartners", "Partners (no contact or payout details)", "partners:read",
             m.PartnersQuery, m.PartnersPage, uc.list_partners),
    Endpoint(f"{BASE}/kpis", "getKpis", "Program KPIs for a period, each against the previous period of equal "
             "length (the same figures as /kpi in the bot)", "kpis:read", m.KpisQuery, m.KpisOut, uc.kpis),
    Endpoint(f"{BASE}/partners/{{partner_id}}", "getPartner", "One partner", "partners:read", m.NoQuery,
             m.PartnerOut, uc.get_partner, m.PartnerPath, True),
)
