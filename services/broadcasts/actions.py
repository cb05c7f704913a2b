"""The broadcasts' buttons (bc:…), typed: packed and parsed in one place."""
from __future__ import annotations

from typing import Literal

from services.kernel.actions import ActionData, token

AudienceKind = Literal["all", "tier", "messenger", "lang", "offer", "active", "inactive", "ids"]


class Home(ActionData, prefix="bc:home"):
    pass


class New(ActionData, prefix="bc:new"):
    pass


class Card(ActionData, prefix="bc:card"):
    broadcast: int


class SkipButton(ActionData, prefix="bc:skip"):
    broadcast: int


class Discard(ActionData, prefix="bc:x"):
    broadcast: int


class Audience(ActionData, prefix="bc:aud"):
    broadcast: int


class Pick(ActionData, prefix="bc:ak"):
    broadcast: int
    kind: AudienceKind


class PickValue(ActionData, prefix="bc:av"):
    broadcast: int
    kind: Literal["tier", "messenger", "lang", "offer"]
    value: str = token(r"[a-z0-9]{1,16}")


class SendNow(ActionData, prefix="bc:go"):
    broadcast: int


class Schedule(ActionData, prefix="bc:when"):
    broadcast: int


class Control(ActionData, prefix="bc:ctl"):
    broadcast: int
    op: Literal["pause", "resume", "cancel"]


class FailuresCsv(ActionData, prefix="bc:csv"):
    broadcast: int
