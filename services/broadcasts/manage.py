"""Use cases of a broadcast's author: compose a draft, pick its audience, start or schedule it, pause, resume,
cancel. Plain data in, outcomes out; every one checks the manager role itself. Screens live in screens.py."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from services.broadcasts import progress
from services.broadcasts.model import Status
from services.db.broadcast_models import Broadcast
from services.db.uow import UnitOfWork
from services.kernel import validation
from services.kernel.deps import Deps
from services.kernel.dto import Attachment, Incoming
from services.staff.roles import MANAGER_ROLES, require_role

TEXT_MAX, CAPTION_MAX = 4096, 1024  # Telegram's limits for a message and a photo caption
LABEL_MAX = 40  # VK's button label limit (Telegram allows more; one rule for both)
SCHEDULE_MAX = timedelta(days=60)
Op = Literal["pause", "resume", "cancel"]


def who(inc: Incoming) -> str:
    return f"{inc.messenger}:{inc.user_id}"


async def manager_timezone(uow: UnitOfWork, deps: Deps, inc: Incoming) -> str:
    """The manager's own time zone (Settings, when they are also a partner), else the program's."""
    account = await uow.accounts.get(inc.messenger, inc.user_id)
    partner = await uow.partners.get(account.partner_id) if account else None
    return partner.timezone if partner is not None else deps.config.program_timezone


async def create_draft(uow: UnitOfWork, deps: Deps, inc: Incoming, locale: str) -> Broadcast:
    await require_role(uow, inc, MANAGER_ROLES)
    draft = Broadcast(status=Status.DRAFT, created_by=who(inc), messenger=inc.messenger, chat_id=inc.chat_id,
                      locale=locale, text="", entities=[], audience={"kind": "all"}, created_at=deps.clock.now())
    uow.session.add(draft)
    await uow.session.flush()
    return draft


async def draft_of(uow: UnitOfWork, inc: Incoming, broadcast_id: int) -> Broadcast | None:
    """The caller's own draft (another manager's draft is not theirs to edit), role checked."""
    await require_role(uow, inc, MANAGER_ROLES)
    found = await uow.session.get(Broadcast, broadcast_id)
    if found is None or found.status != Status.DRAFT or found.created_by != who(inc):
        return None
    return found


def set_content(draft: Broadcast, inc: Incoming) -> None:
    """The message as typed: text (with Telegram's formatting entities) and at most one photo."""
    photos = [a for a in inc.attachments if a.kind == "photo"]
    if any(a.kind != "photo" for a in inc.attachments) or len(photos) > 1:
        raise validation.Invalid("bc-err-content")
    text = (inc.text or "").strip() if not inc.entities else (inc.text or "")
    if not text and not photos:
        raise validation.Invalid("bc-err-content")
    limit = CAPTION_MAX if photos else TEXT_MAX
    if len(text) > limit:
        raise validation.Invalid("err-too-long", {"max": limit, "length": len(text)})
    draft.text = text
    draft.entities = list(inc.entities)
    draft.photo = photos[0].to_dict() if photos else None


def parse_button(text: str) -> tuple[str, str]:
    """"Label | https://…" → (label, url)."""
    label, sep, url = text.partition("|")
    label = label.strip()
    if not sep or not label:
        raise validation.Invalid("bc-err-button")
    if len(label) > LABEL_MAX:
        raise validation.Invalid("err-too-long", {"max": LABEL_MAX, "length": len(label)})
    return label, validation.http_url(url)


def parse_days(text: str) -> int:
    return validation.whole_number(text, minimum=1, maximum=365)


def parse_when(text: str, tz_name: str, now: datetime) -> datetime:
    """"18:30" (today, or tomorrow once passed), "03.12 18:30", "03.12.2026 18:30", "2026-12-03 18:30" in the
    manager's time zone → aware UTC; in the future and within SCHEDULE_MAX."""
    zone = ZoneInfo(tz_name)
    local_now = now.astimezone(zone)
    raw = " ".join(text.split())
    patterns = (
        (r"(\d{1,2})[:.](\d{2})", lambda m: (local_now.year, local_now.month, local_now.day, m[1], m[2])),
        (r"(\d{1,2})\.(\d{1,2}) (\d{1,2})[:.](\d{2})", lambda m: (local_now.year, m[2], m[1], m[3], m[4])),
        (r"(\d{1,2})\.(\d{1,2})\.(\d{4}) (\d{1,2})[:.](\d{2})", lambda m: (m[3], m[2], m[1], m[4], m[5])),
        (r"(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})", lambda m: (m[1], m[2], m[3], m[4], m[5])),
    )
    for pattern, parts in patterns:
        match = re.fullmatch(pattern, raw)
        if match is None:
            continue
        try:
            year, month, day, hour, minute = (int(p) for p in parts(match))
            local = datetime(year, month, day, hour, minute, tzinfo=zone)
        except ValueError:
            raise validation.Invalid("bc-err-when") from None
        if pattern == patterns[0][0] and local <= local_now:
            local += timedelta(days=1)  # a bare time already past today: tomorrow
        elif pattern == patterns[1][0] and local <= local_now:
            local = local.replace(year=local.year + 1)
        when = local.astimezone(ZoneInfo("UTC"))
        if when <= now or when - now > SCHEDULE_MAX:
            raise validation.Invalid("bc-err-when-range")
        return when
    raise validation.Invalid("bc-err-when")


async def schedule(uow: UnitOfWork, draft: Broadcast, when: datetime) -> bool:
    moved = await uow.session.execute(update(Broadcast).where(
        Broadcast.id == draft.id, Broadcast.status == Status.DRAFT).values(status=Status.SCHEDULED, scheduled_at=when))
    return moved.rowcount == 1


ControlOutcome = Literal["paused", "resumed", "cancelled", "already", "finished", "not_found"]
_MOVES: dict[str, tuple[tuple[str, ...], str]] = {
    "pause": ((Status.RUNNING,), Status.PAUSED),
    "resume": ((Status.PAUSED,), Status.RUNNING),
    "cancel": ((Status.RUNNING, Status.PAUSED, Status.SCHEDULED), Status.CANCELLED),
}
_DONE = {"pause": "paused", "resume": "resumed", "cancel": "cancelled"}


async def control(uow: UnitOfWork, deps: Deps, inc: Incoming, broadcast_id: int, op: Op) -> ControlOutcome:
    """Pause / resume / cancel, each by a conditional update: a double tap or two managers at once change the
    state once; the second is told it already happened. Any manager may stop any broadcast."""
    await require_role(uow, inc, MANAGER_ROLES)
    sources, target = _MOVES[op]
    now = deps.clock.now()
    values: dict[str, Any] = {"status": target}
    if target == Status.CANCELLED:
        values["finished_at"] = now
    moved = await uow.session.execute(update(Broadcast).where(
        Broadcast.id == broadcast_id, Broadcast.status.in_(sources)).values(**values))
    if moved.rowcount == 1:
        if target == Status.CANCELLED:
            await progress.report(uow, deps, broadcast_id)
        return _DONE[op]  # type: ignore[return-value]
    status = await uow.session.scalar(select(Broadcast.status).where(Broadcast.id == broadcast_id))
    if status is None:
        return "not_found"
    if status == target:
        return "already"
    return "finished"


def photo_of(draft: Broadcast) -> Attachment | None:
    return Attachment(**draft.photo) if draft.photo else None
