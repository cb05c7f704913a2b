"""The REST API's shapes, as pydantic models: the handlers validate query parameters with them and serialise
responses through them, and the OpenAPI document is generated from the same models (services/api/openapi.py).

Conventions: times are ISO 8601 in UTC ("2026-11-01T09:30:00Z"); money is {"amount": "170.50", "currency":
"RUB"}, the amount a decimal string (a revshare's fraction of a cent is kept: "0.3750"); a period is half-open,
`from` inclusive and `to` exclusive; a date alone means its midnight UTC; a time without an offset is UTC.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from services.kernel.money import CENT


def _instant(value: Any) -> Any:
    """ISO 8601 text only (pydantic would also take unix numbers), normalised to aware UTC."""
    if value is None or isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("an ISO 8601 date or date-time is expected")
    text = value.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC)
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text[:40]!r} is not an ISO 8601 date or date-time") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


Instant = Annotated[datetime, BeforeValidator(_instant)]
Amount = Annotated[str, Field(pattern=r"^-?\d+\.\d{2,4}$", examples=["170.50"])]


class Money(BaseModel):
    amount: Amount
    currency: str = Field(pattern=r"^[A-Z]{3}$", examples=["RUB"])


def money(amount: Decimal, currency: str) -> Money:
    """Cents as "170.50"; a fraction of a cent stays ("0.3750"), never rounded away."""
    text = amount.quantize(CENT) if amount == amount.quantize(CENT) else amount.normalize()
    # Built from trusted data without re-validation: pages hold thousands of amounts (the OpenAPI tests check
    # real responses against the schema).
    return Money.model_construct(amount=f"{text:f}", currency=currency)


def moneys(values: dict[str, Decimal]) -> list[Money]:
    return [money(amount, currency) for currency, amount in sorted(values.items())]


class Error(BaseModel):
    error: str = Field(description="machine-readable: bad_filter, bad_cursor, unauthorized, forbidden, not_found, "
                                   "rate_limited")
    detail: str = Field(description="what went wrong, for a person")


# ---- query parameters ------------------------------------------------------------------------------------------

class Query(BaseModel):
    """Base of every endpoint's parameters. List parameters take repeats (?partner_id=1&partner_id=2) or commas."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class PageQuery(Query):
    from_: Instant | None = Field(None, alias="from", description="created at or after (ISO 8601, UTC if no offset)")
    to: Instant | None = Field(None, description="created before (exclusive)")
    limit: int = Field(100, ge=1, le=500, description="rows per page")
    cursor: str | None = Field(None, max_length=512, description="next_cursor of the previous page, as given")


class ConversionsQuery(PageQuery):
    partner_id: list[int] = Field(default_factory=list, description="only these partners")
    offer_id: list[int] = Field(default_factory=list)
    link_id: list[int] = Field(default_factory=list)
    status: list[Literal["pending", "approved", "rejected", "refunded"]] = Field(default_factory=list)


class EventsQuery(PageQuery):
    conversion_id: list[int] = Field(default_factory=list)
    partner_id: list[int] = Field(default_factory=list)


class PayoutsQuery(PageQuery):
    partner_id: list[int] = Field(default_factory=list)
    status: list[Literal["requested", "approved", "paid", "rejected"]] = Field(default_factory=list)


class PartnersQuery(PageQuery):
    id: list[int] = Field(default_factory=list)
    status: list[Literal["new", "applied", "approved", "rejected", "blocked"]] = Field(default_factory=list)


StatsGroup = Literal["partner", "day", "link", "offer", "sub1", "sub2", "sub3", "sub4", "sub5"]


class StatsQuery(Query):
    from_: Instant | None = Field(None, alias="from", description="period start (default: 6 days before today, "
                                                                   "00:00 UTC)")
    to: Instant | None = Field(None, description="period end, exclusive (default: tomorrow 00:00 UTC); at most "
                                                 "366 days after `from`")
    group_by: StatsGroup = Field("day", description="one row per partner and day (UTC) / link / offer / sub-id "
                                                    "value; `partner`: one row per partner")
    partner_id: list[int] = Field(default_factory=list)
    limit: int = Field(200, ge=1, le=1000)
    cursor: str | None = Field(None, max_length=512)


class NoQuery(Query):
    pass


class ConversionPath(Query):
    conversion_id: int = Field(ge=1)


class PartnerPath(Query):
    partner_id: int = Field(ge=1)


# ---- responses -------------------------------------------------------------------------------------------------

class StatusChange(BaseModel):
    from_status: str | None = Field(description="null: created with to_status")
    to_status: str
    source: str = Field(description="advertiser (a postback) or review (a manager's decision)")
    at: datetime


class ConversionOut(BaseModel):
    id: int
    partner_id: int
    offer_id: int
    link_id: int | None
    goal: str
    txid: str | None = Field(description="the advertiser's transaction id")
    promo_code: str | None
    status: Literal["pending", "approved", "rejected", "refunded"]
    commission: Money
    sale_amount: Money | None
    payable: bool
    not_payable_reason: str | None
    flags: list[str] = Field(description="fraud flags; a flagged conversion waits for a manager's review")
    review: str | None
    sub1: str | None
    created_at: datetime
    updated_at: datetime
    history: list[StatusChange] = Field(description="status changes, oldest first (recorded since API release; "
                                                    "older conversions have none)")


class ConversionEventOut(BaseModel):
    id: int
    conversion_id: int
    partner_id: int
    from_status: str | None = Field(description="null: the conversion was created with to_status")
    to_status: str
    source: str = Field(description="advertiser (a postback) or review (a manager's decision)")
    at: datetime


class PayoutOut(BaseModel):
    """No payout details (card, account, wallet): not even masked."""

    id: int
    partner_id: int
    amount: Money
    status: Literal["requested", "approved", "paid", "rejected"]
    method: str = Field(description="card, account, crypto or ewallet")
    source: str = Field(description="partner (asked in the bot) or schedule")
    period: str | None
    created_at: datetime
    updated_at: datetime


class PartnerOut(BaseModel):
    """What BI needs to group and count partners; no names, e-mails, messenger ids or payout details."""

    id: int
    status: str
    tier: str
    parent_id: int | None = Field(description="the partner who invited this one")
    locale: str
    timezone: str
    messengers: list[str] = Field(description="telegram and/or vk: where the partner has an account")
    created_at: datetime
    approved_at: datetime | None


class StatsRowOut(BaseModel):
    partner_id: int
    key: str = Field(description="the date (YYYY-MM-DD, UTC), link or offer id, sub-id value (\"\" = none), or "
                                 "the partner id")
    label: str
    clicks: int
    unique_clicks: int
    conversions: dict[str, int] = Field(description="conversions created in the period, by their status now")
    cr: str = Field(description="percent: (pending + approved) / unique clicks × 100")
    epc: list[Money]
    earnings: list[Money] = Field(description="commission of pending and approved conversions")
    l2_earnings: list[Money] = Field(description="second-level money (day and partner rows only)")


class Period(BaseModel):
    from_: datetime = Field(alias="from")
    to: datetime

    model_config = ConfigDict(populate_by_name=True)


class Page(BaseModel):
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last one")


class ConversionsPage(Page):
    data: list[ConversionOut]


class ConversionEventsPage(Page):
    data: list[ConversionEventOut]


class PayoutsPage(Page):
    data: list[PayoutOut]


class PartnersPage(Page):
    data: list[PartnerOut]


class StatsPage(Page):
    period: Period
    group_by: StatsGroup
    data: list[StatsRowOut]


# ---- KPIs (services/kpi) ----------------------------------------------------------------------------------------

class KpisQuery(Query):
    from_: Instant | None = Field(None, alias="from", description="first day, a UTC midnight (default: 29 days "
                                                                   "before today)")
    to: Instant | None = Field(None, description="the day after the last, a UTC midnight (default: tomorrow); at "
                                                 "most 366 days after `from`")
    offer_id: int | None = Field(None, ge=1, description="only this offer's figures")


KpiValue = int | str | list[Money] | None


class KpiMetricOut(BaseModel):
    name: str = Field(description="active_partners, retention, arpu, pltv, cr, epc, … (README → KPI definitions)")
    kind: Literal["count", "percent", "money", "minutes", "score"]
    value: KpiValue = Field(description="count: integer; percent, minutes, score: decimal string; money: one "
                                        "amount per currency; null: no value (e.g. a ratio over zero)")
    previous: KpiValue = Field(description="the same for the previous period of equal length")
    change_percent: str | None = Field(description="relative change against the previous period (not for money)")
    change_by_currency: dict[str, str | None] | None = Field(description="money: the change per currency")


class KpiTopOut(BaseModel):
    id: int
    label: str | None = Field(description="the offer's name; null for partners (no names in this API)")
    clicks: int
    conversions: int
    commissions: list[Money]


class KpiDayOut(BaseModel):
    day: date
    clicks: int
    conversions: int
    active_partners: int
    commissions: list[Money]


class KpisOut(BaseModel):
    period: Period
    previous_period: Period
    offer_id: int | None
    metrics: list[KpiMetricOut]
    top_partners: list[KpiTopOut]
    top_offers: list[KpiTopOut]
    daily: list[KpiDayOut]
