"""An API refusal: HTTP status, machine-readable error and a detail for people (models.Error)."""
from __future__ import annotations


class ApiError(Exception):
    def __init__(self, status: int, error: str, detail: str, *, retry_after: int | None = None) -> None:
        super().__init__(f"{status} {error}: {detail}")
        self.status = status
        self.error = error
        self.detail = detail
        self.retry_after = retry_after
