"""A local fake Telegram Bot API server: the whole process (`python -m bot`) polls it via TELEGRAM_API_URL.

Serves getMe, getUpdates (long poll over queued updates), setMyCommands, deleteWebhook, sendMessage,
editMessageText, answerCallbackQuery; records every call. Waiting is event-driven, never fixed sleeps.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import socket
from typing import Any

from aiohttp import web


class FakeBotAPI:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(5000)
        self._changed = asyncio.Condition()
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> "FakeBotAPI":
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()

    # ---- driving ----
    async def push_message(self, user_id: int, text: str, language_code: str = "en") -> None:
        update_id = next(self._update_ids)
        self._updates.append({"update_id": update_id, "message": {
            "message_id": update_id, "date": 1_700_000_000, "text": text,
            "chat": {"id": user_id, "type": "private"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Test", "language_code": language_code},
            **({"entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]}
               if text.startswith("/") else {}),
        }})
        await self._notify()

    async def push_callback(self, user_id: int, data: str) -> None:
        update_id = next(self._update_ids)
        self._updates.append({"update_id": update_id, "callback_query": {
            "id": str(update_id), "chat_instance": "ci", "data": data,
            "from": {"id": user_id, "is_bot": False, "first_name": "Test"},
            "message": {"message_id": 1, "date": 1_700_000_000, "text": "…",
                        "chat": {"id": user_id, "type": "private"}},
        }})
        await self._notify()

    async def wait_for(self, method: str, count: int = 1, timeout: float = 10, **match: Any) -> list[dict]:
        """Waits until `count` calls of `method` (whose params contain `match`) have arrived."""
        async def enough() -> list[dict]:
            async with self._changed:
                while True:
                    found = [p for m, p in self.calls if m == method
                             and all(str(p.get(k)) == str(v) for k, v in match.items())]
                    if len(found) >= count:
                        return found
                    await self._changed.wait()
        return await asyncio.wait_for(enough(), timeout)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # ---- the API ----
    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = dict(await request.post())
        if request.content_type == "application/json":
            params = await request.json()
        if method != "getUpdates":
            self.calls.append((method, params))
            await self._notify()
        result: Any = True
        if method == "getMe":
            result = {"id": 4242, "is_bot": True, "first_name": "PartnerBot", "username": "partner_bot"}
        elif method == "getUpdates":
            result = await self._get_updates(int(params.get("offset") or 0), float(params.get("timeout") or 0))
        elif method in ("sendMessage", "editMessageText"):
            result = {"message_id": next(self._message_ids), "date": 1_700_000_000, "text": params.get("text", ""),
                      "chat": {"id": int(params["chat_id"]), "type": "private"}}
        return web.json_response({"ok": True, "result": result})

    async def _get_updates(self, offset: int, timeout: float) -> list[dict[str, Any]]:
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and timeout:
            async with self._changed:
                try:
                    await asyncio.wait_for(self._changed.wait(), min(timeout, 0.5))
                except TimeoutError:
                    pass
        return list(self._updates)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def parse_markup(params: dict[str, Any]) -> dict[str, Any]:
    raw = params.get("reply_markup")
    return json.loads(raw) if isinstance(raw, str) else (raw or {})
