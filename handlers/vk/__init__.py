"""VK adapter: every Feature of the route table registered generically, catch-alls last."""
from __future__ import annotations

from vkbottle import API
from vkbottle.bot import BotLabeler
from vkbottle.exception_factory import ABCErrorHandler

from handlers.vk import common, features
from handlers.vk.middleware import SerialMessageView, SerialRawEventView
from services.app import Services


def build_labeler(services: Services, api: API, error_handler: ABCErrorHandler | None = None) -> BotLabeler:
    labeler = BotLabeler(message_view=SerialMessageView(services.user_locks, error_handler),
                         raw_event_view=SerialRawEventView(services.user_locks, error_handler))
    # vkbottle tries handlers in registration order
    for feature in services.features:
        features.register(labeler, feature, services, api)
    common.register(labeler, services, api)
    return labeler
