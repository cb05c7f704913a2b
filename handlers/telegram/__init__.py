"""Telegram adapter: one Router per feature (same module names as handlers/vk), catch-alls last."""
from __future__ import annotations

from aiogram import Router

from handlers.telegram import admin, common, dashboard, faq, links, onboarding, settings, stats, support

# Order matters: specific routers first, the catch-all `common` router last.
FEATURE_ROUTERS = (onboarding.router, settings.router, links.router, stats.router, admin.router, support.router,
                   faq.router, dashboard.router)


def build_router() -> Router:
    root = Router(name="root")
    for router in (*FEATURE_ROUTERS, common.router):
        # Routers are module singletons; a fresh root per Dispatcher needs them detached first (tests build many).
        router._parent_router = None  # noqa: SLF001
        root.include_router(router)
    return root
