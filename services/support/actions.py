"""Button actions of support (sup:…). The packed strings are the ones already sent in old messages."""
from __future__ import annotations

from typing import Literal

from services.kernel.actions import ActionData


class NewTicket(ActionData, prefix="sup:new"):
    pass


class Dispute(ActionData, prefix="sup:dispute"):
    conversion: int


class CancelQuestion(ActionData, prefix="sup:cancel"):
    pass


class TakeTicket(ActionData, prefix="sup:take"):
    ticket: int


class ReplyToTicket(ActionData, prefix="sup:reply"):
    ticket: int


class CloseTicket(ActionData, prefix="sup:close"):
    ticket: int


class RateTicket(ActionData, prefix="sup:rate"):
    ticket: int
    score: Literal[1, 2, 3, 4, 5]
