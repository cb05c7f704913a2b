"""Runs the REAL production VK bot (bot.vk.build_vk_bot: real BotPolling, real labelers) against FakeVK.

    async with VkHarness(services) as vk:          # own FakeVK; or VkHarness(services, fake) to share one
        await vk.send(111, "hi", lang_id=3)        # returns once the bot has completely handled the update
        await vk.press(111, "ob:lang:en")          # a callback button (message_event with {"a": action})
        vk.texts(111), vk.last(111), vk.buttons(111), vk.snackbars()
        await OutboxDispatcher(deps, {"vk": vk.notifier}, rates={}).dispatch_once()

How "handled" is observed: vkbottle's run_polling hands every update to `bot.process_event` in a task of its
own; the harness wraps that entry point (instance attribute, the framework code is untouched) and records the
update's event_id when routing — every matching handler and its API calls — has finished. send/press push an
update and wait for exactly that event_id: no sleeps, and updates nobody handles still complete.

Exceptions: vkbottle catches them (router → error handler) and would only log. The harness passes its own
ErrorHandler to build_vk_bot (the production parameter meant for this) that records them; any wait then fails
at once with the original exception as __cause__, and leaving the block fails if one is still unreported.

Polling state: production runs with skip_old_events=False, so BotPolling restores/saves its ts in
./.vkbottle/bot-polling/<group>.json. The harness keeps that state in `self.state` (a dict you may pass to a
second harness to simulate a restart that catches up on missed updates) and never touches the working tree.
"""
from __future__ import annotations

import asyncio
import json
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vkbottle import Bot
from vkbottle.exception_factory import ErrorHandler
from vkbottle.http import AiohttpClient

from bot.vk import build_vk_bot
from handlers.vk.files import VkFiles
from handlers.vk.notifier import VkNotifier
from services.app import Services
from tests.fakes.vk_api import FakeVK

TOKEN = "vk-test-token"


@dataclass(frozen=True)
class Shown:
    """One message as the person sees it: a send, or a later edit of a message (messages.edit)."""

    kind: str  # "send" | "edit"
    peer_id: int
    text: str | None
    keyboard: dict[str, Any] | None  # parsed keyboard JSON (None: the call carried no keyboard)
    conversation_message_id: int | None

    @property
    def inline(self) -> bool:
        return bool(self.keyboard and self.keyboard.get("inline"))

    @property
    def removes_menu(self) -> bool:
        """An empty non-inline keyboard: VK hides the person's persistent keyboard."""
        return self.keyboard is not None and not self.inline and not self.keyboard.get("buttons")

    def actions(self) -> list[str]:
        """The {"a": …} actions of this message's keyboard buttons, row by row."""
        found: list[str] = []
        for row in (self.keyboard or {}).get("buttons", []):
            for button in row:
                payload = button.get("action", {}).get("payload")
                if isinstance(payload, str):
                    try:
                        payload = json.loads(payload)
                    except ValueError:
                        continue
                if isinstance(payload, dict) and isinstance(payload.get("a"), str):
                    found.append(payload["a"])
        return found

    def labels(self) -> list[str]:
        return [b.get("action", {}).get("label", "") for row in (self.keyboard or {}).get("buttons", []) for b in row]


@dataclass
class _Edits:
    """messages.edit calls that succeeded, each placed after the `after`-th entry of FakeVK.sent."""

    records: list[tuple[int, Shown]]


# One edit log per FakeVK (shared by every harness over it, e.g. before and after a simulated restart).
_EDIT_LOGS: weakref.WeakKeyDictionary[FakeVK, _Edits] = weakref.WeakKeyDictionary()


def _edit_log(vk: FakeVK) -> _Edits:
    log = _EDIT_LOGS.get(vk)
    if log is None:
        log = _EDIT_LOGS[vk] = _Edits([])
        previous = vk.responses.get("messages.edit")

        def record(params: dict[str, str]) -> Any:
            keyboard = json.loads(params["keyboard"]) if params.get("keyboard") else None
            cmid = params.get("conversation_message_id")
            log.records.append((len(vk.sent), Shown("edit", int(params["peer_id"]), params.get("message"), keyboard,
                                                    int(cmid) if cmid else None)))
            if callable(previous):
                return previous(params)
            return 1 if previous is None else previous

        vk.set_response("messages.edit", record)
    return log


class VkHarness:
    def __init__(self, services: Services, vk: FakeVK | None = None, *, group_id: int = 1,
                 state: dict[str, Any] | None = None, timeout: float = 10) -> None:
        self.services = services
        self._own_vk = vk is None
        self.vk = vk or FakeVK(group_id=group_id)
        self.group_id = group_id
        self.timeout = timeout
        self.state: dict[str, Any] = {} if state is None else state  # BotPolling's persisted ts
        self.errors: list[BaseException] = []
        self._done: set[str] = set()  # event_ids of updates whose processing finished
        self._inflight: set[asyncio.Task[Any]] = set()
        self._tick = asyncio.Event()
        self._has_ts = asyncio.Event()
        self._task: asyncio.Task[Any] | None = None
        self.http: AiohttpClient | None = None
        self.bot: Bot | None = None
        self.notifier: VkNotifier | None = None

    # ---- lifecycle --------------------------------------------------------------------------------------------

    async def __aenter__(self) -> VkHarness:
        if self._own_vk:
            await self.vk.__aenter__()
        try:
            await self._start()
        except BaseException:
            await self._stop()
            raise
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        await self._stop()
        if exc_type is None and self.errors:
            raise AssertionError(f"the VK bot raised: {self.errors[0]!r}") from self.errors[0]

    async def _start(self) -> None:
        self._edits = _edit_log(self.vk)
        errors = ErrorHandler()
        errors.register_undefined_error_handler(self._report)
        # A client of our own (not vkbottle's process-wide SingleAiohttpClient): closed on exit, shared with nobody.
        self.http = AiohttpClient()
        self.bot = build_vk_bot(TOKEN, self.group_id, self.vk.api_url, self.services, http_client=self.http,
                                error_handler=errors)
        polling = self.bot.polling  # the instance run_polling will use (construct() returns self)
        polling.restore_server_ts = self._restore_ts  # type: ignore[method-assign]
        polling.save_server_ts = self._save_ts  # type: ignore[method-assign]
        self._wrap_process_event(self.bot)
        self.notifier = VkNotifier(self.bot.api, self.services.translator)
        self.services.deps.files["vk"] = VkFiles(self.bot.api)  # as bot/__main__.py wires it

        self._task = asyncio.create_task(self.bot.run_polling(), name="vk-harness-polling")
        # run_polling ends only by an error outside its loop (e.g. groups.getLongPollServer failing at start)
        self._task.add_done_callback(
            lambda t: t.cancelled() or t.exception() is None or self._record_error(t.exception()))  # type: ignore[arg-type]
        # Ready once the bot holds its ts: every update pushed from then on reaches it (VK's ts semantics).
        await self._until(self._has_ts.is_set, "the bot to fetch its long-poll server")

    async def _stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait([self._task])  # its own failure was reported by the done callback
        if self._inflight:  # updates being handled: let them finish (they may be mid-request), like production
            _, late = await asyncio.wait(set(self._inflight), timeout=self.timeout)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late)
        if self.http is not None:
            await self.http.close()
        if self._own_vk:
            await self.vk.__aexit__(None, None, None)

    # ---- instrumentation --------------------------------------------------------------------------------------

    async def _report(self, error: BaseException, *_: object) -> None:
        self._record_error(error)

    def _record_error(self, error: BaseException) -> None:
        self.errors.append(error)
        self.vk.report_error(error)  # FakeVK's own wait_* fail too
        self._changed()

    def _restore_ts(self, server: dict[str, Any]) -> dict[str, Any]:
        if "ts" in self.state:
            server["ts"] = self.state["ts"]
        self._has_ts.set()
        self._changed()
        return server

    def _save_ts(self, server: dict[str, Any]) -> None:
        self.state["ts"] = server["ts"]

    def _wrap_process_event(self, bot: Bot) -> None:
        original = bot.process_event

        async def observed(event: dict[str, Any], api: Any = None) -> None:
            task = asyncio.current_task()
            assert task is not None
            self._inflight.add(task)
            try:
                await original(event, api)
            except Exception as exc:  # vkbottle's router catches handler errors; anything else is ours to see
                self._record_error(exc)
                raise
            finally:
                self._inflight.discard(task)
                self._done.add(event.get("event_id", ""))
                self._changed()

        bot.process_event = observed  # type: ignore[method-assign]  # run_polling calls self.process_event

    def _changed(self) -> None:
        self._tick.set()
        self._tick = asyncio.Event()

    async def _until(self, ready: Callable[[], bool], what: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        while True:
            if self.errors:
                raise AssertionError(f"the VK bot raised while waiting for {what}: {self.errors[0]!r}") \
                    from self.errors[0]
            if ready():
                return
            left = deadline - loop.time()
            if left <= 0:
                recent = [(c.method, c.params) for c in self.vk.calls[-5:]]
                raise AssertionError(f"timed out after {self.timeout}s waiting for {what}; last calls={recent!r}")
            tick = self._tick
            try:
                await asyncio.wait_for(tick.wait(), left)
            except TimeoutError:
                pass

    async def handled(self, update: dict[str, Any]) -> dict[str, Any]:
        """Waits until the bot has finished processing `update` (as returned by FakeVK.push_*)."""
        event_id = update["event_id"]
        await self._until(lambda: event_id in self._done, f"the bot to handle {update['type']} {event_id}")
        return update

    # ---- driving ----------------------------------------------------------------------------------------------

    async def send(self, user_id: int, text: str = "", *, lang_id: int = 0, payload: dict | str | None = None,
                   ref: str | None = None, attachments: list[dict] | None = None) -> dict[str, Any]:
        """The person writes to the group (message_new); returns once the bot has fully handled it."""
        return await self.handled(self.vk.push_message(user_id, text, payload=payload, ref=ref, lang_id=lang_id,
                                                       attachments=attachments))

    async def press(self, user_id: int, action: str | None = None, *, payload: dict[str, Any] | None = None,
                    conversation_message_id: int | None = None) -> dict[str, Any]:
        """A callback button (message_event) with payload {"a": action} — or a raw `payload` (forged buttons).
        The pressed message defaults to the bot's last message to the person."""
        if payload is None:
            assert action is not None, "press() needs an action or a payload"
            payload = {"a": action}
        return await self.handled(self.vk.push_event(user_id, payload, conversation_message_id))

    # ---- what the bot showed ----------------------------------------------------------------------------------

    def shown(self, peer_id: int | None = None) -> list[Shown]:
        """Every message sent and every edit made, in order, optionally for one peer."""
        edits = sorted(self._edits.records, key=lambda r: r[0])  # stable: same-position edits keep their order
        out: list[Shown] = []
        e = 0
        for index, sent in enumerate(self.vk.sent):
            while e < len(edits) and edits[e][0] <= index:
                out.append(edits[e][1])
                e += 1
            out.append(Shown("send", sent.peer_id, sent.message, sent.keyboard, sent.conversation_message_id))
        out.extend(record for _, record in edits[e:])
        return [s for s in out if peer_id is None or s.peer_id == peer_id]

    def texts(self, peer_id: int | None = None) -> list[str]:
        return [s.text or "" for s in self.shown(peer_id)]

    def last(self, peer_id: int | None = None) -> Shown:
        shown = self.shown(peer_id)
        assert shown, f"the bot showed nothing to {peer_id}"
        return shown[-1]

    def buttons(self, peer_id: int | None = None) -> list[str]:
        """Actions ({"a": …} payloads) of the keyboard on the last message to peer_id."""
        return self.last(peer_id).actions()

    def menu(self, peer_id: int) -> list[str]:
        """Labels of the persistent (non-inline) keyboard the person currently has; [] when removed or never sent."""
        for s in reversed(self.shown(peer_id)):
            if s.kind == "send" and s.keyboard is not None and not s.inline:
                return s.labels()
        return []

    def snackbars(self) -> list[str | None]:
        """The text of each messages.sendMessageEventAnswer (None: answered without a snackbar)."""
        out: list[str | None] = []
        for call in self.vk.calls_of("messages.sendMessageEventAnswer"):
            data = json.loads(call.params["event_data"]) if call.params.get("event_data") else None
            out.append(data.get("text") if data else None)
        return out

    def clear(self) -> None:
        """Forgets what was sent, edited and called (use this rather than vk.clear(): edits are placed by index)."""
        self.vk.clear()
        self._edits.records.clear()
