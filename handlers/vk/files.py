"""FileSource for VK attachments: a photo or document a person sent, downloaded from its URL."""
from __future__ import annotations

from vkbottle import API

from services.kernel.dto import Attachment
from services.kernel.ports import DeliveryError

MAX_BYTES = 20 * 1024 * 1024


class VkFiles:
    def __init__(self, api: API) -> None:
        self.api = api

    async def fetch(self, attachment: Attachment) -> tuple[bytes, str]:
        if not attachment.url:
            raise DeliveryError(f"{attachment.ref} has no URL", permanent=True)
        try:
            content = await self.api.http_client.request_content(attachment.url)
        except Exception as exc:  # the client raises its transport's errors as they are
            raise DeliveryError(f"download of {attachment.ref} failed: {exc}") from exc
        if len(content) > MAX_BYTES:
            raise DeliveryError(f"{attachment.ref} is larger than {MAX_BYTES} bytes", permanent=True)
        return content, attachment.name or attachment.url.rsplit("/", 1)[-1].split("?", 1)[0]
