"""The real entry point: `python -m bot` in a subprocess against a fake Bot API server, then SIGTERM."""
from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import aiohttp

from tests.fakes.bot_api_server import FakeBotAPI, _free_port

ROOT = Path(__file__).resolve().parents[2]


async def _wait_healthy(url: str, proc: asyncio.subprocess.Process, timeout: float = 30) -> dict:
    async with aiohttp.ClientSession() as session:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            assert proc.returncode is None, "the bot exited early"
            try:
                async with session.get(url) as response:
                    return await response.json()
            except aiohttp.ClientConnectionError:
                if asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(0.1)  # polling a readiness condition, not waiting for time to pass


async def test_python_m_bot_serves_telegram_and_stops_cleanly(tmp_path: Path):
    async with FakeBotAPI() as api:
        port = _free_port()
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": "42:TEST", "TELEGRAM_API_URL": api.url,
               "MANAGER_IDS": "900", "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
               "WEB_PORT": str(port), "VK_TOKEN": "", "LOG_LEVEL": "INFO", "OUTBOX_POLL_SECONDS": "0.2"}
        proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", cwd=tmp_path, env={
            **env, "PYTHONPATH": str(ROOT)}, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        try:
            health = await _wait_healthy(f"http://127.0.0.1:{port}/healthz", proc)
            assert health == {"status": "ok", "telegram": True, "vk": False}
            await api.wait_for("setMyCommands", count=3)

            await api.push_message(111, "/start")
            [welcome] = await api.wait_for("sendMessage", chat_id=111)
            assert "Welcome to the partner program" in welcome["text"]
            await api.push_callback(111, "ob:lang:en")
            for answer in ("Ivan", "ivan@example.com", "t.me/ivanchannel", "5000"):
                await api.push_message(111, answer)
            await api.push_callback(111, "ob:terms")
            # The manager's card travels through the outbox dispatcher of the running process.
            [card] = await api.wait_for("sendMessage", chat_id=900)
            assert "Ivan" in card["text"]
        finally:
            proc.send_signal(signal.SIGTERM)
            output, _ = await asyncio.wait_for(proc.communicate(), 30)
        log = output.decode()
        assert proc.returncode == 0, log
        assert "VK is off: set VK_TOKEN and VK_GROUP_ID" in log
        assert "stopped" in log
