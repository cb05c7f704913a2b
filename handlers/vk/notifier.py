"""VK implementation of services' Notifier port (used by the outbox dispatcher)."""
from __future__ import annotations

import logging
from collections.abc import Mapping

from vkbottle import API, DocMessagesUploader, PhotoMessageUploader
from vkbottle.exception_factory import VKAPIError

from handlers.vk.render import keyboard, send_screen
from services.kernel.dto import Screen
from services.kernel.i18n import Translator
from services.kernel.ports import Delivered, DeliveryError, FileSource

log = logging.getLogger(__name__)

RETRY_CODES = {1, 6, 9, 10}  # unknown, too many requests per second, flood control, internal server error
# no permission / bad request (100, 911 keyboard, 914 too long: resending cannot fix them) / user blocked us /
# messages disallowed / privacy
PERMANENT_CODES = {7, 100, 911, 914, 900, 901, 902, 936}


class VkNotifier:
    messenger = "vk"

    def __init__(self, api: API, translator: Translator, files: Mapping[str, FileSource] | None = None) -> None:
        self.api = api
        self.t = translator
        self.files = dict(files or {})  # messenger → FileSource, for attachments from other messengers

    async def _attachment(self, peer_id: int, screen: Screen) -> str | None:
        parts = []
        for item in screen.attachments:
            if item.origin == "vk":
                parts.append(item.ref)  # already a VK attachment id (photo<owner>_<id>_<key>)
                continue
            source = self.files.get(item.origin)
            if source is None:
                raise DeliveryError(f"no way to fetch {item.origin} files", permanent=True)
            try:
                content, name = await source.fetch(item)
                if item.kind == "photo":
                    parts.append(await PhotoMessageUploader(self.api).upload(file_source=content, peer_id=peer_id))
                else:
                    parts.append(await DocMessagesUploader(self.api).upload(title=name, file_source=content,
                                                                            peer_id=peer_id))
            except (VKAPIError, DeliveryError) as exc:
                # A file that can never pass (too big to download, refused by VK's upload server) must not take
                # the message's text down with it; what may pass later (flood control, 5xx) retries the whole send.
                if isinstance(exc, DeliveryError) and not exc.permanent:
                    raise
                if isinstance(exc, VKAPIError) and getattr(exc, "code", None) not in PERMANENT_CODES:
                    raise
                log.warning("attachment %s for %s dropped: %s", item.ref, peer_id, exc)
        return ",".join(parts) or None

    async def send(self, chat_id: str, screen: Screen, locale: str, dedupe_id: int,
                   thread_id: str | None = None) -> Delivered | None:
        try:
            attachment = await self._attachment(int(chat_id), screen) if screen.attachments else None
            # random_id = outbox row id: VK drops a repeat of the same send, so a retry never doubles a message.
            message_id = await send_screen(self.api, int(chat_id), screen, locale, self.t, random_id=dedupe_id,
                                           attachment=attachment)
            return Delivered(str(message_id))  # VK chats have no threads
        except VKAPIError as exc:
            code = getattr(exc, "code", None)
            error = f"[{code}] {exc}"  # the code decides retry vs give up: keep it in the outbox's last_error
            if code in RETRY_CODES:
                raise DeliveryError(error, retry_after=1.0 if code in (6, 9) else None) from exc
            if code in PERMANENT_CODES:
                raise DeliveryError(error, permanent=True) from exc
            raise DeliveryError(error) from exc

    async def edit(self, chat_id: str, ref: str, screen: Screen, locale: str) -> bool:
        try:
            await self.api.messages.edit(peer_id=int(chat_id), message_id=int(ref),
                                         message=self.t(locale, screen.text_key, screen.args),
                                         keyboard=keyboard(screen, locale, self.t))
            return True
        except VKAPIError as exc:
            code = getattr(exc, "code", None)
            if code in (6, 9, 10):
                raise DeliveryError(f"[{code}] {exc}", retry_after=1.0) from exc
            return False  # deleted, too old (VK edits for 24 h): send a new one
