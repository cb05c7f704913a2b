"""VK updates → services' plain Incoming."""
from __future__ import annotations

import json
from typing import Any

from vkbottle.bot import Message
from vkbottle_types.events.bot_events import MessageEvent

from services.kernel.dto import Attachment, Incoming

# VK client_info.lang_id → language code (VK's language ids, as in the VK ID SDK's Languages). An unmapped id
# yields None → the default locale, so every id a non-Russian speaker may have must be here: Telegram's
# language_code "de" picks English, and VK's German (6) has to as well.
LANG_IDS = {0: "ru", 1: "uk", 2: "be", 3: "en", 4: "es", 6: "de", 15: "pl", 16: "fr", 65: "uz", 82: "tr", 97: "kk",
            114: "be"}


def payload_of(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    if isinstance(raw, str) and raw:
        try:
            value = json.loads(raw)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}
    return {}


def action_of(raw: Any) -> str | None:
    action = payload_of(raw).get("a")
    return action if isinstance(action, str) else None


def attachments_of(message: Message) -> tuple[Attachment, ...]:
    """Photos and documents as VK attachment ids (to re-send in VK) with a URL (for other messengers)."""
    found: list[Attachment] = []
    for item in message.attachments or ():
        if item.photo is not None:
            photo = item.photo
            ref = f"photo{photo.owner_id}_{photo.id}" + (f"_{photo.access_key}" if photo.access_key else "")
            sizes = sorted(photo.sizes or [], key=lambda size: (size.width or 0) * (size.height or 0))
            found.append(Attachment("photo", "vk", ref, url=sizes[-1].url if sizes else None))
        elif item.doc is not None:
            doc = item.doc
            ref = f"doc{doc.owner_id}_{doc.id}" + (f"_{doc.access_key}" if doc.access_key else "")
            found.append(Attachment("document", "vk", ref, name=doc.title, url=doc.url))
    return tuple(found)


def from_message(message: Message, **extra: Any) -> Incoming:
    lang = message.client_info.lang_id if message.client_info else None
    action = action_of(message.payload)
    text = message.text or None
    reply = message.reply_message
    return Incoming(
        messenger="vk", user_id=str(message.from_id), chat_id=str(message.peer_id), text=text, action=action,
        language_code=LANG_IDS.get(lang) if lang is not None else None,
        non_text=text is None and action is None, start_payload=getattr(message, "ref", None),
        attachments=attachments_of(message), message_id=str(message.id) if message.id else None,
        reply_to=str(reply.id) if reply is not None and reply.id else None, **extra,
    )


def from_event(event: MessageEvent, **extra: Any) -> Incoming:
    obj = event.object
    return Incoming(messenger="vk", user_id=str(obj.user_id), chat_id=str(obj.peer_id),
                    action=action_of(obj.payload), **extra)
