"""Test doubles for broadcasts: partners in segments, a broadcast started directly, and an in-memory PostSender
that records deliveries, answers per recipient and can be told to crash or to ask for a pause."""
from __future__ import annotations

import itertools
from collections.abc import Sequence

from services.broadcasts.sender import start
from services.db.broadcast_models import Broadcast
from services.db.models import MessengerAccount, Partner
from services.kernel.ports import DeliveryError, Post, PostResult

_refs = itertools.count(1)


class Crash(BaseException):
    """A kill -9 as far as the sender can tell: nothing after it runs (not caught by `except Exception`)."""


async def add_partner(services, user: int, *, messenger: str = "telegram", tier: str = "certified",
                      locale: str = "ru", status: str = "approved", tz: str = "Europe/Moscow",
                      quiet: tuple[int, int] | None = None, also: str | None = None) -> int:
    now = services.deps.clock.now()
    async with services.deps.uow() as uow:
        partner = await uow.partners.add(Partner(status=status, locale=locale, ref_code=f"B{user}{messenger[0]}",
                                                 tier=tier, timezone=tz, created_at=now, approved_at=now,
                                                 quiet_start=quiet[0] if quiet else None,
                                                 quiet_end=quiet[1] if quiet else None))
        for m in (messenger, also) if also else (messenger,):
            await uow.accounts.add(MessengerAccount(partner_id=partner.id, messenger=m, external_id=str(user),
                                                    chat_id=str(user), created_at=now))
        await uow.commit()
        return partner.id


async def started_broadcast(services, audience: dict | None = None, *, text: str = "News!",
                            by: tuple[str, str] = ("telegram", "900")) -> int:
    async with services.deps.uow() as uow:
        row = Broadcast(status="draft", created_by=f"{by[0]}:{by[1]}", messenger=by[0], chat_id=by[1], locale="en",
                        text=text, entities=[], audience=audience or {"kind": "all"},
                        created_at=services.deps.clock.now())
        uow.session.add(row)
        await uow.commit()
        broadcast_id = row.id
    assert await start(services.deps, broadcast_id, from_status="draft") == 1
    return broadcast_id


class FakePoster:
    def __init__(self, messenger: str = "telegram", max_peers: int = 1) -> None:
        self.messenger = messenger
        self.max_peers = max_peers
        self.delivered: list[str] = []  # chat ids, one per message that reached someone
        self.calls: list[list[str]] = []
        self.blocked: set[str] = set()
        self.failing: set[str] = set()
        self.retry_after: list[float] = []  # the next calls answer "slow down" (429 / VK 9)
        self.crash_before: int | None = None  # raise Crash at the call with this index, before sending
        self.crash_after: int | None = None  # …or after the platform accepted it (the unmarked window)

    async def post(self, chat_ids: Sequence[str], post: Post, dedupe_id: int) -> list[PostResult]:
        index = len(self.calls)
        self.calls.append(list(chat_ids))
        if self.crash_before == index:
            raise Crash()
        if self.retry_after:
            raise DeliveryError("Too Many Requests", retry_after=self.retry_after.pop(0))
        out = []
        for chat in chat_ids:
            if chat in self.blocked:
                out.append(PostResult(chat, unreachable=True, error="Forbidden: bot was blocked by the user"))
            elif chat in self.failing:
                out.append(PostResult(chat, error="Bad Request: message is too long"))
            else:
                self.delivered.append(chat)
                out.append(PostResult(chat, ref=str(next(_refs))))
        if self.crash_after == index:
            raise Crash()
        return out
