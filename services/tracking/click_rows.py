"""A click as the writer stores it. Standard library only: the SQLite writer process imports this and nothing
heavier. The unique/flood rule applied at insert time is services.tracking.click_rule."""
from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

SUB_KEYS = ("sub1", "sub2", "sub3", "sub4", "sub5")


class ClickRow(NamedTuple):
    """One click as the redirect decided it; is_unique and the flood flag are left to the insert. A tuple: it
    crosses to the SQLite writer process as one (see sqlite_click_writer)."""
    click_id: str
    link_id: int
    partner_id: int
    offer_id: int
    created_at: datetime  # aware UTC
    ip_hash: str
    ua_hash: str
    user_agent: str | None
    referer: str | None
    subs: tuple[str | None, str | None, str | None, str | None, str | None]  # sub1..sub5
    flags: str | None  # comma-separated; the insert appends click_rule.FLAG_FLOOD
    flood_limit: int  # clicks per source per hour before the flood flag; 0 = no check
    flood_cap: int = 0  # stored clicks per IP hash per hour past which a click is only counted; 0 = no cap


class BatchRejected(Exception):
    """The batch's data was refused (a row's link deleted since it was cached, text the database cannot store…):
    nothing of it was written. Unlike an outage this is about rows, so the writer retries the rest without them."""

