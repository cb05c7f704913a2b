"""The broadcast author's screens (messenger-neutral)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from services.broadcasts import actions as act
from services.db.broadcast_models import Broadcast
from services.kernel.dto import Button, Screen

KIND_ROWS = (("all", "ids"), ("tier", "messenger"), ("lang", "offer"), ("active", "inactive"))
VALUES = {"tier": ("certified", "gold", "platinum"), "messenger": ("telegram", "vk"), "lang": ("ru", "en")}


def _discard(broadcast_id: int) -> Button:
    return Button("bc-btn-discard", act.Discard(broadcast_id).pack(), style="negative")


def home(items: Sequence[Broadcast], edit: bool = False) -> Screen:
    lines = [f"#{b.id} · {b.status} · {b.created_at:%d.%m %H:%M} · {(b.text or '📷')[:40]}" for b in items]
    rows = [(Button("bc-item", act.Card(b.id).pack(), {"id": str(b.id), "state": str(b.status)}),)
            for b in items if b.status != "draft"][:6]
    rows.append((Button("bc-btn-new", act.New().pack(), style="primary"),))
    return Screen("bc-home", {"items": "\n".join(lines) or "—"}, buttons=tuple(rows), edit=edit)


def ask_text(broadcast_id: int, edit: bool = False) -> Screen:
    return Screen("bc-ask-text", buttons=((_discard(broadcast_id),),), edit=edit)


def ask_button(broadcast_id: int) -> Screen:
    return Screen("bc-ask-button", buttons=((Button("bc-btn-skip", act.SkipButton(broadcast_id).pack()),
                                             _discard(broadcast_id)),))


def audience_menu(broadcast_id: int, edit: bool = False) -> Screen:
    rows = [tuple(Button(f"bc-kind-{kind}", act.Pick(broadcast_id, kind).pack()) for kind in row)  # type: ignore[arg-type]
            for row in KIND_ROWS]
    rows.append((_discard(broadcast_id),))
    return Screen("bc-audience", buttons=tuple(rows), edit=edit)


def values_menu(broadcast_id: int, kind: str, offers: Sequence[tuple[int, str]] = ()) -> Screen:
    if kind == "offer":
        choices = [(str(oid), "bc-value-offer", {"name": name[:30]}) for oid, name in offers[:8]]
    else:
        choices = [(value, f"bc-value-{value}", {}) for value in VALUES[kind]]
    rows: list[tuple[Button, ...]] = [(Button(label, act.PickValue(broadcast_id, kind, value).pack(), args),)  # type: ignore[arg-type]
                                      for value, label, args in choices]
    rows.append((Button("btn-back", act.Audience(broadcast_id).pack()),))
    return Screen("bc-pick-value", {"kind": kind}, buttons=tuple(rows), edit=True)


def ask_days(broadcast_id: int, kind: str) -> Screen:
    return Screen("bc-ask-days", {"kind": kind}, buttons=((Button("btn-back", act.Audience(broadcast_id).pack()),),),
                  edit=True)


def ask_csv(broadcast_id: int) -> Screen:
    return Screen("bc-ask-csv", buttons=((Button("btn-back", act.Audience(broadcast_id).pack()),),), edit=True)


def summary(draft: Broadcast, per_messenger: dict[str, int], audience_value: str, edit: bool = False) -> Screen:
    aud = dict(draft.audience)
    rows = ((Button("bc-btn-send", act.SendNow(draft.id).pack(), style="positive"),
             Button("bc-btn-schedule", act.Schedule(draft.id).pack())),
            (Button("bc-btn-audience", act.Audience(draft.id).pack()), _discard(draft.id)))
    return Screen("bc-summary", {
        "id": str(draft.id), "kind": str(aud.get("kind", "all")), "value": audience_value,
        "total": str(sum(per_messenger.values())), "telegram": str(per_messenger.get("telegram", 0)),
        "vk": str(per_messenger.get("vk", 0)), "photo": "yes" if draft.photo else "no",
        "button": draft.button_label or "",
    }, buttons=rows, edit=edit)


def ask_when(broadcast_id: int, tz_name: str, now: datetime) -> Screen:
    local = now.astimezone(ZoneInfo(tz_name))
    return Screen("bc-ask-when", {"tz": tz_name, "now": f"{local:%d.%m.%Y %H:%M}"},
                  buttons=((_discard(broadcast_id),),), edit=True)


def scheduled(broadcast: Broadcast, tz_name: str) -> Screen:
    assert broadcast.scheduled_at is not None
    local = broadcast.scheduled_at.astimezone(ZoneInfo(tz_name))
    return Screen("bc-scheduled", {"id": str(broadcast.id), "when": f"{local:%d.%m.%Y %H:%M}", "tz": tz_name},
                  buttons=((Button("bc-btn-cancel", act.Control(broadcast.id, "cancel").pack(), style="negative"),),))


def started(broadcast_id: int, total: int) -> Screen:
    return Screen("bc-started", {"id": str(broadcast_id), "total": str(total)}, edit=True)
