"""A fake aiogram session: the real Bot and Dispatcher run, every API call is recorded, nothing leaves the process.

Results are synthesised per method (sendMessage returns a Message with a fresh id, …); errors can be queued for
a method to exercise retry paths, e.g. `session.fail("sendMessage", 429, "Too Many Requests", retry_after=3)`.

Files: getFile answers a File with a file_path for any file_id, and `bot.download_file(file_path)` (aiogram's
`stream_content`) yields its bytes — what `session.files[file_id]` holds, else `file_content(file_id)`.
Downloaded URLs are kept in `downloads`. A photo the bot uploads from bytes (sendPhoto with a file) gets a
fresh file_id in the answer, like Telegram's, and its bytes land in `uploads`.
"""
from __future__ import annotations

import itertools
import json
from collections import defaultdict, deque
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType

BOT_ID = 4242


@dataclass
class Call:
    name: str
    method: TelegramMethod[Any]

    def __getattr__(self, item: str) -> Any:
        return getattr(self.method, item)


def check_limits(method: Any) -> None:
    """Telegram's own limits, checked on every call any test makes: callback data ≤ 64 bytes, text ≤ 4096."""
    markup = getattr(method, "reply_markup", None)
    for row in getattr(markup, "inline_keyboard", None) or []:
        for button in row:
            if button.callback_data is not None:
                size = len(button.callback_data.encode())
                assert 1 <= size <= 64, f"callback_data {button.callback_data!r} is {size} bytes (limit 64)"
    text = getattr(method, "text", None)
    if isinstance(text, str):
        assert 1 <= len(text) <= 4096, f"message text of {len(text)} characters (limit 4096)"


class FakeTelegramSession(BaseSession):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[Call] = []
        self._errors: dict[str, deque[tuple[int, str, dict[str, Any]]]] = defaultdict(deque)
        self._message_ids = itertools.count(1000)
        self.files: dict[str, bytes] = {}  # file_id → content served by download_file (default: file_content)
        self.downloads: list[str] = []  # URLs stream_content was asked for
        self._paths: dict[str, str] = {}  # file_path handed out by getFile → file_id
        self.uploads: dict[str, bytes] = {}  # file_id given to a photo the bot uploaded from bytes → its bytes

    @staticmethod
    def file_content(file_id: str) -> bytes:
        """The bytes a file_id downloads as unless `files` says otherwise."""
        return f"telegram-file:{file_id}".encode()

    def content_of(self, file_id: str) -> bytes:
        return self.files.get(file_id, self.file_content(file_id))

    def fail(self, method_name: str, status: int, description: str, **parameters: Any) -> None:
        self._errors[method_name].append((status, description, parameters))

    async def make_request(self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
                           ) -> TelegramType:
        name = method.__api_method__
        self.calls.append(Call(name, method))
        check_limits(method)
        if self._errors[name]:
            status, description, parameters = self._errors[name].popleft()
            content = {"ok": False, "error_code": status, "description": description}
            if parameters:
                content["parameters"] = parameters
            self.check_response(bot, method, status, json.dumps(content))
        result = self._result(name, method)
        response = self.check_response(bot, method, 200, json.dumps({"ok": True, "result": result}))
        return response.result  # type: ignore[return-value]

    def _result(self, name: str, method: Any) -> Any:
        if name in ("sendMessage", "sendPhoto", "sendDocument", "editMessageText", "copyMessage"):
            if name == "copyMessage":
                return {"message_id": next(self._message_ids)}
            chat_id = method.chat_id
            result = {
                "message_id": getattr(method, "message_id", None) or next(self._message_ids),
                "date": 1_700_000_000,
                "chat": {"id": int(chat_id), "type": "private" if int(chat_id) > 0 else "supergroup"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "PartnerBot", "username": "partner_bot"},
                "text": getattr(method, "text", None) or "",
            }
            if name == "sendPhoto":
                result["photo"] = [{"file_id": self._photo_id(method.photo), "file_unique_id": "up",
                                    "width": 100, "height": 100}]
                if getattr(method, "caption", None):
                    result["caption"] = method.caption
            return result
        if name == "createForumTopic":
            return {"message_thread_id": 77, "name": method.name, "icon_color": 7322096}
        if name == "getFile":
            file_id = method.file_id
            folder, ext = ("photos", "jpg") if file_id.startswith("photo") else ("documents", "bin")
            path = f"{folder}/file_{len(self._paths)}.{ext}"
            self._paths[path] = file_id
            return {"file_id": file_id, "file_unique_id": f"u-{file_id}", "file_size": len(self.content_of(file_id)),
                    "file_path": path}
        if name == "getMe":
            return {"id": BOT_ID, "is_bot": True, "first_name": "PartnerBot", "username": "partner_bot"}
        return True

    def _photo_id(self, photo: Any) -> str:
        """A photo sent by file_id keeps it; one uploaded from bytes gets a new file_id serving those bytes (the
        bytes are kept in `uploads`, by file_id)."""
        if isinstance(photo, str):
            return photo
        file_id = f"uploaded-photo-{len(self.uploads) + 1}"
        self.uploads[file_id] = photo.data
        self.files[file_id] = photo.data
        return file_id

    async def close(self) -> None:
        pass

    async def stream_content(self, url: str, headers: dict[str, Any] | None = None, timeout: int = 30,
                             chunk_size: int = 65536, raise_for_status: bool = True) -> AsyncGenerator[bytes, None]:
        self.downloads.append(url)
        # aiogram asks for {api}/file/bot<token>/<file_path>; an unknown path yields nothing, as before
        path = url.split("/file/bot", 1)[-1].split("/", 1)[-1] if "/file/bot" in url else ""
        file_id = self._paths.get(path)
        content = self.content_of(file_id) if file_id is not None else b""
        for start in range(0, len(content), chunk_size):
            yield content[start:start + chunk_size]
        if not content:
            yield b""

    # ---- assertions helpers ----
    def of(self, name: str) -> list[Call]:
        return [c for c in self.calls if c.name == name]

    def texts(self, chat_id: int | str | None = None) -> list[str]:
        return [c.method.text for c in self.calls if c.name in ("sendMessage", "editMessageText")
                and (chat_id is None or str(c.method.chat_id) == str(chat_id))]

    def clear(self) -> None:
        self.calls.clear()
