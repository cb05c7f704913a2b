"""Screens of support: what partners and staff see of tickets."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from services.db.models import Partner
from services.db.support_models import Ticket
from services.kernel.dto import Button, Screen
from services.kernel.money import format_money
from services.support import actions as act
from services.support.status import TicketStatus

if TYPE_CHECKING:
    from services.support.tickets import Message, TicketView


def _close_button(ticket_id: int) -> tuple[tuple[Button, ...], ...]:
    return ((Button("sup-btn-close", act.CloseTicket(ticket_id).pack()),),)


# ---- partners -------------------------------------------------------------------------------------------------

def ask(source: str, conversion_id: int | None) -> Screen:
    key = "sup-ask-dispute" if source == "dispute" else "sup-ask"
    return Screen(key, {"conversion": conversion_id or ""},
                  buttons=((Button("btn-cancel", act.CancelQuestion().pack()),),))


def already_open(ticket_id: int) -> Screen:
    return Screen("sup-already-open", {"id": ticket_id}, buttons=_close_button(ticket_id))


def created(ticket_id: int) -> Screen:
    return Screen("sup-created", {"id": ticket_id}, buttons=_close_button(ticket_id))


def forwarded(ticket_id: int) -> Screen:
    return Screen("sup-forwarded", {"id": ticket_id})


def answer(ticket: Ticket, message: Message) -> Screen:
    return Screen("sup-answer", {"id": ticket.id, "text": message.text or ""}, buttons=_close_button(ticket.id),
                  attachments=message.attachments)


def rate_request(ticket_id: int) -> Screen:
    return Screen("sup-closed-rate", {"id": ticket_id}, buttons=(tuple(
        Button("sup-score", act.RateTicket(ticket_id, n).pack(), {"n": n}) for n in (1, 2, 3, 4, 5)),))


def thanks(score: int) -> Screen:
    return Screen("sup-thanks", {"score": score}, edit=True)


def empty() -> Screen:
    return Screen("sup-err-empty")


def too_long(limit: int, length: int) -> Screen:
    return Screen("err-too-long", {"max": limit, "length": length})


# ---- staff ----------------------------------------------------------------------------------------------------

def card(view: TicketView, question: Message | None = None, *, edit: bool = False) -> Screen:
    """The partner card staff see: who, where from, tier, balance, last conversions; Reply / Take / Close."""
    ticket, partner = view.ticket, view.partner
    balance = ", ".join(f"{format_money(b['available'], cur)} / {format_money(b['hold'], cur)} (hold)"
                        for cur, b in sorted(view.balances.items())) or "0"
    recent = "; ".join(f"#{c.id} {c.status} {format_money(c.commission, c.currency)}"
                       for c in view.conversions) or "—"
    args: dict[str, Any] = {
        "id": ticket.id, "partner": partner.id, "name": partner.name or "—", "status": ticket.status,
        "messenger": ticket.messenger, "accounts": ", ".join(f"{a.messenger}:{a.external_id}" for a in view.accounts),
        "locale": partner.locale, "tier": partner.tier, "partner_status": partner.status,
        "balance": balance, "conversions": recent, "source": ticket.source,
        "conversion": ticket.conversion_id or "—", "assignee": ticket.assignee_name or "—",
        "topic": f"#{ticket.id} {partner.name or ''}".strip(),
        "question": question.text or "" if question else "",
    }
    if ticket.status == TicketStatus.CLOSED:
        return Screen("sup-card", args, edit=edit)
    buttons: list[Button] = [Button("sup-btn-reply", act.ReplyToTicket(ticket.id).pack())]
    if ticket.assignee is None:
        buttons.append(Button("sup-btn-take", act.TakeTicket(ticket.id).pack()))
    buttons.append(Button("sup-btn-close", act.CloseTicket(ticket.id).pack()))
    return Screen("sup-card", args, buttons=(tuple(buttons),),
                  attachments=question.attachments if question else (), edit=edit)


def staff_message(ticket: Ticket, partner: Partner, messenger: str, message: Message) -> Screen:
    return Screen("sup-staff-message", {"id": ticket.id, "name": partner.name or "—", "text": message.text or "",
                                        "messenger": messenger}, attachments=message.attachments)


def staff_partner_closed(ticket_id: int) -> Screen:
    return Screen("sup-staff-partner-closed", {"id": ticket_id})


def staff_closed(ticket_id: int) -> Screen:
    return Screen("sup-staff-closed", {"id": ticket_id})


def sla_reminder(ticket: Ticket, partner: Partner, minutes: int) -> Screen:
    return Screen("sup-sla", {"id": ticket.id, "minutes": minutes, "name": partner.name or "—"},
                  buttons=((Button("sup-btn-take", act.TakeTicket(ticket.id).pack()),),))


def ticket_list(rows: Sequence[tuple[Ticket, str | None]], now: datetime) -> Screen:
    lines = [
        f"#{t.id} · {name or '—'} · {t.status} · {int((now - t.created_at).total_seconds() // 60)} min"
        + (f" · {t.assignee_name}" if t.assignee_name else "")
        for t, name in rows
    ]
    return Screen("sup-list", {"count": len(rows), "tickets": "\n".join(lines) or "—"})
