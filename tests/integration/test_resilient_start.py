"""The whole process (bot.__main__.main, in this event loop) started while Telegram is unreachable and VK
answers errors: the web side serves clicks and /healthz meanwhile, both pollers come up once their platform
does, and only the stop signal ends it. Also checks what the running process writes: hashed IPs keyed by the
secret it generated, and an access log without IPs, user agents or signatures."""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from bot.__main__ import main
from bot.config import Settings
from services.db.app_secrets import AppSecret
from services.db.engine import make_engine, make_session_factory
from services.db.tracking_models import Click
from services.db.uow import UnitOfWorkFactory
from services.kernel.deps import Deps
from services.tracking.clicks import hash_ip
from tests.fakes.bot_api_server import FakeBotAPI, _free_port
from tests.fakes.vk_api import FakeVK
from tests.integration.test_clicks import add_link

COMPONENTS = {"status", "database", "outbox", "telegram", "vk", "click_writer", "clicks_unrecorded"}


async def _health_until(http: aiohttp.ClientSession, url: str, ready: Callable[[dict[str, Any]], bool],
                        bot: asyncio.Task, timeout: float = 60) -> dict[str, Any]:
    """Polls /healthz until `ready` holds (a readiness condition, not a wait for time to pass)."""
    deadline = asyncio.get_running_loop().time() + timeout
    last: dict[str, Any] = {}
    while asyncio.get_running_loop().time() < deadline:
        assert not bot.done(), f"main() ended: {bot.exception() if not bot.cancelled() else 'cancelled'}"
        with contextlib.suppress(aiohttp.ClientConnectionError):
            async with http.get(url) as response:
                last = await response.json()
                if ready(last):
                    return last
        await asyncio.sleep(0.05)
    raise AssertionError(f"health never got there: {last}")


async def test_unreachable_messengers_at_start_do_not_take_the_web_side_down(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture):
    monkeypatch.chdir(tmp_path)  # vkbottle keeps its long-poll state under ./.vkbottle
    caplog.set_level(logging.INFO, logger="aiohttp.access")
    api = FakeBotAPI()  # not listening yet: every Telegram call is refused
    async with contextlib.AsyncExitStack() as stack:
        vk = await stack.enter_async_context(FakeVK(group_id=1))
        vk.fail_next("groups.getLongPollServer", code=10, msg="Internal server error", times=10**6)
        port = _free_port()
        database_url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
        settings = Settings(
            _env_file=None, telegram_bot_token="42:TEST", telegram_api_url=api.url, manager_ids=[900],
            vk_token="vk-test-token", vk_group_id=1, vk_api_url=vk.api_url, database_url=database_url,
            web_port=port, outbox_poll_seconds=0.2, postback_secret="s" * 32)
        assert settings.ip_hash_secret is None  # unset: the process generates one
        stop = asyncio.Event()
        bot = asyncio.create_task(main(settings, stop, poller_backoff=(0.01, 0.05)))
        health_url = f"http://127.0.0.1:{port}/healthz"
        http = await stack.enter_async_context(aiohttp.ClientSession())
        try:
            # Both platforms down: the process runs, the web side answers.
            health = await _health_until(http, health_url,
                                         lambda h: h.get("telegram") == "down" and h.get("vk") == "down", bot)
            assert set(health) == COMPONENTS
            assert health["status"] == "degraded" and health["database"] == "up"
            assert health["click_writer"] == "up" and health["outbox"] == {"backlog": 0, "oldest_seconds": 0}
            assert "Error" not in json.dumps(health) and "connect" not in json.dumps(health).lower()

            engine = make_engine(database_url)
            deps = Deps(uow=UnitOfWorkFactory(make_session_factory(engine)))
            world = await add_link(deps, code="Resilient1")
            async with http.get(f"http://127.0.0.1:{port}/r/{world.code}?sub1=mine", allow_redirects=False,
                                headers={"User-Agent": "SpyAgent/1.0 (secret-device)"}) as response:
                assert response.status == 302, await response.text()
            async with http.get(f"http://127.0.0.1:{port}/postback?click_id=x&status=approved&sig=deadbeefcafe",
                                headers={"User-Agent": "SpyAgent/1.0"}) as response:
                assert response.status in (400, 403, 404)

            # The platforms come back: both pollers come up on their own and serve people.
            await stack.enter_async_context(api)
            vk.recover("groups.getLongPollServer")
            health = await _health_until(http, health_url,
                                         lambda h: h.get("telegram") == "up" and h.get("vk") == "up", bot)
            assert health["status"] == "ok"
            await api.push_message(111, "/start")
            [welcome] = await api.wait_for("sendMessage", chat_id=111, timeout=60)
            assert "Welcome to the partner program" in welcome["text"]
            await vk.wait_listening(timeout=60)
            vk.push_message(222, "Начать")
            assert await vk.wait_sent(timeout=60)
        finally:
            stop.set()
            await asyncio.wait_for(bot, 30)  # only the stop signal ends it, and it ends cleanly

    async with deps.uow() as uow:
        secret = await uow.session.scalar(select(AppSecret.value).where(AppSecret.name == "ip_hash_secret"))
        ip_hash = await uow.session.scalar(select(Click.ip_hash))
    await engine.dispose()
    assert secret and len(secret) == 64
    assert ip_hash == hash_ip(secret, "127.0.0.1")

    # The bot's own access log (the fake Bot API server logs to the same logger in this process).
    access = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access" and r.module == "access_log"]
    assert any(line.startswith("GET /postback 4") for line in access), access
    assert any(line.startswith("GET /r/Resilient1 302") for line in access), access
    assert not [line for line in access if "127.0.0.1" in line or "SpyAgent" in line or "deadbeef" in line
                or "sub1" in line]
