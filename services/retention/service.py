"""The retention area's chat side: managers' Approve / Skip on the partner of the month (ret:…). The jobs
themselves (digest, nudge, partner of the month, morning summary) are scheduled in bot/scheduler.py."""
from __future__ import annotations

from services.kernel.actions import ActionTable
from services.kernel.deps import Deps
from services.retention import actions as act
from services.retention import potm


class RetentionService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.on_action = t = ActionTable()
        t.on(act.PotmApprove, lambda inc, a: potm.decide(deps, inc, a.month, True))
        t.on(act.PotmSkip, lambda inc, a: potm.decide(deps, inc, a.month, False))
