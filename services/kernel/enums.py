"""Values shared by several areas. StrEnums: equal to the strings stored in the DB and sent on the wire."""
from __future__ import annotations

from enum import StrEnum


class ConversionStatus(StrEnum):
    """A conversion as the advertiser reports it (tracking writes it; ledger, tiers and support read it)."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    REFUNDED = "refunded"
