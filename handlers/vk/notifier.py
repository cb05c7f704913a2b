"""VK implementation of services' Notifier port (used by the outbox dispatcher)."""
from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from vkbottle import API, DocMessagesUploader, Keyboard, OpenLink, PhotoMessageUploader
from vkbottle.exception_factory import VKAPIError

from handlers.vk.render import keyboard, send_screen
from services.kernel.dto import Screen
from services.kernel.i18n import Translator
from services.kernel.ports import Delivered, DeliveryError, FileSource, Post, PostResult

log = logging.getLogger(__name__)

RETRY_CODES = {1, 6, 9, 10}  # unknown, too many requests per second, flood control, internal server error
# no permission / bad request (100, 911 keyboard, 914 too long: resending cannot fix them) / user blocked us /
# messages disallowed / privacy
PERMANENT_CODES = {7, 100, 911, 914, 900, 901, 902, 936}
# The person cannot be written to at all until they write to us: blacklisted us, never allowed messages, privacy,
# deleted or banned account.
UNREACHABLE_CODES = {7, 900, 901, 902, 18, 936}


class VkNotifier:
    messenger = "vk"
    max_peers = 100  # messages.send takes up to 100 peer_ids

    def __init__(self, api: API, translator: Translator, files: Mapping[str, FileSource] | None = None) -> None:
        self.api = api
        self.t = translator
        self.files = dict(files or {})  # messenger → FileSource, for attachments from other messengers
        self._post_photos: dict[str, str] = {}  # Post.key → the photo uploaded once for every recipient

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

    async def _post_photo(self, post: Post, peer_id: int) -> str | None:
        photo = post.photo
        if photo is None:
            return None
        if photo.origin == "vk":
            return photo.ref
        if post.key not in self._post_photos:
            source = self.files.get(photo.origin)
            if source is None:
                return None  # the text still goes out; the photo cannot travel here
            content, _ = await source.fetch(photo)
            self._post_photos[post.key] = await PhotoMessageUploader(self.api).upload(file_source=content,
                                                                                      peer_id=peer_id)
        return self._post_photos[post.key]

    async def post(self, chat_ids: Sequence[str], post: Post, dedupe_id: int) -> list[PostResult]:
        """One messages.send for up to 100 peers. VK answers per peer (message_id or an error) and drops a repeat
        with the same random_id for the same peer, so `dedupe_id` (one per broadcast) makes a resend after a
        crash harmless however the peers are grouped. Plain text: VK community messages have no entities."""
        peers = [int(c) for c in chat_ids]
        params: dict = {"peer_ids": ",".join(map(str, peers)), "message": post.text, "random_id": dedupe_id}
        if post.button_url and post.button_label:
            params["keyboard"] = Keyboard(inline=True).add(OpenLink(post.button_url, post.button_label[:40])).get_json()
        try:
            attachment = await self._post_photo(post, peers[0])
            if attachment:
                params["attachment"] = attachment
            answer = await self.api.request("messages.send", params)
        except VKAPIError as exc:
            code = getattr(exc, "code", None)
            if code in RETRY_CODES:
                raise DeliveryError(f"[{code}] {exc}", retry_after=1.0 if code in (6, 9) else 2.0) from exc
            error = f"[{code}] {exc}"[:200]
            return [PostResult(str(p), unreachable=code in UNREACHABLE_CODES, error=error) for p in peers]
        items = answer.get("response") if isinstance(answer, dict) else answer
        by_peer = {int(i.get("peer_id", 0)): i for i in items or () if isinstance(i, dict)}
        results = []
        for peer in peers:
            item = by_peer.get(peer)
            if item is None:
                results.append(PostResult(str(peer), error="no answer for this peer"))
            elif item.get("error"):
                code = item["error"].get("code")
                results.append(PostResult(str(peer), unreachable=code in UNREACHABLE_CODES,
                                          error=f"[{code}] {item['error'].get('description', '')}"[:200]))
            else:
                results.append(PostResult(str(peer), ref=str(item.get("message_id") or item.get("conversation_message_id"))))
        return results
