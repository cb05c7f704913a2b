"""Click redirect throughput: the real GET /r/{code} (SQLite file, group commit) against a bare aiohttp 302.

The click side is what `python -m bot` serves: link cache, the click writer, and on SQLite the writer process
(services.tracking.sqlite_click_writer) that commits each batch before its 302s go out.

Both servers run in this process on loopback; the same load generator drives both, one after the other:
  in-process  — an asyncio aiohttp client on the servers' own event loop (they share one core: pessimistic),
  process     — the same client in a child process (server and load on separate cores of a 2-core box),
  wrk         — wrk -t1, when installed (a C client: the least load-generator overhead).
Each run: a warm-up, then a fixed number of requests (wrk: a fixed duration), bounded in wall time; bare and
click runs alternate for --rounds rounds and the best run of each is kept (the box may be shared: the load
average is printed). Requests carry X-Forwarded-For from a pool of 10,000 addresses (loopback is a trusted
proxy), so the click side sees distinct visitors, as in life, rather than one flooding IP.

  python -m bench redirect              # or: python -m bench.redirect --requests 5000 --modes process,wrk
  python -m bench.redirect --uvloop     # both servers on uvloop, as `python -m bot` runs
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import func, select

CONCURRENCY = 64
REQUESTS = 5000
WARMUP = 500
TIME_LIMIT = 60.0  # seconds per measured run, whatever happens
WRK_SECONDS = 5
CODE = "BenchCode1"
TARGET = "https://shop.example.com/landing?utm_source=partners"
GOAL_RATIO, GOAL_P99_MS = 0.5, 50.0
VISITORS = 10_000
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # where `-m bench.redirect` resolves




def visitor_ip(n: int) -> str:
    v = n % VISITORS  # VISITORS distinct addresses, cycled
    return f"10.{v // 250}.{v % 250}.1"


# The same visitors for wrk, as a request() hook.
WRK_SCRIPT = """
local n = 0
request = function()
  n = n + 1
  local v = n % VISITORS
  return wrk.format(nil, nil, {["X-Forwarded-For"] = "10." .. math.floor(v / 250) .. "." .. (v % 250) .. ".1"})
end
""".replace("VISITORS", str(VISITORS))


@dataclass
class Result:
    requests: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float


# --- load generator ------------------------------------------------------------------------------------------------

def _percentile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


async def load(url: str, requests: int, concurrency: int, time_limit: float) -> Result:
    """`requests` GETs over `concurrency` keep-alive connections, redirects not followed, cookies not kept."""
    latencies: list[float] = []
    errors = 0
    remaining = requests
    loop = asyncio.get_running_loop()
    deadline = loop.time() + time_limit
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar()) as session:

        async def worker() -> None:
            nonlocal remaining, errors
            while remaining > 0 and loop.time() < deadline:
                remaining -= 1
                headers = {"X-Forwarded-For": visitor_ip(remaining)}
                started = time.perf_counter()
                try:
                    async with session.get(url, allow_redirects=False, headers=headers) as response:
                        await response.read()
                        ok = response.status == 302
                except aiohttp.ClientError:
                    ok = False
                if ok:
                    latencies.append(time.perf_counter() - started)
                else:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds = time.perf_counter() - started
    latencies.sort()
    return Result(len(latencies), errors, seconds, len(latencies) / seconds, _percentile(latencies, 0.50),
                  _percentile(latencies, 0.99))


async def load_with_warmup(url: str, requests: int, warmup: int, concurrency: int, time_limit: float) -> Result:
    await load(url, warmup, concurrency, time_limit)
    return await load(url, requests, concurrency, time_limit)


async def load_in_child(url: str, args: argparse.Namespace) -> Result:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.redirect", "--client", url, "--requests", str(args.requests),
        "--warmup", str(args.warmup), "--concurrency", str(args.concurrency), "--time-limit", str(args.time_limit),
        stdout=asyncio.subprocess.PIPE, cwd=ROOT)
    out, _ = await asyncio.wait_for(proc.communicate(), 2 * args.time_limit + 30)
    if proc.returncode != 0:
        raise RuntimeError(f"load client exited with {proc.returncode}")
    return Result(**json.loads(out))


_WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk_ms(text: str, label: str) -> float:
    match = re.search(rf"^\s*{re.escape(label)}\s+([\d.]+)(us|ms|s)\s*$", text, re.MULTILINE)
    return float(match.group(1)) * _WRK_UNITS[match.group(2)] if match else float("nan")


async def load_with_wrk(url: str, args: argparse.Namespace, script: str) -> Result:
    async def wrk(seconds: int) -> str:
        proc = await asyncio.create_subprocess_exec(
            "wrk", "-t1", f"-c{args.concurrency}", f"-d{seconds}s", "--latency", "--timeout", "10s", "-s", script,
            url, stdout=asyncio.subprocess.PIPE)
        out, _ = await asyncio.wait_for(proc.communicate(), seconds + 30)
        return out.decode()

    await wrk(1)
    text = await wrk(args.wrk_seconds)
    total = int(re.search(r"(\d+) requests in ([\d.]+)(\w+)", text).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    errors = (int(bad.group(1)) if bad else 0) + (sum(map(int, socket_errors.groups())) if socket_errors else 0)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))  # type: ignore[union-attr]
    return Result(total - errors, errors, float(args.wrk_seconds), rps, _wrk_ms(text, "50%"), _wrk_ms(text, "99%"))


# --- the two servers -----------------------------------------------------------------------------------------------

def bare_app() -> web.Application:
    async def redirect(request: web.Request) -> web.Response:
        return web.Response(status=302, headers={"Location": TARGET})

    app = web.Application()
    app.router.add_get("/r/{code}", redirect)
    return app


async def click_app(database_url: str) -> tuple[web.Application, Any]:
    from bot.config import Settings
    from bot.container import build_container
    from bot.web import build_web_app
    from bot.web_clicks import CLICKS, add_click_routes

    container = build_container(Settings(_env_file=None, database_url=database_url))
    await seed(container.deps)
    app = build_web_app(container)
    add_click_routes(app, container)
    return app, (container, app[CLICKS])


async def seed(deps: Any) -> None:
    from services.db.models import Partner
    from services.db.tracking_models import Offer, TrackingLink

    now = deps.clock.now()
    async with deps.uow() as uow:
        partner = Partner(status="approved", ref_code="benchref", created_at=now)
        offer = Offer(name="Bench", target_url=TARGET, payout_model="cpa", currency="RUB", hold_days=30,
                      attribution_days=30, status="active", created_at=now)
        uow.session.add_all([partner, offer])
        await uow.session.flush()
        uow.session.add(TrackingLink(code=CODE, partner_id=partner.id, offer_id=offer.id, is_default=True,
                                     sub1="bench", created_at=now))
        await uow.commit()


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/r/{CODE}?sub2=bench"


async def count_clicks(deps: Any) -> int:
    from services.db.tracking_models import Click

    async with deps.uow() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(Click)) or 0)


# --- orchestration -------------------------------------------------------------------------------------------------

async def run(database_url: str, args: argparse.Namespace, workdir: str) -> None:
    click, (container, service) = await click_app(database_url)
    bare_runner, bare_url = await serve(bare_app())
    click_runner, click_url = await serve(click)
    modes = [m for m in args.modes.split(",") if m]
    if "wrk" in modes and shutil.which("wrk") is None:
        print("wrk not installed (apt-get install wrk): skipping the wrk run")
        modes.remove("wrk")
    script = os.path.join(workdir, "visitors.lua")
    with open(script, "w") as file:
        file.write(WRK_SCRIPT)
    results: dict[str, dict[str, Result]] = {}
    ok_clicks = 0
    load_before = os.getloadavg()[0]
    try:
        for mode in modes:
            for _ in range(args.rounds):
                for target, url in (("bare", bare_url), ("click", click_url)):
                    if mode == "in-process":
                        result = await load_with_warmup(url, args.requests, args.warmup, args.concurrency,
                                                        args.time_limit)
                    elif mode == "process":
                        result = await load_in_child(url, args)
                    elif mode == "wrk":
                        result = await load_with_wrk(url, args, script)
                    else:
                        raise SystemExit(f"unknown mode {mode!r} (in-process, process, wrk)")
                    ok_clicks += result.requests if target == "click" else 0
                    best = results.setdefault(mode, {}).get(target)
                    if best is None or result.rps > best.rps:
                        results[mode][target] = result
    finally:
        await click_runner.cleanup()  # finishes requests in flight, flushes and stops the click writer
        await bare_runner.cleanup()
    try:
        stored = await count_clicks(container.deps)
    finally:
        await container.close()
    report(results, args, service, stored, ok_clicks, (load_before, os.getloadavg()[0]))


def report(results: dict[str, dict[str, Result]], args: argparse.Namespace, service: Any, stored: int,
           ok_clicks: int, load: tuple[float, float]) -> None:
    writer = service.writer
    # A click the store could not take is still a 302 (to the offer, without a click id): count those apart, or a
    # failing store would pass for a fast one.
    unrecorded = getattr(service, "unrecorded", 0)
    print(f"redirect bench: {args.concurrency} connections, {args.requests} requests after {args.warmup} warm-up "
          f"per run (wrk: {args.wrk_seconds}s), best of {args.rounds} alternating rounds, SQLite WAL file, "
          f"{os.cpu_count()} CPUs (load average {load[0]:.1f} before, {load[1]:.1f} after), Python "
          f"{sys.version.split()[0]}, aiohttp {aiohttp.__version__}")
    print(f"{'client':<11} {'target':<6} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'ratio':>6}")
    for mode, pair in results.items():
        for target, r in pair.items():
            ratio = f"{r.rps / pair['bare'].rps:.0%}" if target == "click" else ""
            print(f"{mode:<11} {target:<6} {r.rps:>8.0f} {r.p50_ms:>8.1f} {r.p99_ms:>8.1f} {r.errors:>7} {ratio:>6}")
    print(f"click writer: {writer.clicks} clicks in {writer.batches} commits "
          f"(avg batch {writer.clicks / max(writer.batches, 1):.1f}); {stored} rows in the database "
          f"(measured 302s: {ok_clicks}, the rest are warm-ups); redirected without a click: {unrecorded}")
    for mode, pair in results.items():
        bare, click = pair["bare"], pair["click"]
        ratio = click.rps / bare.rps
        met = ratio >= GOAL_RATIO and click.p99_ms < GOAL_P99_MS and click.errors == 0 and unrecorded == 0
        print(f"SUMMARY [{mode} client]: GET /r/{{code}} (SQLite, group commit) {click.rps:,.0f} req/s vs bare "
              f"aiohttp 302 {bare.rps:,.0f} req/s = {ratio:.0%}, p50 {click.p50_ms:.1f} ms, p99 "
              f"{click.p99_ms:.1f} ms at {args.concurrency} connections, {os.cpu_count()} CPUs; goal "
              f"≥{GOAL_RATIO:.0%} and p99 <{GOAL_P99_MS:.0f} ms: {'met' if met else 'NOT met'}")


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.redirect", description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=REQUESTS)
    parser.add_argument("--warmup", type=int, default=WARMUP)
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    parser.add_argument("--time-limit", type=float, default=TIME_LIMIT)
    parser.add_argument("--wrk-seconds", type=int, default=WRK_SECONDS)
    parser.add_argument("--modes", default="in-process,process,wrk")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--uvloop", action="store_true", help="serve on uvloop, as `python -m bot` does")
    parser.add_argument("--client", metavar="URL", help=argparse.SUPPRESS)  # child-process load generator
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse(argv or [])
    if args.client:
        result = asyncio.run(load_with_warmup(args.client, args.requests, args.warmup, args.concurrency,
                                              args.time_limit))
        print(json.dumps(asdict(result)))
        return
    from services.db.migrate import upgrade

    with tempfile.TemporaryDirectory(prefix="bench-redirect-") as tmp:
        database_url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        upgrade(database_url)  # the real migrations, before our event loop (alembic runs its own)
        if args.uvloop:
            import uvloop

            uvloop.run(run(database_url, args, tmp))
        else:
            asyncio.run(run(database_url, args, tmp))


if __name__ == "__main__":
    main(sys.argv[1:])
