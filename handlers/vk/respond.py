"""Run-a-use-case-and-answer glue shared by every VK handler."""
from __future__ import annotations

import contextlib
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

from vkbottle import API
from vkbottle.bot import Message
from vkbottle_types.events.bot_events import MessageEvent

from handlers.vk.incoming import from_event, from_message
from handlers.vk.render import deliver
from services.app import Services
from services.kernel.dto import Incoming, Reply


UseCase = Callable[[Incoming], Awaitable[Reply]]

NAMES_KEPT = 10_000  # per bot; a person's name is looked up once, not on every update
_names: weakref.WeakKeyDictionary[API, dict[int, str]] = weakref.WeakKeyDictionary()


async def display_name(api: API, user_id: int) -> str | None:
    """VK updates carry no names (Telegram's do): services need one for a new partner and for "decided by", also
    when a manager *types* a reason. One users.get per person, cached; a failed lookup falls back to the id."""
    if user_id <= 0:  # communities have no users.get entry
        return None
    cache = _names.setdefault(api, {})
    name = cache.get(user_id)
    if name is None:
        with contextlib.suppress(Exception):
            users = await api.users.get(user_ids=[user_id])
            if users:
                name = f"{users[0].first_name} {users[0].last_name}".strip() or None
        if name is not None:
            if len(cache) >= NAMES_KEPT:
                cache.pop(next(iter(cache)))
            cache[user_id] = name
    return name


async def run_message(message: Message, services: Services, use_case: UseCase) -> None:
    inc = from_message(message, first_name=await display_name(message.ctx_api, message.from_id))
    await to_message(message, services, inc, await use_case(inc))


async def run_event(api: API, event: MessageEvent, services: Services, use_case: UseCase, **extra: Any) -> None:
    extra.setdefault("first_name", await display_name(api, event.object.user_id))
    inc = from_event(event, **extra)
    await to_event(api, event, services, inc, await use_case(inc))


async def to_message(message: Message, services: Services, inc: Incoming, reply: Reply) -> None:
    locale = await services.locale_for(inc.messenger, inc.user_id, inc.language_code)
    shown = await deliver(message.ctx_api, message.peer_id, reply, locale, services.translator)
    await follow_up(message.ctx_api, message.peer_id, reply, locale, services, shown)


async def to_event(api: API, event: MessageEvent, services: Services, inc: Incoming, reply: Reply) -> None:
    locale = await services.locale_for(inc.messenger, inc.user_id, inc.language_code)
    shown = await deliver(api, event.object.peer_id, reply, locale, services.translator, event=event)
    await follow_up(api, event.object.peer_id, reply, locale, services, shown)


async def follow_up(api: API, peer_id: int, reply: Reply, locale: str, services: Services,
                    shown: int | None) -> None:
    """Runs the slow steps of a reply (Reply.then), each shown once ready; edits replace the last message."""
    while reply.then is not None:
        reply = await reply.then()
        shown = await deliver(api, peer_id, reply, locale, services.translator, target=shown)

