"""The one place a Screen becomes a VK message (plain text + keyboard JSON with {"a": action} payloads)."""
from __future__ import annotations

import json
import logging
import random

from vkbottle import (
    API,
    EMPTY_KEYBOARD,
    Callback,
    DocMessagesUploader,
    Keyboard,
    KeyboardButtonColor,
    OpenLink,
    PhotoMessageUploader,
    Text,
)
from vkbottle.exception_factory import VKAPIError
from vkbottle_types.events.bot_events import MessageEvent

from services.kernel.dto import Button, Reply, Screen
from services.kernel.i18n import Translator

log = logging.getLogger(__name__)

LABEL_MAX = 40  # VK rejects longer button labels
COLORS = {"default": KeyboardButtonColor.SECONDARY, "primary": KeyboardButtonColor.PRIMARY,
          "positive": KeyboardButtonColor.POSITIVE, "negative": KeyboardButtonColor.NEGATIVE}


def _label(button: Button, locale: str, t: Translator) -> str:
    text = t(locale, button.label_key, button.args)
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1] + "…"


def keyboard(screen: Screen, locale: str, t: Translator) -> str | None:
    if screen.buttons:
        kb = Keyboard(inline=True)
        for index, row in enumerate(screen.buttons):
            if index:
                kb.row()
            for b in row:
                if b.url:
                    kb.add(OpenLink(b.url, _label(b, locale, t)))
                else:
                    kb.add(Callback(_label(b, locale, t), payload={"a": b.action}), color=COLORS[b.style])
        return kb.get_json()
    if screen.menu:
        kb = Keyboard(one_time=False, inline=False)
        for index, row in enumerate(screen.menu):
            if index:
                kb.row()
            for b in row:
                kb.add(Text(_label(b, locale, t), payload={"a": b.action}), color=COLORS[b.style])
        return kb.get_json()
    if screen.menu == ():
        return EMPTY_KEYBOARD
    return None


async def send_screen(api: API, peer_id: int, screen: Screen, locale: str, t: Translator,
                      random_id: int | None = None, attachment: str | None = None) -> int:
    params: dict = {"peer_id": peer_id, "message": t(locale, screen.text_key, screen.args),
                    "random_id": random_id if random_id is not None else random.getrandbits(31)}
    kb = keyboard(screen, locale, t)
    if kb is not None:
        params["keyboard"] = kb
    if attachment:
        params["attachment"] = attachment  # "photo1_2,doc3_4": VK sends them in the same message
    return await api.messages.send(**params)


async def upload_attachments(api: API, peer_id: int, screen: Screen) -> str | None:
    """The attachment parameter for a Screen shown in the current chat: VK files by id, generated files uploaded
    for this peer (other messengers' files only travel through the outbox's notifier)."""
    parts = []
    for item in screen.attachments:
        if item.origin == "vk":
            parts.append(item.ref)
        elif item.data is not None:
            if item.kind == "photo":
                # Named for what it is: the default "picture.jpg" would label a PNG as a JPEG.
                uploader = PhotoMessageUploader(api, attachment_name=item.name or item.ref)
                parts.append(await uploader.upload(file_source=item.data, peer_id=peer_id))
            else:
                parts.append(await DocMessagesUploader(api).upload(title=item.name or item.ref, file_source=item.data,
                                                                   peer_id=peer_id))
    return ",".join(parts) or None


async def deliver(api: API, peer_id: int, reply: Reply, locale: str, t: Translator,
                  event: MessageEvent | None = None, target: int | None = None) -> int | None:
    """Answers the current update: snackbar for a button press, edits where asked, new messages otherwise. An
    edit replaces the pressed message, or message `target` (the last one of the previous step). Returns the id
    of the last message shown, for the next step of a Reply.then."""
    if event is not None:
        obj = event.object
        data = None
        if reply.toast is not None:
            data = json.dumps({"type": "show_snackbar", "text": t(locale, reply.toast.text_key, reply.toast.args)[:90]})
        # Always answer the event, or the button spins on the user's screen.
        await api.messages.send_message_event_answer(event_id=obj.event_id, user_id=obj.user_id, peer_id=obj.peer_id,
                                                    event_data=data)
    shown = target
    for screen in reply.screens:
        where: dict[str, int] = {}
        if event is not None and event.object.conversation_message_id:
            where = {"conversation_message_id": event.object.conversation_message_id}
        elif target is not None:
            where = {"message_id": target}
        attachment = await upload_attachments(api, peer_id, screen) if screen.attachments else None
        if screen.edit and where and not screen.menu:
            try:
                await api.messages.edit(peer_id=peer_id, message=t(locale, screen.text_key, screen.args),
                                        keyboard=keyboard(screen, locale, t) or Keyboard(inline=True).get_json(),
                                        **where)
                if attachment:  # the files follow the edited text as a message of their own
                    await api.messages.send(peer_id=peer_id, message="", attachment=attachment,
                                            random_id=random.getrandbits(31))
                continue
            except VKAPIError as exc:  # too old to edit and the like: send anew
                log.info("edit failed, sending instead: %s", exc)
        shown = await send_screen(api, peer_id, screen, locale, t, attachment=attachment)
    return shown
