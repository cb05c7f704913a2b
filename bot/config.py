"""Settings from the environment (and `.env`). Every field is documented in .env.example."""
from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

IdList = Annotated[list[int], NoDecode]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # Telegram
    telegram_bot_token: str = ""
    telegram_api_url: str = "https://api.telegram.org"
    admin_ids: IdList = Field(default_factory=list)
    manager_ids: IdList = Field(default_factory=list)
    support_ids: IdList = Field(default_factory=list)

    # VK
    vk_token: str = ""
    vk_group_id: int = 0
    vk_api_url: str = "https://api.vk.com/method"
    vk_admin_ids: IdList = Field(default_factory=list)
    vk_manager_ids: IdList = Field(default_factory=list)
    vk_support_ids: IdList = Field(default_factory=list)

    # Storage
    database_url: str = "sqlite+aiosqlite:///./data/bot.db"

    # Web
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    public_base_url: str = "http://127.0.0.1:8080"
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["127.0.0.0/8", "::1/128"])

    # Tracking
    offer_url: str = ""
    offer_name: str = "Main offer"
    postback_secret: str = ""
    postback_ip_allowlist: Annotated[list[str], NoDecode] = Field(default_factory=list)
    ip_hash_secret: str = "change-me"
    fraud_min_seconds: int = 10
    click_flood_per_hour: int = 30
    tier_gold_threshold: Decimal = Decimal("100000")
    tier_platinum_threshold: Decimal = Decimal("500000")

    # Support
    support_chat_id: int = 0
    support_sla_minutes: int = 60
    support_messages_per_minute: int = 12

    # Program
    default_locale: str = "ru"
    auto_approve: bool = False
    outbox_poll_seconds: float = 1.0
    log_level: str = "INFO"

    @field_validator(
        "admin_ids", "manager_ids", "support_ids", "vk_admin_ids", "vk_manager_ids", "vk_support_ids",
        mode="before",
    )
    @classmethod
    def _split_ids(cls, value: object) -> object:
        # "1, 2,3" in env; a list when built in code.
        if isinstance(value, str):
            return [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("postback_ip_allowlist", "trusted_proxies", mode="before")
    @classmethod
    def _split_ips(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in ("ru", "en"):
            raise ValueError("DEFAULT_LOCALE must be ru or en")
        return value

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_bot_token)

    @property
    def vk_enabled(self) -> bool:
        return bool(self.vk_token and self.vk_group_id)

    def staff_seed(self) -> list[tuple[str, str, str]]:
        """(messenger, external user id, role) triples to seed staff_roles with."""
        seed: list[tuple[str, str, str]] = []
        for messenger, role, ids in (
            ("telegram", "admin", self.admin_ids),
            ("telegram", "manager", self.manager_ids),
            ("telegram", "support", self.support_ids),
            ("vk", "admin", self.vk_admin_ids),
            ("vk", "manager", self.vk_manager_ids),
            ("vk", "support", self.vk_support_ids),
        ):
            seed.extend((messenger, str(user_id), role) for user_id in ids)
        return seed
