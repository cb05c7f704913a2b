"""Contest standings on SQLite: every approved conversion of a month across PARTNERS partners, ranked — what a
leaderboard view costs when its live standings are not cached, against a cached view (the baseline alongside).

    python -m bench contests            (CONTESTS_PARTNERS / CONTESTS_CONVERSIONS to change the size)
"""
from __future__ import annotations

import asyncio
import os
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert

from services.contests import service, standings
from services.db.contest_models import Contest
from services.db.engine import make_engine, make_session_factory
from services.db.migrate import upgrade
from services.db.models import Partner
from services.db.tracking_models import Conversion, Offer
from services.db.uow import UnitOfWorkFactory
from services.kernel.deps import Deps

T0 = datetime(2026, 1, 1, tzinfo=UTC)


async def _fill(uow: UnitOfWorkFactory, partners: int, conversions: int) -> int:
    rnd = random.Random(1)
    async with uow() as u:
        await u.session.execute(insert(Offer), [{
            "name": "o", "target_url": "https://x.example", "payout_model": "cpa", "currency": "RUB", "hold_days": 30,
            "attribution_days": 30, "l2_percent": Decimal(5), "status": "active", "created_at": T0}])
        await u.session.execute(insert(Partner), [{"status": "approved", "locale": "en", "timezone": "UTC",
                                                   "tier": "certified", "ref_code": f"r{i}", "created_at": T0}
                                                  for i in range(partners)])
        for chunk in range(0, conversions, 20000):  # three months of history; the contest is the second one
            await u.session.execute(insert(Conversion), [{
                "idempotency_key": f"k{i}", "partner_id": rnd.randrange(1, partners + 1), "offer_id": 1,
                "goal": "default", "status": rnd.choice(["approved", "approved", "pending", "rejected"]),
                "commission": Decimal(10), "sale_amount": Decimal(100), "currency": "RUB", "payable": True,
                "created_at": (at := T0 + timedelta(seconds=rnd.randrange(90 * 86400))), "updated_at": at}
                for i in range(chunk, min(conversions, chunk + 20000))])
        contest = Contest(status="running", title_ru="t", title_en="t", description_ru="d", description_en="d",
                          starts_at=datetime(2026, 2, 1, tzinfo=UTC), ends_at=datetime(2026, 3, 1, tzinfo=UTC),
                          metric="conversions", offer_ids=[], prizes=[], opt_in=False, created_by="bench",
                          created_at=T0)
        u.session.add(contest)
        await u.commit()
        return contest.id


async def _median(fn, runs: int = 5) -> tuple[float, float]:
    wall, cpu = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        await fn()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return sorted(wall)[runs // 2], sorted(cpu)[runs // 2]


async def main() -> None:
    partners = int(os.environ.get("CONTESTS_PARTNERS", "5000"))
    conversions = int(os.environ.get("CONTESTS_CONVERSIONS", "200000"))
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        await asyncio.to_thread(upgrade, url)
        engine = make_engine(url)
        uow = UnitOfWorkFactory(make_session_factory(engine))
        deps = Deps(uow=uow)
        contest_id = await _fill(uow, partners, conversions)
        cutoff = datetime(2026, 3, 5, tzinfo=UTC)

        async def fresh() -> None:
            async with uow(readonly=True) as u:
                await standings.compute(u, await u.session.get(Contest, contest_id), cutoff)

        async def cached() -> None:
            async with uow(readonly=True) as u:
                await service.current_standings(u, deps, await u.session.get(Contest, contest_id))

        await cached()  # fills the cache
        base_wall, base_cpu = await _median(cached)
        wall, cpu = await _median(fresh)
        await engine.dispose()
    print(f"partners={partners} conversions={conversions}: standings computed {wall * 1000:.0f} ms wall, "
          f"{cpu * 1000:.0f} ms CPU; cached view {base_wall * 1000:.1f} ms wall "
          f"(computed/cached ×{wall / max(base_wall, 1e-6):.0f})")
