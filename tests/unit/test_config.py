from __future__ import annotations

import re
from pathlib import Path

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_env_example_documents_every_setting():
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^([A-Z_]+)=", text, re.M))
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
