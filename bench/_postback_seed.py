"""Helpers of bench/ingest_postbacks.py: seeding a migrated database in bulk, counting what it holds afterwards,
and a fake Telegram Bot API that records what reached each chat."""
from __future__ import annotations

import asyncio
import socket
import time
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from aiohttp import web
from sqlalchemy import func, insert, select

SECRET = "bench-postback-secret"
PARENTS = 10  # partners 0..9 invite the others: approvals of partners ≥ 10 book second-level money
CHAT_BASE = 7_000_000
CHUNK = 2000


def click_id(n: int) -> str:
    return f"bc{n:010d}"


def partner_of(n: int, partners: int) -> int:
    return n % partners


def has_parent(n: int, partners: int) -> int:
    return int(partners > PARENTS and partner_of(n, partners) >= PARENTS)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def prepare(url: str, partners: int, clicks: int, clicked_at: datetime) -> None:
    """Migrates, then inserts an offer (CPA 100 RUB, 5 % second level), partners with a Telegram account each,
    one link per partner and `clicks` clicks (click n belongs to partner n % partners)."""
    from services.db.engine import make_engine
    from services.db.migrate import upgrade_async
    from services.db.models import MessengerAccount, Partner
    from services.db.tracking_models import Click, Offer, TrackingLink

    await upgrade_async(url)
    now = datetime.now(timezone.utc)
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(insert(Offer), [{
                "id": 1, "name": "Bench shop", "target_url": "https://shop.example.com/", "payout_model": "cpa",
                "cpa_amount": Decimal("100.00"), "currency": "RUB", "hold_days": 30, "attribution_days": 30,
                "l2_percent": Decimal("5"), "status": "active", "created_at": now}])
            await conn.execute(insert(Partner), [{
                "id": p + 1, "status": "approved", "locale": "en", "timezone": "UTC", "tier": "certified",
                "parent_id": None, "ref_code": f"BENCH{p}", "name": f"Partner {p}", "created_at": now,
                "approved_at": now} for p in range(partners)])
            if partners > PARENTS:  # inviters are set after all rows exist (the foreign key)
                from sqlalchemy import bindparam, update

                await conn.execute(update(Partner).where(Partner.id == bindparam("pid"))
                                   .values(parent_id=bindparam("parent")),
                                   [{"pid": p + 1, "parent": p % PARENTS + 1} for p in range(PARENTS, partners)])
            await conn.execute(insert(MessengerAccount), [{
                "id": p + 1, "partner_id": p + 1, "messenger": "telegram", "external_id": str(CHAT_BASE + p),
                "chat_id": str(CHAT_BASE + p), "first_name": f"P{p}", "created_at": now} for p in range(partners)])
            await conn.execute(insert(TrackingLink), [{
                "id": p + 1, "code": f"bl{p:08d}", "partner_id": p + 1, "offer_id": 1, "is_default": True,
                "sub1": f"s{p % 7}", "created_at": now} for p in range(partners)])
            for start in range(0, clicks, CHUNK):
                await conn.execute(insert(Click), [{
                    "id": n + 1, "click_id": click_id(n), "link_id": partner_of(n, partners) + 1,
                    "partner_id": partner_of(n, partners) + 1, "offer_id": 1, "created_at": clicked_at,
                    "ip_hash": f"{n:064x}", "ua_hash": "0" * 64, "is_unique": True, "sub1": f"s{n % 7}",
                } for n in range(start, min(clicks, start + CHUNK))])
            if engine.dialect.name == "postgresql":  # explicit ids: move the sequences past them
                from sqlalchemy import text

                for table in ("offers", "partners", "messenger_accounts", "tracking_links", "clicks"):
                    await conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                            f"(SELECT max(id) FROM {table}))"))
    finally:
        await engine.dispose()


async def census(url: str) -> dict[str, int]:
    from services.db.engine import make_engine
    from services.db.models import OutboxMessage
    from services.db.tracking_models import Conversion, LedgerEntry, PostbackLog

    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            found = {"conversions": await conn.scalar(select(func.count(Conversion.id))),
                     "ledger": await conn.scalar(select(func.count(LedgerEntry.id))),
                     "outbox": await conn.scalar(select(func.count(OutboxMessage.id))),
                     "log": await conn.scalar(select(func.count(PostbackLog.id)))}
            for status, count in (await conn.execute(select(Conversion.status, func.count())
                                                     .group_by(Conversion.status))).all():
                found[status] = count
            # Each movement once: no entry key or outbox dedupe key twice (the unique indexes say so too).
            found["ledger_sum_ok"] = int(await conn.scalar(select(func.count(func.distinct(LedgerEntry.entry_key))))
                                         == found["ledger"])
    finally:
        await engine.dispose()
    found.setdefault("approved", 0), found.setdefault("rejected", 0), found.setdefault("pending", 0)
    return found


async def wait_drained(url: str, timeout: float) -> bool:
    """Until every outbox row is sent (or folded) and no burst summary waits for its last edit."""
    from services.db.engine import make_engine
    from services.db.messaging_models import NotificationBurst
    from services.db.models import OutboxMessage

    engine = make_engine(url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            async with engine.connect() as conn:
                pending = await conn.scalar(select(func.count(OutboxMessage.id))
                                            .where(OutboxMessage.status != "sent"))
                dirty = await conn.scalar(select(func.count(NotificationBurst.id))
                                          .where(NotificationBurst.dirty.is_(True)))
            if not pending and not dirty:
                return True
            await asyncio.sleep(0.5)  # a bench watching a live process: polling is the point
        return False
    finally:
        await engine.dispose()


class FakeTelegram:
    """Just enough Bot API for `python -m bot` to start and deliver: counts sends and edits per chat."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.sends = self.edits = 0
        self.first_at: float | None = None
        self.started: float | None = None
        self._runner: web.AppRunner | None = None

    @property
    def messages(self) -> int:
        return self.sends + self.edits

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = await request.json() if request.content_type == "application/json" \
            else dict(await request.post())
        if method == "getUpdates":
            await asyncio.sleep(min(float(params.get("timeout") or 0), 1.0))
            return web.json_response({"ok": True, "result": []})
        if method == "getMe":
            return web.json_response({"ok": True, "result": {"id": 4242, "is_bot": True, "first_name": "B",
                                                              "username": "bench_bot"}})
        if method in ("sendMessage", "editMessageText"):
            if self.first_at is None:
                self.first_at = time.perf_counter()
            if method == "sendMessage":
                self.sends += 1
            else:
                self.edits += 1
            return web.json_response({"ok": True, "result": {
                "message_id": self.sends, "date": 1_700_000_000, "text": str(params.get("text", "")),
                "chat": {"id": int(params["chat_id"]), "type": "private"}}})
        return web.json_response({"ok": True, "result": True})

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self.handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
