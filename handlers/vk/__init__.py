"""VK adapter: one labeler module per feature (same module names as handlers/telegram), catch-alls last."""
from __future__ import annotations

from vkbottle import API
from vkbottle.bot import BotLabeler

from handlers.vk import admin, common, dashboard, faq, links, onboarding, settings, stats, support
from services.app import Services

# Order matters: vkbottle tries handlers in registration order; the catch-all `common` goes last.
FEATURE_MODULES = (onboarding, settings, links, stats, admin, support, faq, dashboard)


def build_labeler(services: Services, api: API, labeler: BotLabeler | None = None) -> BotLabeler:
    labeler = labeler or BotLabeler()
    for module in (*FEATURE_MODULES, common):
        module.register(labeler, services, api)
    return labeler
