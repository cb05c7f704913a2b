"""VK side of the composition root: a vkbottle Bot whose every API call goes through VK_API_URL."""
from __future__ import annotations

import logging

from vkbottle import API, Bot
from vkbottle.exception_factory import ABCErrorHandler
from vkbottle.http import ABCHTTPClient
from vkbottle.polling import BotPolling

from handlers.vk import build_labeler
from services.app import Services


def build_api(token: str, api_url: str, http_client: ABCHTTPClient | None = None) -> API:
    api = API(token, http_client=http_client)
    api.API_URL = api_url.rstrip("/") + "/"  # vkbottle builds URLs as API_URL + method
    return api


def build_vk_bot(token: str, group_id: int, api_url: str, services: Services, *,
                 http_client: ABCHTTPClient | None = None, error_handler: ABCErrorHandler | None = None,
                 wait: int | None = None) -> Bot:
    # vkbottle logs every raw event at DEBUG, message text included — card numbers and wallets people type into
    # the payout details form among them. Its DEBUG lines never reach the log, whatever LOG_LEVEL says.
    logging.getLogger("vkbottle").setLevel(logging.INFO)
    api = build_api(token, api_url, http_client)
    labeler = build_labeler(services, api, error_handler)
    # skip_old_events=False: after a restart, catch up on what partners sent while we were down.
    polling = BotPolling(api, group_id=group_id, wait=wait, skip_old_events=False, error_handler=error_handler)
    return Bot(api=api, polling=polling, labeler=labeler, error_handler=error_handler, skip_old_events=False)
