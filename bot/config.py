"""Settings from the environment (and `.env`). Every field is documented in .env.example.

Every value is checked here, before anything starts: load_settings() turns a bad one into a single line naming
the variable and what is wrong (exit code 2), never a traceback from deep inside the start."""
from __future__ import annotations

import ipaddress
import sys
from decimal import Decimal
from typing import Annotated

from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from services.kernel.validation import Invalid, operator_url

IdList = Annotated[list[int], NoDecode]
NetList = Annotated[list[str], NoDecode]

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")
# IP_HASH_SECRET values that are public knowledge: with one of them every stored IPv4 hash is reversed by trying
# all 2^32 addresses. The first is the old default, the last the placeholder in .env.example.
WEAK_SECRETS = frozenset({"change-me", "changeme", "secret", "paste-64-random-hex-characters-here"})
SECRET_MIN_LENGTH = 32
# Values never echoed in an error line.
SECRET_FIELDS = frozenset({"telegram_bot_token", "vk_token", "postback_secret", "ip_hash_secret", "database_url",
                           "redis_url", "telegram_webhook_secret", "vk_callback_secret", "vk_callback_confirmation",
                           "payout_details_key"})


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
    vk_group_id: int = Field(0, ge=0)
    vk_api_url: str = "https://api.vk.com/method"
    vk_admin_ids: IdList = Field(default_factory=list)
    vk_manager_ids: IdList = Field(default_factory=list)
    vk_support_ids: IdList = Field(default_factory=list)

    # Storage
    database_url: str = "sqlite+aiosqlite:///./data/bot.db"

    # Web
    web_host: str = Field("127.0.0.1", min_length=1)
    web_port: int = Field(8080, ge=1, le=65535)
    public_base_url: str = "http://127.0.0.1:8080"
    trusted_proxies: NetList = Field(default_factory=lambda: ["127.0.0.0/8", "::1/128"])
    dashboard_secret: str = ""

    # Tracking
    offer_url: str = ""
    offer_name: str = Field("Main offer", min_length=1, max_length=128)
    postback_secret: str = ""
    postback_ip_allowlist: NetList = Field(default_factory=list)
    postback_max_age_seconds: int = Field(0, ge=0)
    postback_log_days: int = Field(90, ge=0)
    ip_hash_secret: str | None = None  # unset: generated at first start and kept in the database
    fraud_min_seconds: int = Field(10, ge=0)
    click_flood_per_hour: int = Field(30, ge=1)
    click_flood_cap_factor: int = Field(10, ge=0)
    tier_gold_threshold: Decimal = Field(Decimal("100000"), ge=0, allow_inf_nan=False)
    tier_platinum_threshold: Decimal = Field(Decimal("500000"), ge=0, allow_inf_nan=False)
    tier_currency: str = "RUB"
    tier_gold_foreign_thresholds: Annotated[dict[str, Decimal], NoDecode] = Field(default_factory=dict)
    tier_platinum_foreign_thresholds: Annotated[dict[str, Decimal], NoDecode] = Field(default_factory=dict)

    # Payouts
    payout_details_key: str | None = None  # unset: generated at first start and kept in the database
    min_payout: Annotated[dict[str, Decimal], NoDecode] = Field(
        default_factory=lambda: {"RUB": Decimal("1000"), "USD": Decimal("20"), "EUR": Decimal("20")})
    payout_schedule: str = ""
    # The program's calendar (IANA zone): monthly bonus plans and contests follow its months and days
    program_timezone: str = "Europe/Moscow"
    bonus_hold_days: int = Field(30, ge=0, le=365)  # program-wide bonus steps; an offer's step holds like its offer
    # Manual adjustments: |amount| a manager may apply without an admin, per currency (admins change it in the bot)
    adjustment_manager_limit: Annotated[dict[str, Decimal], NoDecode] = Field(
        default_factory=lambda: {"RUB": Decimal("5000"), "USD": Decimal("100"), "EUR": Decimal("100")})

    # Support
    support_chat_id: int = 0
    support_sla_minutes: int = Field(60, ge=1)
    support_messages_per_minute: int = Field(12, ge=0)

    # Production: several processes, webhooks
    redis_url: str = ""  # empty: one process keeps locks, limits and signals in memory
    web_workers: int = Field(1, ge=1, le=64)
    telegram_webhook_url: str = ""  # empty: long polling
    telegram_webhook_secret: str = ""
    vk_callback_url: str = ""  # empty: Bots Long Poll
    vk_callback_secret: str = ""
    vk_callback_confirmation: str = ""

    # Stats
    stats_rollup_delay_minutes: int = Field(default=5, ge=1)
    stats_alert_hours: int = Field(default=6, ge=1, le=72)
    stats_alert_drop_percent: int = Field(default=70, ge=1, le=100)
    stats_alert_min_clicks: int = Field(default=30, ge=1)
    stats_alert_min_conversions: int = Field(default=3, ge=1)

    # Program
    default_locale: str = "ru"
    auto_approve: bool = False
    outbox_poll_seconds: float = Field(1.0, gt=0, allow_inf_nan=False)
    log_level: str = "INFO"

    @field_validator(
        "admin_ids", "manager_ids", "support_ids", "vk_admin_ids", "vk_manager_ids", "vk_support_ids",
        mode="before",
    )
    @classmethod
    def _split_ids(cls, value: object) -> object:
        # "1, 2,3" in env; a list when built in code.
        if isinstance(value, str):
            parts = [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
            bad = [part for part in parts if not part.isascii() or not part.isdigit()]
            if bad:
                raise ValueError(f"{bad[0]!r} is not a user id; expected positive numbers separated by commas")
            return [int(part) for part in parts]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("postback_ip_allowlist", "trusted_proxies", mode="before")
    @classmethod
    def _split_ips(cls, value: object) -> object:
        parts = [part.strip() for part in value.split(",") if part.strip()] if isinstance(value, str) else value
        for part in parts if isinstance(parts, list) else ():
            try:
                ipaddress.ip_network(str(part), strict=False)
            except ValueError:
                raise ValueError(f"{part!r} is not an IP address or CIDR network (like 10.0.0.0/8)") from None
        return parts

    @field_validator("telegram_api_url", "vk_api_url", "public_base_url", "offer_url", "telegram_webhook_url",
                     "vk_callback_url")
    @classmethod
    def _url(cls, value: str, info: ValidationInfo) -> str:
        if value == "" and info.field_name in ("offer_url", "telegram_webhook_url", "vk_callback_url"):
            return value  # optional
        try:
            return operator_url(value)
        except Invalid:
            raise ValueError(f"{value[:80]!r} is not an http(s) URL with a host name or IP address") from None

    @field_validator("telegram_bot_token")
    @classmethod
    def _telegram_token(cls, value: str) -> str:
        left, _, right = value.partition(":")
        if value and not (left.isascii() and left.isdigit() and right and right.isascii() and right.isprintable()
                          and " " not in right):
            raise ValueError("is not a bot token from @BotFather (<digits>:<characters>)")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        try:
            driver = make_url(value).drivername
        except ArgumentError:
            raise ValueError("is not a database URL") from None
        if driver not in DRIVERS:
            raise ValueError(f"driver {driver!r} is not supported; use one of: {', '.join(DRIVERS)}")
        return value

    @field_validator("ip_hash_secret")
    @classmethod
    def _strong_secret(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.strip():
            raise ValueError("is empty; remove the line to have a random key generated and kept in the database, "
                             f"or set at least {SECRET_MIN_LENGTH} random characters")
        if value.strip().lower() in WEAK_SECRETS:
            raise ValueError("is a publicly known value; remove the line (a random key is generated) or set your "
                             "own: python -c 'import secrets; print(secrets.token_hex(32))'")
        if len(value) < SECRET_MIN_LENGTH or len(set(value)) < 10:
            raise ValueError(f"is too weak: at least {SECRET_MIN_LENGTH} random characters "
                             "(python -c 'import secrets; print(secrets.token_hex(32))'), or remove the line")
        return value

    @field_validator("payout_details_key")
    @classmethod
    def _strong_payout_key(cls, value: str | None) -> str | None:
        if value is not None and (len(value) < SECRET_MIN_LENGTH or len(set(value)) < 10
                                  or value.strip().lower() in WEAK_SECRETS):
            raise ValueError(f"is too weak: at least {SECRET_MIN_LENGTH} random characters "
                             "(python -c 'import secrets; print(secrets.token_hex(32))'), or remove the line")
        return value

    @field_validator("min_payout", "adjustment_manager_limit", mode="before")
    @classmethod
    def _min_payout(cls, value: object) -> object:
        # "RUB:1000, USD:20" in env; a dict when built in code.
        if not isinstance(value, str):
            return value
        minimums: dict[str, Decimal] = {}
        for part in (p.strip() for p in value.split(",") if p.strip()):
            currency, _, amount = part.partition(":")
            try:
                number = Decimal(amount.strip())
            except ArithmeticError:
                number = Decimal("NaN")
            currency = currency.strip().upper()
            if not (len(currency) == 3 and currency.isascii() and currency.isalpha()) or not number.is_finite() \
                    or number <= 0 or number.as_tuple().exponent < -2:  # type: ignore[operator]
                raise ValueError(f"{part!r} is not CURRENCY:AMOUNT (like RUB:1000, a positive amount in cents)")
            minimums[currency] = number
        return minimums

    @field_validator("payout_schedule")
    @classmethod
    def _payout_schedule(cls, value: str) -> str:
        from services.payouts.schedule import parse_schedule

        parse_schedule(value)  # ValueError says what is wrong
        return value.strip().lower()

    @field_validator("program_timezone")
    @classmethod
    def _program_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value.strip())
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone (like Europe/Moscow or UTC)") from None
        return value.strip()

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str) -> str:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("is not a Redis URL (redis://host:6379/0, rediss://… or unix://…)")
        return value

    @field_validator("telegram_webhook_secret", "vk_callback_secret")
    @classmethod
    def _webhook_secret(cls, value: str) -> str:
        # Telegram allows 1–256 of A–Z a–z 0–9 _ -; the same rule keeps VK's secret safe to paste anywhere.
        if value and (len(value) < 16 or len(value) > 256 or not all(c.isascii() and (c.isalnum() or c in "_-")
                                                                     for c in value)):
            raise ValueError("must be 16–256 characters of A–Z, a–z, 0–9, _ and -")
        return value

    @field_validator("tier_gold_foreign_thresholds", "tier_platinum_foreign_thresholds", mode="before")
    @classmethod
    def _split_thresholds(cls, value: object) -> object:
        # "USD:1100, EUR:1000" in env; a dict when built in code.
        if not isinstance(value, str):
            return value
        thresholds = {}
        for part in filter(str.strip, value.split(",")):
            currency, _, amount = (piece.strip() for piece in part.partition(":"))
            try:
                number = Decimal(amount)
            except ArithmeticError:
                number = Decimal("NaN")
            if not (len(currency) == 3 and currency.isascii() and currency.isalpha()) or not number.is_finite() \
                    or number < 0:
                raise ValueError(f"{part.strip()[:40]!r} is not CUR:amount; write e.g. USD:1100,EUR:1000")
            thresholds[currency.upper()] = number
        return thresholds

    @field_validator("tier_currency")
    @classmethod
    def _currency_code(cls, value: str) -> str:
        if not (len(value) == 3 and value.isascii() and value.isalpha()):
            raise ValueError("is not a three-letter currency code such as RUB")
        return value.upper()

    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in ("ru", "en"):
            raise ValueError("must be ru or en")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level(cls, value: object) -> object:
        level = str(value).strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)} (any case)")
        return level

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if self.tier_gold_threshold > self.tier_platinum_threshold:
            raise ValueError("TIER_GOLD_THRESHOLD: must not exceed TIER_PLATINUM_THRESHOLD")
        if self.vk_token and not self.vk_group_id:
            raise ValueError("VK_GROUP_ID: must be set (the community id) when VK_TOKEN is")
        if self.telegram_webhook_url and not self.telegram_webhook_secret:
            raise ValueError("TELEGRAM_WEBHOOK_SECRET: must be set when TELEGRAM_WEBHOOK_URL is")
        if self.vk_callback_url and not (self.vk_callback_secret and self.vk_callback_confirmation):
            raise ValueError("VK_CALLBACK_SECRET: must be set, with VK_CALLBACK_CONFIRMATION, when VK_CALLBACK_URL is")
        if self.web_workers > 1 and not self.database_url.startswith("postgresql"):
            raise ValueError("WEB_WORKERS: more than 1 needs PostgreSQL (DATABASE_URL=postgresql+asyncpg://…)")
        if self.web_workers > 1 and not self.redis_url:
            raise ValueError("WEB_WORKERS: more than 1 needs REDIS_URL (locks and limits shared by the workers)")
        return self

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


def describe(error: ValidationError) -> str:
    """One line for all that is wrong: "WEB_PORT: Input should be … (got '70000'); LOG_LEVEL: …"."""
    problems = []
    for item in error.errors():
        message = item["msg"].removeprefix("Value error, ")
        field = str(item["loc"][0]) if item["loc"] else ""
        if not field:  # a model-level check names its variable itself
            problems.append(message)
            continue
        got = "" if field in SECRET_FIELDS or isinstance(item["input"], (dict, list)) else \
            f" (got {str(item['input'])[:80]!r})"
        problems.append(f"{field.upper()}: {message}{got}")
    return "; ".join(problems)


def load_settings(**overrides: object) -> Settings:
    """Settings, or exit code 2 with one line on stderr naming each bad variable (no traceback)."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        print(f"config error: {describe(exc)}", file=sys.stderr)
        raise SystemExit(2) from None
