"""What a contest is made of, as plain values: its states, metrics, period and prizes, and how managers type them.

Periods are typed in the program's time zone (PROGRAM_TIMEZONE) and stored in UTC, start inclusive and end
exclusive: a date alone means the day's start for the start and the whole day for the end, so
"2026-02-01 2026-02-28" is all of February on the program's wall clock, DST shifts included.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from services.kernel.money import format_money
from services.kernel.validation import Invalid

DRAFT, ANNOUNCED, RUNNING, FINISHED, SETTLED, AWARDED = "draft", "announced", "running", "finished", "settled", \
    "awarded"
STATUSES = (DRAFT, ANNOUNCED, RUNNING, FINISHED, SETTLED, AWARDED)
VISIBLE = (ANNOUNCED, RUNNING, FINISHED, SETTLED, AWARDED)  # what partners may see (never drafts)
METRICS = ("conversions", "revenue", "clicks", "subpartners")
BONUS = "bonus"  # ledger kind of prize money (shared with milestone bonuses)
MAX_PLACES = 10
MAX_DAYS = 366
TOP = 10  # places a leaderboard lists

_MOMENT = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2}))?")
_MONEY = re.compile(r"^(\d[\d\s]{0,12}(?:[.,]\d{1,2})?)\s*([A-Za-z]{3})$")
_PRIZE_LINE = re.compile(r"^\s*(\d{1,2})\s*[:.)\-]?\s+(.+?)\s*$")


@dataclass(frozen=True)
class Prize:
    place: int
    amount: Decimal | None = None  # money credited to the balance…
    currency: str | None = None
    text: str | None = None  # …or a prize described in words

    def to_dict(self) -> dict[str, Any]:
        if self.amount is not None:
            return {"place": self.place, "amount": str(self.amount), "currency": self.currency}
        return {"place": self.place, "text": self.text}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Prize:
        if data.get("amount") is not None:
            return cls(int(data["place"]), Decimal(str(data["amount"])), str(data["currency"]))
        return cls(int(data["place"]), text=str(data.get("text") or ""))


def prizes_of(stored: list[dict[str, Any]]) -> list[Prize]:
    return sorted((Prize.from_dict(p) for p in stored), key=lambda p: p.place)


def local_moment(day: date, at: time, zone: ZoneInfo) -> datetime:
    """A wall-clock moment in `zone` as aware UTC (the earlier of a repeated hour; a skipped one moves on)."""
    return datetime.combine(day, at).replace(tzinfo=zone).astimezone(UTC)


def parse_period(text: str, zone_name: str) -> list[str]:
    """"2026-02-01 2026-02-28" or "2026-02-01 10:00 2026-02-03 18:00" → [start, end] as ISO UTC strings."""
    found = _MOMENT.findall(text or "")
    if len(found) != 2:
        raise Invalid("cta-err-period")
    zone = ZoneInfo(zone_name)
    moments = []
    for index, (y, m, d, hh, mm) in enumerate(found):
        try:
            day = date(int(y), int(m), int(d))
            at = time(int(hh), int(mm)) if hh else time(0, 0)
        except ValueError:
            raise Invalid("cta-err-period") from None
        if not hh and index == 1:  # an end date alone: through the end of that day
            day += timedelta(days=1)
        moments.append(local_moment(day, at, zone))
    start, end = moments
    if end <= start or end - start > timedelta(days=MAX_DAYS):
        raise Invalid("cta-err-period-order", {"days": MAX_DAYS})
    return [start.isoformat(), end.isoformat()]


def parse_offers(text: str) -> list[int]:
    """"all" / "все" / "*" → [] (every offer); "3, 5 8" → [3, 5, 8]."""
    raw = (text or "").strip().casefold()
    if raw in ("all", "все", "*", "всё"):
        return []
    parts = [p for p in re.split(r"[\s,;]+", raw) if p]
    if not parts or len(parts) > 20 or not all(re.fullmatch(r"[0-9]{1,9}", p) for p in parts):
        raise Invalid("cta-err-offers")
    return sorted({int(p) for p in parts})


def parse_prizes(text: str) -> list[dict[str, Any]]:
    """One line per place: "1: 5000 RUB" (money to the balance) or "2: Headphones" (described)."""
    prizes: dict[int, Prize] = {}
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        match = _PRIZE_LINE.match(line)
        if match is None or not 1 <= int(match.group(1)) <= MAX_PLACES or int(match.group(1)) in prizes:
            raise Invalid("cta-err-prizes", {"max": MAX_PLACES})
        place, rest = int(match.group(1)), match.group(2)
        money = _MONEY.match(rest)
        if money:
            try:
                amount = Decimal(money.group(1).replace(" ", "").replace(",", "."))
            except InvalidOperation:
                raise Invalid("cta-err-prizes", {"max": MAX_PLACES}) from None
            if not Decimal("0") < amount <= Decimal("100000000"):
                raise Invalid("cta-err-prizes", {"max": MAX_PLACES})
            prizes[place] = Prize(place, amount, money.group(2).upper())
        elif len(rest) <= 200:
            prizes[place] = Prize(place, text=rest)
        else:
            raise Invalid("cta-err-prizes", {"max": MAX_PLACES})
    if not prizes or sorted(prizes) != list(range(1, len(prizes) + 1)):
        raise Invalid("cta-err-prizes", {"max": MAX_PLACES})
    return [prizes[p].to_dict() for p in sorted(prizes)]


def settle_at(ends_at: datetime, settle_hours: int) -> datetime:
    """When late postbacks stop counting and the standings freeze."""
    return ends_at + timedelta(hours=settle_hours)


def prize_text(prize: Prize) -> str:
    """"5 000.00 RUB" or the described prize."""
    if prize.amount is not None:
        return format_money(prize.amount, prize.currency or "")
    return prize.text or ""


def figure_text(contest: Any, value: Decimal) -> str:
    """A standing's figure as shown: money in the contest's currency, or a whole count."""
    if contest.metric == "revenue":
        return format_money(value, contest.currency or "")
    return str(int(value))
