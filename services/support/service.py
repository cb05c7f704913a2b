"""Support tickets in the chat: a partner writes, staff answer from one staff chat by replying, the answer goes
back to the messenger the partner wrote from. open → answered → closed, CSAT 1–5 on close, SLA reminders.
Who may do what is decided here; the ticket use cases are in tickets.py, the screens in screens.py."""
from __future__ import annotations

from dataclasses import replace

from services.db.support_models import Ticket
from services.db.tracking_models import Conversion
from services.db.uow import UnitOfWork
from services.kernel.actions import ActionTable
from services.kernel.deps import Deps
from services.kernel.dto import Incoming, Reply, Screen, Toast
from services.partners.current import current_partner, find_partner
from services.staff.roles import has_role, own_partner_id
from services.support import limits
from services.support import actions as act
from services.support import screens
from services.support import tickets as uc
from services.support.status import TicketStatus
from services.support.tickets import STAFF_ROLES, Message, Tickets

FORM = "support"
REPLY_FORM = "support_reply"  # a staff member pressed Reply: their next message in that chat is the answer
TEXT_MAX = 3500  # leaves room for the card around it within Telegram's 4096
STALE = "err-stale-button"
NOT_ALLOWED = Toast("err-not-allowed", alert=True)


class SupportService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.tickets = Tickets(deps)
        self.on_action = t = ActionTable()  # sup:…
        t.on(act.NewTicket, lambda inc, _: self.open(inc))
        t.on(act.Dispute, lambda inc, a: self.dispute(inc, a.conversion))
        t.on(act.CancelQuestion, lambda inc, _: self.cancel_form(inc))
        t.on(act.TakeTicket, lambda inc, a: self.take(inc, a.ticket))
        t.on(act.ReplyToTicket, lambda inc, a: self.start_reply(inc, a.ticket))
        t.on(act.CloseTicket, lambda inc, a: self.close(inc, a.ticket))
        t.on(act.RateTicket, lambda inc, a: self.rate(inc, a.ticket, a.score))

    # ---- partner side ------------------------------------------------------------------------------------

    async def open(self, inc: Incoming, *, source: str = "support", conversion_id: int | None = None) -> Reply:
        """/support, menu → Support, "ask a person", dispute: asks for the question (or reuses an open ticket)."""
        async with self.deps.uow() as uow:
            partner = await current_partner(uow, inc)
            if isinstance(partner, Reply):
                return partner
            ticket = await uc.active_ticket(uow, partner.id)
            if ticket is not None:
                return Reply.of(screens.already_open(ticket.id))
            await uow.forms.save(inc.messenger, inc.user_id, FORM, "question",
                                 {"source": source, "conversion": conversion_id}, self.deps.clock.now())
            await uow.commit()
        return Reply.of(screens.ask(source, conversion_id))

    async def open_with_question(self, inc: Incoming, question: str) -> Reply:
        """From FAQ's "ask a person": the question the partner already typed opens the ticket at once."""
        if not question:
            return await self.open(inc, source="faq")
        opened = await self.open(inc, source="faq")
        if not any(s.text_key == "sup-ask" for s in opened.screens):
            return opened  # an open ticket already exists: say so instead
        return await self.on_form_message(replace(inc, text=question, attachments=(), non_text=False))

    async def dispute(self, inc: Incoming, conversion_id: int) -> Reply:
        async with self.deps.uow() as uow:
            partner = await find_partner(uow, inc)
            conversion = await uow.session.get(Conversion, conversion_id)
            if partner is None or conversion is None or conversion.partner_id != partner.id:
                return Reply(toast=Toast(STALE))
        return await self.open(inc, source="dispute", conversion_id=conversion_id)

    async def cancel_form(self, inc: Incoming) -> Reply:
        async with self.deps.uow() as uow:
            await uow.forms.clear(inc.messenger, inc.user_id)
            await uow.commit()
        return Reply.of(Screen("cancelled", edit=True))

    async def on_form_message(self, inc: Incoming) -> Reply:
        """The question itself: text and/or photos and documents. Creates the ticket exactly once."""
        refused = self._unusable(inc)
        if refused is not None:
            return refused
        async with self.deps.uow() as uow:
            state = await uow.forms.get(inc.messenger, inc.user_id, lock=True)
            partner = await find_partner(uow, inc)
            if state is None or state.form != FORM or partner is None:
                return Reply()
            if slow := await limits.slow_down(uow, self.deps, partner.id):
                return slow
            await uow.forms.clear(inc.messenger, inc.user_id)
            ticket = await self.tickets.open(uow, partner, inc.messenger, inc.chat_id, self._message(inc),
                                             source=state.data.get("source") or "support",
                                             conversion_id=state.data.get("conversion"))
            await uow.commit()
        self.deps.wake_outbox()
        return Reply.of(screens.created(ticket.id))

    async def partner_message(self, inc: Incoming) -> Reply | None:
        """A message from a partner with an active ticket goes to that ticket; None when there is none."""
        async with self.deps.uow() as uow:
            partner = await find_partner(uow, inc)
            ticket = await uc.active_ticket(uow, partner.id) if partner is not None else None
            if partner is None or ticket is None:
                return None
            refused = self._unusable(inc)
            if refused is not None:
                return refused
            if slow := await limits.slow_down(uow, self.deps, partner.id):
                return slow
            await self.tickets.add_partner_message(uow, ticket, partner, inc.messenger, self._message(inc))
            await uow.commit()
        self.deps.wake_outbox()
        return Reply.of(screens.forwarded(ticket.id))

    async def rate(self, inc: Incoming, ticket_id: int, score: int) -> Reply:
        async with self.deps.uow() as uow:
            partner = await find_partner(uow, inc)
            ticket = await uow.session.get(Ticket, ticket_id)
            if partner is None or ticket is None or ticket.partner_id != partner.id:
                return Reply(toast=Toast(STALE))
            rated = await self.tickets.rate(uow, ticket_id, score)
            await uow.commit()
        if not rated:
            return Reply(toast=Toast("sup-already-rated"))
        return Reply(screens=[screens.thanks(score)], toast=Toast("sup-rated"))

    # ---- staff side --------------------------------------------------------------------------------------

    async def start_reply(self, inc: Incoming, ticket_id: int) -> Reply:
        """The Reply button: for people who would rather not use their client's reply gesture."""
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, STAFF_ROLES):
                return Reply(toast=NOT_ALLOWED)
            ticket = await uow.session.get(Ticket, ticket_id)
            if ticket is None or ticket.status == TicketStatus.CLOSED:
                return Reply(toast=Toast("sup-already-closed"))
            if ticket.partner_id == await own_partner_id(uow, inc):
                return Reply(toast=Toast("sup-err-own-ticket", {"id": ticket_id}, alert=True))
            await uow.forms.save(inc.messenger, inc.user_id, REPLY_FORM, "text",
                                 {"ticket": ticket_id, "chat": inc.chat_id}, self.deps.clock.now())
            await uow.commit()
        return Reply(toast=Toast("sup-reply-prompt", {"id": ticket_id}, alert=True))

    async def reply_form_message(self, inc: Incoming) -> Reply:
        """A private-chat answer after Reply (form `support_reply`); group answers arrive via staff_message."""
        return await self.staff_message(inc) or Reply()

    async def staff_message(self, inc: Incoming) -> Reply | None:
        """A staff member's reply in the staff chat (or privately, to a forwarded ticket). None: not for us."""
        async with self.deps.uow() as uow:
            pending = await uow.forms.get(inc.messenger, inc.user_id)
            if pending is not None and pending.form == REPLY_FORM and pending.data.get("chat") == inc.chat_id:
                await uow.forms.clear(inc.messenger, inc.user_id)  # committed only with the answer itself
                subject: str | None = f"ticket:{pending.data['ticket']}"
            elif not self._is_staff_chat(inc) and inc.reply_to is None:
                return None
            else:
                subject = await uow.outbox.subject_of_reply(inc.messenger, inc.chat_id, reply_to=inc.reply_to)
            if subject is None and inc.thread_id:
                subject = await uow.outbox.subject_of_reply(inc.messenger, inc.chat_id, thread=inc.thread_id)
            if subject is None or not subject.startswith("ticket:"):
                return None
            if not await has_role(uow, inc, STAFF_ROLES):
                return Reply() if self._is_staff_chat(inc) else None  # others in the chat are ignored
            ticket = await uow.session.get(Ticket, int(subject.split(":", 1)[1]))
            if ticket is None:
                return None
            if ticket.partner_id == await own_partner_id(uow, inc):
                return Reply.of(Screen("sup-err-own-ticket", {"id": ticket.id}))
            if ticket.status == TicketStatus.CLOSED:
                return Reply.of(screens.staff_closed(ticket.id))
            if not inc.text and not inc.attachments:
                return Reply.of(screens.empty())
            if too_long := limits.answer_too_long(ticket.messenger, inc.text):
                return too_long
            await self.tickets.answer(uow, ticket, self._name(inc), self._message(inc))
            await uow.commit()
        self.deps.wake_outbox()
        return Reply()  # the answer is on its way; no noise in the staff chat

    async def take(self, inc: Incoming, ticket_id: int) -> Reply:
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, STAFF_ROLES):
                return Reply(toast=NOT_ALLOWED)
            mine = await uow.session.get(Ticket, ticket_id)
            if mine is not None and mine.partner_id == await own_partner_id(uow, inc):
                return Reply(toast=Toast("sup-err-own-ticket", {"id": ticket_id}, alert=True))
            ticket, won = await self.tickets.take(uow, ticket_id, self._who(inc), self._name(inc))
            if ticket is None:
                return Reply(toast=Toast(STALE))
            card = await self._card(uow, ticket)
            await uow.commit()
        toast = Toast("sup-taken") if won else Toast("sup-taken-by", {"who": ticket.assignee_name or "—"})
        return Reply(screens=[card], toast=toast)

    async def close(self, inc: Incoming, ticket_id: int) -> Reply:
        """Closed by staff (from the card) or by the partner (from their chat); the partner is asked for CSAT."""
        async with self.deps.uow() as uow:
            ticket = await uow.session.get(Ticket, ticket_id)
            if ticket is None:
                return Reply(toast=Toast(STALE))
            partner = await uow.partners.get(ticket.partner_id)
            assert partner is not None
            own = await find_partner(uow, inc)
            by_partner = own is not None and own.id == partner.id
            if not by_partner and not await has_role(uow, inc, STAFF_ROLES):
                return Reply(toast=NOT_ALLOWED)
            if not await self.tickets.close(uow, ticket, partner, by_partner=by_partner):
                return Reply(toast=Toast("sup-already-closed"))
            card = await self._card(uow, ticket)
            await uow.commit()
        self.deps.wake_outbox()
        if by_partner:
            return Reply(screens=[screens.rate_request(ticket.id)], toast=Toast("sup-closed"))
        return Reply(screens=[card], toast=Toast("sup-closed"))

    async def list_open(self, inc: Incoming) -> Reply:
        """/tickets: open and answered tickets, oldest first."""
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, STAFF_ROLES):
                return Reply.of(Screen("err-not-allowed"))
            rows = await uc.open_tickets(uow)
        return Reply.of(screens.ticket_list(rows, self.deps.clock.now()))

    async def remind_overdue(self) -> int:
        """Scheduler job: re-announce unanswered tickets older than SUPPORT_SLA_MINUTES (once per SLA period)."""
        return await self.tickets.remind_overdue()

    # ---- internals ---------------------------------------------------------------------------------------

    async def _card(self, uow: UnitOfWork, ticket: Ticket) -> Screen:
        partner = await uow.partners.get(ticket.partner_id)
        assert partner is not None
        return screens.card(await uc.view(uow, ticket, partner), edit=True)

    def _is_staff_chat(self, inc: Incoming) -> bool:
        chat = self.deps.config.support_chat_id
        return bool(chat) and inc.messenger == "telegram" and inc.chat_id == chat

    @staticmethod
    def _unusable(inc: Incoming) -> Reply | None:
        """A question or follow-up must say something, within the limit."""
        if not inc.text and not inc.attachments:
            return Reply.of(screens.empty())
        if inc.text and len(inc.text) > TEXT_MAX:
            return Reply.of(screens.too_long(TEXT_MAX, len(inc.text)))
        return None

    @classmethod
    def _message(cls, inc: Incoming) -> Message:
        return Message(cls._who(inc), inc.text, inc.attachments)

    @staticmethod
    def _who(inc: Incoming) -> str:
        return f"{inc.messenger}:{inc.user_id}"

    @staticmethod
    def _name(inc: Incoming) -> str:
        return inc.first_name or (f"@{inc.username}" if inc.username else inc.user_id)
