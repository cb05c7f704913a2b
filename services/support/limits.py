"""What a ticket message may be: how often a partner may write into tickets, how long a staff answer may be."""
from __future__ import annotations

import math
from datetime import timedelta

from sqlalchemy import func, select

from services.db.support_models import Ticket, TicketMessage
from services.db.uow import UnitOfWork
from services.kernel.deps import Deps
from services.kernel.dto import Reply, Screen

# The most text one message may carry on each messenger (Telegram sendMessage and VK messages.send: 4096).
TEXT_LIMITS = {"telegram": 4096, "vk": 4096}
# Room for the answer's frame ("💬 Support, ticket #123456:" in the partner's language) around the staff text.
ANSWER_FRAME = 96
WINDOW = timedelta(minutes=1)


def answer_max(messenger: str) -> int:
    """The longest staff answer that still reaches a partner on `messenger` in one message."""
    return TEXT_LIMITS.get(messenger, min(TEXT_LIMITS.values())) - ANSWER_FRAME


def answer_too_long(messenger: str, text: str | None) -> Reply | None:
    """Refused where its author sees it: past the limit the send would only fail later, in the outbox."""
    limit = answer_max(messenger)
    if not text or len(text) <= limit:
        return None
    return Reply.of(Screen("sup-answer-too-long", {"length": len(text), "max": limit, "messenger": messenger}))


async def slow_down(uow: UnitOfWork, deps: Deps, partner_id: int) -> Reply | None:
    """Past the per-minute budget a message is refused (neither stored nor forwarded): the partner is told to
    wait and send it again, so nothing they meant to say is silently lost and staff are not flooded."""
    seconds = await wait_seconds(uow, deps, partner_id)
    if seconds is None:
        return None
    return Reply.of(Screen("sup-slow-down", {"limit": deps.config.support_messages_per_minute, "seconds": seconds}))


async def wait_seconds(uow: UnitOfWork, deps: Deps, partner_id: int) -> int | None:
    """None while the partner is within their per-minute budget of messages into tickets; else how many seconds
    until the next one is accepted. Counted over all their tickets, so closing and reopening does not reset it."""
    limit = deps.config.support_messages_per_minute
    if limit <= 0:
        return None
    since = deps.clock.now() - WINDOW
    count, oldest = (await uow.session.execute(
        select(func.count(), func.min(TicketMessage.created_at))
        .join(Ticket, Ticket.id == TicketMessage.ticket_id)
        .where(Ticket.partner_id == partner_id, TicketMessage.direction == "in",
               TicketMessage.created_at > since))).one()
    if count < limit:
        return None
    left = (oldest + WINDOW - deps.clock.now()).total_seconds()  # min() keeps the column's type: aware UTC
    return max(1, math.ceil(left))
