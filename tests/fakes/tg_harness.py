"""Drives the real aiogram Dispatcher with the real routers through a fake session."""
from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from aiogram.types import CallbackQuery, Chat, Document, Message, PhotoSize, Update, User

from bot.telegram import build_bot, build_dispatcher
from handlers.telegram.notifier import TelegramFiles, TelegramNotifier
from services.app import Services
from tests.fakes.telegram import BOT_ID, FakeTelegramSession

_ids = itertools.count(1)


class TelegramHarness:
    def __init__(self, services: Services) -> None:
        self.session = FakeTelegramSession()
        self.bot = build_bot("42:TEST-TOKEN", "http://127.0.0.1:1", session=self.session)
        self.dp = build_dispatcher(services)
        self.notifier = TelegramNotifier(self.bot, services.translator)
        services.deps.files["telegram"] = TelegramFiles(self.bot)  # as bot/__main__.py wires it

    def _user(self, user_id: int, language_code: str | None, first_name: str, username: str | None) -> User:
        return User(id=user_id, is_bot=False, first_name=first_name, language_code=language_code, username=username)

    async def send(self, user_id: int, text: str | None = None, *, language_code: str | None = "ru",
                   first_name: str = "Ivan", username: str | None = None, photo: bool = False,
                   chat_id: int | None = None, chat_type: str = "private", reply_to: int | None = None,
                   thread_id: int | None = None, document: str | None = None, photo_id: str | None = None) -> Any:
        chat = Chat(id=chat_id or user_id, type=chat_type)
        replied = Message(message_id=reply_to, date=datetime.now(UTC), chat=chat, text="…",
                          from_user=User(id=BOT_ID, is_bot=True, first_name="PartnerBot")) if reply_to else None
        message = Message(
            message_id=next(_ids), date=datetime.now(UTC), chat=chat,
            from_user=self._user(user_id, language_code, first_name, username),
            text=text if not (photo or document) else None, caption=text if (photo or document) else None,
            photo=[PhotoSize(file_id=photo_id or f"photo-{user_id}", file_unique_id="u1", width=10, height=10)]
            if photo else None,
            document=Document(file_id=document, file_unique_id="d1", file_name="report.pdf") if document else None,
            reply_to_message=replied, message_thread_id=thread_id, is_topic_message=bool(thread_id) or None,
        )
        return await self.dp.feed_update(self.bot, Update(update_id=next(_ids), message=message))

    async def press(self, user_id: int, data: str, *, message_id: int | None = None, language_code: str | None = "ru",
                    first_name: str = "Ivan", username: str | None = None, chat_id: int | None = None) -> Any:
        chat = Chat(id=chat_id, type="supergroup") if chat_id else Chat(id=user_id, type="private")
        origin = Message(
            message_id=message_id or next(_ids), date=datetime.now(UTC), chat=chat,
            from_user=User(id=BOT_ID, is_bot=True, first_name="PartnerBot"), text="…",
        )
        callback = CallbackQuery(id=str(next(_ids)), from_user=self._user(user_id, language_code, first_name, username),
                                 chat_instance="ci", data=data, message=origin)
        return await self.dp.feed_update(self.bot, Update(update_id=next(_ids), callback_query=callback))

    # ---- what the bot said ----
    def texts(self, chat_id: int | None = None) -> list[str]:
        return self.session.texts(chat_id)

    def last(self, chat_id: int | None = None) -> Any:
        calls = [c for c in self.session.calls if c.name in ("sendMessage", "editMessageText")
                 and (chat_id is None or str(c.method.chat_id) == str(chat_id))]
        assert calls, "the bot sent nothing"
        return calls[-1].method

    def buttons(self, chat_id: int | None = None) -> list[str]:
        """callback_data of the inline keyboard on the last message to chat_id."""
        markup = self.last(chat_id).reply_markup
        rows = getattr(markup, "inline_keyboard", None) or []
        return [b.callback_data for row in rows for b in row if b.callback_data]

    def toasts(self) -> list[str | None]:
        return [c.method.text for c in self.session.of("answerCallbackQuery")]

    def clear(self) -> None:
        self.session.clear()
