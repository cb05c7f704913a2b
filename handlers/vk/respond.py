"""Run-a-use-case-and-answer glue shared by every VK labeler module, and the rules they filter with."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from vkbottle import API
from vkbottle.bot import Message
from vkbottle_types.events.bot_events import MessageEvent

from handlers.vk.incoming import action_of, from_event, from_message
from handlers.vk.render import deliver
from services.app import Services
from services.dto import Incoming, Reply


UseCase = Callable[[Incoming], Awaitable[Reply]]


async def run_message(message: Message, services: Services, use_case: UseCase) -> None:
    inc = from_message(message)
    async with services.user_locks.hold(("vk", inc.user_id)):  # one person's updates in arrival order
        await to_message(message, services, inc, await use_case(inc))


async def run_event(api: API, event: MessageEvent, services: Services, use_case: UseCase, **extra: Any) -> None:
    inc = from_event(event, **extra)
    async with services.user_locks.hold(("vk", inc.user_id)):
        await to_event(api, event, services, inc, await use_case(inc))


async def to_message(message: Message, services: Services, inc: Incoming, reply: Reply) -> None:
    locale = await services.locale_for(inc.messenger, inc.user_id, inc.language_code)
    await deliver(message.ctx_api, message.peer_id, reply, locale, services.translator)


async def to_event(api: API, event: MessageEvent, services: Services, inc: Incoming, reply: Reply) -> None:
    locale = await services.locale_for(inc.messenger, inc.user_id, inc.language_code)
    await deliver(api, event.object.peer_id, reply, locale, services.translator, event=event)


def event_prefix(*prefixes: str) -> Callable[[Any], bool]:
    """Rule for message_event handlers: the button's action starts with one of `prefixes` ("lnk:")."""
    return lambda event: (action_of(event.object.payload) or "").startswith(prefixes)


def command(*names: str) -> Callable[[Message], bool]:
    """Rule for typed commands ("/start", "start", "начать") and VK's own Start button payload."""
    wanted = {n.casefold() for n in names}

    def rule(message: Message) -> bool:
        text = (message.text or "").strip().casefold()
        first = text.split(maxsplit=1)[0] if text else ""
        payload = message.get_payload_json() if message.payload else None
        if isinstance(payload, dict) and payload.get("command") in wanted:
            return True
        return first.lstrip("/") in wanted and (first.startswith("/") or text in wanted)

    return rule
