"""A small program written straight into the tables for the KPI tests: four partners over three 30-day
periods (September, October, November 2026), two offers in two currencies, applications, payouts, tickets and
FAQ questions. Every KPI of November and October is worked out by hand in tests/kpi/test_kpi_queries.py."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from services.db.models import Application, Partner
from services.db.payout_models import Payout, PayoutEvent
from services.db.support_models import FaqSearch, Ticket
from services.db.tracking_models import Conversion
from services.kernel.deps import Deps
from tests.fakes.stats_data import add_clicks, add_conversion, add_link, add_offer, add_partner


def at(month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@dataclass
class Program:
    a: int
    b: int
    c: int
    d: int
    shop: int  # RUB
    app: int  # USD


async def build(deps: Deps) -> Program:
    ids = [await add_partner(deps, created_at=at(8, 1)) for _ in range(4)]
    a, b, c, d = ids
    async with deps.uow() as uow:
        for pid, name in zip(ids, ("Alice", "Bob", "Carol", "Dan")):
            (await uow.session.get(Partner, pid)).name = name
        await uow.commit()
    shop = await add_offer(deps, name="Shop", currency="RUB")
    app = await add_offer(deps, name="App", currency="USD")
    la1, la2 = await add_link(deps, a, shop), await add_link(deps, a, app)
    lb, lc, ld = await add_link(deps, b, shop), await add_link(deps, c, shop), await add_link(deps, d, shop)
    # September: A and D active.
    await add_clicks(deps, la1, [at(9, 10)])
    await add_clicks(deps, ld, [at(9, 10)])
    # October: A (2), B, C active; one approved conversion.
    await add_clicks(deps, la1, [at(10, 10), at(10, 10, 13)])
    await add_clicks(deps, lb, [at(10, 10)])
    await add_clicks(deps, lc, [at(10, 10)])
    await add_conversion(deps, la1, at(10, 10, 14), "approved", "90")
    # November: A (3 on Shop, one repeated; 1 on App), B (2), D (1, in the last hour); C only on December 1st.
    await add_clicks(deps, la1, [at(11, 1, 10)] * 3, unique=[True, False, True])
    await add_clicks(deps, la2, [at(11, 20)])
    await add_clicks(deps, lb, [at(11, 15), at(11, 15, 13)])
    await add_clicks(deps, ld, [at(11, 30, 23, 30)])
    await add_clicks(deps, lc, [at(12, 1, 0)])
    await add_conversion(deps, la1, at(11, 1, 11), "approved", "100")
    flagged = await add_conversion(deps, la2, at(11, 20, 13), "pending", "10", currency="USD")
    await add_conversion(deps, lb, at(11, 15, 14), "approved", "50")
    await add_conversion(deps, lb, at(11, 16), "rejected", "50")
    flood = await add_conversion(deps, ld, at(11, 30, 23, 59), "approved", "30.5")
    async with deps.uow() as uow:
        (await uow.session.get(Conversion, flagged)).flags = "too_fast"
        (await uow.session.get(Conversion, flood)).flags = "flood"
        # Applications: A and B applied in November (A approved, B rejected); C applied in October, approved Nov 1.
        for pid, applied, decided, decision in ((a, at(11, 2), at(11, 3), "approved"),
                                                (b, at(11, 5), at(11, 6), "rejected"),
                                                (c, at(10, 28), at(11, 1, 9), "approved")):
            uow.session.add(Application(partner_id=pid, answers={}, decision=decision, created_at=applied,
                                        decided_at=decided))
            if decision == "approved":
                (await uow.session.get(Partner, pid)).approved_at = decided
        # Payouts: A's paid in November; B's still requested; D's rejected in October; C's approved in
        # November and paid only in December (open at the end of October and of November).
        for pid, amount, cur, created, events in (
                (a, "1000", "RUB", at(11, 10), (("pay", at(11, 12)),)),
                (b, "20", "USD", at(11, 25), ()),
                (d, "500", "RUB", at(10, 20), (("reject", at(10, 25)),)),
                (c, "300", "RUB", at(10, 30), (("approve", at(11, 2)), ("pay", at(12, 2))))):
            payout = Payout(partner_id=pid, amount=Decimal(amount), currency=cur, status="requested", method="card",
                            kind="visa", masked="•••• 4242", cipher="x", source="partner", created_at=created,
                            updated_at=created)
            uow.session.add(payout)
            await uow.session.flush()
            for action, when in events:
                uow.session.add(PayoutEvent(payout_id=payout.id, partner_id=pid, actor="telegram:900",
                                            action=action, created_at=when))
        # Tickets: first answers after 30 and 90 minutes in November, one unanswered; October's after 10 minutes
        # but rated (4) on November 1st. Ratings in November: 5, 3, 4.
        for pid, opened, answered, csat, rated in (
                (a, at(11, 2, 10), at(11, 2, 10, 30), 5, at(11, 3)),
                (b, at(11, 4, 10), at(11, 4, 11, 30), 3, at(11, 5)),
                (d, at(11, 29), None, None, None),
                (c, at(10, 30, 12), at(10, 30, 12, 10), 4, at(11, 1))):
            uow.session.add(Ticket(partner_id=pid, messenger="telegram", chat_id="1", status="closed",
                                   created_at=opened, first_response_at=answered, last_activity_at=opened,
                                   csat=csat, csat_at=rated))
        # FAQ: four questions in November, one passed on to a person; an empty one (a button) never counts.
        for n, escalated in enumerate((False, False, True, False, False)):
            uow.session.add(FaqSearch(partner_id=a, query="" if n == 4 else f"q{n}", locale="en", results=[1],
                                      escalated=escalated, created_at=at(11, 10) + timedelta(hours=n)))
        await uow.commit()
    return Program(a, b, c, d, shop, app)
