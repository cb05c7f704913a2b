"""Telegram updates → services' plain Incoming."""
from __future__ import annotations

from aiogram.types import CallbackQuery, Message, User

from services.kernel.dto import Attachment, Incoming


def _who(user: User) -> dict:
    return {"user_id": str(user.id), "language_code": user.language_code, "first_name": user.first_name,
            "username": user.username}


def attachments_of(message: Message) -> tuple[Attachment, ...]:
    if message.photo:  # sizes, smallest first: keep the largest
        return (Attachment("photo", "telegram", message.photo[-1].file_id),)
    if message.document:
        return (Attachment("document", "telegram", message.document.file_id, name=message.document.file_name),)
    return ()


def from_message(message: Message, start_payload: str | None = None) -> Incoming:
    assert message.from_user is not None
    text = message.text if message.text is not None else message.caption
    return Incoming(
        messenger="telegram", chat_id=str(message.chat.id), text=text, non_text=message.text is None,
        start_payload=start_payload, attachments=attachments_of(message), message_id=str(message.message_id),
        reply_to=str(message.reply_to_message.message_id) if message.reply_to_message
        and not message.reply_to_message.forum_topic_created else None,
        thread_id=str(message.message_thread_id) if message.is_topic_message else None,
        chat_type="private" if message.chat.type == "private" else "group",
        entities=tuple(e.model_dump(mode="json", exclude_none=True)
                       for e in (message.entities or message.caption_entities or ())),
        **_who(message.from_user),
    )


def from_callback(callback: CallbackQuery) -> Incoming:
    message = callback.message
    chat_id = message.chat.id if message else callback.from_user.id
    chat_type = "private" if message is None or message.chat.type == "private" else "group"
    return Incoming(messenger="telegram", chat_id=str(chat_id), action=callback.data, chat_type=chat_type,
                    **_who(callback.from_user))
