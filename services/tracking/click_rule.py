"""THE unique/flood rule of clicks, defined once: its parameters, the query that reads what the database knows, and
the decision per row. Every click store uses it — the SQLite writer process (services.tracking.sqlite_click_writer)
and the PostgreSQL / generic store (services.tracking.sql_click_store) — so the two cannot drift apart.

Standard library only: the SQLite writer process imports it and nothing heavier.

The rule, for a click of source S (an IPv4 address, or an IPv6 /64: source_of) at time t:
- unique: no click of the same source, link and user agent in (t − 24 h, t], among S's latest UNIQUE_SCAN clicks
  (a visitor behind a busy carrier NAT may count as unique again after that many others; a flooding source cannot
  make each of its clicks scan its whole history); in a batch, an earlier row of the same visitor counts too.
- flood: S already has ≥ flood_limit stored clicks in (t − 1 h, t] → the row gets the "flood" flag.
- cap: S already has ≥ flood_cap stored clicks in (t − 1 h, t] → no row; the click is counted in click_floods
  (per source and hour) instead. flood_cap = flood_limit × CLICK_FLOOD_CAP_FACTOR; 0 turns a check off.
A batch is decided from CHECKS (what earlier batches committed: two bounded scans of ix_clicks_ip_visitor per row)
plus its own earlier rows (decide): the windows are exact per click, and the database stays the truth across
restarts and processes.
"""
from __future__ import annotations

import socket
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import lru_cache

UNIQUE_WINDOW = timedelta(hours=24)
FLOOD_WINDOW = timedelta(hours=1)
UNIQUE_SCAN = 1000
FLAG_FLOOD = "flood"
# The windows are whole hours: the SQLite writer shifts only the hour of a stamp (see _WindowStamps there).
assert UNIQUE_WINDOW % timedelta(hours=1) == FLOOD_WINDOW % timedelta(hours=1) == timedelta(0)


def flood_limits(per_hour: int, cap_factor: int) -> tuple[int, int]:
    """(flood_limit, flood_cap) of a click from CLICK_FLOOD_PER_HOUR and CLICK_FLOOD_CAP_FACTOR (0: no cap)."""
    return per_hour, per_hour * cap_factor


def source_of(ip: str) -> str:
    """The source an address counts as (for these checks and postback rate limits): an IPv4 address itself; for
    IPv6 its /64, the block one subscriber is given, who can walk through 2^64 addresses in it. Takes the
    normalised text visitors.client_ip() returns."""
    return _v6_source(ip) if ":" in ip else ip


@lru_cache(maxsize=8192)
def _v6_source(ip: str) -> str:
    try:
        packed = socket.inet_pton(socket.AF_INET6, ip)
    except OSError:
        return ip
    return socket.inet_ntop(socket.AF_INET6, packed[:8] + bytes(8)) + "/64"


def checks_sql(source: str, count_limit: int) -> str:
    """For every row of `source` — a relation (ord, link_id, ip_hash, ua_hash, day_ago, hour_ago), written in the
    caller's dialect (SQLite: VALUES with ? parameters; PostgreSQL: unnest of arrays) — one result row in `ord`
    order: (seen in the unique window, the source's clicks in the flood window counted up to count_limit). Both
    read ix_clicks_ip_visitor only, each scan bounded. count_limit: the largest flood_limit/flood_cap of the
    batch (an int, inlined: it changes only with the settings)."""
    return f"""WITH v(ord, link_id, ip_hash, ua_hash, day_ago, hour_ago) AS ({source})
SELECT
  EXISTS (SELECT 1 FROM (SELECT c.link_id, c.ua_hash FROM clicks AS c
                         WHERE c.ip_hash = v.ip_hash AND c.created_at > v.day_ago
                         ORDER BY c.created_at DESC LIMIT {int(UNIQUE_SCAN)}) AS latest
          WHERE latest.link_id = v.link_id AND latest.ua_hash = v.ua_hash),
  (SELECT count(*) FROM (SELECT 1 FROM clicks AS c WHERE c.ip_hash = v.ip_hash AND c.created_at > v.hour_ago
                         LIMIT {int(count_limit)}) AS hour_clicks)
FROM v ORDER BY v.ord"""


def count_limit(rows: Sequence[_Row]) -> int:
    return max((max(row.flood_limit, row.flood_cap) for row in rows), default=0)


class _Row:  # what decide reads of a ClickRow (typing only)
    link_id: int
    ip_hash: str
    ua_hash: str
    flags: str | None
    flood_limit: int
    flood_cap: int
    created_at: datetime


Decision = tuple[int, bool, "str | None"]  # (index of the row, is_unique, flags)


def decide(rows: Sequence[_Row], checks: Sequence[tuple[object, int]]
           ) -> tuple[list[Decision], dict[tuple[str, datetime], int]]:
    """The rule applied to a batch in order: (rows to store, clicks to count per (source hash, hour start)).
    checks: CHECKS' answer per row. Only stored rows count towards a source's flood limit and cap; all rows of a
    batch are within the hour of each other (it is written within seconds)."""
    stored: list[Decision] = []
    fingerprints: set[tuple[int, str, str]] = set()
    per_ip: dict[str, int] = {}
    counted: dict[tuple[str, datetime], int] = {}
    for index, (row, (seen, last_hour)) in enumerate(zip(rows, checks, strict=True)):
        earlier = per_ip.get(row.ip_hash, 0)
        if 0 < row.flood_cap <= last_hour + earlier:  # a flood source's click: a counter, not a row
            key = (row.ip_hash, row.created_at.replace(minute=0, second=0, microsecond=0))
            counted[key] = counted.get(key, 0) + 1
            continue
        per_ip[row.ip_hash] = earlier + 1
        fingerprint = (row.link_id, row.ip_hash, row.ua_hash)
        unique = not seen and fingerprint not in fingerprints
        fingerprints.add(fingerprint)
        flags = row.flags
        if 0 < row.flood_limit <= last_hour + earlier:
            flags = f"{flags},{FLAG_FLOOD}" if flags else FLAG_FLOOD
        stored.append((index, unique, flags))
    return stored, counted
