"""Telegram updates → services' plain Incoming."""
from __future__ import annotations

from aiogram.types import CallbackQuery, Message, User

from services.dto import Incoming


def _who(user: User) -> dict:
    return {"user_id": str(user.id), "language_code": user.language_code, "first_name": user.first_name,
            "username": user.username}


def from_message(message: Message, start_payload: str | None = None) -> Incoming:
    assert message.from_user is not None
    return Incoming(
        messenger="telegram", chat_id=str(message.chat.id), text=message.text, non_text=message.text is None,
        start_payload=start_payload, **_who(message.from_user),
    )


def from_callback(callback: CallbackQuery) -> Incoming:
    chat_id = callback.message.chat.id if callback.message else callback.from_user.id
    return Incoming(messenger="telegram", chat_id=str(chat_id), action=callback.data, **_who(callback.from_user))
