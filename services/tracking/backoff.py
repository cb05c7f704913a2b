"""Retry pacing for the click path: how long to leave a failing click store alone before trying it again."""
from __future__ import annotations

import time
from collections.abc import Callable


class Backoff:
    """Consecutive failures → a pause before the next attempt. The first failure is retried at once (one crash or
    one slow batch is common and harmless); after that the pause doubles from `base` up to `cap`. One success
    resets it. While paused, callers fail fast instead of each paying for a doomed attempt."""

    def __init__(self, *, base: float = 0.5, cap: float = 10.0,
                 timer: Callable[[], float] = time.monotonic) -> None:
        self.base, self.cap, self._timer = base, cap, timer
        self.failures = 0
        self._until = 0.0

    def failed(self) -> None:
        self.failures += 1
        pause = 0.0 if self.failures == 1 else min(self.cap, self.base * 2 ** (self.failures - 2))
        self._until = self._timer() + pause

    def succeeded(self) -> None:
        self.failures = 0
        self._until = 0.0

    def waiting(self) -> float:
        """Seconds left before the next attempt may run (0: go ahead)."""
        return max(0.0, self._until - self._timer()) if self.failures else 0.0
