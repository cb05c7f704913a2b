"""/broadcast (and /admin → Broadcasts): the author's chat flow — compose (text, photo, link button), audience,
count and a preview sent to themselves, send now or schedule — and the controls of a broadcast under way."""
from __future__ import annotations

import logging
import random
from collections.abc import Callable

from sqlalchemy import delete, select

from services.broadcasts import actions as act
from services.broadcasts import audience, manage, progress, screens
from services.broadcasts.model import Status, post_of
from services.broadcasts.sender import start
from services.db.broadcast_models import Broadcast
from services.db.tracking_models import Offer
from services.db.uow import UnitOfWork
from services.kernel import validation
from services.kernel.actions import ActionTable
from services.kernel.deps import Deps
from services.kernel.dto import Attachment, Incoming, Reply, Screen, Toast
from services.kernel.ports import PostSender
from services.messaging.notify import staff_locale
from services.staff.roles import MANAGER_ROLES, AccessDenied, has_role

log = logging.getLogger(__name__)
FORM = "bc_compose"  # form_states.form while a manager composes; step = what the next message answers


def not_allowed() -> Reply:
    return Reply(toast=Toast("err-not-allowed", alert=True))


def stale() -> Reply:
    return Reply(toast=Toast("err-stale-button"))


class BroadcastService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        # messenger → its PostSender (the Notifier), for the preview; filled by the composition root.
        self.senders: dict[str, PostSender] = {}
        self.wake: Callable[[], None] = lambda: None  # the sender starts now instead of at its next poll
        t = self.on_action = ActionTable()  # bc:…
        t.on(act.Home, lambda inc, _: self.home(inc, edit=True))
        t.on(act.New, lambda inc, _: self.new(inc))
        t.on(act.Card, lambda inc, a: self.card(inc, a.broadcast))
        t.on(act.SkipButton, lambda inc, a: self.skip_button(inc, a.broadcast))
        t.on(act.Discard, lambda inc, a: self.discard(inc, a.broadcast))
        t.on(act.Audience, lambda inc, a: self.audience_menu(inc, a.broadcast))
        t.on(act.Pick, lambda inc, a: self.pick(inc, a.broadcast, a.kind))
        t.on(act.PickValue, lambda inc, a: self.pick_value(inc, a.broadcast, a.kind, a.value))
        t.on(act.SendNow, lambda inc, a: self.send_now(inc, a.broadcast))
        t.on(act.Schedule, lambda inc, a: self.ask_when(inc, a.broadcast))
        t.on(act.Control, lambda inc, a: self.control(inc, a.broadcast, a.op))
        t.on(act.FailuresCsv, lambda inc, a: self.failures(inc, a.broadcast))

    async def home(self, inc: Incoming, *, edit: bool = False) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            if not await has_role(uow, inc, MANAGER_ROLES):
                return Reply.of(Screen("err-not-allowed")) if not edit else not_allowed()
            items = (await uow.session.scalars(select(Broadcast).where(Broadcast.status != Status.DRAFT)
                                               .order_by(Broadcast.id.desc()).limit(6))).all()
        return Reply.of(screens.home(items, edit=edit))

    async def new(self, inc: Incoming) -> Reply:
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, MANAGER_ROLES):
                return not_allowed()
            locale = await staff_locale(uow, self.deps, inc.messenger, inc.user_id)
            draft = await manage.create_draft(uow, self.deps, inc, locale)
            await self._step(uow, inc, draft.id, "text")
            await uow.commit()
        return Reply.of(screens.ask_text(draft.id))

    async def _step(self, uow: UnitOfWork, inc: Incoming, broadcast_id: int, step: str) -> None:
        await uow.forms.save(inc.messenger, inc.user_id, FORM, step, {"bc": broadcast_id}, self.deps.clock.now())

    async def _open(self, uow: UnitOfWork, inc: Incoming, broadcast_id: int) -> Broadcast | Reply:
        """The caller's draft, or the refusal to show."""
        try:
            draft = await manage.draft_of(uow, inc, broadcast_id)
        except AccessDenied:
            return not_allowed()
        return draft if draft is not None else stale()

    # ---- typed answers ---------------------------------------------------------------------------------------

    async def on_message(self, inc: Incoming) -> Reply:
        """The manager's next message while composing: the text/photo, the button, a number of days, the CSV or
        the time to send at — whatever the open step asks for."""
        csv_data = await self._download_csv(inc)
        async with self.deps.uow() as uow:
            state = await uow.forms.get(inc.messenger, inc.user_id, lock=True)
            if state is None or state.form != FORM:
                return Reply.of(Screen("err-stale-button"))
            draft = await self._open(uow, inc, int(state.data.get("bc", 0)))
            if isinstance(draft, Reply):
                await uow.forms.clear(inc.messenger, inc.user_id)
                await uow.commit()
                refused = draft.toast.text_key if draft.toast else "err-stale-button"
                return Reply.of(Screen(refused))
            step = state.step
            try:
                if step == "text":
                    manage.set_content(draft, inc)
                    await self._step(uow, inc, draft.id, "button")
                    await uow.commit()
                    return Reply.of(screens.ask_button(draft.id))
                if step == "button":
                    draft.button_label, draft.button_url = manage.parse_button(inc.text or "")
                    await self._step(uow, inc, draft.id, "audience")
                    await uow.commit()
                    return Reply.of(screens.audience_menu(draft.id))
                if step.startswith("days:"):
                    draft.audience = {"kind": step.removeprefix("days:"), "value": manage.parse_days(inc.text or "")}
                elif step == "csv":
                    if csv_data is None:
                        raise validation.Invalid("bc-err-csv-file")
                    draft.audience = {"kind": "ids", "ids": audience.parse_ids(csv_data)}
                elif step == "when":
                    tz = await manage.manager_timezone(uow, self.deps, inc)
                    when = manage.parse_when(inc.text or "", tz, self.deps.clock.now())
                    await manage.schedule(uow, draft, when)
                    await uow.forms.clear(inc.messenger, inc.user_id)
                    await uow.commit()
                    await uow.session.refresh(draft)
                    return Reply.of(screens.scheduled(draft, tz))
                else:  # a menu is open: it wants a button
                    return Reply.of(Screen("err-use-buttons"))
            except validation.Invalid as bad:
                return Reply.of(Screen(bad.key, bad.params))
            await self._step(uow, inc, draft.id, "summary")
            await uow.commit()
        return await self._summary(inc, draft.id, edit=False)

    async def _download_csv(self, inc: Incoming) -> bytes | None:
        document = next((a for a in inc.attachments if a.kind == "document"), None)
        if document is None:
            return None
        source = self.deps.files.get(document.origin)
        if source is None:
            return None
        try:
            content, _ = await source.fetch(document)
        except Exception as exc:  # too big, gone: the manager is asked again
            log.info("broadcast CSV %s not downloaded: %r", document.ref, exc)
            return None
        return content

    # ---- buttons ---------------------------------------------------------------------------------------------

    async def skip_button(self, inc: Incoming, broadcast_id: int) -> Reply:
        return await self.audience_menu(inc, broadcast_id)

    async def audience_menu(self, inc: Incoming, broadcast_id: int) -> Reply:
        async with self.deps.uow() as uow:
            draft = await self._open(uow, inc, broadcast_id)
            if isinstance(draft, Reply):
                return draft
            if not (draft.text or draft.photo):
                return stale()  # still composing: the text comes first
            await self._step(uow, inc, broadcast_id, "audience")
            await uow.commit()
        return Reply.of(screens.audience_menu(broadcast_id, edit=True))

    async def pick(self, inc: Incoming, broadcast_id: int, kind: str) -> Reply:
        async with self.deps.uow() as uow:
            draft = await self._open(uow, inc, broadcast_id)
            if isinstance(draft, Reply):
                return draft
            if kind == "all":
                draft.audience = {"kind": "all"}
                await self._step(uow, inc, broadcast_id, "summary")
                await uow.commit()
                return await self._summary(inc, broadcast_id, edit=True)
            if kind in ("active", "inactive"):
                await self._step(uow, inc, broadcast_id, f"days:{kind}")
                await uow.commit()
                return Reply.of(screens.ask_days(broadcast_id, kind))
            if kind == "ids":
                await self._step(uow, inc, broadcast_id, "csv")
                await uow.commit()
                return Reply.of(screens.ask_csv(broadcast_id))
            offers = (await uow.session.execute(select(Offer.id, Offer.name).order_by(Offer.id))).all()
        return Reply.of(screens.values_menu(broadcast_id, kind, [(o, n) for o, n in offers]))

    async def pick_value(self, inc: Incoming, broadcast_id: int, kind: str, value: str) -> Reply:
        async with self.deps.uow() as uow:
            draft = await self._open(uow, inc, broadcast_id)
            if isinstance(draft, Reply):
                return draft
            if kind == "offer":
                if not value.isdigit() or await uow.session.get(Offer, int(value)) is None:
                    return stale()
            elif value not in screens.VALUES.get(kind, ()):
                return stale()
            draft.audience = {"kind": kind, "value": int(value) if kind == "offer" else value}
            await self._step(uow, inc, broadcast_id, "summary")
            await uow.commit()
        return await self._summary(inc, broadcast_id, edit=True)

    async def _summary(self, inc: Incoming, broadcast_id: int, *, edit: bool) -> Reply:
        """The recipient count and, first, a preview of the very post partners will get, sent to the author."""
        async with self.deps.uow(readonly=True) as uow:
            draft = await uow.session.get(Broadcast, broadcast_id)
            assert draft is not None
            counts = await audience.count(uow, dict(draft.audience), self.deps.clock.now())
            value = str(draft.audience.get("value", len(draft.audience.get("ids") or ())))
            if draft.audience.get("kind") == "offer":
                value = await uow.session.scalar(select(Offer.name).where(Offer.id == int(value))) or value
        sender = self.senders.get(inc.messenger)
        if sender is not None:
            try:
                await sender.post([inc.chat_id], post_of(draft), random.getrandbits(30))
            except Exception as exc:  # the summary still shows; the author sees the preview is missing
                log.warning("broadcast %s preview failed: %r", broadcast_id, exc)
        return Reply.of(screens.summary(draft, counts, value, edit=False))

    async def send_now(self, inc: Incoming, broadcast_id: int) -> Reply:
        async with self.deps.uow() as uow:
            draft = await self._open(uow, inc, broadcast_id)
            if isinstance(draft, Reply):
                return draft
            if not (draft.text or draft.photo):
                return stale()
            await uow.forms.clear(inc.messenger, inc.user_id)
            await uow.commit()
        if not await start(self.deps, broadcast_id, from_status=Status.DRAFT):
            return stale()  # a double tap: the first one started it
        async with self.deps.uow(readonly=True) as uow:
            counts = await progress.counts(uow, broadcast_id, self.deps.clock.now())
        self.wake()
        return Reply.of(screens.started(broadcast_id, counts.total))

    async def ask_when(self, inc: Incoming, broadcast_id: int) -> Reply:
        async with self.deps.uow() as uow:
            draft = await self._open(uow, inc, broadcast_id)
            if isinstance(draft, Reply):
                return draft
            tz = await manage.manager_timezone(uow, self.deps, inc)
            await self._step(uow, inc, broadcast_id, "when")
            await uow.commit()
        return Reply.of(screens.ask_when(broadcast_id, tz, self.deps.clock.now()))

    async def discard(self, inc: Incoming, broadcast_id: int) -> Reply:
        async with self.deps.uow() as uow:
            draft = await self._open(uow, inc, broadcast_id)
            if isinstance(draft, Reply):
                return draft
            await uow.session.execute(delete(Broadcast).where(Broadcast.id == broadcast_id,
                                                              Broadcast.status == Status.DRAFT))
            state = await uow.forms.get(inc.messenger, inc.user_id, lock=True)
            if state is not None and state.form == FORM:
                await uow.forms.clear(inc.messenger, inc.user_id)
            await uow.commit()
        return Reply.of(Screen("bc-discarded", edit=True))

    async def card(self, inc: Incoming, broadcast_id: int, toast: Toast | None = None) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            if not await has_role(uow, inc, MANAGER_ROLES):
                return not_allowed()
            broadcast = await uow.session.get(Broadcast, broadcast_id)
            if broadcast is None or broadcast.status == Status.DRAFT:
                return stale()
            if broadcast.status == Status.SCHEDULED:
                tz = await manage.manager_timezone(uow, self.deps, inc)
                return Reply([screens.scheduled(broadcast, tz)], toast=toast)
            counts = await progress.counts(uow, broadcast_id, self.deps.clock.now())
        return Reply([progress.screen(broadcast, counts, self.deps.clock.now(), edit=True)], toast=toast)

    async def control(self, inc: Incoming, broadcast_id: int, op: manage.Op) -> Reply:
        async with self.deps.uow() as uow:
            try:
                outcome = await manage.control(uow, self.deps, inc, broadcast_id, op)
            except AccessDenied:
                return not_allowed()
            await uow.commit()
        if outcome == "not_found":
            return stale()
        if outcome == "resumed":
            self.wake()
        if outcome == "cancelled":
            self.deps.wake_outbox()
        return await self.card(inc, broadcast_id, toast=Toast(f"bc-{outcome}", alert=outcome == "finished"))

    async def failures(self, inc: Incoming, broadcast_id: int) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            if not await has_role(uow, inc, MANAGER_ROLES):
                return not_allowed()
            if await uow.session.get(Broadcast, broadcast_id) is None:
                return stale()
            data = await progress.failures_csv(uow, broadcast_id)
        name = f"broadcast-{broadcast_id}-failures.csv"
        return Reply.of(Screen("bc-csv", {"id": str(broadcast_id)},
                               attachments=(Attachment.generated("document", name, data),)))
