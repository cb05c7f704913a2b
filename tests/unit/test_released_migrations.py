"""Released migrations are history: installs have already run them, so an edit never reaches those databases and
silently splits the schema in two. Changes go into a new migration; this pins what was released.

When a migration is released (a version tagged / deployed), add its checksum here in the same change.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

VERSIONS = Path(__file__).resolve().parents[2] / "alembic" / "versions"

# sha256 of each released file, line endings normalised to LF (a Windows checkout must not fail this).
RELEASED = {
    "0001_foundation.py": "fbb91f4e28e65b8aeaab67835b7cb585dd3eba8f8a6f485002b5a28d0d76e867",
    "0002_tracking.py": "0f32c6b2d80d18559fb5b436380e9da6ff8fa44a3b3d17da61ac3a41003f6656",
    "0003_support_and_faq.py": "6e5af41bb58dc5b16af6b23bca628972e52ab4b47c6dd3fb85530250c126ff90",
    "0004_click_indexes.py": "6aed15c794fc633da402008c69189f39643d7f8f065f3b71f1e5e9b1cadef0ed",
    # Landed with stop 18 (2026-12-02).
    "0005_staff_audit.py": "21098575dae69a1bd976b5b2ad770db93241369e7719e81ba05cffefb0ed4502",
    "0006_app_secrets.py": "46009afff9526f7046e0f20215e54e890541ac8cc974841e0b30feffcb3d3714",
    "0007_click_link_index.py": "b0b6701787587edc3018fc5a30d6e54dbf0614c1f134e77b5ed4d6ba76ba5a8f",
    "0008_stats_rollups.py": "4ff648288e77819b8d9d1072dc0d0ccb35c4fd066207a429820bb7e6b0e1bbb9",
    "0009_dashboard_tokens.py": "e1cec100c8ba0ffbe7515cb6f37aabe73017a31b4408b1a103a0bb5b034e108b",
    "0010_notification_bursts.py": "241386534bafa4c0ef3ba2f97f89165b5c2a27f653f9e947c00812d839b958b6",
    "0011_payouts.py": "c3e270fa1afec5f99958fa5ec6299c8b5e985d0befdb7fc9a28df859f6621014",
    "0012_materials_promo.py": "60b66089bd81da5da98055cb51fc6f3ad7e3be528cd98889e82594e770a35524",
}


def checksum(path: Path) -> str:
    return hashlib.sha256(path.read_bytes().replace(b"\r\n", b"\n")).hexdigest()


@pytest.mark.parametrize("name", sorted(RELEASED))
def test_released_migration_is_unchanged(name: str):
    path = VERSIONS / name
    assert path.exists(), f"released migration {name} was renamed or removed"
    assert checksum(path) == RELEASED[name], (
        f"{name} was edited after release: revert it and put the change into a new migration")


def test_each_revision_is_released_at_most_once():
    """A released revision id (the file's prefix) is never reused by another file."""
    prefixes = [path.name.split("_", 1)[0] for path in VERSIONS.glob("*.py")]
    released = {name.split("_", 1)[0] for name in RELEASED}
    assert all(prefixes.count(prefix) == 1 for prefix in released)
