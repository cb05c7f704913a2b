from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from services.kernel import validation

ROOT = Path(__file__).resolve().parents[2]


def test_env_example_documents_every_setting():
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    # A setting best left unset (IP_HASH_SECRET) is documented by a commented-out line.
    documented = set(re.findall(r"^(?:# )?([A-Z][A-Z_]+)=", text, re.M))
    assert documented == {name.upper() for name in Settings.model_fields}
    # Each setting has a comment somewhere above it (no bare, unexplained lines).
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if re.match(r"^[A-Z_]+=", line):
            above = [l for l in lines[:index] if l.strip()]
            assert above and (above[-1].startswith("#") or re.match(r"^[A-Z_]+=", above[-1])), line


def test_id_lists_parse_from_env(monkeypatch):
    monkeypatch.setenv("ADMIN_IDS", "1, 2,3")
    monkeypatch.setenv("VK_ADMIN_IDS", "77")
    monkeypatch.setenv("MANAGER_IDS", "")
    settings = Settings(_env_file=None)
    assert settings.admin_ids == [1, 2, 3] and settings.vk_admin_ids == [77] and settings.manager_ids == []
    assert ("vk", "77", "admin") in settings.staff_seed()


def test_defaults_run_without_tokens():
    settings = Settings(_env_file=None)
    assert not settings.telegram_enabled and not settings.vk_enabled
    assert settings.database_url.startswith("sqlite+aiosqlite")


# ---- every setting is checked before anything starts ---------------------------------------------------------

def test_a_bad_setting_exits_2_with_one_line_and_no_traceback(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields}
    env.update(WEB_PORT="eighty", PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "bot"], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [
        "config error: WEB_PORT: Input should be a valid integer, unable to parse string as an integer "
        "(got 'eighty')"]
    assert "Traceback" not in proc.stdout + proc.stderr


@pytest.mark.parametrize(("name", "value", "message"), [
    ("WEB_PORT", "70000", "WEB_PORT: Input should be less than or equal to 65535"),
    ("LOG_LEVEL", "verbose", "LOG_LEVEL: must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ("TRUSTED_PROXIES", "10.0.0.0/8,10.0.0.300", "TRUSTED_PROXIES: '10.0.0.300' is not an IP address or CIDR"),
    ("POSTBACK_IP_ALLOWLIST", "ads.example.com", "POSTBACK_IP_ALLOWLIST: 'ads.example.com' is not an IP"),
    ("OUTBOX_POLL_SECONDS", "0", "OUTBOX_POLL_SECONDS: Input should be greater than 0"),
    ("OUTBOX_POLL_SECONDS", "nan", "OUTBOX_POLL_SECONDS: Input should be a finite number"),
    ("ADMIN_IDS", "12, abc", "ADMIN_IDS: 'abc' is not a user id"),
    ("VK_GROUP_ID", "-5", "VK_GROUP_ID: Input should be greater than or equal to 0"),
    ("OFFER_URL", "ftp://files.example.com/x", "OFFER_URL: 'ftp://files.example.com/x' is not an http(s) URL"),
    ("OFFER_URL", "https://[x]/", "OFFER_URL: 'https://[x]/' is not an http(s) URL"),
    ("PUBLIC_BASE_URL", "partners.example.com", "PUBLIC_BASE_URL: 'partners.example.com' is not an http(s)"),
    ("DATABASE_URL", "mysql://bot@db/bot", "DATABASE_URL: driver 'mysql' is not supported"),
    ("DEFAULT_LOCALE", "de", "DEFAULT_LOCALE: must be ru or en"),
    ("TIER_GOLD_THRESHOLD", "900000", "TIER_GOLD_THRESHOLD: must not exceed TIER_PLATINUM_THRESHOLD"),
    ("TELEGRAM_BOT_TOKEN", "not a token", "TELEGRAM_BOT_TOKEN: is not a bot token"),
    ("IP_HASH_SECRET", "change-me", "IP_HASH_SECRET: is a publicly known value"),
    ("IP_HASH_SECRET", "paste-64-random-hex-characters-here", "IP_HASH_SECRET: is a publicly known value"),
    ("IP_HASH_SECRET", "", "IP_HASH_SECRET: is empty"),
    ("IP_HASH_SECRET", "short-but-random-7f3a", "IP_HASH_SECRET: is too weak"),
    ("IP_HASH_SECRET", "ab" * 20, "IP_HASH_SECRET: is too weak"),
    ("PROGRAM_TIMEZONE", "Mars/Olympus", "PROGRAM_TIMEZONE: 'Mars/Olympus' is not an IANA time zone"),
])
def test_bad_settings_name_the_variable_and_what_is_wrong(monkeypatch, capsys, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as exited:
        load_settings(_env_file=None)
    assert exited.value.code == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("config error: ") and message in line, line
    if name in ("IP_HASH_SECRET", "TELEGRAM_BOT_TOKEN") and value:
        assert value not in line  # secrets are never echoed


def test_operator_values_that_are_fine(monkeypatch):
    strong = secrets.token_hex(32)
    for name, value in {"LOG_LEVEL": "debug", "OFFER_URL": "http://127.0.0.1:9000/landing",
                        "PUBLIC_BASE_URL": "http://localhost:8080",
                        "TRUSTED_PROXIES": "10.0.0.0/8, 2001:db8::/32,192.0.2.1",
                        "POSTBACK_IP_ALLOWLIST": "198.51.100.7", "IP_HASH_SECRET": strong,
                        "DATABASE_URL": "postgresql+asyncpg://bot:pw@db/bot"}.items():
        monkeypatch.setenv(name, value)
    settings = load_settings(_env_file=None)
    assert settings.log_level == "DEBUG" and settings.offer_url == "http://127.0.0.1:9000/landing"
    assert settings.trusted_proxies == ["10.0.0.0/8", "2001:db8::/32", "192.0.2.1"]
    assert settings.ip_hash_secret == strong


def test_ip_hash_secret_unset_means_generated():
    assert Settings(_env_file=None).ip_hash_secret is None


def test_operator_urls_may_use_an_ip_or_localhost_but_partner_urls_may_not():
    for url in ("http://127.0.0.1:9000/landing", "https://[2001:db8::1]/x", "http://localhost/"):
        assert validation.operator_url(url) == url
        with pytest.raises(validation.Invalid):
            validation.http_url(url)
    for bad in ("https://[x]/", "http://host.example.com:99999/", "javascript:alert(1)", "http:///x"):
        with pytest.raises(validation.Invalid):
            validation.operator_url(bad)
