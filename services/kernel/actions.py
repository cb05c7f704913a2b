"""Parsing of button actions ("lnk:ren:42"), shared by every messenger so the grammar lives in one place."""
from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from services.kernel.dto import Incoming, Reply, Toast

ID = r"(\d{1,18})"


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern[str]
    handler: Callable[..., Awaitable[Reply]]
    int_groups: bool = True


class ActionTable:
    """A feature's actions: regex → handler(inc, *groups). Unknown or forged data → "outdated button"."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, pattern: str, handler: Callable[..., Awaitable[Reply]], *, int_groups: bool = True) -> None:
        self.routes.append(Route(re.compile(pattern), handler, int_groups))

    async def __call__(self, inc: Incoming) -> Reply:
        action = inc.action or ""
        for route in self.routes:
            match = route.pattern.fullmatch(action)
            if match:
                groups = [int(g) if route.int_groups and g.isdigit() else g for g in match.groups()]
                return await route.handler(inc, *groups)
        return Reply(toast=Toast("err-stale-button"))
