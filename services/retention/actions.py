"""Button actions of the retention area (ret:): managers deciding on the partner of the month."""
from __future__ import annotations

from services.kernel.actions import ActionData


class PotmApprove(ActionData, prefix="ret:potm:ok"):
    month: int  # 202611


class PotmSkip(ActionData, prefix="ret:potm:skip"):
    month: int
