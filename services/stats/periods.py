"""Report periods in the partner's time zone, and the typed forms people use to ask for them.

A Period is a half-open range of aware UTC instants [start, end) whose ends are local midnights of `tz`, so a
"day" is a calendar day where the partner lives (23 or 25 hours across DST changes). Presets are relative to
`now`: "7d" and "30d" end with today and include it.

    parse_period("30d by sub1", "Europe/Moscow", now) -> (Period(…, preset="30d"), "sub1")
    parse_period("2026-11-01 2026-11-15", tz, now)    -> (Period(2026-11-01 00:00 local, 2026-11-16 00:00 local), "day")

Bad input raises PeriodError(key, args): `key` is a locale key whose text explains the forms with examples.
`Period.code` is a compact form of the period for button data ("7d", "20261101-20261115"); parse_period
reads it back.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PRESETS = ("today", "yesterday", "7d", "30d", "month", "lastmonth", "all")
GROUPS = ("day", "link", "offer", "sub1", "sub2", "sub3", "sub4", "sub5")
DEFAULT_PRESET = "7d"
DEFAULT_GROUP = "day"
MAX_DAYS = 366  # typed ranges and "Nd"; the "all" preset is not limited
# Where "all" starts; partner_stats starts its day rows at the partner's first activity instead.
ALL_TIME_START = datetime(2000, 1, 1, tzinfo=UTC)

_PRESET_WORDS = {
    "today": "today", "сегодня": "today",
    "yesterday": "yesterday", "вчера": "yesterday",
    "week": "7d", "неделя": "7d",
    "month": "month", "this month": "month", "месяц": "month", "этот месяц": "month",
    "lastmonth": "lastmonth", "last month": "lastmonth", "прошлый месяц": "lastmonth",
    "all": "all", "all time": "all", "всё": "all", "все": "all", "всё время": "all", "все время": "all",
    "за всё время": "all", "за все время": "all",
}
_GROUP_WORDS = {
    "day": "day", "days": "day", "день": "day", "дням": "day", "дни": "day",
    "link": "link", "links": "link", "ссылка": "link", "ссылкам": "link", "ссылки": "link",
    "offer": "offer", "offers": "offer", "оффер": "offer", "офферам": "offer", "офферы": "offer",
    **{f"sub{n}": f"sub{n}" for n in range(1, 6)},
}
_BY_WORDS = ("by", "по", "group")
_DAYS = re.compile(r"(\d{1,4})\s*(?:d|days?|д|дн|дня|дней)")
_ISO = r"\d{4}-\d{1,2}-\d{1,2}"
_DOTTED = r"\d{1,2}\.\d{1,2}\.\d{4}"
_DATE = rf"(?:{_ISO}|{_DOTTED})"
_RANGE = re.compile(rf"({_DATE})(?:\s*(?:\.\.|–|—|-|to|по|\s)\s*({_DATE}))?")
_CODE = re.compile(r"(\d{8})-(\d{8})")


class PeriodError(ValueError):
    """Bad period text: `key` names the locale message (with examples) and `args` its variables."""

    def __init__(self, key: str, args: dict[str, Any] | None = None) -> None:
        super().__init__(key)
        self.key = key
        self._args = dict(args or {})

    @property  # type: ignore[override]
    def args(self) -> dict[str, Any]:  # BaseException.args would turn a dict into a tuple of its keys
        return self._args


@dataclass(frozen=True)
class Period:
    start: datetime  # aware UTC, inclusive: a local midnight of tz
    end: datetime  # aware UTC, exclusive: a local midnight of tz
    tz: str  # IANA name the days are counted in
    preset: str | None = None  # one of PRESETS or another "<N>d" (relative to now); None for typed dates

    @property
    def zone(self) -> ZoneInfo:
        return zone_of(self.tz)

    @property
    def first_day(self) -> date:
        return self.start.astimezone(self.zone).date()

    @property
    def last_day(self) -> date:
        """The last local day inside the period (end is exclusive)."""
        return (self.end - timedelta(microseconds=1)).astimezone(self.zone).date()

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def code(self) -> str:
        """Compact form for button data; parse_period reads it back (relative presets stay relative)."""
        if self.preset is not None:
            return self.preset
        return f"{self.first_day:%Y%m%d}-{self.last_day:%Y%m%d}"

    @property
    def label_args(self) -> dict[str, Any]:
        """Locale arguments naming the period: "period" (the preset as a Fluent variant key: today, yesterday,
        last7, last30, month, lastmonth, all; "range" for typed dates and other "<N>d"), "from", "to" (ISO local
        dates), "days" and "tz"."""
        name = {"7d": "last7", "30d": "last30"}.get(self.preset or "", self.preset)
        if name is None or name[0].isdigit():
            name = "range"
        return {"period": name, "from": self.first_day.isoformat(), "to": self.last_day.isoformat(),
                "days": self.days, "tz": self.tz}

    def day_starts(self, since: datetime | None = None) -> list[datetime]:
        """UTC instants of the local midnights starting each day of the period (from the day holding `since`,
        when given), followed by `end`: the day buckets' boundaries."""
        first = self.first_day
        if since is not None and since > self.start:
            first = since.astimezone(self.zone).date()
        bounds = []
        day = first
        while True:
            instant = local_midnight(day, self.zone)
            if instant >= self.end:
                break
            bounds.append(max(instant, self.start))
            day += timedelta(days=1)
        bounds.append(self.end)
        return bounds


def zone_of(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of a local calendar day, in UTC (a midnight skipped by DST maps to the day's start)."""
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def between(first: date, last: date, tz: str, preset: str | None = None) -> Period:
    """Local days first..last inclusive."""
    zone = zone_of(tz)
    return Period(local_midnight(first, zone), local_midnight(last + timedelta(days=1), zone), tz, preset)


def preset_period(preset: str, tz: str, now: datetime) -> Period:
    """One of PRESETS relative to `now` in `tz`."""
    today = now.astimezone(zone_of(tz)).date()
    if preset == "today":
        return between(today, today, tz, preset)
    if preset == "yesterday":
        return between(today - timedelta(days=1), today - timedelta(days=1), tz, preset)
    if preset in ("7d", "30d"):
        return last_days(int(preset[:-1]), tz, now)
    if preset == "month":
        first = today.replace(day=1)
        return between(first, _next_month(first) - timedelta(days=1), tz, preset)
    if preset == "lastmonth":
        first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        return between(first, _next_month(first) - timedelta(days=1), tz, preset)
    if preset == "all":
        zone = zone_of(tz)
        return Period(ALL_TIME_START, local_midnight(today + timedelta(days=1), zone), tz, preset)
    raise PeriodError("stats-err-form", {"text": preset})


def last_days(days: int, tz: str, now: datetime) -> Period:
    """The last `days` local days, today included."""
    if not 1 <= days <= MAX_DAYS:
        raise PeriodError("stats-err-too-long", {"days": days, "max": MAX_DAYS})
    today = now.astimezone(zone_of(tz)).date()
    return between(today - timedelta(days=days - 1), today, tz, f"{days}d")


def parse_period(text: str | None, tz: str, now: datetime) -> tuple[Period, str]:
    """Typed or button period text → (Period, group_by). Empty text: the default preset by day."""
    original = (text or "").strip()
    tokens = original.casefold().replace(",", " ").split()
    group = DEFAULT_GROUP
    for index, token in enumerate(tokens):
        if token not in _BY_WORDS:
            continue
        following = tokens[index + 1:]
        if token == "по" and (not following or following[0] not in _GROUP_WORDS):
            continue  # "2026-11-01 по 2026-11-15": a range, not a grouping
        if len(following) != 1 or following[0] not in _GROUP_WORDS:
            raise PeriodError("stats-err-group", {"group": " ".join(following) or "?"})
        group = _GROUP_WORDS[following[0]]
        tokens = tokens[:index]
        break
    rest = " ".join(tokens)
    return _period(rest, original, tz, now), group


def _period(rest: str, original: str, tz: str, now: datetime) -> Period:
    if not rest:
        return preset_period(DEFAULT_PRESET, tz, now)
    if rest in PRESETS and not rest.endswith("d"):
        return preset_period(rest, tz, now)
    if rest in _PRESET_WORDS:
        return preset_period(_PRESET_WORDS[rest], tz, now)
    if (match := _DAYS.fullmatch(rest)) is not None:
        return last_days(int(match.group(1)), tz, now)
    if (match := _CODE.fullmatch(rest)) is not None:
        first, last = (_date(value, "%Y%m%d") for value in match.groups())
    elif (match := _RANGE.fullmatch(rest)) is not None:
        first = _date(match.group(1))
        last = _date(match.group(2)) if match.group(2) else first
    else:
        raise PeriodError("stats-err-form", {"text": original[:64]})
    if last < first:
        raise PeriodError("stats-err-reversed", {"from": first.isoformat(), "to": last.isoformat()})
    days = (last - first).days + 1
    if days > MAX_DAYS:
        raise PeriodError("stats-err-too-long", {"days": days, "max": MAX_DAYS})
    return between(first, last, tz)


def _date(value: str, fmt: str | None = None) -> date:
    try:
        if fmt is not None:
            return datetime.strptime(value, fmt).date()
        if "." in value:
            return datetime.strptime(value, "%d.%m.%Y").date()
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise PeriodError("stats-err-date", {"date": value}) from None


def _next_month(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)
