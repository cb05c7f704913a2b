"""The real entry point: `python -m bot` in a subprocess against a fake Bot API server, then SIGTERM."""
from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import aiohttp
from sqlalchemy import select

from services.db.engine import make_engine, make_session_factory
from services.db.tracking_models import Click
from services.db.uow import UnitOfWorkFactory
from services.kernel.deps import Deps
from tests.fakes.bot_api_server import FakeBotAPI, _free_port
from tests.integration.test_clicks import add_link

ROOT = Path(__file__).resolve().parents[2]


async def _wait_healthy(url: str, proc: asyncio.subprocess.Process, timeout: float = 120) -> dict:
    # Generous: importing aiogram alone has taken 30 s on a loaded 2-core machine.
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


async def _writer_pids(database: Path) -> list[int]:
    """Live SQLite click writer processes for this database (from /proc: no pgrep needed)."""
    wanted = ["-m", "services.tracking.sqlite_click_writer", str(database)]
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            argv = (entry / "cmdline").read_bytes().decode().split("\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if argv[1:4] == wanted and state != "Z":
            pids.append(int(entry.name))
    return pids


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
            assert health["database"] == "up" and health["vk"] == "off" and health["click_writer"] == "up"
            assert health["telegram"] in ("starting", "up")  # getMe may still be on its way
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

            # A click goes through the SQLite writer process the bot starts for it.
            engine = make_engine(env["DATABASE_URL"])
            deps = Deps(uow=UnitOfWorkFactory(make_session_factory(engine)))
            world = await add_link(deps, code="MainProc1")
            async with aiohttp.ClientSession() as http:
                async with http.get(f"http://127.0.0.1:{port}/r/{world.code}", allow_redirects=False) as response:
                    assert response.status == 302, await response.text()
                    click_id = response.cookies["pb_click"].value
            writers = await _writer_pids(tmp_path / "bot.db")
            assert len(writers) == 1
        finally:
            proc.send_signal(signal.SIGTERM)
            output, _ = await asyncio.wait_for(proc.communicate(), 30)
        log = output.decode()
        assert proc.returncode == 0, log
        async with deps.uow() as uow:
            assert await uow.session.scalar(select(Click.click_id)) == click_id
        await engine.dispose()
        assert await _writer_pids(tmp_path / "bot.db") == []  # the writer process ended with the bot
        assert "VK is off: set VK_TOKEN and VK_GROUP_ID" in log
        assert "stopped" in log
