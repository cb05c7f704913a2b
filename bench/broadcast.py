"""A manager broadcasts to 10 000 partners (half Telegram, half VK) through local fake Bot API and VK API
servers (aiohttp apps in this process); the sender runs in a child process, as in production.

1. Rate: the achieved send rate as seen by the servers, against the configured limit — Telegram messages/s and
   VK messages.send calls/s (100 peers each); the fraction printed is the lower of the two.
2. Crash: a second broadcast to the same 10 000; the child is killed with SIGKILL once ~40 % are delivered and
   a new child started (leases of 2 s, so the in-flight rows come back quickly). Counted at the servers:
   duplicates (a person shown the message twice; the fake VK drops a repeated random_id per peer as VK does)
   and skipped (a person never shown it). Telegram has no idempotency key: a kill in the instant between
   Telegram's answer and our commit repeats that message — such rows are counted as telegram_in_doubt.

  python -m bench broadcast      # or: python -m bench.broadcast --telegram 5000 --vk 5000 --tg-rate 250
Ends with: broadcast: rate_fraction=<x> duplicates=<n> skipped=<n>
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TG_BASE, VK_BASE = 10_000_000, 20_000_000  # chat ids of the partners (the manager is 900)
SENDER_CORE = 1


class FakePlatforms:
    def __init__(self) -> None:
        self.tg: Counter[int] = Counter()  # chat → messages accepted
        self.vk: Counter[int] = Counter()  # peer → messages shown (a repeated random_id is dropped, as VK does)
        self.tg_times: list[float] = []
        self.vk_times: list[float] = []
        self._vk_seen: dict[tuple[int, int], int] = {}
        self._ids = iter(range(1, 10**9))

    def delivered(self) -> int:
        return len(self.tg) + len(self.vk)

    async def telegram(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        form = await request.post()
        chat = int(str(form.get("chat_id", "0")))
        if method in ("sendMessage", "sendPhoto") and chat >= TG_BASE:
            self.tg[chat] += 1
            self.tg_times.append(time.perf_counter())
        result = {"message_id": next(self._ids), "date": 1_700_000_000, "chat": {"id": chat, "type": "private"},
                  "text": str(form.get("text", ""))}
        return web.json_response({"ok": True, "result": result if method != "editMessageText" else result})

    async def vk_api(self, request: web.Request) -> web.Response:
        form = {**request.query, **(await request.post())}
        if request.match_info["method"] != "messages.send":
            return web.json_response({"response": 1})
        random_id = int(str(form.get("random_id", "0")))
        peers = [int(p) for p in str(form.get("peer_ids") or form.get("peer_id")).split(",")]
        if any(p >= VK_BASE for p in peers):
            self.vk_times.append(time.perf_counter())
        out = []
        for peer in peers:
            if (peer, random_id) not in self._vk_seen:
                self._vk_seen[(peer, random_id)] = next(self._ids)
                if peer >= VK_BASE:
                    self.vk[peer] += 1
            out.append({"peer_id": peer, "message_id": self._vk_seen[(peer, random_id)]})
        return web.json_response({"response": out if "peer_ids" in form else out[0]["message_id"]})


async def seed(url: str, telegram: int, vk: int) -> None:
    from sqlalchemy import insert

    from services.db.engine import make_engine
    from services.db.models import MessengerAccount, Partner

    now = datetime.now(UTC)
    engine = make_engine(url)
    async with engine.begin() as conn:
        people = [(TG_BASE + n, "telegram") for n in range(telegram)] + [(VK_BASE + n, "vk") for n in range(vk)]
        await conn.execute(insert(Partner), [{"id": i + 1, "status": "approved", "locale": "ru",
                                              "timezone": "Europe/Moscow", "tier": "certified", "ref_code": f"b{i}",
                                              "created_at": now} for i in range(len(people))])
        await conn.execute(insert(MessengerAccount), [
            {"partner_id": i + 1, "messenger": m, "external_id": str(chat), "chat_id": str(chat), "created_at": now}
            for i, (chat, m) in enumerate(people)])
    await engine.dispose()


async def new_broadcast(url: str) -> int:
    from services.broadcasts.sender import start
    from services.db.broadcast_models import Broadcast
    from services.db.engine import make_engine, make_session_factory
    from services.db.uow import UnitOfWorkFactory
    from services.kernel.deps import Deps

    engine = make_engine(url)
    deps = Deps(uow=UnitOfWorkFactory(make_session_factory(engine)))
    async with deps.uow() as uow:
        row = Broadcast(status="draft", created_by="telegram:900", messenger="telegram", chat_id="900", locale="ru",
                        text="Новые ставки с 1 декабря", entities=[], audience={"kind": "all"},
                        button_label="Подробнее", button_url="https://partners.example.com/rates",
                        created_at=deps.clock.now())
        uow.session.add(row)
        await uow.commit()
        broadcast_id = row.id
    await start(deps, broadcast_id, from_status="draft")
    await engine.dispose()
    return broadcast_id


async def child(args: argparse.Namespace) -> None:
    """The sender alone, as bot/__main__.py runs it: real notifiers over HTTP, rate limiters, leases."""
    from datetime import timedelta

    from sqlalchemy import func, select

    from bot.telegram import build_bot
    from bot.vk import build_api
    from handlers.telegram.notifier import TelegramNotifier
    from handlers.vk.notifier import VkNotifier
    from services.broadcasts.sender import BroadcastSender, SenderPolicy
    from services.db.broadcast_models import BroadcastRecipient
    from services.db.engine import make_engine, make_session_factory
    from services.db.uow import UnitOfWorkFactory
    from services.kernel.deps import Deps
    from services.kernel.i18n import default_translator
    from services.messaging.outbox import RateLimiter

    engine = make_engine(args.db)
    deps = Deps(uow=UnitOfWorkFactory(make_session_factory(engine)))
    t = default_translator()
    notifiers = {"telegram": TelegramNotifier(build_bot("42:BENCH", args.tg_url), t),
                 "vk": VkNotifier(build_api("vk-bench-token", args.vk_url), t)}
    sender = BroadcastSender(deps, notifiers, notifiers,  # type: ignore[arg-type]
                             {"telegram": RateLimiter(args.tg_rate), "vk": RateLimiter(args.vk_rate)},
                             SenderPolicy(lease=timedelta(seconds=args.lease)))
    task = asyncio.create_task(sender.run(0.2))
    while True:
        await asyncio.sleep(0.5)
        async with deps.uow(readonly=True) as uow:
            left = await uow.session.scalar(select(func.count()).select_from(BroadcastRecipient).where(
                BroadcastRecipient.broadcast_id == args.broadcast, BroadcastRecipient.status.in_(("pending", "sending"))))
        if not left:
            break
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await notifiers["telegram"].bot.session.close()
    await notifiers["vk"].api.http_client.close()
    await engine.dispose()


def _spawn_args(args: argparse.Namespace, db: str, broadcast: int, tg_url: str, vk_url: str) -> list[str]:
    argv = [sys.executable, "-m", "bench.broadcast", "--child", "--db", db, "--broadcast", str(broadcast),
            "--tg-url", tg_url, "--vk-url", vk_url, "--tg-rate", str(args.tg_rate), "--vk-rate", str(args.vk_rate),
            "--lease", str(args.lease)]
    return ["taskset", "-c", str(SENDER_CORE), *argv] if shutil.which("taskset") and (os.cpu_count() or 1) > 1 \
        else argv


async def _spawn(argv: list[str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(*argv, cwd=ROOT, env={**os.environ, "PYTHONPATH": ROOT},
                                                stdout=asyncio.subprocess.DEVNULL)


def _rate(times: list[float]) -> float:
    return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else 0.0


async def amain(args: argparse.Namespace) -> dict[str, Any]:
    from services.db.migrate import upgrade_async

    work = tempfile.mkdtemp(prefix="bench-broadcast-")
    db = f"sqlite+aiosqlite:///{work}/bot.db"
    platforms = FakePlatforms()
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", platforms.telegram)
    app.router.add_post("/method/{method}", platforms.vk_api)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    await web.TCPSite(runner, "127.0.0.1", port).start()
    tg_url, vk_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port}/method"
    total = args.telegram + args.vk
    try:
        await upgrade_async(db)
        await seed(db, args.telegram, args.vk)

        # 1. rate
        first = await new_broadcast(db)
        started = time.perf_counter()
        proc = await _spawn(_spawn_args(args, db, first, tg_url, vk_url))
        await proc.wait()
        elapsed = time.perf_counter() - started
        tg_rate, vk_rate = _rate(platforms.tg_times), _rate(platforms.vk_times)
        fractions = {"telegram": tg_rate / args.tg_rate, "vk": vk_rate / args.vk_rate}
        print(f"rate: {total} recipients in {elapsed:.1f}s; telegram {tg_rate:.1f} msg/s of {args.tg_rate:g} "
              f"({fractions['telegram']:.3f}), vk {vk_rate:.2f} calls/s of {args.vk_rate:g} ({fractions['vk']:.3f})"
              f"; delivered {platforms.delivered()}/{total}", flush=True)
        first_ok = platforms.delivered() == total and max([*platforms.tg.values(), *platforms.vk.values()]) == 1

        # 2. kill -9 mid-way, restart
        platforms.tg.clear()
        platforms.vk.clear()
        second = await new_broadcast(db)
        proc = await _spawn(_spawn_args(args, db, second, tg_url, vk_url))
        while platforms.delivered() < total * args.kill_at and proc.returncode is None:
            await asyncio.sleep(0.01)
        at_kill = platforms.delivered()
        os.kill(proc.pid, signal.SIGKILL)
        await proc.wait()
        print(f"crash: killed the sender (SIGKILL) with {at_kill}/{total} delivered; restarting", flush=True)
        restarted = time.perf_counter()
        proc = await _spawn(_spawn_args(args, db, second, tg_url, vk_url))
        await proc.wait()
        tg_dup = sum(n - 1 for n in platforms.tg.values() if n > 1)
        vk_dup = sum(n - 1 for n in platforms.vk.values() if n > 1)
        skipped = total - platforms.delivered()
        print(f"crash: finished {time.perf_counter() - restarted:.1f}s after the restart; telegram duplicates "
              f"{tg_dup} (telegram_in_doubt, the documented window), vk duplicates {vk_dup}, skipped {skipped}",
              flush=True)
    finally:
        await runner.cleanup()
        shutil.rmtree(work, ignore_errors=True)
    fraction = min(fractions.values())
    print(f"first broadcast delivered exactly once: {'yes' if first_ok else 'no'}", flush=True)
    print(f"broadcast: rate_fraction={fraction:.3f} duplicates={tg_dup + vk_dup} skipped={skipped}", flush=True)
    return {"fraction": fraction, "duplicates": tg_dup + vk_dup, "skipped": skipped, "tg_dup": tg_dup}


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.broadcast")
    parser.add_argument("--telegram", type=int, default=5000)
    parser.add_argument("--vk", type=int, default=5000)
    parser.add_argument("--tg-rate", type=float, default=100.0, help="BROADCAST_TELEGRAM_RATE for the run")
    parser.add_argument("--vk-rate", type=float, default=20.0, help="BROADCAST_VK_RATE for the run")
    parser.add_argument("--lease", type=float, default=2.0)
    parser.add_argument("--kill-at", type=float, default=0.4)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--broadcast", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--tg-url", help=argparse.SUPPRESS)
    parser.add_argument("--vk-url", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main() -> None:
    args = parse(sys.argv[2:] if sys.argv[1:2] == ["broadcast"] else [])
    asyncio.run(amain(args))


if __name__ == "__main__":
    ns = parse(sys.argv[1:])
    asyncio.run(child(ns) if ns.child else amain(ns))
