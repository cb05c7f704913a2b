"""Button actions of the FAQ: fq:… for partners, fqa:… for managers. The packed strings are the ones already
sent in old messages."""
from __future__ import annotations

from typing import Literal

from services.kernel.actions import ActionData, token

# ---- partners -------------------------------------------------------------------------------------------------


class Home(ActionData, prefix="fq:home"):
    pass


class HomePage(ActionData, prefix="fq:cp"):
    page: int


class ShowCategory(ActionData, prefix="fq:c"):
    category: int
    page: int | None = None


class ShowEntry(ActionData, prefix="fq:q"):
    entry: int


class SearchHit(ActionData, prefix="fq:s"):
    search: int
    entry: int


class Feedback(ActionData, prefix="fq:h"):
    search: int  # 0: the answer was browsed to, not searched for
    entry: int
    helped: bool


class AskPerson(ActionData, prefix="fq:ask"):
    search: int


# ---- managers -------------------------------------------------------------------------------------------------

class AdminHome(ActionData, prefix="fqa:home"):
    pass


class AdminCategory(ActionData, prefix="fqa:c"):
    category: int


class AdminEntry(ActionData, prefix="fqa:e"):
    entry: int


class AdminNew(ActionData, prefix="fqa:new"):
    category: int


class AdminEdit(ActionData, prefix="fqa:ed"):
    entry: int
    field: str = token(r"[a-z_]+")


class AdminMove(ActionData, prefix="fqa:mv"):
    entry: int
    direction: Literal["up", "down"]


class AdminToggle(ActionData, prefix="fqa:vis"):
    entry: int


class Kpi(ActionData, prefix="fqa:kpi"):
    pass
