"""A partner's lifecycle and their application's decision. StrEnums: equal to the strings stored in the DB."""
from __future__ import annotations

from enum import StrEnum


class PartnerStatus(StrEnum):
    """new (form not yet sent) → applied → approved | rejected; blocked by staff at any time."""

    NEW = "new"
    APPLIED = "applied"
    APPROVED = "approved"
    REJECTED = "rejected"
    BLOCKED = "blocked"


class ApplicationStatus(StrEnum):
    """Application.decision: pending → approved | rejected, decided exactly once."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
