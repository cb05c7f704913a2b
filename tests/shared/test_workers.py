"""Production mode end to end: `python -m bot` with WEB_WORKERS=2 on PostgreSQL + Redis, Telegram by webhook.
Both workers share the port; one person's burst of updates is handled in order and exactly once whichever worker
takes each request; a wrong secret gets 401 and nothing is handled; one worker leads the scheduler."""
from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import uuid
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from services.db.engine import make_engine
from services.db.models import Application
from tests.conftest import pg_admin_url
from tests.fakes.bot_api_server import FakeBotAPI, _free_port

ROOT = Path(__file__).resolve().parents[2]
SECRET = "webhook-secret-0123456789"
PERSON = 777001


def _update(update_id: int, *, text: str | None = None, data: str | None = None) -> dict:
    who = {"id": PERSON, "is_bot": False, "first_name": "Ann", "language_code": "en"}
    chat = {"id": PERSON, "type": "private"}
    if data is not None:
        return {"update_id": update_id, "callback_query": {
            "id": str(update_id), "chat_instance": "ci", "data": data, "from": who,
            "message": {"message_id": 1, "date": 1_700_000_000, "text": "…", "chat": chat}}}
    message = {"message_id": update_id, "date": 1_700_000_000, "text": text, "chat": chat, "from": who}
    if text and text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": message}


# Update ids of this run: Redis remembers handled ids for a day (redelivery dedup), so reruns must not reuse them.
BASE = int(uuid.uuid4().int % 10**9) * 100
BURST = [_update(BASE + 1, text="/start"), _update(BASE + 2, data="ob:lang:en"), _update(BASE + 3, text="Ann Smith"),
         _update(BASE + 4, text="ann@example.com"), _update(BASE + 5, text="https://annblog.example.org"),
         _update(BASE + 6, text="5k"), _update(BASE + 7, data="ob:terms")]


@pytest.fixture
async def database(pg_url: str) -> str:
    admin = pg_admin_url()
    assert admin is not None
    name = f"pb_workers_{uuid.uuid4().hex[:8]}"
    engine = make_engine(admin, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    async with engine.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await engine.dispose()


def _sends(api: FakeBotAPI) -> list[dict]:
    return [params for method, params in api.calls if method == "sendMessage"]


async def _until(check, timeout: float, what: str):
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        with contextlib.suppress(aiohttp.ClientError, OSError):
            result = await check()
            if result:
                return result
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


async def test_two_workers_on_postgres_and_redis(database: str, redis_client, tmp_path: Path):
    await redis_client.flushdb()  # this test's Redis database (15): leadership and locks start clean
    port = _free_port()
    async with FakeBotAPI() as api:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": database, "WEB_WORKERS": "2",
               "REDIS_URL": "redis://127.0.0.1:6379/15", "TELEGRAM_BOT_TOKEN": "42:TEST", "TELEGRAM_API_URL": api.url,
               "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}/tg/webhook", "TELEGRAM_WEBHOOK_SECRET": SECRET,
               "WEB_PORT": str(port), "MANAGER_IDS": "900", "VK_TOKEN": "", "LOG_LEVEL": "INFO",
               "OUTBOX_POLL_SECONDS": "0.2"}
        log = open(tmp_path / "bot.log", "wb")
        proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", cwd=tmp_path, env=env,
                                                    stdout=log, stderr=asyncio.subprocess.STDOUT)
        hook = f"http://127.0.0.1:{port}/tg/webhook"
        try:
            await api.wait_for("setWebhook", timeout=180)
            # Fresh connections each time: the kernel spreads them over both workers.
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as http:
                async def health() -> bool:
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                        return response.status == 200
                for _ in range(4):
                    await _until(health, 180, "both workers to serve")

                async with http.post(hook, json=_update(99, text="/start"),
                                     headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}) as response:
                    assert response.status == 401
                assert _sends(api) == []  # nothing handled

                async def post(update: dict) -> int:
                    async with http.post(hook, json=update,
                                         headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
                        return response.status

                sent = []
                for update in BURST:  # a burst: each sent before the previous one is answered
                    sent.append(asyncio.create_task(post(update)))
                    await asyncio.sleep(0.3)  # apart enough to have an order; far less than handling takes
                assert await asyncio.gather(*sent) == [200] * len(BURST)
                answers = len(_sends(api))
                assert await post(BURST[2]) == 200  # Telegram redelivers one: handled once only
                assert len(_sends(api)) == answers

            engine = make_engine(database)
            async with engine.connect() as conn:
                rows = (await conn.execute(select(Application.answers))).scalars().all()
            await engine.dispose()
            # In order: every answer landed in its own step (out of order, validation would have refused them).
            assert len(rows) == 1, (tmp_path / "bot.log").read_text(errors="replace")[-6000:]
            assert rows[0]["name"] == "Ann Smith" and rows[0]["email"] == "ann@example.com"
            assert "annblog.example.org" in str(rows[0]["sources"]) and str(rows[0]["audience"]) == "5000"
            leader = await redis_client.get("partnerbot:scheduler-leader")
            assert leader  # exactly one worker holds it (a SET NX key has one owner)
        finally:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(proc.wait(), 60)
            log.close()
        output = (tmp_path / "bot.log").read_text(errors="replace")
        assert code == 0, output[-3000:]
        assert output.count("scheduler leadership taken") == 1, output[-3000:]
        assert output.count("listening on") == 2
