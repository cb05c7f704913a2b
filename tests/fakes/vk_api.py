"""A local fake VK API + Bots Long Poll server that real vkbottle code talks to over loopback.

    async with FakeVK(group_id=1) as vk:
        api.API_URL = vk.api_url + "/"        # what production gets as VK_API_URL
        vk.push_message(42, "hi")             # an incoming message_new
        [reply] = await vk.wait_sent()        # the bot's messages.send

Wire format follows what vkbottle 4.11 sends and parses: methods are POSTed (form data) to
`{api_url}/{method}` with `access_token` and `v` in the query; answers are `{"response": ...}` or
`{"error": {"error_code", "error_msg", "request_params"}}` (vkbottle raises VKAPIError[code]).
BotPolling calls groups.getById (if no group_id), groups.getLongPollServer, then POSTs
`server?act=a_check&key=&ts=&wait=` and expects `{"ts", "updates"}` or `{"failed": n, ...}`.
Waiting is event-driven everywhere: a broadcast "tick" wakes waiters on every state change.

Attachments the bot uploads go the way vkbottle's PhotoMessageUploader / DocMessagesUploader take them:
photos.getMessagesUploadServer / docs.getMessagesUploadServer (peer_id) → a multipart POST to the returned
`upload_url` on this server (field "photo" / "file"; answers {"server", "photo", "hash"} / {"file"}) →
photos.saveMessagesPhoto / docs.save. Every upload is kept in `uploads`; `uploaded("photo-1_5_key")` finds the
file behind an attachment string the bot later sends.
"""
from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import socket
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

API_VERSION = "5.199"  # vkbottle_types.API_VERSION; decides the long-poll update shape
# client_info VK attaches to message_new: what the user's client can render
CLIENT_INFO = {"button_actions": ["text", "vkpay", "open_app", "location", "open_link", "callback",
                                  "intent_subscribe", "intent_unsubscribe"],
               "keyboard": True, "inline_keyboard": True, "carousel": True}
CANT_SEND = (901, "Can't send messages for users without permission")
INVALID = "One of the parameters specified was missing or invalid"


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, str]  # form + query merged, minus access_token


@dataclass(frozen=True)
class Sent:
    """One delivered message (a random_id duplicate is not delivered twice)."""
    peer_id: int
    message: str | None
    keyboard: Any | None  # parsed JSON
    attachment: str | None
    random_id: int
    message_id: int
    conversation_message_id: int
    params: dict[str, str]


@dataclass
class Upload:
    """One file POSTed to an upload_url; `attachment` is set once photos.saveMessagesPhoto / docs.save took it."""
    kind: str  # "photo" | "doc"
    peer_id: int | None  # the peer_id the upload server was asked for
    field: str  # multipart field name ("photo" for photos, "file" for documents)
    filename: str | None
    content: bytes
    token: str  # the "photo" / "file" value the save method must be given
    attachment: str | None = None  # "photo<owner>_<id>" / "doc<owner>_<id>" (no access key)
    title: str | None = None  # docs.save title


class VKError(Exception):
    def __init__(self, code: int, msg: str, **extra: Any) -> None:
        super().__init__(code, msg)
        self.code, self.msg, self.extra = code, msg, extra


class FakeVK:
    def __init__(self, group_id: int = 1, *, lp_wait: float = 0.5, api_version: str = API_VERSION) -> None:
        self.group_id = group_id
        self.lp_wait = lp_wait  # cap on a long-poll hold, so shutdown and re-polls stay fast
        self.api_version = api_version
        self.calls: list[Call] = []
        self.sent: list[Sent] = []
        self.users: dict[int, dict[str, Any]] = {}
        self.default_user: dict[str, Any] = {"first_name": "Test", "last_name": "User"}
        self.blocked: set[int] = set()  # peers that forbade messages from the group (error 901)
        self.errors: list[BaseException] = []  # bot-side exceptions reported via report_error()
        self.responses: dict[str, Any] = {}  # method -> response value or callable(params)
        self.uploads: list[Upload] = []  # files POSTed to upload URLs, in order
        self._upload_n = itertools.count(1)
        self._media_ids = itertools.count(500)  # ids of saved photos / documents
        self._failures: dict[str, list[VKError]] = defaultdict(list)
        self._updates: list[dict[str, Any]] = []
        self._ts0 = 1  # ts of _updates[0]; VK's ts is an opaque growing counter
        self._key = "k1"
        self._key_n = itertools.count(2)
        self._ids = itertools.count(100)  # message ids, shared by incoming and outgoing
        self._cmids: dict[int, itertools.count] = defaultdict(lambda: itertools.count(1))
        self._last_cmid: dict[int, int] = {}  # peer -> cmid of the bot's last message there
        self._dedup: dict[tuple[int, int], tuple[int, int]] = {}  # (peer, random_id) -> (id, cmid)
        self._event_n = itertools.count(1)
        self._sent_mark = 0
        self._call_marks: dict[str, int] = defaultdict(int)
        self._polling = 0  # long-poll requests currently held open
        self._tick = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ---- lifecycle ----
    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/method"

    @property
    def longpoll_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/longpoll"

    async def __aenter__(self) -> FakeVK:
        app = web.Application()
        app.router.add_route("*", "/method/{method}", self._handle_method)
        app.router.add_route("*", "/longpoll", self._handle_longpoll)
        app.router.add_route("POST", "/upload/{kind}", self._handle_upload)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        # bind port 0 ourselves: no free-port race, and the real port is known before start
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._closing = True
        self._changed()  # release held long polls so cleanup doesn't wait for them
        if self._runner is not None:
            await self._runner.cleanup()

    # ---- driving: incoming updates ----
    def push_message(self, from_id: int, text: str, payload: dict | str | None = None, ref: str | None = None,
                     lang_id: int = 0, attachments: list[dict] | None = None, *, peer_id: int | None = None,
                     ref_source: str | None = None) -> dict[str, Any]:
        """A user writes to the group (message_new). payload travels as a JSON string, like VK's."""
        peer = peer_id or from_id
        message: dict[str, Any] = {
            "date": int(time.time()), "from_id": from_id, "id": next(self._ids), "out": 0, "version": 1,
            "attachments": attachments or [], "conversation_message_id": next(self._cmids[peer]),
            "fwd_messages": [], "important": False, "is_hidden": False, "peer_id": peer, "random_id": 0,
            "text": text,
        }
        if payload is not None:
            message["payload"] = payload if isinstance(payload, str) else json.dumps(payload)
        if ref is not None:
            message["ref"] = ref
        if ref_source is not None:
            message["ref_source"] = ref_source
        return self._push("message_new", {"message": message, "client_info": {**CLIENT_INFO, "lang_id": lang_id}})

    def push_event(self, user_id: int, payload: dict[str, Any], conversation_message_id: int | None = None,
                   *, peer_id: int | None = None) -> dict[str, Any]:
        """A callback button is pressed (message_event). The cmid defaults to the bot's last message to
        that peer — the message whose keyboard was pressed."""
        peer = peer_id or user_id
        n = next(self._event_n)
        obj = {"user_id": user_id, "peer_id": peer, "event_id": hashlib.sha1(b"ev%d" % n).hexdigest()[:12],
               "payload": payload,
               "conversation_message_id": conversation_message_id or self._last_cmid.get(peer)}
        return self._push("message_event", obj)

    def push_raw(self, update: dict[str, Any]) -> dict[str, Any]:
        """Enqueues an update exactly as given."""
        self._updates.append(update)
        self._changed()
        return update

    def _push(self, type_: str, obj: dict[str, Any]) -> dict[str, Any]:
        n = len(self._updates) + self._ts0
        return self.push_raw({"group_id": self.group_id, "type": type_,
                              "event_id": hashlib.sha1(b"upd%d" % n).hexdigest(), "v": self.api_version,
                              "object": obj})

    # ---- driving: answers ----
    def fail_next(self, method: str, code: int = 9, msg: str = "Flood control", times: int = 1,
                  **extra: Any) -> None:
        """The next `times` calls of `method` answer with a VK error (extra keys go into the error object)."""
        self._failures[method].extend(VKError(code, msg, **extra) for _ in range(times))

    def recover(self, method: str) -> None:
        """Drops the failures still queued for `method` (fail_next with a large `times` = down until now)."""
        self._failures[method].clear()

    def set_response(self, method: str, response: Any) -> None:
        """Override a method's `response` value; a callable gets the call's params."""
        self.responses[method] = response

    def expire_key(self) -> None:
        """The long-poll key expires: the held/next a_check gets {"failed": 2}; vkbottle re-fetches the server
        and keeps its ts, so no update is lost."""
        self._key = f"k{next(self._key_n)}"
        self._changed()

    # ---- asserting ----
    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def mark(self) -> None:
        """wait_sent/wait_call count from here."""
        self._sent_mark = len(self.sent)
        self._call_marks.clear()
        for c in self.calls:
            self._call_marks[c.method] += 1

    def clear(self) -> None:
        """Forgets recorded calls, sent messages and reported errors (server state such as dedup stays)."""
        self.calls.clear()
        self.sent.clear()
        self.errors.clear()
        self.mark()

    def report_error(self, exc: BaseException) -> None:
        """For the bot's error handler: records exc and makes pending/next wait_* calls fail with it."""
        self.errors.append(exc)
        self._changed()

    async def wait_sent(self, count: int = 1, timeout: float = 5) -> list[Sent]:
        """Messages delivered since the mark, once there are >= count; advances the mark past them."""
        await self._until(lambda: len(self.sent) - self._sent_mark >= count, timeout,
                          f"{count} sent message(s)")
        new, self._sent_mark = self.sent[self._sent_mark:], len(self.sent)
        return new

    async def wait_call(self, method: str, count: int = 1, timeout: float = 5) -> list[Call]:
        """Calls of `method` since its mark, once there are >= count; advances that mark."""
        await self._until(lambda: len(self.calls_of(method)) - self._call_marks[method] >= count, timeout,
                          f"{count} call(s) of {method}")
        found = self.calls_of(method)
        new, self._call_marks[method] = found[self._call_marks[method]:], len(found)
        return new

    async def wait_listening(self, timeout: float = 5) -> None:
        """Until a long poll is held open: the bot has its ts, so updates pushed from now on reach it
        (like VK, updates older than getLongPollServer's ts are never delivered)."""
        await self._until(lambda: self._polling > 0, timeout, "the bot to long-poll")

    def _changed(self) -> None:
        # broadcast: wake everyone waiting, then start a fresh generation
        self._tick.set()
        self._tick = asyncio.Event()

    async def _until(self, ready: Callable[[], bool], timeout: float, what: str, *,
                     check_errors: bool = True) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if check_errors and self.errors:
                error = self.errors[0]
                raise AssertionError(f"the bot raised while waiting for {what}: {error!r}") from error
            if ready():
                return True
            tick, left = self._tick, deadline - loop.time()
            if left <= 0 or self._closing:
                if not check_errors:  # long-poll hold: timing out is normal
                    return False
                recent = [(c.method, c.params) for c in self.calls[-5:]]
                raise AssertionError(f"timed out after {timeout}s waiting for {what}; sent={self.sent!r}; "
                                     f"last calls={recent!r}")
            try:
                await asyncio.wait_for(tick.wait(), left)
            except TimeoutError:
                pass

    # ---- the API ----
    async def _handle_method(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = {**request.query, **(await request.post())}
        token = params.pop("access_token", None)
        params = {k: str(v) for k, v in params.items()}
        self.calls.append(Call(method, params))
        self._changed()
        try:
            if not token:
                raise VKError(5, "User authorization failed: no access_token passed.")
            if self._failures[method]:
                raise self._failures[method].pop(0)
            return web.json_response({"response": self._respond(method, params)})
        except VKError as e:
            request_params = [{"key": "method", "value": method}, {"key": "oauth", "value": "1"},
                              *({"key": k, "value": v} for k, v in params.items())]
            return web.json_response({"error": {"error_code": e.code, "error_msg": e.msg,
                                                 "request_params": request_params, **e.extra}})

    def _respond(self, method: str, p: dict[str, str]) -> Any:
        if method in self.responses:
            r = self.responses[method]
            return r(p) if callable(r) else r
        if method == "groups.getLongPollServer":
            return {"key": self._key, "server": self.longpoll_url, "ts": str(self._ts())}
        if method == "groups.getById":
            return {"groups": [{"id": self.group_id, "name": "Fake group", "screen_name": f"club{self.group_id}",
                                "is_closed": 0, "type": "group"}], "profiles": []}
        if method == "users.get":
            ids = [int(i.removeprefix("id")) for i in p.get("user_ids", "").split(",")
                   if i.removeprefix("id").lstrip("-").isdigit()]
            return [{"id": uid, **self.default_user, **self.users.get(uid, {}),
                     "can_access_closed": True, "is_closed": False} for uid in ids]
        if method == "messages.send":
            return self._send(p)
        if method in ("photos.getMessagesUploadServer", "docs.getMessagesUploadServer"):
            return self._upload_server("photo" if method.startswith("photos.") else "doc", p)
        if method == "photos.saveMessagesPhoto":
            return self._save_photo(p)
        if method == "docs.save":
            return self._save_doc(p)
        return 1  # messages.edit, messages.sendMessageEventAnswer and anything else: harmless

    # ---- uploads ----
    def uploaded(self, attachment: str) -> Upload:
        """The upload behind an attachment string such as "photo-1_500_ab12" (the access key may be left out)."""
        kind_owner_id = "_".join(attachment.split("_")[:2])
        for upload in self.uploads:
            if upload.attachment == kind_owner_id:
                return upload
        raise AssertionError(f"nothing uploaded as {attachment!r}; uploads={self.uploads!r}")

    def _upload_server(self, kind: str, p: dict[str, str]) -> dict[str, Any]:
        # A community token must say whom the file is for: VK answers error 100 without peer_id.
        if not p.get("peer_id"):
            raise VKError(100, f"{INVALID}: peer_id is undefined")
        url = f"http://127.0.0.1:{self.port}/upload/{kind}?peer_id={p['peer_id']}&n={next(self._upload_n)}"
        if kind == "photo":
            return {"album_id": -64, "upload_url": url, "user_id": 0, "group_id": self.group_id}
        return {"upload_url": url}

    async def _handle_upload(self, request: web.Request) -> web.Response:
        kind = request.match_info["kind"]
        field = "photo" if kind == "photo" else "file"
        form = await request.post()
        item = form.get(field)
        if not isinstance(item, web.FileField):  # VK's upload servers answer errors as 200 + {"error": …}
            return web.json_response({"error": f"ERR_UPLOAD_FILE_NOT_UPLOADED: no multipart field {field!r}"})
        content = item.file.read()
        if not content:
            return web.json_response({"error": "ERR_UPLOAD_BAD_IMAGE_SIZE: empty file"})
        peer = request.query.get("peer_id")
        token = json.dumps([{"n": len(self.uploads) + 1, "md5": hashlib.md5(content).hexdigest()}])
        self.uploads.append(Upload(kind, int(peer) if peer else None, field, item.filename, content, token))
        self._changed()
        if kind == "photo":
            return web.json_response({"server": 840000 + len(self.uploads), "photo": token,
                                      "hash": hashlib.md5(token.encode()).hexdigest()})
        return web.json_response({"file": token})

    def _take_upload(self, kind: str, token: str | None) -> Upload:
        for upload in self.uploads:
            if upload.kind == kind and upload.token == token and upload.attachment is None:
                return upload
        raise VKError(100, f"{INVALID}: {'photo' if kind == 'photo' else 'file'} is undefined")

    def _save_photo(self, p: dict[str, str]) -> list[dict[str, Any]]:
        upload = self._take_upload("photo", p.get("photo"))
        if p.get("hash") != hashlib.md5(upload.token.encode()).hexdigest() or not p.get("server"):
            raise VKError(121, "Invalid hash")
        owner, photo_id = -self.group_id, next(self._media_ids)
        upload.attachment = f"photo{owner}_{photo_id}"
        return [{"album_id": -64, "date": int(time.time()), "id": photo_id, "owner_id": owner,
                 "access_key": f"pk{photo_id}", "text": "",
                 "sizes": [{"type": "x", "width": 604, "height": 453,
                            "url": f"http://127.0.0.1:{self.port}/media/photo{owner}_{photo_id}.jpg"}]}]

    def _save_doc(self, p: dict[str, str]) -> dict[str, Any]:
        upload = self._take_upload("doc", p.get("file"))
        owner, doc_id = -self.group_id, next(self._media_ids)
        upload.attachment, upload.title = f"doc{owner}_{doc_id}", p.get("title")
        title = p.get("title") or upload.filename or "doc"
        return {"type": "doc", "doc": {"id": doc_id, "owner_id": owner, "title": title, "size": len(upload.content),
                                       "ext": title.rsplit(".", 1)[-1] if "." in title else "", "type": 1,
                                       "date": int(time.time()), "access_key": f"dk{doc_id}",
                                       "url": f"http://127.0.0.1:{self.port}/media/doc{owner}_{doc_id}"}}

    def _send(self, p: dict[str, str]) -> Any:
        if "random_id" not in p:  # required since v5.90
            raise VKError(100, f"{INVALID}: random_id is a required parameter")
        text, attachment = p.get("message"), p.get("attachment")
        if not (text or attachment or p.get("sticker_id") or p.get("forward_messages")):
            raise VKError(100, f"{INVALID}: message is empty or invalid")
        if text and len(text) > 4096:
            raise VKError(914, "Message is too long")
        try:
            keyboard = json.loads(p["keyboard"]) if p.get("keyboard") else None
        except ValueError:
            raise VKError(911, "Keyboard format is invalid") from None
        many = p.get("peer_ids") or p.get("user_ids")
        if many is None:  # single peer: a bare message id, errors at top level
            peer = int(p.get("peer_id") or p.get("user_id") or 2_000_000_000 + int(p.get("chat_id", 0)))
            if peer in self.blocked:
                raise VKError(*CANT_SEND)
            return self._deliver(peer, text, keyboard, attachment, p)[0]
        # several peers: one object per peer; a failed peer gets "error" and, like VK, no message_id
        out: list[dict[str, Any]] = []
        for peer in map(int, many.split(",")):
            if peer in self.blocked:
                out.append({"peer_id": peer, "error": {"code": CANT_SEND[0], "description": CANT_SEND[1]}})
            else:
                mid, cmid = self._deliver(peer, text, keyboard, attachment, p)
                out.append({"peer_id": peer, "message_id": mid, "conversation_message_id": cmid})
        return out

    def _deliver(self, peer: int, text: str | None, keyboard: Any, attachment: str | None,
                 p: dict[str, str]) -> tuple[int, int]:
        random_id = int(p["random_id"])
        if random_id and (peer, random_id) in self._dedup:  # VK: same random_id -> the first message again
            return self._dedup[(peer, random_id)]
        ids = next(self._ids), next(self._cmids[peer])
        if random_id:
            self._dedup[(peer, random_id)] = ids
        self._last_cmid[peer] = ids[1]
        self.sent.append(Sent(peer, text, keyboard, attachment, random_id, *ids, p))
        self._changed()
        return ids

    # ---- Bots Long Poll ----
    def _ts(self) -> int:
        return self._ts0 + len(self._updates)

    async def _handle_longpoll(self, request: web.Request) -> web.Response:
        q = {**request.query, **(await request.post())}
        key = q.get("key")
        if q.get("act") != "a_check" or key != self._key:
            return web.json_response({"failed": 2})  # VK: key expired -> client re-fetches the server
        ts = int(q.get("ts", 0))
        if ts < self._ts0:
            return web.json_response({"failed": 1, "ts": str(self._ts())})
        wait = min(float(q.get("wait", 25)), self.lp_wait)
        self._polling += 1
        self._changed()  # wait_listening
        try:
            await self._until(lambda: self._ts() > ts or key != self._key, wait, "updates", check_errors=False)
        finally:
            self._polling -= 1
        if key != self._key:
            return web.json_response({"failed": 2})
        return web.json_response({"ts": str(max(ts, self._ts())), "updates": self._updates[ts - self._ts0:]})
