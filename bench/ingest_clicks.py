"""Click redirect speed measured the way issue 13 compares it: whole processes on pinned cores.

- the bot: `python -m bot` (web side only: no messenger tokens; every process it starts — WEB_WORKERS workers,
  the SQLite click writer — inherits the pin) under `taskset -c 1`, on a fresh SQLite file / PostgreSQL database
  migrated and seeded with one link first;
- the baseline: a bare aiohttp app answering 302 (same event loop as the bot: uvloop when installed), also under
  `taskset -c 1`, started and stopped alternately with the bot so they never run together;
- the load: `wrk -t1 -c64` under `taskset -c 0`, every request from a distinct X-Forwarded-For address (loopback
  is a trusted proxy), a 1 s warm-up then --seconds measured; rounds alternate bare/bot, the best of each is kept.

After the run every click id the bot handed out (its Set-Cookie, collected by wrk's Lua response hook, warm-ups
included) must be a committed row in the database: the bench fails loudly otherwise. A 302 without a click id
(the store was down) is counted apart and fails the goal.

  python -m bench ingest_clicks                   # both databases (PostgreSQL skipped when unreachable)
  python -m bench.ingest_clicks --database sqlite --rounds 3 --seconds 5 --workers 1
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BOT_CORE, LOAD_CORE = 1, 0
CONNECTIONS, SECONDS, ROUNDS = 64, 5, 3
GOAL_RATIO, GOAL_P99_MS = 0.5, 50.0
PG_ADMIN = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
BENCH_REDIS = "redis://127.0.0.1:6379/7"  # WEB_WORKERS > 1 only; tests use db 15, production db 0
CODE = "BenchClick1"
TARGET = "https://shop.example.com/landing?utm_source=partners"

BARE_APP = """
import sys
from aiohttp import web

async def redirect(request):
    return web.Response(status=302, headers={"Location": %r, "Cache-Control": "no-store"})

app = web.Application()
app.router.add_get("/r/{code}", redirect)
try:
    import uvloop
    loop = uvloop.new_event_loop()
except ImportError:
    loop = None
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None, loop=loop)
""" % TARGET

# Distinct visitors: request n of a run comes from 10.a.b.c with a·65536 + b·256 + c = BASE + n. The click ids
# of the 302s are kept (global `ids`, read back from the thread in done()) and written to OUT.
WRK_SCRIPT = """
local n = 0
ids = {}
nocookie = 0
request = function()
  n = n + 1
  local v = (BASE + n) % 16777216
  return wrk.format(nil, nil, {["X-Forwarded-For"] = string.format("10.%d.%d.%d",
    math.floor(v / 65536), math.floor(v / 256) % 256, v % 256)})
end
response = function(status, headers, body)
  if status == 302 then
    local cookie = headers["Set-Cookie"]
    local id = cookie and string.match(cookie, "pb_click=(%w+)")
    if id then ids[#ids + 1] = id else nocookie = nocookie + 1 end
  end
end
local threads = {}
setup = function(thread) threads[#threads + 1] = thread end
done = function(summary, latency, requests)
  local out = io.open("OUT", "w")
  for _, thread in ipairs(threads) do
    for _, id in ipairs(thread:get("ids")) do out:write(id, "\\n") end
    out:write("#nocookie ", thread:get("nocookie"), "\\n")
  end
  out:close()
end
"""


@dataclass
class Run:
    rps: float
    p99_ms: float
    errors: int  # non-3xx answers and socket errors
    ids: list[str]
    nocookie: int  # 302s without a click id (the store refused): a lost click


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pin(core: int, argv: list[str]) -> list[str]:
    return ["taskset", "-c", str(core), *argv] if shutil.which("taskset") and (os.cpu_count() or 1) > 1 else argv


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


async def wrk(url: str, seconds: int, connections: int, script: str) -> str:
    proc = await asyncio.create_subprocess_exec(
        *_pin(LOAD_CORE, ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s",
                          "-s", script, url]), stdout=asyncio.subprocess.PIPE)
    out, _ = await asyncio.wait_for(proc.communicate(), seconds + 60)
    if proc.returncode != 0:
        raise RuntimeError(f"wrk exited with {proc.returncode}: {out.decode()}")
    return out.decode()


async def measure(url: str, args: argparse.Namespace, work: str, base: int) -> Run:
    """A 1 s warm-up, then the measured run; the click ids of both."""
    ids: list[str] = []
    nocookie = 0
    text = ""
    for seconds, offset in ((1, 0), (args.seconds, 1_000_000)):
        out_file = os.path.join(work, f"ids-{base + offset}.txt")
        script = os.path.join(work, "visitors.lua")
        with open(script, "w") as fh:
            fh.write(WRK_SCRIPT.replace("BASE", str(base + offset)).replace("OUT", out_file))
        text = await wrk(url, seconds, args.connections, script)
        with open(out_file) as fh:
            for line in fh:
                if line.startswith("#nocookie "):
                    nocookie += int(line.split()[1])
                elif line.strip():
                    ids.append(line.strip())
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    errors = (int(bad.group(1)) if bad else 0) + (sum(map(int, sock.groups())) if sock else 0)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s)\s*$", text, re.MULTILINE)
    p99_ms = float(p99.group(1)) * _UNITS[p99.group(2)] if p99 else float("nan")
    return Run(rps, p99_ms, errors, ids, nocookie)


async def _wait_up(url: str, proc: asyncio.subprocess.Process, timeout: float = 120.0) -> None:
    import aiohttp

    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while True:
            if proc.returncode is not None:
                raise RuntimeError(f"{url}: the server exited with {proc.returncode}")
            try:
                async with session.head(url, allow_redirects=False) as response:
                    if response.status in (200, 302):
                        return
            except aiohttp.ClientConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url}: not up after {timeout}s")
            await asyncio.sleep(0.2)  # polling readiness of another process


async def _stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 60)
        except TimeoutError:
            proc.kill()
            await proc.wait()


async def serve_and_measure(argv: list[str], env: dict[str, str], port: int, args: argparse.Namespace,
                            work: str, base: int) -> Run:
    proc = await asyncio.create_subprocess_exec(*_pin(BOT_CORE, argv), env=env, cwd=work,
                                                stdout=asyncio.subprocess.DEVNULL)
    try:
        await _wait_up(f"http://127.0.0.1:{port}/r/{CODE}", proc)
        return await measure(f"http://127.0.0.1:{port}/r/{CODE}", args, work, base)
    finally:
        await _stop(proc)  # the bot flushes its click writer on SIGTERM


# --- databases --------------------------------------------------------------------------------------------------

async def _pg_database() -> str | None:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from services.db.engine import make_engine

    name = f"pb_bench_clicks_{os.getpid()}"
    engine = make_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 — unreachable server: skip, say why
        print(f"clicks[postgres]: skipped (PostgreSQL at {PG_ADMIN} unreachable: {type(exc).__name__})")
        return None
    finally:
        await engine.dispose()
    return make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)


async def _drop_pg(url: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from services.db.engine import make_engine

    engine = make_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    await engine.dispose()


async def _prepare(url: str) -> None:
    """Migrated and seeded before the bot starts (its own migration run is then a no-op)."""
    from services.db.engine import make_engine, make_session_factory
    from services.db.migrate import upgrade_async
    from services.db.uow import UnitOfWorkFactory
    from services.kernel.deps import Deps

    await upgrade_async(url)
    engine = make_engine(url)
    try:
        await _seed(Deps(uow=UnitOfWorkFactory(make_session_factory(engine))))
    finally:
        await engine.dispose()


async def _seed(deps: Any) -> None:
    from services.db.models import Partner
    from services.db.tracking_models import Offer, TrackingLink

    now = deps.clock.now()
    async with deps.uow() as uow:
        partner = Partner(status="approved", ref_code="benchclk", created_at=now)
        offer = Offer(name="Bench", target_url=TARGET, payout_model="cpa", currency="RUB", hold_days=30,
                      attribution_days=30, status="active", created_at=now)
        uow.session.add_all([partner, offer])
        await uow.session.flush()
        uow.session.add(TrackingLink(code=CODE, partner_id=partner.id, offer_id=offer.id, is_default=True,
                                     sub1="bench", created_at=now))
        await uow.commit()


async def _committed(url: str, ids: list[str]) -> int:
    from sqlalchemy import select

    from services.db.engine import make_engine, make_session_factory
    from services.db.tracking_models import Click

    engine = make_engine(url)
    found: set[str] = set()
    try:
        async with make_session_factory(engine)() as session:
            for start in range(0, len(ids), 5000):
                chunk = ids[start:start + 5000]
                found.update(await session.scalars(select(Click.click_id).where(Click.click_id.in_(chunk))))
    finally:
        await engine.dispose()
    return len(found)


# --- one database -------------------------------------------------------------------------------------------------

async def bench_database(database: str, args: argparse.Namespace) -> dict[str, Any] | None:
    work = tempfile.mkdtemp(prefix=f"bench-clicks-{database}-")
    url = f"sqlite+aiosqlite:///{work}/bot.db" if database == "sqlite" else await _pg_database()
    if url is None:
        shutil.rmtree(work, ignore_errors=True)
        return None
    try:
        await _prepare(url)
        with open(os.path.join(work, "bare.py"), "w") as fh:
            fh.write(BARE_APP)
        base_env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "VK_"))}
        bot_env = {**base_env, "DATABASE_URL": url, "LOG_LEVEL": "WARNING", "PYTHONPATH": ROOT,
                   "WEB_HOST": "127.0.0.1", "WEB_WORKERS": str(args.workers), "OFFER_URL": ""}
        if args.workers > 1:
            bot_env["REDIS_URL"] = args.redis_url
        bares: list[Run] = []
        bots: list[Run] = []
        all_ids: list[str] = []
        nocookie = errors = 0
        for round_ in range(args.rounds):
            port = _free_port()
            bares.append(await serve_and_measure([sys.executable, os.path.join(work, "bare.py"), str(port)],
                                                 base_env, port, args, work, 0))
            port = _free_port()
            run = await serve_and_measure([sys.executable, "-m", "bot"], {**bot_env, "WEB_PORT": str(port)},
                                          port, args, work, 2_000_000 * (round_ + 1))
            bots.append(run)
            all_ids += run.ids
            nocookie += run.nocookie
            errors += run.errors
            print(f"  round {round_ + 1}: bare {bares[-1].rps:.0f}/s p99 {bares[-1].p99_ms:.1f}ms; bot "
                  f"{run.rps:.0f}/s p99 {run.p99_ms:.1f}ms", flush=True)
        committed = await _committed(url, all_ids)
    finally:
        if database == "postgres":
            await _drop_pg(url)
        shutil.rmtree(work, ignore_errors=True)
    bare = max(bares, key=lambda r: r.rps)
    bot = max(bots, key=lambda r: r.rps)
    ratio = bot.rps / bare.rps
    print(f"clicks[{database}]: ratio={ratio:.2f} p99={bot.p99_ms:.0f}ms bot={bot.rps:.0f}/s bare={bare.rps:.0f}/s "
          f"committed={committed}/{len(all_ids)} (WEB_WORKERS={args.workers}; no click id: {nocookie}; "
          f"errors: {errors}; goal ≥ {GOAL_RATIO} and p99 < {GOAL_P99_MS:.0f}ms: "
          f"{'met' if ratio >= GOAL_RATIO and bot.p99_ms < GOAL_P99_MS and not nocookie else 'NOT met'})",
          flush=True)
    if committed != len(all_ids) or len(set(all_ids)) != len(all_ids):
        raise SystemExit(f"clicks[{database}]: {len(all_ids) - committed} click ids answered with a 302 are not "
                         f"committed rows (or ids repeat)")
    return {"ratio": ratio, "bot": bot, "bare": bare, "committed": committed, "answered": len(all_ids)}


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest_clicks", description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--seconds", type=int, default=SECONDS)
    parser.add_argument("--connections", type=int, default=CONNECTIONS)
    parser.add_argument("--workers", type=int, default=None,
                        help="WEB_WORKERS for the bot (default: 1; >1 needs PostgreSQL and Redis)")
    parser.add_argument("--redis-url", default=BENCH_REDIS)
    args, _ = parser.parse_known_args(argv)  # `python -m bench a b` passes bench names too: not ours
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse(sys.argv[1:] if argv is None else argv)
    if shutil.which("wrk") is None:
        print("clicks: skipped (wrk not installed: apt-get install wrk)")
        return
    if (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {LOAD_CORE})  # this process (and the checks it runs) stays off the bot's core
    workers = args.workers
    for database in ("sqlite", "postgres") if args.database == "both" else (args.database,):
        args.workers = workers or 1
        if database == "sqlite":
            args.workers = 1  # one process: WEB_WORKERS > 1 needs PostgreSQL
        asyncio.run(bench_database(database, args))


if __name__ == "__main__":
    main()
