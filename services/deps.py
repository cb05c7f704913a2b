"""What every use case needs, bundled once by the composition root."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from services.db.uow import UnitOfWork
from services.ports import Clock, SystemClock


@dataclass(frozen=True)
class ProgramConfig:
    default_locale: str = "ru"
    auto_approve: bool = False
    public_base_url: str = "http://127.0.0.1:8080"
    telegram_bot_username: str = ""
    vk_group_id: int = 0


@dataclass
class Deps:
    uow: Callable[[], UnitOfWork]
    clock: Clock = field(default_factory=SystemClock)
    config: ProgramConfig = field(default_factory=ProgramConfig)
    # Called after a commit that wrote outbox rows, so delivery starts now instead of at the next poll.
    wake_outbox: Callable[[], None] = lambda: None
