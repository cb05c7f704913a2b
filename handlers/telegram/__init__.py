"""Telegram adapter: a fresh Router tree per Dispatcher, built from the route table; catch-alls last."""
from __future__ import annotations

from aiogram import Router

from handlers.telegram import common, features, staff_chat
from services.app import Services


def get_router(services: Services) -> Router:
    root = Router(name="root")
    for feature in services.features:
        root.include_router(features.get_router(feature, services))
    root.include_router(staff_chat.get_router(services))  # groups: after the commands answered there (/tickets)
    root.include_router(common.get_router(services))
    return root
