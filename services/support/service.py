"""Support tickets: a partner writes, staff answer from one staff chat by replying, the answer goes back to the
messenger the partner wrote from. open → answered → closed, CSAT 1–5 on close, SLA reminders."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from services.messaging import notify
from services.kernel.actions import ID, ActionTable
from services.db.models import Partner
from services.db.support_models import Ticket, TicketMessage
from services.db.tracking_models import Conversion
from services.db.uow import UnitOfWork
from services.kernel.deps import Deps
from services.kernel.money import format_money
from services.ledger.entries import balances
from services.kernel.dto import Button, Incoming, Reply, Screen, Toast
from services.kernel.ports import NEW_THREAD
from services.support import limits
from services.staff.roles import has_role, own_partner_id

FORM = "support"
REPLY_FORM = "support_reply"  # a staff member pressed Reply: their next message in that chat is the answer
STAFF_ROLES = ("support",)  # admin passes every role check too
ACTIVE = ("open", "answered")
TEXT_MAX = 3500  # leaves room for the card around it within Telegram's 4096


class SupportService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.on_action = ActionTable()  # sup:…
        self.on_action.add(r"sup:new", self.open)
        self.on_action.add(rf"sup:dispute:{ID}", self.dispute)
        self.on_action.add(r"sup:cancel", self.cancel_form)
        self.on_action.add(rf"sup:take:{ID}", self.take)
        self.on_action.add(rf"sup:reply:{ID}", self.start_reply)
        self.on_action.add(rf"sup:close:{ID}", self.close)
        self.on_action.add(rf"sup:rate:{ID}:([1-5])", self.rate)

    # ---- partner side ------------------------------------------------------------------------------------

    async def open(self, inc: Incoming, *, source: str = "support", conversion_id: int | None = None) -> Reply:
        """/support, menu → Support, "ask a person", dispute: asks for the question (or reuses an open ticket)."""
        async with self.deps.uow() as uow:
            partner = await self._partner(uow, inc)
            if partner is None:
                return Reply.of(Screen("err-start-first"))
            ticket = await self._active_ticket(uow, partner.id)
            if ticket is not None:
                return Reply.of(Screen("sup-already-open", {"id": ticket.id},
                                       buttons=((Button("sup-btn-close", f"sup:close:{ticket.id}"),),)))
            await uow.forms.save(inc.messenger, inc.user_id, FORM, "question",
                                 {"source": source, "conversion": conversion_id}, self.deps.clock.now())
            await uow.commit()
        key = "sup-ask-dispute" if source == "dispute" else "sup-ask"
        return Reply.of(Screen(key, {"conversion": conversion_id or ""},
                               buttons=((Button("btn-cancel", "sup:cancel"),),)))

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
            partner = await self._partner(uow, inc)
            conversion = await uow.session.get(Conversion, conversion_id)
            if partner is None or conversion is None or conversion.partner_id != partner.id:
                return Reply(toast=Toast("err-stale-button"))
        return await self.open(inc, source="dispute", conversion_id=conversion_id)

    async def cancel_form(self, inc: Incoming) -> Reply:
        async with self.deps.uow() as uow:
            await uow.forms.clear(inc.messenger, inc.user_id)
            await uow.commit()
        return Reply.of(Screen("cancelled", edit=True))

    async def on_form_message(self, inc: Incoming) -> Reply:
        """The question itself: text and/or photos and documents. Creates the ticket exactly once."""
        if not inc.text and not inc.attachments:
            return Reply.of(Screen("sup-err-empty"))
        if inc.text and len(inc.text) > TEXT_MAX:
            return Reply.of(Screen("err-too-long", {"max": TEXT_MAX, "length": len(inc.text)}))
        async with self.deps.uow() as uow:
            state = await uow.forms.get(inc.messenger, inc.user_id, lock=True)
            partner = await self._partner(uow, inc)
            if state is None or state.form != FORM or partner is None:
                return Reply()
            if slow := await limits.slow_down(uow, self.deps, partner.id):
                return slow
            now = self.deps.clock.now()
            ticket = Ticket(partner_id=partner.id, messenger=inc.messenger, chat_id=inc.chat_id, status="open",
                            source=state.data.get("source") or "support",
                            conversion_id=state.data.get("conversion"), created_at=now, last_activity_at=now)
            uow.session.add(ticket)
            await uow.session.flush()
            await uow.forms.clear(inc.messenger, inc.user_id)
            await self._add_message(uow, ticket, inc, "in")
            await self._post_card(uow, ticket, partner, inc)
            await uow.commit()
        self.deps.wake_outbox()
        return Reply.of(Screen("sup-created", {"id": ticket.id},
                               buttons=((Button("sup-btn-close", f"sup:close:{ticket.id}"),),)))

    async def partner_message(self, inc: Incoming) -> Reply | None:
        """A message from a partner with an active ticket goes to that ticket; None when there is none."""
        async with self.deps.uow() as uow:
            partner = await self._partner(uow, inc)
            if partner is None:
                return None
            ticket = await self._active_ticket(uow, partner.id)
            if ticket is None:
                return None
            if not inc.text and not inc.attachments:
                return Reply.of(Screen("sup-err-empty"))
            if inc.text and len(inc.text) > TEXT_MAX:
                return Reply.of(Screen("err-too-long", {"max": TEXT_MAX, "length": len(inc.text)}))
            if slow := await limits.slow_down(uow, self.deps, partner.id):
                return slow
            ticket.status, ticket.last_activity_at = "open", self.deps.clock.now()
            await self._add_message(uow, ticket, inc, "in")
            await self._post_to_staff(uow, ticket, partner, inc)
            await uow.commit()
        self.deps.wake_outbox()
        return Reply.of(Screen("sup-forwarded", {"id": ticket.id}))

    async def rate(self, inc: Incoming, ticket_id: int, score: str) -> Reply:
        async with self.deps.uow() as uow:
            partner = await self._partner(uow, inc)
            ticket = await uow.session.get(Ticket, ticket_id)
            if partner is None or ticket is None or ticket.partner_id != partner.id:
                return Reply(toast=Toast("err-stale-button"))
            rated = await uow.session.execute(
                update(Ticket).where(Ticket.id == ticket_id, Ticket.status == "closed", Ticket.csat.is_(None))
                .values(csat=int(score), csat_at=self.deps.clock.now()))
            await uow.commit()
        if rated.rowcount != 1:  # type: ignore[attr-defined]
            return Reply(toast=Toast("sup-already-rated"))
        return Reply(screens=[Screen("sup-thanks", {"score": int(score)}, edit=True)], toast=Toast("sup-rated"))

    # ---- staff side --------------------------------------------------------------------------------------

    async def start_reply(self, inc: Incoming, ticket_id: int) -> Reply:
        """The Reply button: for people who would rather not use their client's reply gesture."""
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, STAFF_ROLES):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            ticket = await uow.session.get(Ticket, ticket_id)
            if ticket is None or ticket.status == "closed":
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
            if ticket.status == "closed":
                return Reply.of(Screen("sup-staff-closed", {"id": ticket.id}))
            if not inc.text and not inc.attachments:
                return Reply.of(Screen("sup-err-empty"))
            if too_long := limits.answer_too_long(ticket.messenger, inc.text):
                return too_long
            now = self.deps.clock.now()
            ticket.status, ticket.last_activity_at = "answered", now
            ticket.first_response_at = ticket.first_response_at or now
            if ticket.assignee is None:
                ticket.assignee, ticket.assignee_name = self._who(inc), self._name(inc)
            await self._add_message(uow, ticket, inc, "out")
            partner = await uow.partners.get(ticket.partner_id)
            assert partner is not None
            await uow.outbox.add(
                messenger=ticket.messenger, chat_id=ticket.chat_id, locale=partner.locale, kind="support_answer",
                partner_id=partner.id, now=now, subject=f"ticket:{ticket.id}",
                screen=Screen("sup-answer", {"id": ticket.id, "text": inc.text or ""},
                              buttons=((Button("sup-btn-close", f"sup:close:{ticket.id}"),),),
                              attachments=inc.attachments).to_dict())
            await uow.commit()
        self.deps.wake_outbox()
        return Reply()  # the answer is on its way; no noise in the staff chat

    async def take(self, inc: Incoming, ticket_id: int) -> Reply:
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, STAFF_ROLES):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            own = await uow.session.scalar(select(Ticket.id).where(
                Ticket.id == ticket_id, Ticket.partner_id == await own_partner_id(uow, inc)))
            if own is not None:
                return Reply(toast=Toast("sup-err-own-ticket", {"id": ticket_id}, alert=True))
            taken = await uow.session.execute(
                update(Ticket).where(Ticket.id == ticket_id, Ticket.assignee.is_(None), Ticket.status != "closed")
                .values(assignee=self._who(inc), assignee_name=self._name(inc)))
            ticket = await uow.session.get(Ticket, ticket_id, populate_existing=True)
            if ticket is None:
                return Reply(toast=Toast("err-stale-button"))
            partner = await uow.partners.get(ticket.partner_id)
            assert partner is not None
            card = await self._card(uow, ticket, partner)
            await uow.commit()
        won = taken.rowcount == 1  # type: ignore[attr-defined]
        toast = Toast("sup-taken") if won else Toast("sup-taken-by", {"who": ticket.assignee_name or "—"})
        return Reply(screens=[Screen(card.text_key, card.args, card.buttons, edit=True)], toast=toast)

    async def close(self, inc: Incoming, ticket_id: int) -> Reply:
        """Closed by staff (from the card) or by the partner (from their chat); the partner is asked for CSAT."""
        async with self.deps.uow() as uow:
            ticket = await uow.session.get(Ticket, ticket_id)
            if ticket is None:
                return Reply(toast=Toast("err-stale-button"))
            partner = await uow.partners.get(ticket.partner_id)
            assert partner is not None
            own = await self._partner(uow, inc)
            by_partner = own is not None and own.id == partner.id
            if not by_partner and not await has_role(uow, inc, STAFF_ROLES):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            now = self.deps.clock.now()
            closed = await uow.session.execute(
                update(Ticket).where(Ticket.id == ticket_id, Ticket.status != "closed")
                .values(status="closed", closed_at=now, last_activity_at=now))
            if closed.rowcount != 1:  # type: ignore[attr-defined]
                return Reply(toast=Toast("sup-already-closed"))
            await uow.session.refresh(ticket)
            rate = Screen("sup-closed-rate", {"id": ticket.id}, buttons=(tuple(
                Button("sup-score", f"sup:rate:{ticket.id}:{n}", {"n": n}) for n in range(1, 6)),))
            if by_partner:
                await self._post_staff_note(uow, ticket, partner, Screen("sup-staff-partner-closed", {"id": ticket.id}))
            else:
                await uow.outbox.add(messenger=ticket.messenger, chat_id=ticket.chat_id, locale=partner.locale,
                                     kind="support_closed", partner_id=partner.id, now=now, screen=rate.to_dict(),
                                     dedupe_key=f"ticket:{ticket.id}:closed")
            card = await self._card(uow, ticket, partner)
            await uow.commit()
        self.deps.wake_outbox()
        if by_partner:
            return Reply(screens=[rate], toast=Toast("sup-closed"))
        return Reply(screens=[Screen(card.text_key, card.args, card.buttons, edit=True)], toast=Toast("sup-closed"))

    async def list_open(self, inc: Incoming) -> Reply:
        """/tickets: open and answered tickets, oldest first."""
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, STAFF_ROLES):
                return Reply.of(Screen("err-not-allowed"))
            rows = (await uow.session.execute(
                select(Ticket, Partner.name).join(Partner, Partner.id == Ticket.partner_id)
                .where(Ticket.status.in_(ACTIVE)).order_by(Ticket.created_at).limit(30))).all()
        now = self.deps.clock.now()
        lines = [
            f"#{t.id} · {name or '—'} · {t.status} · {int((now - t.created_at).total_seconds() // 60)} min"
            + (f" · {t.assignee_name}" if t.assignee_name else "")
            for t, name in rows
        ]
        return Reply.of(Screen("sup-list", {"count": len(rows), "tickets": "\n".join(lines) or "—"}))

    async def remind_overdue(self) -> int:
        """Scheduler job: re-announce unanswered tickets older than SUPPORT_SLA_MINUTES (once per SLA period)."""
        sla = timedelta(minutes=self.deps.config.support_sla_minutes)
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            overdue = (await uow.session.scalars(select(Ticket).where(
                Ticket.status == "open", Ticket.last_activity_at <= now - sla,
                (Ticket.sla_reminded_at.is_(None)) | (Ticket.sla_reminded_at <= now - sla),
            ).order_by(Ticket.id).limit(100))).all()
            for ticket in overdue:
                partner = await uow.partners.get(ticket.partner_id)
                assert partner is not None
                minutes = int((now - ticket.last_activity_at).total_seconds() // 60)
                await self._post_staff_note(uow, ticket, partner, Screen(
                    "sup-sla", {"id": ticket.id, "minutes": minutes, "name": partner.name or "—"},
                    buttons=((Button("sup-btn-take", f"sup:take:{ticket.id}"),),)))
                ticket.sla_reminded_at = now
            await uow.commit()
        if overdue:
            self.deps.wake_outbox()
        return len(overdue)

    # ---- internals ---------------------------------------------------------------------------------------

    def _is_staff_chat(self, inc: Incoming) -> bool:
        chat = self.deps.config.support_chat_id
        return bool(chat) and inc.messenger == "telegram" and inc.chat_id == chat

    @staticmethod
    def _who(inc: Incoming) -> str:
        return f"{inc.messenger}:{inc.user_id}"

    @staticmethod
    def _name(inc: Incoming) -> str:
        return inc.first_name or (f"@{inc.username}" if inc.username else inc.user_id)

    async def _partner(self, uow: UnitOfWork, inc: Incoming) -> Partner | None:
        account = await uow.accounts.get(inc.messenger, inc.user_id)
        return await uow.partners.get(account.partner_id) if account else None

    async def _active_ticket(self, uow: UnitOfWork, partner_id: int) -> Ticket | None:
        return await uow.session.scalar(select(Ticket).where(
            Ticket.partner_id == partner_id, Ticket.status.in_(ACTIVE)).order_by(Ticket.id.desc()).limit(1))

    async def _add_message(self, uow: UnitOfWork, ticket: Ticket, inc: Incoming, direction: str) -> None:
        uow.session.add(TicketMessage(ticket_id=ticket.id, direction=direction, author=self._who(inc),
                                      text=inc.text, attachments=[a.to_dict() for a in inc.attachments],
                                      created_at=self.deps.clock.now()))
        await uow.session.flush()

    async def _card(self, uow: UnitOfWork, ticket: Ticket, partner: Partner, question: Incoming | None = None
                    ) -> Screen:
        """The partner card staff see: who, where from, tier, balance, last conversions; Take / Close."""
        accounts = await uow.accounts.for_partner(partner.id)
        sums = await balances(uow, partner.id)
        balance = ", ".join(f"{format_money(b['available'], cur)} / {format_money(b['hold'], cur)} (hold)"
                            for cur, b in sorted(sums.items())) or "0"
        conversions = (await uow.session.scalars(select(Conversion).where(Conversion.partner_id == partner.id)
                                                  .order_by(Conversion.id.desc()).limit(3))).all()
        recent = "; ".join(f"#{c.id} {c.status} {format_money(c.commission, c.currency)}" for c in conversions) or "—"
        args: dict[str, Any] = {
            "id": ticket.id, "partner": partner.id, "name": partner.name or "—", "status": ticket.status,
            "messenger": ticket.messenger, "accounts": ", ".join(f"{a.messenger}:{a.external_id}" for a in accounts),
            "locale": partner.locale, "tier": partner.tier, "partner_status": partner.status,
            "balance": balance, "conversions": recent, "source": ticket.source,
            "conversion": ticket.conversion_id or "—", "assignee": ticket.assignee_name or "—",
            "topic": f"#{ticket.id} {partner.name or ''}".strip(),
            "question": question.text or "" if question else "",
        }
        attachments = question.attachments if question else ()
        if ticket.status == "closed":
            return Screen("sup-card", args)
        buttons: list[Button] = [Button("sup-btn-reply", f"sup:reply:{ticket.id}")]
        if ticket.assignee is None:
            buttons.append(Button("sup-btn-take", f"sup:take:{ticket.id}"))
        buttons.append(Button("sup-btn-close", f"sup:close:{ticket.id}"))
        return Screen("sup-card", args, buttons=(tuple(buttons),), attachments=attachments)

    async def _staff_targets(self, uow: UnitOfWork) -> list[tuple[str, str]]:
        chat = self.deps.config.support_chat_id
        if chat:
            return [("telegram", chat)]
        return await uow.staff.with_roles(("support", "admin"))

    async def _post_card(self, uow: UnitOfWork, ticket: Ticket, partner: Partner, question: Incoming) -> None:
        """The new ticket with its first message; in a forum staff group it opens the ticket's topic."""
        card = await self._card(uow, ticket, partner, question)
        for messenger, chat_id in await self._staff_targets(uow):
            thread = NEW_THREAD if chat_id == self.deps.config.support_chat_id else None
            await uow.outbox.add(messenger=messenger, chat_id=chat_id, kind="ticket", now=self.deps.clock.now(),
                                 locale=await notify.staff_locale(uow, self.deps, messenger, chat_id),
                                 screen=card.to_dict(), thread_id=thread, subject=f"ticket:{ticket.id}")

    async def _post_staff_note(self, uow: UnitOfWork, ticket: Ticket, partner: Partner, screen: Screen) -> None:
        for messenger, chat_id in await self._staff_targets(uow):
            thread = await uow.outbox.thread_of(messenger, chat_id, f"ticket:{ticket.id}")
            await uow.outbox.add(messenger=messenger, chat_id=chat_id, kind="ticket", now=self.deps.clock.now(),
                                 locale=await notify.staff_locale(uow, self.deps, messenger, chat_id),
                                 screen=screen.to_dict(), thread_id=thread, subject=f"ticket:{ticket.id}")

    async def _post_to_staff(self, uow: UnitOfWork, ticket: Ticket, partner: Partner, inc: Incoming) -> None:
        await self._post_staff_note(uow, ticket, partner, Screen(
            "sup-staff-message", {"id": ticket.id, "name": partner.name or "—", "text": inc.text or "",
                                  "messenger": inc.messenger}, attachments=inc.attachments))

