"""Onboarding on VK: Start button / first message (with `ref`), the application form, managers' decisions."""
from __future__ import annotations

import contextlib

from vkbottle import API, GroupEventType
from vkbottle.bot import BotLabeler, Message
from vkbottle_types.events.bot_events import MessageEvent

from handlers.vk.incoming import action_of, from_event, from_message
from handlers.vk.respond import command, event_action, to_event, to_message
from services.app import Services
from services.dto import Reply, Toast


async def _staff_name(api: API, user_id: int) -> str | None:
    """Managers' names for "decided by" (VK events carry no names); a failed lookup just falls back to the id."""
    with contextlib.suppress(Exception):
        users = await api.users.get(user_ids=[user_id])
        if users:
            return f"{users[0].first_name} {users[0].last_name}".strip()
    return None


def register(labeler: BotLabeler, services: Services, api: API) -> None:
    @labeler.private_message(func=command("start", "начать"))
    async def start(message: Message) -> None:
        inc = from_message(message)
        await to_message(message, services, inc, await services.onboarding.start(inc))

    @labeler.private_message(func=command("cancel", "отмена"))
    async def cancel(message: Message) -> None:
        inc = from_message(message)
        await to_message(message, services, inc, await services.onboarding.cancel(inc))

    @labeler.raw_event(GroupEventType.MESSAGE_EVENT, MessageEvent, func=event_action(r"ob:lang:\w+"))
    async def choose_language(event: MessageEvent) -> None:
        inc = from_event(event)
        locale = (inc.action or "").rsplit(":", 1)[-1]
        await to_event(api, event, services, inc, await services.onboarding.choose_language(inc, locale))

    @labeler.raw_event(GroupEventType.MESSAGE_EVENT, MessageEvent, func=event_action(r"ob:(back|cancel|terms)"))
    async def form_buttons(event: MessageEvent) -> None:
        inc = from_event(event)
        handler = {"ob:back": services.onboarding.back, "ob:cancel": services.onboarding.cancel,
                   "ob:terms": services.onboarding.accept_terms}[inc.action or ""]
        await to_event(api, event, services, inc, await handler(inc))

    @labeler.raw_event(GroupEventType.MESSAGE_EVENT, MessageEvent,
                       func=event_action(r"app:(ok|no|card):\d{1,18}|rej:\d{1,18}:[a-z]+"))
    async def application_action(event: MessageEvent) -> None:
        inc = from_event(event, first_name=await _staff_name(api, event.object.user_id))
        parts = (action_of(event.object.payload) or "").split(":")
        onboarding = services.onboarding
        reply: Reply
        if parts[0] == "rej":
            reply = await onboarding.reject_with_preset(inc, int(parts[1]), parts[2])
        elif parts[1] == "ok":
            reply = await onboarding.approve(inc, int(parts[2]))
        elif parts[1] == "no":
            reply = await onboarding.ask_reject_reason(inc, int(parts[2]))
        elif parts[1] == "card":
            reply = await onboarding.show_card(inc, int(parts[2]))
        else:
            reply = Reply(toast=Toast("err-stale-button"))
        await to_event(api, event, services, inc, reply)
