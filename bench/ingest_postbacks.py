"""Signed postback ingest: the real `python -m bot` (web side only) on one core, 32 concurrent senders on the other.

Per database (a fresh SQLite file, a fresh PostgreSQL database): migrate, seed an offer, partners (half with an
inviter, so approvals book second-level money too), links and one click per conversion; start the bot pinned to
core 1 (`taskset -c 1`), and from core 0 post pre-signed postbacks: a warm-up, then new conversions (30 % approved
at once, the rest pending) with ~10 % exact repeats mixed in, then status updates (pending → approved / rejected)
again with ~10 % repeats. The same requests then go to a bare aiohttp app answering 200 on the same core: the
ratio is bot rate / bare rate. Afterwards the database must hold exactly the expected conversions, statuses,
ledger entries, outbox rows and postback_log rows — anything else fails the run.

Then the coalescing run: 2 000 postbacks for ONE partner within a minute, the bot talking to a fake Telegram Bot
API: how many messages (sends + edits) reached that partner's chat, and how soon the first one did.

  python -m bench ingest_postbacks     # or: python -m bench.ingest_postbacks --conversions 6000 --database sqlite
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

from bench import _postback_seed as seed
from bench._postback_load import run_phase

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BOT_CORE, LOAD_CORE = 1, 0
CONCURRENCY = 32
CONVERSIONS = 6000
WARMUP = 300
GOAL_RATE, GOAL_P99_MS = 1000.0, 100.0
COALESCE_POSTBACKS, COALESCE_SECONDS = 2000, 40.0
PG_ADMIN = os.environ.get("TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
SECRET = seed.SECRET


# --- the workload ---------------------------------------------------------------------------------------------------

def signed(params: dict[str, str]) -> str:
    from services.tracking.signature import sign

    return urlencode({**params, "sig": sign(SECRET, params)})


def workload(conversions: int, partners: int, warmup: int) -> tuple[dict[str, Any], dict[str, int]]:
    """The requests ({"warmup": [...], "phases": [[...], [...]]}) and what the database must hold afterwards."""
    rng = random.Random(13)
    expect = {"conversions": 0, "approved": 0, "rejected": 0, "pending": 0, "ledger": 0, "outbox": 0,
              "log": 0, "ok": 0, "dup": 0}

    def created(n: int, status: str) -> str:
        expect["conversions"] += 1
        expect[status] += 1
        expect["outbox"] += 1
        if status == "approved":
            expect["ledger"] += 1 + seed.has_parent(n, partners)
            expect["outbox"] += seed.has_parent(n, partners)
        return signed({"click_id": seed.click_id(n), "status": status, "txid": f"T{n}", "goal": "sale"})

    def with_repeats(bodies: list[str]) -> list[str]:
        repeats = [rng.choice(bodies) for _ in range(len(bodies) // 10)]
        mixed = bodies + repeats
        rng.shuffle(mixed)
        # A repeat may run before its original: whichever comes first is the new one, the other the repeat.
        expect["dup"] += len(repeats)
        return mixed

    warm = [created(n, "pending") for n in range(conversions, conversions + warmup)]
    first = [created(n, "approved" if n % 10 < 3 else "pending") for n in range(conversions)]
    second = []
    for n in range(conversions):
        if n % 10 in (3, 4, 5, 6, 7):
            new = "approved" if n % 10 != 7 else "rejected"
            expect["pending"] -= 1
            expect[new] += 1
            expect["outbox"] += 1
            if new == "approved":
                expect["ledger"] += 1 + seed.has_parent(n, partners)
                expect["outbox"] += seed.has_parent(n, partners)
            second.append(signed({"click_id": seed.click_id(n), "status": new, "txid": f"T{n}", "goal": "sale"}))
    phases = [with_repeats(first), with_repeats(second)]
    expect["ok"] = conversions + len(second)
    expect["log"] = warmup + sum(len(p) for p in phases)
    return {"warmup": warm, "phases": phases}, expect


# --- processes ------------------------------------------------------------------------------------------------------

def _pin(core: int, argv: list[str]) -> list[str]:
    return ["taskset", "-c", str(core), *argv] if shutil.which("taskset") and (os.cpu_count() or 1) > 1 else argv


def _base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "VK_", "DATABASE_", "POSTBACK_"))}


async def _wait_http(port: int, proc: asyncio.subprocess.Process, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.returncode is not None:
            raise RuntimeError(f"the server exited early ({proc.returncode})")
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
            await reader.read()
            writer.close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)  # start-up: importing, migrating


async def _stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 30)
        except TimeoutError:
            proc.kill()
            await proc.wait()


async def _load(work: str, port: int, requests: dict[str, Any]) -> dict[str, Any]:
    """The load generator in a child process on the other core; the warm-up's numbers are not kept."""
    results = {}
    for name, phases in (("warmup", [requests["warmup"]]), ("measured", requests["phases"])):
        path = os.path.join(work, f"{name}.json")
        with open(path, "w") as fh:
            json.dump(phases, fh)
        proc = await asyncio.create_subprocess_exec(
            *_pin(LOAD_CORE, [sys.executable, "-m", "bench._postback_load", "load", path, str(port),
                              str(CONCURRENCY)]), cwd=ROOT, stdout=asyncio.subprocess.PIPE)
        out, _ = await proc.communicate()
        results[name] = json.loads(out)
    return results["measured"]


async def serve_and_load(argv: list[str], env: dict[str, str], work: str, port: int,
                         requests: dict[str, Any]) -> dict[str, Any]:
    proc = await asyncio.create_subprocess_exec(*_pin(BOT_CORE, argv), env=env, cwd=work,
                                                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    stderr: list[bytes] = []

    async def drain() -> None:  # a full pipe would block the server
        assert proc.stderr is not None
        while line := await proc.stderr.readline():
            stderr.append(line)

    drainer = asyncio.create_task(drain())
    failed = True
    try:
        await _wait_http(port, proc)
        result = await _load(work, port, requests)
        failed = False
        return result
    finally:
        await _stop(proc)
        await drainer
        errors = [line.decode(errors="replace").rstrip() for line in stderr
                  if failed or b"ERROR" in line or b"postback batch" in line or b"Trace" in line]
        if errors:
            print("\n".join(errors[-30:]), file=sys.stderr)


async def _pg_database(name: str) -> str | None:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    from services.db.engine import make_engine

    engine = make_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    except (OSError, Exception) as exc:  # unreachable server, no rights: the PostgreSQL leg is skipped
        print(f"postbacks[postgres]: skipped ({type(exc).__name__}: {str(exc)[:80]})", flush=True)
        return None
    finally:
        await engine.dispose()
    return make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)


async def _drop_pg(url: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    from services.db.engine import make_engine

    engine = make_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    finally:
        await engine.dispose()


async def database_url(kind: str, work: str, tag: str) -> str | None:
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{work}/{tag}.db"
    return await _pg_database(f"pb_bench_{tag}_{os.getpid()}")


# --- the runs -------------------------------------------------------------------------------------------------------

async def ingest(kind: str, conversions: int, partners: int, bare: dict[str, Any] | None) -> dict[str, Any] | None:
    work = tempfile.mkdtemp(prefix="bench-postbacks-")
    url = await database_url(kind, work, "ingest")
    if url is None:
        return None
    try:
        now = datetime.now(timezone.utc)
        await seed.prepare(url, partners, conversions + WARMUP, now - timedelta(hours=1))
        requests, expect = workload(conversions, partners, WARMUP)
        port = seed.free_port()
        if bare is None:
            bare = await serve_and_load([sys.executable, "-m", "bench._postback_load", "bare", str(port)],
                                        {**_base_env(), "PYTHONPATH": ROOT}, work, port, requests)
            print(f"postbacks[bare]: rate={bare['rate']:.0f}/s p99={bare['p99_ms']:.0f}ms", flush=True)
        port = seed.free_port()
        env = {**_base_env(), "DATABASE_URL": url, "WEB_HOST": "127.0.0.1", "WEB_PORT": str(port),
               "POSTBACK_SECRET": SECRET, "LOG_LEVEL": "WARNING", "PYTHONPATH": ROOT}
        ours = await serve_and_load([sys.executable, "-m", "bot"], env, work, port, requests)
        ratio = ours["rate"] / bare["rate"] if bare["rate"] else 0.0
        print(f"postbacks[{kind}]: rate={ours['rate']:.0f}/s p99={ours['p99_ms']:.0f}ms ratio={ratio:.2f} "
              f"ok={ours['ok']} dup={ours['dup']} (goal ≥ {GOAL_RATE:.0f}/s, p99 < {GOAL_P99_MS:.0f}ms; "
              f"p50={ours['p50_ms']:.0f}ms errors={ours['error']} {ours['statuses']})", flush=True)
        found = await seed.census(url)
        problems = [f"{key}: expected {value}, found {found.get(key, ours.get(key))}" for key, value in expect.items()
                    if found.get(key, ours.get(key)) != value]
        if problems:
            raise AssertionError(f"postbacks[{kind}]: the database does not hold what was answered: "
                                 + "; ".join(problems))
        print(f"postbacks[{kind}]: database checked — {found}", flush=True)
        return {"bare": bare, "bot": ours, "ratio": ratio}
    finally:
        if kind == "postgres":
            await _drop_pg(url)
        shutil.rmtree(work, ignore_errors=True)


async def coalescing(postbacks: int = COALESCE_POSTBACKS, seconds: float = COALESCE_SECONDS) -> dict[str, Any]:
    """2 000 approved postbacks for one partner, paced over `seconds`; messages reaching the partner's chat."""
    work = tempfile.mkdtemp(prefix="bench-coalesce-")
    url = f"sqlite+aiosqlite:///{work}/coalesce.db"
    fake = seed.FakeTelegram()
    await fake.start()
    try:
        await seed.prepare(url, 1, postbacks, datetime.now(timezone.utc) - timedelta(hours=1))
        port = seed.free_port()
        env = {**_base_env(), "DATABASE_URL": url, "WEB_HOST": "127.0.0.1", "WEB_PORT": str(port),
               "POSTBACK_SECRET": SECRET, "LOG_LEVEL": "WARNING", "PYTHONPATH": ROOT,
               "TELEGRAM_BOT_TOKEN": "42:BENCH", "TELEGRAM_API_URL": fake.url}
        proc = await asyncio.create_subprocess_exec(*_pin(BOT_CORE, [sys.executable, "-m", "bot"]), env=env,
                                                    cwd=work, stdout=asyncio.subprocess.DEVNULL,
                                                    stderr=asyncio.subprocess.DEVNULL)
        try:
            await _wait_http(port, proc)
            bodies = [signed({"click_id": seed.click_id(n), "status": "approved", "txid": f"C{n}"})
                      for n in range(postbacks)]
            ticks = 20
            per_tick, started = postbacks // ticks, time.perf_counter()
            fake.started = started
            answered = 0
            for tick in range(ticks):  # paced: a replay spread over `seconds`, not one instant
                chunk = bodies[tick * per_tick:] if tick == ticks - 1 else bodies[tick * per_tick:(tick + 1) * per_tick]
                answered += (await run_phase(port, chunk, 8))["ok"]
                await asyncio.sleep(max(0.0, started + (tick + 1) * seconds / ticks - time.perf_counter()))
            drained = await seed.wait_drained(url, timeout=60)
        finally:
            await _stop(proc)
        first = (fake.first_at - started) if fake.first_at else float("nan")
        print(f"coalescing: postbacks={answered} messages={fake.messages} first_after={first:.1f}s "
              f"(sends={fake.sends} edits={fake.edits}; goal ≤ 20 messages, first < 2 s; "
              f"outbox drained={'yes' if drained else 'no'})", flush=True)
        if answered != postbacks or not drained:
            raise AssertionError(f"coalescing: {answered}/{postbacks} answered, outbox drained={drained}")
        return {"messages": fake.messages, "first_after": first}
    finally:
        await fake.stop()
        shutil.rmtree(work, ignore_errors=True)


async def amain(databases: tuple[str, ...], conversions: int, partners: int, coalesce: bool) -> None:
    if (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {LOAD_CORE})
    bare = None
    for kind in databases:
        result = await ingest(kind, conversions, partners, bare)
        bare = result["bare"] if result else bare
    if coalesce:
        await coalescing()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversions", type=int, default=CONVERSIONS)
    parser.add_argument("--partners", type=int, default=200)
    parser.add_argument("--database", choices=("sqlite", "postgres", "both", "none"), default="both")
    parser.add_argument("--no-coalescing", action="store_true")
    args, _ = parser.parse_known_args()  # `python -m bench a b` passes bench names too: not ours
    databases = {"both": ("sqlite", "postgres"), "none": ()}.get(args.database, (args.database,))
    asyncio.run(amain(databases, args.conversions, args.partners, not args.no_coalescing))


if __name__ == "__main__":
    main()
