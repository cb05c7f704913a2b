from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url


def ensure_parent_dir(url: str) -> None:
    """sqlite+aiosqlite:///./data/bot.db → make sure ./data exists."""
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
