"""Notification bursts: when an advertiser replays a day of conversions, a partner gets one live summary message
edited in place ("+37 conversions, +1 110.00 RUB"), not two thousand messages.

A conversion notice is delivered on its own unless, when its turn comes, the chat has had at least `threshold`
such notices within `window` (or a burst is already running for it). Then it and every other pending notice for
that chat are folded into the chat's burst in one transaction (the rows are marked sent, with delivered_ref
"burst:<id>": each conversion stays in the outbox history and in stats), and the summary is sent or edited —
at most once per `edit_interval`, which keeps well inside Telegram's per-chat limit. The "needs showing" state
(dirty) is committed with the fold, so a crash between fold and edit only delays the edit: flush() catches up.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select, update

from services.db.messaging_models import NotificationBurst
from services.db.models import OutboxMessage
from services.kernel.deps import Deps
from services.kernel.dto import Button, Screen
from services.kernel.money import format_money
from services.kernel.ports import DeliveryError, Notifier

log = logging.getLogger(__name__)

KINDS = ("conversion", "l2_conversion")
STATUS_MARK = {"pending": "⏳", "approved": "✅", "rejected": "❌", "refunded": "↩️"}
POSITIVE = ("pending", "approved")  # money on its way in; rejected/refunded are counted, not added


@dataclass(frozen=True)
class BurstPolicy:
    window: timedelta = timedelta(seconds=60)
    threshold: int = 3  # notices in the window (this one included) that make a burst
    edit_interval: timedelta = timedelta(seconds=5)
    latest: int = 5  # notices listed in the summary
    fold_limit: int = 5000  # pending rows folded per transaction


def _empty_summary() -> dict[str, Any]:
    return {"count": 0, "statuses": {}, "totals": {}, "latest": []}


def _fold(summary: dict[str, Any], screens: list[tuple[str, dict[str, Any]]], latest: int) -> dict[str, Any]:
    summary = {**summary, "statuses": dict(summary["statuses"]), "totals": dict(summary["totals"]),
               "latest": list(summary["latest"])}
    for kind, screen in screens:
        args = screen.get("args") or {}
        status = str(args.get("status", "pending"))
        if kind == "l2_conversion":
            status = "approved" if status == "approved" else "refunded"
        summary["count"] += 1
        summary["statuses"][status] = summary["statuses"].get(status, 0) + 1
        currency, value = str(args.get("currency") or ""), args.get("value")
        try:
            amount = Decimal(str(value)) if value is not None else None
        except InvalidOperation:
            amount = None
        if amount is not None and currency and status in POSITIVE:
            summary["totals"][currency] = str(Decimal(summary["totals"].get(currency, "0")) + amount)
        mark = "🤝" if kind == "l2_conversion" else STATUS_MARK.get(status, "•")
        summary["latest"].append(f"{mark} #{args.get('id', '?')} · {args.get('offer', '')} · {args.get('amount', '')}")
    summary["latest"] = summary["latest"][-latest:]
    return summary


def summary_screen(summary: dict[str, Any], minutes: int) -> Screen:
    totals = " · ".join("+" + format_money(Decimal(v), c) for c, v in sorted(summary["totals"].items())) or "—"
    statuses = summary["statuses"]
    return Screen("burst-summary", {
        "count": str(summary["count"]), "totals": totals, "minutes": str(minutes),
        "approved": str(statuses.get("approved", 0)), "pending": str(statuses.get("pending", 0)),
        "rejected": str(statuses.get("rejected", 0)), "refunded": str(statuses.get("refunded", 0)),
        "latest": "\n".join(reversed(summary["latest"])),
    }, buttons=((Button("burst-btn-stats", "menu:stats"),),))


class Bursts:
    def __init__(self, deps: Deps, notifiers: Mapping[str, Notifier], policy: BurstPolicy | None = None) -> None:
        self.deps = deps
        self.notifiers = notifiers
        self.policy = policy or BurstPolicy()

    async def fold(self, message: OutboxMessage) -> bool:
        """For a claimed conversion notice: True if it went into a burst (the row is finished), False if it
        should be delivered on its own."""
        if message.kind not in KINDS or message.thread_id or message.messenger not in self.notifiers:
            return False
        now = self.deps.clock.now()
        since = now - self.policy.window
        async with self.deps.uow() as uow:
            burst = await uow.session.scalar(
                select(NotificationBurst).where(NotificationBurst.messenger == message.messenger,
                                                NotificationBurst.chat_id == message.chat_id,
                                                NotificationBurst.last_item_at >= since)
                .order_by(NotificationBurst.id.desc()).limit(1).with_for_update())
            if burst is None:
                recent = await uow.session.scalar(select(func.count(OutboxMessage.id)).where(
                    OutboxMessage.messenger == message.messenger, OutboxMessage.chat_id == message.chat_id,
                    OutboxMessage.kind.in_(KINDS), OutboxMessage.created_at >= since))
                if (recent or 0) < self.policy.threshold:
                    return False
                burst = NotificationBurst(messenger=message.messenger, chat_id=message.chat_id,
                                          locale=message.locale, partner_id=message.partner_id, started_at=now,
                                          last_item_at=now, dirty=True, summary=_empty_summary())
                uow.session.add(burst)
                await uow.session.flush()
            marker = f"burst:{burst.id}"
            ids = list((await uow.session.scalars(
                select(OutboxMessage.id).where(
                    OutboxMessage.messenger == message.messenger, OutboxMessage.chat_id == message.chat_id,
                    OutboxMessage.kind.in_(KINDS), OutboxMessage.thread_id.is_(None),
                    ((OutboxMessage.status == "pending") & (OutboxMessage.next_attempt_at <= now))
                    | (OutboxMessage.id == message.id))
                .order_by(OutboxMessage.id).limit(self.policy.fold_limit))).all())
            if message.id not in ids:
                ids.append(message.id)
            # Only rows nobody else has claimed meanwhile (ours is "sending" under our lease).
            await uow.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids),
                       (OutboxMessage.status == "pending") | (OutboxMessage.id == message.id))
                .values(status="sent", sent_at=now, delivered_ref=marker, last_error=None)
                .execution_options(synchronize_session=False))
            folded = (await uow.session.execute(
                select(OutboxMessage.kind, OutboxMessage.screen)
                .where(OutboxMessage.id.in_(ids), OutboxMessage.delivered_ref == marker, OutboxMessage.sent_at == now)
                .order_by(OutboxMessage.id))).all()
            burst.summary = _fold(burst.summary, [(kind, screen) for kind, screen in folded], self.policy.latest)
            burst.last_item_at = now
            burst.dirty = True
            burst_id = burst.id
            await uow.commit()
        await self.render(burst_id)
        return True

    async def flush(self) -> int:
        """Shows what bursts folded since their last edit, once their edit interval has passed."""
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            ids = list((await uow.session.scalars(select(NotificationBurst.id).where(
                NotificationBurst.dirty.is_(True),
                NotificationBurst.last_item_at >= now - self.policy.window * 10))).all())
        shown = 0
        for burst_id in ids:
            shown += await self.render(burst_id)
        return shown

    async def render(self, burst_id: int) -> int:
        now = self.deps.clock.now()
        async with self.deps.uow() as uow:
            burst = await uow.session.get(NotificationBurst, burst_id)
            if burst is None or not burst.dirty:
                return 0
            if burst.rendered_at is not None and now < burst.rendered_at + self.policy.edit_interval:
                return 0  # flush() comes back for it
            messenger, chat_id, locale, ref = burst.messenger, burst.chat_id, burst.locale, burst.message_ref
            summary = burst.summary
            minutes = max(1, int((now - burst.started_at).total_seconds() // 60) + 1)
        notifier = self.notifiers.get(messenger)
        if notifier is None:
            return 0
        screen = summary_screen(summary, minutes)
        try:
            if ref is not None and await notifier.edit(chat_id, ref, screen, locale):
                new_ref = ref
            else:  # first summary, or the old one can no longer be edited: a fresh one
                # A dedupe id of its own per (burst, size): VK drops a repeated random_id, and a fresh summary
                # after a failed edit must not be taken for a repeat of the first one.
                dedupe = 1_000_000_000 + (burst_id * 7919 + summary["count"]) % 1_000_000_000
                delivered = await notifier.send(chat_id, screen, locale, dedupe)
                new_ref = delivered.ref if delivered is not None else ref
        except DeliveryError as exc:
            log.warning("burst %s summary not shown yet: %s", burst_id, exc)
            return 0
        async with self.deps.uow() as uow:
            burst = await uow.session.get(NotificationBurst, burst_id, with_for_update=True, populate_existing=True)
            if burst is not None:
                burst.message_ref = new_ref
                burst.rendered_at = now
                burst.dirty = burst.summary["count"] != summary["count"]  # folded more meanwhile: show again
                await uow.commit()
        return 1
