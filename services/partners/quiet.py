"""Quiet hours: a partner's daily window (in their own time zone) in which no digest, nudge or broadcast reaches
them. Such messages are not dropped: they are delivered when the window ends.

A window is two minute-of-day marks, `start` inclusive and `end` exclusive; start > end wraps midnight
(22:00–08:00), start == end means no window. Times are the partner's wall clock, so a DST shift moves the window
with the partner's day, never the other way round.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

# Outbox kinds held back by quiet hours. Transactional messages (decisions, payouts, support replies, conversion
# notices) always go at once: the partner asked for them or money is involved.
QUIET_KINDS = frozenset({"news", "broadcast", "digest", "nudge", "contest", "partner_of_month"})


def parse_hhmm(text: str) -> int | None:
    """'22:30' / '7' / '07.00' → minutes of the day; None when it is not a time of day."""
    raw = text.strip().replace(".", ":")
    hours, _, minutes = raw.partition(":")
    if not hours.isdigit() or (minutes and not minutes.isdigit()):
        return None
    h, m = int(hours), int(minutes or 0)
    if not (0 <= h <= 23 and 0 <= m <= 59):
        return None
    return h * 60 + m


def format_hhmm(minute_of_day: int) -> str:
    return f"{minute_of_day // 60:02d}:{minute_of_day % 60:02d}"


def _inside(minute: int, start: int, end: int) -> bool:
    if start == end:
        return False
    if start < end:
        return start <= minute < end
    return minute >= start or minute < end  # wraps midnight


def quiet_until(now: datetime, tz_name: str, start: int | None, end: int | None) -> datetime | None:
    """When the quiet window that holds `now` (aware, any zone) ends, in UTC; None when `now` is not quiet."""
    if start is None or end is None or start == end:
        return None
    zone = ZoneInfo(tz_name)
    local = now.astimezone(zone)
    minute = local.hour * 60 + local.minute
    if not _inside(minute, start, end):
        return None
    day = local.date() if minute < end else local.date() + timedelta(days=1)
    wall = datetime.combine(day, time(end // 60, end % 60))
    # fold=0 for a repeated hour; a nonexistent hour (spring forward) normalises forward through UTC.
    ends = wall.replace(tzinfo=zone).astimezone(timezone.utc)
    return max(ends, now.astimezone(timezone.utc))


def deliver_at(now: datetime, tz_name: str, start: int | None, end: int | None) -> datetime:
    """The earliest moment a quiet-hours-bound message may go out: now, or the end of the current window."""
    return quiet_until(now, tz_name, start, end) or now
