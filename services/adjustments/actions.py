"""/admin → Balance adjustments: the buttons (adj:…)."""
from __future__ import annotations

from services.kernel.actions import ActionData


class Home(ActionData, prefix="adj:home"):
    pass


class New(ActionData, prefix="adj:new"):
    pass


class Confirm(ActionData, prefix="adj:ok"):
    adjustment: int


class Cancel(ActionData, prefix="adj:no"):
    adjustment: int


class Approve(ActionData, prefix="adj:ap"):
    adjustment: int


class Reject(ActionData, prefix="adj:rj"):
    adjustment: int


class Pending(ActionData, prefix="adj:pend"):
    pass


class Limits(ActionData, prefix="adj:lim"):
    pass


class SetLimit(ActionData, prefix="adj:limset"):
    pass
