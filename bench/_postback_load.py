"""Helpers of bench/ingest_postbacks.py that run in child processes: the load generator and the bare baseline.

  python -m bench._postback_load load <requests.json> <port> <concurrency>   → one JSON line of results
  python -m bench._postback_load bare <port>                                 → a bare aiohttp app answering 200

The load generator speaks HTTP/1.1 keep-alive over raw asyncio streams with the requests pre-built as bytes: an
aiohttp client spends most of a core on itself, and the point is to offer well above what the server can take.
"""
from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any


def build_request(port: int, body: str) -> bytes:
    data = body.encode()
    return (f"POST /postback HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(data)}\r\n\r\n"
            ).encode() + data


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
                    ) -> tuple[int, bytes]:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    body = await reader.readexactly(length) if length else b""
    return status, body


async def run_phase(port: int, bodies: list[str], concurrency: int) -> dict[str, Any]:
    """Sends every body once over `concurrency` connections; returns latencies and outcome counts."""
    requests = [build_request(port, body) for body in bodies]
    latencies: list[float] = []
    counts = {"ok": 0, "dup": 0, "error": 0}
    statuses: dict[str, int] = {}
    position = 0

    async def sender() -> None:
        nonlocal position
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while position < len(requests):
                request = requests[position]
                position += 1
                started = time.perf_counter()
                try:
                    status, body = await _exchange(reader, writer, request)
                except (OSError, asyncio.IncompleteReadError):
                    counts["error"] += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    continue
                latencies.append(time.perf_counter() - started)
                statuses[str(status)] = statuses.get(str(status), 0) + 1
                if status != 200:
                    counts["error"] += 1
                elif b'"duplicate": true' in body:
                    counts["dup"] += 1
                else:
                    counts["ok"] += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(sender() for _ in range(concurrency)))
    return {"seconds": time.perf_counter() - started, "latencies": latencies, "statuses": statuses, **counts}


async def load(path: str, port: int, concurrency: int) -> dict[str, Any]:
    with open(path) as fh:
        phases: list[list[str]] = json.load(fh)
    results = [await run_phase(port, bodies, concurrency) for bodies in phases]
    latencies = sorted(x for r in results for x in r["latencies"])
    seconds = sum(r["seconds"] for r in results)
    statuses: dict[str, int] = {}
    for r in results:
        for code, n in r["statuses"].items():
            statuses[code] = statuses.get(code, 0) + n
    return {"requests": len(latencies), "seconds": seconds, "rate": len(latencies) / seconds if seconds else 0,
            "p50_ms": _pct(latencies, 0.50), "p99_ms": _pct(latencies, 0.99),
            "ok": sum(r["ok"] for r in results), "dup": sum(r["dup"] for r in results),
            "error": sum(r["error"] for r in results), "statuses": statuses}


def _pct(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


def bare(port: int) -> None:
    """What the bot's /postback would cost with no work at all: read the body, answer a small JSON 200."""
    from aiohttp import web

    async def postback(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"status": "ok", "conversion_id": 1, "conversion_status": "pending",
                                  "duplicate": False}, headers={"Cache-Control": "no-store"})

    app = web.Application()
    app.router.add_post("/postback", postback)
    app.router.add_get("/healthz", lambda request: web.json_response({"database": "up"}))
    _run(web._run_app(app, host="127.0.0.1", port=port, access_log=None, print=None))


def _run(coro: Any) -> Any:
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)  # as `python -m bot` runs


if __name__ == "__main__":
    if sys.argv[1] == "load":
        print(json.dumps(_run(load(sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))), flush=True)
    else:
        bare(int(sys.argv[2]))
