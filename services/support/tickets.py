"""Support tickets as use cases over plain data, each inside the caller's unit of work (the caller commits).

The chat (service.py) decides who may do what and renders the results; the REST API and the web dashboard call
the same functions. Messages to staff and to the partner go through the outbox, so they are Screens (screens.py).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select, update

from services.db.models import MessengerAccount, Partner
from services.db.support_models import Ticket, TicketMessage
from services.db.tracking_models import Conversion
from services.db.uow import UnitOfWork
from services.kernel.deps import Deps
from services.kernel.dto import Attachment, Screen
from services.kernel.ports import NEW_THREAD
from services.ledger.entries import balances
from services.messaging import notify
from services.staff.roles import Role
from services.support import screens
from services.support.status import ACTIVE, TicketStatus

STAFF_ROLES = (Role.SUPPORT,)  # admin passes every role check too
RECENT_CONVERSIONS = 3


@dataclass(frozen=True)
class Message:
    """What someone wrote into a ticket."""

    author: str  # "telegram:123"
    text: str | None
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class TicketView:
    """A ticket with what staff need to answer it: who, where from, their money and latest conversions."""

    ticket: Ticket
    partner: Partner
    accounts: Sequence[MessengerAccount]
    balances: dict[str, dict[str, Decimal]]
    conversions: Sequence[Conversion]


async def active_ticket(uow: UnitOfWork, partner_id: int) -> Ticket | None:
    return await uow.session.scalar(select(Ticket).where(
        Ticket.partner_id == partner_id, Ticket.status.in_(ACTIVE)).order_by(Ticket.id.desc()).limit(1))


async def open_tickets(uow: UnitOfWork, limit: int = 30) -> list[tuple[Ticket, str | None]]:
    """Open and answered tickets with their partner's name, oldest first."""
    rows = (await uow.session.execute(
        select(Ticket, Partner.name).join(Partner, Partner.id == Ticket.partner_id)
        .where(Ticket.status.in_(ACTIVE)).order_by(Ticket.created_at).limit(limit))).all()
    return [(ticket, name) for ticket, name in rows]


async def view(uow: UnitOfWork, ticket: Ticket, partner: Partner) -> TicketView:
    conversions = (await uow.session.scalars(select(Conversion).where(Conversion.partner_id == partner.id)
                                              .order_by(Conversion.id.desc()).limit(RECENT_CONVERSIONS))).all()
    return TicketView(ticket, partner, await uow.accounts.for_partner(partner.id), await balances(uow, partner.id),
                      conversions)


class Tickets:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def open(self, uow: UnitOfWork, partner: Partner, messenger: str, chat_id: str, message: Message, *,
                   source: str, conversion_id: int | None) -> Ticket:
        """A new ticket with its first message; its card goes to staff (in a forum group: a new topic)."""
        now = self.deps.clock.now()
        ticket = Ticket(partner_id=partner.id, messenger=messenger, chat_id=chat_id, status=TicketStatus.OPEN,
                        source=source, conversion_id=conversion_id, created_at=now, last_activity_at=now)
        uow.session.add(ticket)
        await uow.session.flush()
        await self._add_message(uow, ticket, message, "in")
        card = screens.card(await view(uow, ticket, partner), message)
        for target_messenger, target_chat in await self._staff_targets(uow):
            thread = NEW_THREAD if target_chat == self.deps.config.support_chat_id else None
            await self._to_staff(uow, ticket, target_messenger, target_chat, card, thread)
        return ticket

    async def add_partner_message(self, uow: UnitOfWork, ticket: Ticket, partner: Partner, messenger: str,
                                  message: Message) -> None:
        """A follow-up from the partner re-opens the ticket and goes to the ticket's staff thread."""
        ticket.status, ticket.last_activity_at = TicketStatus.OPEN, self.deps.clock.now()
        await self._add_message(uow, ticket, message, "in")
        await self.post_note(uow, ticket, screens.staff_message(ticket, partner, messenger, message))

    async def answer(self, uow: UnitOfWork, ticket: Ticket, staff_name: str, message: Message) -> None:
        """A staff answer: goes back to the messenger the partner wrote from; the first one takes the ticket."""
        now = self.deps.clock.now()
        ticket.status, ticket.last_activity_at = TicketStatus.ANSWERED, now
        ticket.first_response_at = ticket.first_response_at or now
        if ticket.assignee is None:
            ticket.assignee, ticket.assignee_name = message.author, staff_name
        await self._add_message(uow, ticket, message, "out")
        partner = await uow.partners.get(ticket.partner_id)
        assert partner is not None
        await uow.outbox.add(
            messenger=ticket.messenger, chat_id=ticket.chat_id, locale=partner.locale, kind="support_answer",
            partner_id=partner.id, now=now, subject=f"ticket:{ticket.id}",
            screen=screens.answer(ticket, message).to_dict())

    async def take(self, uow: UnitOfWork, ticket_id: int, who: str, name: str) -> tuple[Ticket | None, bool]:
        """Assigns an unassigned live ticket: (the ticket as it is now, whether this caller won it)."""
        taken = await uow.session.execute(
            update(Ticket).where(Ticket.id == ticket_id, Ticket.assignee.is_(None),
                                 Ticket.status != TicketStatus.CLOSED)
            .values(assignee=who, assignee_name=name))
        ticket = await uow.session.get(Ticket, ticket_id, populate_existing=True)
        return ticket, taken.rowcount == 1  # type: ignore[attr-defined]

    async def close(self, uow: UnitOfWork, ticket: Ticket, partner: Partner, *, by_partner: bool) -> bool:
        """Closes once (False if it already was). Staff closing it asks the partner for a rating; a partner
        closing it tells staff."""
        now = self.deps.clock.now()
        closed = await uow.session.execute(
            update(Ticket).where(Ticket.id == ticket.id, Ticket.status != TicketStatus.CLOSED)
            .values(status=TicketStatus.CLOSED, closed_at=now, last_activity_at=now))
        if closed.rowcount != 1:  # type: ignore[attr-defined]
            return False
        await uow.session.refresh(ticket)
        if by_partner:
            await self.post_note(uow, ticket, screens.staff_partner_closed(ticket.id))
        else:
            await uow.outbox.add(messenger=ticket.messenger, chat_id=ticket.chat_id, locale=partner.locale,
                                 kind="support_closed", partner_id=partner.id, now=now,
                                 screen=screens.rate_request(ticket.id).to_dict(),
                                 dedupe_key=f"ticket:{ticket.id}:closed")
        return True

    async def rate(self, uow: UnitOfWork, ticket_id: int, score: int) -> bool:
        """CSAT of a closed ticket, once."""
        rated = await uow.session.execute(
            update(Ticket).where(Ticket.id == ticket_id, Ticket.status == TicketStatus.CLOSED, Ticket.csat.is_(None))
            .values(csat=score, csat_at=self.deps.clock.now()))
        return rated.rowcount == 1  # type: ignore[attr-defined]

    async def remind_overdue(self) -> int:
        """Scheduler job: re-announce unanswered tickets older than SUPPORT_SLA_MINUTES (once per SLA period)."""
        sla = timedelta(minutes=self.deps.config.support_sla_minutes)
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            overdue = (await uow.session.scalars(select(Ticket).where(
                Ticket.status == TicketStatus.OPEN, Ticket.last_activity_at <= now - sla,
                (Ticket.sla_reminded_at.is_(None)) | (Ticket.sla_reminded_at <= now - sla),
            ).order_by(Ticket.id).limit(100))).all()
            for ticket in overdue:
                partner = await uow.partners.get(ticket.partner_id)
                assert partner is not None
                minutes = int((now - ticket.last_activity_at).total_seconds() // 60)
                await self.post_note(uow, ticket, screens.sla_reminder(ticket, partner, minutes))
                ticket.sla_reminded_at = now
            await uow.commit()
        if overdue:
            self.deps.wake_outbox()
        return len(overdue)

    async def post_note(self, uow: UnitOfWork, ticket: Ticket, screen: Screen) -> None:
        """A message about the ticket to staff, in the ticket's topic where one was opened."""
        for messenger, chat_id in await self._staff_targets(uow):
            thread = await uow.outbox.thread_of(messenger, chat_id, f"ticket:{ticket.id}")
            await self._to_staff(uow, ticket, messenger, chat_id, screen, thread)

    async def _to_staff(self, uow: UnitOfWork, ticket: Ticket, messenger: str, chat_id: str, screen: Screen,
                        thread: str | None) -> None:
        await uow.outbox.add(messenger=messenger, chat_id=chat_id, kind="ticket", now=self.deps.clock.now(),
                             locale=await notify.staff_locale(uow, self.deps, messenger, chat_id),
                             screen=screen.to_dict(), thread_id=thread, subject=f"ticket:{ticket.id}")

    async def _staff_targets(self, uow: UnitOfWork) -> list[tuple[str, str]]:
        chat = self.deps.config.support_chat_id
        if chat:
            return [("telegram", chat)]
        return await uow.staff.with_roles((Role.SUPPORT, Role.ADMIN))

    async def _add_message(self, uow: UnitOfWork, ticket: Ticket, message: Message, direction: str) -> None:
        uow.session.add(TicketMessage(ticket_id=ticket.id, direction=direction, author=message.author,
                                      text=message.text, attachments=[a.to_dict() for a in message.attachments],
                                      created_at=self.deps.clock.now()))
        await uow.session.flush()
