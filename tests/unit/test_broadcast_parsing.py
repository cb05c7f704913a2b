"""What a manager types while composing a broadcast: the button line, the time to send at (in their time zone,
across midnight and DST), the CSV of partner ids — and the typed button actions stay within 64 bytes."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.broadcasts import actions as act
from services.broadcasts.audience import parse_ids
from services.broadcasts.manage import parse_button, parse_when
from services.kernel.validation import Invalid

NOW = datetime(2026, 3, 28, 21, 30, tzinfo=UTC)  # 00:30 on the 29th in Moscow; Berlin moves to CEST at 01:00 UTC


def test_button_line():
    assert parse_button("Купить | https://shop.example.com/x") == ("Купить", "https://shop.example.com/x")
    for bad in ("Купить https://shop.example.com", " | https://shop.example.com", "Go | ftp://x", "x" * 41 + "|https://a.ru"):
        with pytest.raises(Invalid):
            parse_button(bad)


@pytest.mark.parametrize(("text", "tz", "expected"), [
    ("01:00", "Europe/Moscow", datetime(2026, 3, 28, 22, 0, tzinfo=UTC)),  # later tonight
    ("00:15", "Europe/Moscow", datetime(2026, 3, 29, 21, 15, tzinfo=UTC)),  # already past: tomorrow
    ("29.03 09:00", "Europe/Berlin", datetime(2026, 3, 29, 7, 0, tzinfo=UTC)),  # after the DST switch: UTC+2
    ("28.03.2026 23:00", "Europe/Berlin", datetime(2026, 3, 28, 22, 0, tzinfo=UTC)),  # before it: UTC+1
    ("2026-04-01 10:30", "Asia/Vladivostok", datetime(2026, 4, 1, 0, 30, tzinfo=UTC)),
])
def test_time_in_the_managers_zone(text, tz, expected):
    assert parse_when(text, tz, NOW) == expected


@pytest.mark.parametrize("text", ["25:00", "31.02 10:00", "tomorrow", "2026-03-01 10:00", "2026-12-01 10:00"])
def test_bad_or_out_of_range_times(text):
    with pytest.raises(Invalid):
        parse_when(text, "Europe/Moscow", NOW)


def test_csv_ids():
    assert parse_ids(b"\xef\xbb\xbfid;name\r\n12;Ivan\r\n\"7\",x\n12\n") == [12, 7]
    with pytest.raises(Invalid):
        parse_ids(b"name\nIvan\n")


def test_actions_pack_within_telegram_limits():
    biggest = [act.PickValue(10**17, "offer", "a" * 16), act.Control(10**17, "cancel"), act.FailuresCsv(10**17)]
    for action in biggest:
        packed = action.pack()
        assert len(packed.encode()) <= 64 and type(action).parse(packed) == action
