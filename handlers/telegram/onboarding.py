"""Onboarding on Telegram: /start (with referral payload), the application form, managers' decisions."""
from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import CallbackQuery, Message

from handlers.telegram.incoming import from_callback, from_message
from handlers.telegram.respond import tail_int, to_callback, to_message
from services.app import Services
from services.dto import Reply, Toast

router = Router(name="onboarding")
router.message.filter(F.chat.type == "private")


@router.message(CommandStart())
async def start(message: Message, command: CommandObject, services: Services) -> None:
    inc = from_message(message, start_payload=command.args)
    await to_message(message, services, inc, await services.onboarding.start(inc))


@router.message(Command("cancel"))
async def cancel(message: Message, services: Services) -> None:
    inc = from_message(message)
    await to_message(message, services, inc, await services.onboarding.cancel(inc))


@router.callback_query(F.data.startswith("ob:lang:"))
async def choose_language(callback: CallbackQuery, services: Services) -> None:
    inc = from_callback(callback)
    locale = (callback.data or "").rsplit(":", 1)[-1]
    await to_callback(callback, services, inc, await services.onboarding.choose_language(inc, locale))


@router.callback_query(F.data == "ob:back")
async def back(callback: CallbackQuery, services: Services) -> None:
    inc = from_callback(callback)
    await to_callback(callback, services, inc, await services.onboarding.back(inc))


@router.callback_query(F.data == "ob:cancel")
async def cancel_button(callback: CallbackQuery, services: Services) -> None:
    inc = from_callback(callback)
    await to_callback(callback, services, inc, await services.onboarding.cancel(inc))


@router.callback_query(F.data == "ob:terms")
async def accept_terms(callback: CallbackQuery, services: Services) -> None:
    inc = from_callback(callback)
    await to_callback(callback, services, inc, await services.onboarding.accept_terms(inc))


@router.callback_query(F.data.regexp(r"^app:(ok|no|card):\d+$"))
async def application_action(callback: CallbackQuery, services: Services) -> None:
    inc = from_callback(callback)
    application_id = tail_int(callback.data)
    verb = (callback.data or "").split(":")[1]
    if application_id is None:
        reply = Reply(toast=Toast("err-stale-button"))
    elif verb == "ok":
        reply = await services.onboarding.approve(inc, application_id)
    elif verb == "no":
        reply = await services.onboarding.ask_reject_reason(inc, application_id)
    else:
        reply = await services.onboarding.show_card(inc, application_id)
    await to_callback(callback, services, inc, reply)


@router.callback_query(F.data.regexp(r"^rej:\d+:[a-z]+$"))
async def reject_preset(callback: CallbackQuery, services: Services) -> None:
    inc = from_callback(callback)
    _, application_id, code = (callback.data or "").split(":")
    reply = await services.onboarding.reject_with_preset(inc, int(application_id), code)
    await to_callback(callback, services, inc, reply)
