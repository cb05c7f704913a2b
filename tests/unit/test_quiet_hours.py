"""Quiet hours: windows across midnight, time zones, DST, and the outbox rows they hold back."""
from datetime import datetime, timezone

import pytest

from services.partners.quiet import deliver_at, format_hhmm, parse_hhmm, quiet_until

UTC = timezone.utc


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize("text,minutes", [("22:30", 1350), ("7", 420), ("07.05", 425), ("0:00", 0),
                                          ("24:00", None), ("7:60", None), ("seven", None), ("", None)])
def test_parse(text, minutes):
    assert parse_hhmm(text) == minutes


def test_format():
    assert format_hhmm(1350) == "22:30" and format_hhmm(5) == "00:05"


def test_window_across_midnight_in_partner_zone():
    moscow = "Europe/Moscow"  # UTC+3
    # 23:30 Moscow → quiet until 08:00 Moscow next day = 05:00 UTC
    assert quiet_until(at(2026, 12, 2, 20, 30), moscow, 22 * 60, 8 * 60) == at(2026, 12, 3, 5, 0)
    # 02:00 Moscow (23:00 UTC the day before) → until 08:00 the same Moscow day
    assert quiet_until(at(2026, 12, 1, 23, 0), moscow, 22 * 60, 8 * 60) == at(2026, 12, 2, 5, 0)
    # 08:00 sharp is no longer quiet; 21:59 is not yet quiet
    assert quiet_until(at(2026, 12, 2, 5, 0), moscow, 22 * 60, 8 * 60) is None
    assert quiet_until(at(2026, 12, 2, 18, 59), moscow, 22 * 60, 8 * 60) is None


def test_same_day_window_and_no_window():
    assert quiet_until(at(2026, 12, 2, 12, 0), "UTC", 9 * 60, 18 * 60) == at(2026, 12, 2, 18, 0)
    assert quiet_until(at(2026, 12, 2, 12, 0), "UTC", None, None) is None
    assert quiet_until(at(2026, 12, 2, 12, 0), "UTC", 600, 600) is None
    assert deliver_at(at(2026, 12, 2, 12, 0), "UTC", None, None) == at(2026, 12, 2, 12, 0)


def test_same_instant_different_zones():
    now = at(2026, 12, 2, 23, 0)  # 23:00 in London, 08:00 next day in Tokyo
    assert quiet_until(now, "Europe/London", 22 * 60, 7 * 60) == at(2026, 12, 3, 7, 0)
    assert quiet_until(now, "Asia/Tokyo", 22 * 60, 7 * 60) is None


def test_dst_spring_forward_end_moves_with_the_wall_clock():
    # Berlin 2026-03-29: 02:00 → 03:00. Window 23:00–02:30 ends at a wall time that does not exist that night;
    # the message goes out at the first real moment after it, never before the window's start of day.
    ends = quiet_until(at(2026, 3, 28, 23, 0), "Europe/Berlin", 23 * 60, 2 * 60 + 30)
    assert at(2026, 3, 29, 0, 30) <= ends <= at(2026, 3, 29, 1, 30)
