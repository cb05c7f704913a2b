"""A post with the bot's link goes viral: N new people press Start within a second.

The whole bot (`python -m bot`, every process it starts) is pinned to one core with taskset; a bare aiogram bot
that answers /start with a fixed text is pinned to the same core as the baseline. A local fake Bot API server
(this process, on the other core) holds the N /start updates and releases them all at once when the bot first
polls; it records when each person got their first answer. Printed: the time until everyone was answered, the
latency percentiles from release, the rate ratio bot/bare, and whether everyone was answered exactly once.

  python -m bench updates                  # or: python -m bench.updates --people 1000 --database sqlite|postgres
"""
from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import sys
import tempfile
import time
from typing import Any

from aiohttp import web

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEOPLE = 1000
TIME_LIMIT = 120.0
BOT_CORE, LOAD_CORE = 1, 0
GOAL_RATIO, GOAL_P99_S = 0.5, 2.0
PG_ADMIN = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"

BARE_BOT = """
import asyncio, os
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.filters import CommandStart

dp = Dispatcher()

@dp.message(CommandStart())
async def start(message):
    await message.answer("Hello! This is a bare bot.")

async def main():
    session = AiohttpSession(api=TelegramAPIServer.from_base(os.environ["TELEGRAM_API_URL"]))
    await dp.start_polling(Bot(os.environ["TELEGRAM_BOT_TOKEN"], session=session), handle_signals=True)

asyncio.run(main())
"""


class FakeTelegram:
    """getUpdates serves the held updates (100 per call, as Telegram does) once released."""

    def __init__(self, people: int) -> None:
        self.people = people
        self.updates = [_start_update(n) for n in range(people)]
        self.released_at: float | None = None
        self.answered: dict[int, float] = {}
        self.answers = 0
        self.polling = asyncio.Event()
        self.done = asyncio.Event()
        self.port = _free_port()

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = await request.json() if request.content_type == "application/json" \
            else dict(await request.post())
        if method == "getUpdates":
            self.polling.set()
            if self.released_at is None:
                await asyncio.sleep(min(float(params.get("timeout") or 0), 0.2))
                return web.json_response({"ok": True, "result": []})
            offset = int(params.get("offset") or 0)
            batch = [u for u in self.updates if u["update_id"] >= offset][:100]
            if not batch:
                await asyncio.sleep(min(float(params.get("timeout") or 0), 0.2))
            return web.json_response({"ok": True, "result": batch})
        if method == "getMe":
            return web.json_response({"ok": True, "result": {"id": 4242, "is_bot": True, "first_name": "B",
                                                              "username": "bench_bot"}})
        if method == "sendMessage":
            chat = int(params["chat_id"])
            self.answers += 1
            if chat not in self.answered:
                self.answered[chat] = time.perf_counter()
                if len(self.answered) == self.people:
                    self.done.set()
            return web.json_response({"ok": True, "result": {"message_id": self.answers, "date": 1_700_000_000,
                                                              "chat": {"id": chat, "type": "private"}}})
        return web.json_response({"ok": True, "result": True})


def _start_update(n: int) -> dict[str, Any]:
    user = 10_000_000 + n
    return {"update_id": n + 1, "message": {
        "message_id": n + 1, "date": 1_700_000_000, "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        "chat": {"id": user, "type": "private"},
        "from": {"id": user, "is_bot": False, "first_name": f"Person{n}", "language_code": "ru"}}}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pin(argv: list[str]) -> list[str]:
    return ["taskset", "-c", str(BOT_CORE), *argv] if shutil.which("taskset") and os.cpu_count() > 1 else argv


async def run_one(name: str, argv: list[str], env: dict[str, str], people: int) -> dict[str, Any]:
    fake = FakeTelegram(people)
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", fake.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", fake.port).start()
    env = {**env, "TELEGRAM_API_URL": f"http://127.0.0.1:{fake.port}", "TELEGRAM_BOT_TOKEN": "42:BENCH"}
    proc = await asyncio.create_subprocess_exec(*_pin(argv), env=env, cwd=env.get("BENCH_CWD", ROOT),
                                                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    try:
        await asyncio.wait_for(fake.polling.wait(), 60)
        await asyncio.sleep(1.0)  # let start-up work (migrations, seeding) settle before the burst
        fake.released_at = time.perf_counter()
        try:
            await asyncio.wait_for(fake.done.wait(), TIME_LIMIT)
        except TimeoutError:
            pass
    finally:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 20)
        except TimeoutError:
            proc.kill()
        await runner.cleanup()
    latencies = sorted(t - fake.released_at for t in fake.answered.values())
    total = latencies[-1] if latencies else float("inf")
    result = {"name": name, "answered": len(latencies), "answers": fake.answers, "total_s": total,
              "p50_s": latencies[len(latencies) // 2] if latencies else None,
              "p99_s": latencies[int(len(latencies) * 0.99) - 1] if latencies else None,
              "mean_s": statistics.fmean(latencies) if latencies else None}
    print(f"{name:>5}: {result['answered']}/{people} answered ({result['answers']} messages) in {total:.2f}s, "
          f"p50 {result['p50_s'] or 0:.2f}s p99 {result['p99_s'] or 0:.2f}s", flush=True)
    return result


async def _pg_database() -> str:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    from services.db.engine import make_engine

    name = f"pb_bench_{os.getpid()}"
    engine = make_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()
    return make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)


async def amain(people: int = PEOPLE, database: str = "sqlite") -> dict[str, Any]:
    if os.cpu_count() and os.cpu_count() > 1:
        os.sched_setaffinity(0, {LOAD_CORE})
    work = tempfile.mkdtemp(prefix="bench-updates-")
    try:
        base_env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "VK_"))}
        with open(os.path.join(work, "bare_bot.py"), "w") as fh:
            fh.write(BARE_BOT)
        bare = await run_one("bare", [sys.executable, os.path.join(work, "bare_bot.py")], base_env, people)
        url = f"sqlite+aiosqlite:///{work}/bot.db" if database == "sqlite" else await _pg_database()
        env = {**base_env, "DATABASE_URL": url, "WEB_PORT": str(_free_port()), "LOG_LEVEL": "WARNING",
               "PYTHONPATH": ROOT, "BENCH_CWD": work, "MANAGER_IDS": "900"}
        ours = await run_one("bot", [sys.executable, "-m", "bot"], env, people)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ratio = bare["total_s"] / ours["total_s"] if ours["total_s"] else 0.0
    once = ours["answered"] == people and ours["answers"] == people
    print(f"updates[{database}]: ratio={ratio:.2f} (goal ≥ {GOAL_RATIO}) p99={ours['p99_s'] or 0:.2f}s "
          f"(goal < {GOAL_P99_S}s) answered_once={'yes' if once else 'no'}", flush=True)
    return {"ratio": ratio, "bare": bare, "bot": ours}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=PEOPLE)
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    args, _ = parser.parse_known_args()  # `python -m bench a b` passes bench names too: not ours
    for database in ("sqlite", "postgres") if args.database == "both" else (args.database,):
        asyncio.run(amain(args.people, database))


if __name__ == "__main__":
    main()
