"""VK implementation of services' Notifier port (used by the outbox dispatcher)."""
from __future__ import annotations

from vkbottle import API
from vkbottle.exception_factory import VKAPIError

from handlers.vk.render import send_screen
from services.dto import Screen
from services.i18n import Translator
from services.ports import DeliveryError

RETRY_CODES = {1, 6, 9, 10}  # unknown, too many requests per second, flood control, internal server error
PERMANENT_CODES = {7, 900, 901, 902, 936}  # no permission / user blocked us / messages disallowed / privacy


class VkNotifier:
    messenger = "vk"

    def __init__(self, api: API, translator: Translator) -> None:
        self.api = api
        self.t = translator

    async def send(self, chat_id: str, screen: Screen, locale: str, dedupe_id: int) -> None:
        try:
            # random_id = outbox row id: VK drops a repeat of the same send, so a retry never doubles a message.
            await send_screen(self.api, int(chat_id), screen, locale, self.t, random_id=dedupe_id)
        except VKAPIError as exc:
            code = getattr(exc, "code", None)
            if code in RETRY_CODES:
                raise DeliveryError(str(exc), retry_after=1.0 if code in (6, 9) else None) from exc
            if code in PERMANENT_CODES:
                raise DeliveryError(str(exc), permanent=True) from exc
            raise DeliveryError(str(exc)) from exc
