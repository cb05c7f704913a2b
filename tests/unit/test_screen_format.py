"""Screens stored in outbox rows carry a format version, so a later rename cannot break rows still waiting."""
from __future__ import annotations

import pytest

from services.kernel import dto
from services.kernel.dto import Button, Screen, UnknownScreenFormat


def test_stored_screen_carries_its_format_and_round_trips():
    screen = Screen("conv-notify", {"n": 1}, buttons=((Button("btn-back", "lnk:0"),),))
    data = screen.to_dict()
    assert data["v"] == dto.SCREEN_FORMAT
    assert Screen.from_dict(data) == screen


def test_rows_written_before_versioning_still_load():
    legacy = {"text_key": "conv-notify", "args": {"n": 1}, "buttons": [], "menu": None, "edit": False,
              "attachments": []}
    assert Screen.from_dict(legacy) == Screen("conv-notify", {"n": 1})


def test_a_renamed_locale_key_is_upgraded_on_read(monkeypatch):
    stored = Screen("old-key").to_dict()
    monkeypatch.setitem(dto.RENAMED_TEXT_KEYS, "old-key", "new-key")
    assert Screen.from_dict(stored).text_key == "new-key"


def test_a_row_from_a_newer_version_is_refused_not_misread():
    with pytest.raises(UnknownScreenFormat):
        Screen.from_dict({**Screen("x-y").to_dict(), "v": dto.SCREEN_FORMAT + 1})
