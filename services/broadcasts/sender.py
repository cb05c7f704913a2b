"""Delivers running broadcasts: claims due recipient rows with a lease, sends through each messenger's
PostSender at its rate, and marks every row in the step that records the platform's message id.

Crash safety. A row is `sending` only while leased; a crash (kill -9) leaves it leased, and when the lease ends
it is due again — nobody is skipped. Nothing marked `sent` is ever sent again. What remains is the instant
between the platform accepting a message and our commit of `sent`: on VK a resend carries the same random_id
(one per broadcast, for every peer) and VK drops it; Telegram has no idempotency key, so there a crash in that
instant can repeat the message for the rows in flight (at most `in_flight` of them). The window is kept to one
local commit right after each answer; it cannot be closed from our side.

Rate. One limiter per messenger (a GCRA token bucket: in memory, or in Redis shared by every process), one
token per platform call (Telegram: a message; VK: a messages.send of up to 100 peers). Telegram's 429
retry_after and VK's 6/9 hold the whole messenger until then; the rows of that call go back to pending unharmed.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, func, or_, select, update

from services.broadcasts import audience, progress
from services.broadcasts.model import RecipientStatus as R
from services.broadcasts.model import Status, dedupe_id, post_of
from services.db.broadcast_models import Broadcast, BroadcastRecipient
from services.db.models import MessengerAccount
from services.kernel.deps import Deps
from services.kernel.ports import DeliveryError, Notifier, Post, PostResult, PostSender
from services.shared.rate import SendLimiter

log = logging.getLogger(__name__)
B = BroadcastRecipient


@dataclass(frozen=True)
class SenderPolicy:
    lease: timedelta = timedelta(seconds=60)
    progress_every: timedelta = timedelta(seconds=5)  # the manager's progress message: edited at most this often
    batch: int = 50  # platform calls claimed per round and messenger (pause takes effect between rounds)
    in_flight: int = 8  # platform calls running at once (each still waits for its token)
    vk_peers: int = 100  # peer_ids per VK messages.send
    max_attempts: int = 5  # network failures before a recipient is given up as failed


@dataclass(frozen=True)
class Claimed:
    row_id: int
    chat_id: str
    account_id: int
    attempts: int


class NoLimit:
    async def wait(self) -> None:
        return None


class BroadcastSender:
    def __init__(self, deps: Deps, senders: Mapping[str, PostSender], notifiers: Mapping[str, Notifier],
                 limiters: Mapping[str, SendLimiter] | None = None, policy: SenderPolicy | None = None) -> None:
        self.deps = deps
        self.senders = dict(senders)
        self.notifiers = notifiers  # the managers' progress messages (live view of the composition root's dict)
        self.limiters = {name: (limiters or {}).get(name) or NoLimit() for name in self.senders}
        self.policy = policy or SenderPolicy()
        self.hold: dict[str, datetime] = {}  # messenger → no calls before (429 retry_after, VK 6/9)
        self._events: list[asyncio.Event] = []  # one per running loop
        # Our writes take turns here instead of in SQLite's busy handler (which sleeps up to 100 ms a try).
        self._write = asyncio.Lock()
        self._marks: list[tuple[Sequence[Claimed], Sequence[PostResult], asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None

    def wake(self) -> None:
        for event in self._events:
            event.set()

    def _held(self, messenger: str) -> bool:
        until = self.hold.get(messenger)
        return until is not None and until > self.deps.clock.now()

    # ---- rounds --------------------------------------------------------------------------------------------

    async def step(self) -> int:
        """Everything once, in order (tests drive this with a fake clock): start due scheduled broadcasts, one
        delivery round per messenger, progress, finish. Returns how many recipients were handled."""
        await self.start_due()
        handled = 0
        for messenger in self.senders:
            handled += await self.deliver(messenger)
        await self.housekeeping()
        return handled

    async def deliver(self, messenger: str) -> int:
        """One round of every running broadcast on one messenger (each messenger runs its own loop in `run`,
        so a slow or held one never idles the other)."""
        if self._held(messenger):
            return 0
        async with self.deps.uow(readonly=True) as uow:
            running = (await uow.session.scalars(select(Broadcast).where(Broadcast.status == Status.RUNNING)
                                                 .order_by(Broadcast.id))).all()
        handled = 0
        for broadcast in running:
            if not self._held(messenger):
                handled += await self._round(broadcast.id, messenger, post_of(broadcast))
        return handled

    async def housekeeping(self) -> int:
        """Starts due scheduled broadcasts, refreshes progress messages, finishes complete broadcasts."""
        started = await self.start_due()
        async with self.deps.uow(readonly=True) as uow:
            running = (await uow.session.scalars(select(Broadcast.id).where(Broadcast.status == Status.RUNNING)
                                                 .order_by(Broadcast.id))).all()
        for broadcast_id in running:
            await self.show_progress(broadcast_id)
            await self.finish_if_complete(broadcast_id)
        if started:
            self.wake()
        return 0

    async def start_due(self) -> int:
        now = self.deps.clock.now()
        async with self.deps.uow(readonly=True) as uow:
            due = (await uow.session.scalars(select(Broadcast.id).where(
                Broadcast.status == Status.SCHEDULED, Broadcast.scheduled_at <= now))).all()
        started = 0
        for broadcast_id in due:
            async with self._write:
                started += await start(self.deps, broadcast_id, from_status=Status.SCHEDULED)
        return started

    async def _claim(self, broadcast_id: int, messenger: str, limit: int) -> list[Claimed]:
        now = self.deps.clock.now()
        due = or_(and_(B.status == R.PENDING, B.not_before <= now), and_(B.status == R.SENDING, B.lease_until < now))
        async with self._write, self.deps.uow() as uow:
            ids = (await uow.session.scalars(select(B.id).where(B.broadcast_id == broadcast_id,
                                                                B.messenger == messenger, due)
                                             .order_by(B.id).limit(limit))).all()
            if not ids:
                return []
            rows = (await uow.session.execute(
                update(B).where(B.id.in_(ids), due)
                .values(status=R.SENDING, lease_until=now + self.policy.lease, attempts=B.attempts + 1)
                .returning(B.id, B.chat_id, B.account_id, B.attempts))).all()
            await uow.commit()
        return sorted((Claimed(*row) for row in rows), key=lambda c: c.row_id)

    async def _round(self, broadcast_id: int, messenger: str, post: Post) -> int:
        sender = self.senders[messenger]
        peers = max(1, min(sender.max_peers, self.policy.vk_peers if sender.max_peers > 1 else 1))
        claimed = await self._claim(broadcast_id, messenger, self.policy.batch * peers)
        if not claimed:
            return 0
        worn = [c for c in claimed if c.attempts > self.policy.max_attempts]
        if worn:
            await self._mark(worn, [PostResult(c.chat_id, error="gave up after repeated network errors")
                                    for c in worn])
        todo = [c for c in claimed if c.attempts <= self.policy.max_attempts]
        gate = asyncio.Semaphore(self.policy.in_flight)
        groups = [todo[i:i + peers] for i in range(0, len(todo), peers)]
        marks: list[asyncio.Future[None]] = []
        await asyncio.gather(*(self._call(gate, broadcast_id, messenger, sender, post, g, marks) for g in groups))
        await asyncio.gather(*marks)  # the round's outcomes are committed before the next claim
        return len(claimed)

    async def _call(self, gate: asyncio.Semaphore, broadcast_id: int, messenger: str, sender: PostSender,
                    post: Post, group: list[Claimed], marks: list[asyncio.Future[None]]) -> None:
        async with gate:
            if not self._held(messenger):
                await self.limiters[messenger].wait()
            if self._held(messenger):  # another call of this round was told to slow down
                await self._release(group)
                return
            try:
                results = await sender.post([c.chat_id for c in group], post, dedupe_id(broadcast_id))
            except DeliveryError as exc:
                if exc.retry_after is not None:
                    until = self.deps.clock.now() + timedelta(seconds=exc.retry_after)
                    self.hold[messenger] = max(until, self.hold.get(messenger, until))
                    log.info("broadcast %s: %s asked to wait %ss", broadcast_id, messenger, exc.retry_after)
                    await self._release(group)
                    return
                await self._retry_later(group, str(exc))
                return
            except Exception as exc:  # network trouble and the unexpected: the rows retry with backoff
                log.warning("broadcast %s to %s failed: %r", broadcast_id, messenger, exc)
                await self._retry_later(group, repr(exc))
                return
            marks.append(self._mark(group, results))  # the slot is free for the next call meanwhile

    # ---- row outcomes --------------------------------------------------------------------------------------

    def _mark(self, group: Sequence[Claimed], results: Sequence[PostResult]) -> asyncio.Future[None]:
        """Queues one platform call's outcomes for the next commit, at once; the future resolves when they are
        committed. Calls answered while a commit is under way go together into the next one (group commit): the
        window between a platform's answer and its mark stays about one commit long, and one fsync serves many
        sends."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._marks.append((group, results, done))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_marks())
        return done

    async def _flush_marks(self) -> None:
        while self._marks:
            batch, self._marks = self._marks, []
            try:
                async with self._write:
                    await self._write_marks([(g, r) for g, r, _ in batch])
            except Exception as exc:
                for _, _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            for _, _, done in batch:
                if not done.done():
                    done.set_result(None)

    async def _write_marks(self, batch: list[tuple[Sequence[Claimed], Sequence[PostResult]]]) -> None:
        now = self.deps.clock.now()
        rows: list[dict] = []
        blocked: list[int] = []
        for group, results in batch:
            by_chat = {r.chat_id: r for r in results}
            for row in group:
                result = by_chat.get(row.chat_id) or PostResult(row.chat_id, error="no answer")
                if result.ref is not None:
                    rows.append({"rid": row.row_id, "st": R.SENT, "ref": result.ref, "at": now, "err": None})
                    continue
                if result.unreachable:
                    blocked.append(row.account_id)
                rows.append({"rid": row.row_id, "st": R.UNREACHABLE if result.unreachable else R.FAILED,
                             "ref": None, "at": None, "err": (result.error or "")[:256]})
        table = B.__table__
        mark = update(table).where(table.c.id == bindparam("rid"), table.c.status == R.SENDING).values(
            status=bindparam("st"), message_ref=bindparam("ref"), sent_at=bindparam("at"), error=bindparam("err"),
            lease_until=None)
        async with self.deps.uow() as uow:
            await uow.session.execute(mark, rows)  # one executemany for every row of the batch
            if blocked:
                await uow.session.execute(update(MessengerAccount).where(
                    MessengerAccount.id.in_(blocked), MessengerAccount.unreachable_at.is_(None))
                    .values(unreachable_at=now))
            await uow.commit()

    async def _release(self, group: Sequence[Claimed]) -> None:
        """Back to pending, unharmed (a rate-limit answer is not the recipient's attempt); `hold` keeps this
        process off the messenger until the platform's retry_after has passed."""
        async with self._write, self.deps.uow() as uow:
            await uow.session.execute(update(B).where(B.id.in_([c.row_id for c in group]), B.status == R.SENDING)
                                      .values(status=R.PENDING, lease_until=None, attempts=B.attempts - 1))
            await uow.commit()

    async def _retry_later(self, group: Sequence[Claimed], error: str) -> None:
        delay = timedelta(seconds=min(2 ** max(c.attempts for c in group), 300))
        async with self._write, self.deps.uow() as uow:
            await uow.session.execute(update(B).where(B.id.in_([c.row_id for c in group]), B.status == R.SENDING)
                                      .values(status=R.PENDING, lease_until=None, error=error[:256],
                                              not_before=self.deps.clock.now() + delay))
            await uow.commit()

    # ---- the manager's view --------------------------------------------------------------------------------

    async def show_progress(self, broadcast_id: int, *, force: bool = False) -> None:
        """Sends or edits the live progress message, at most once per `progress_every` (the slot is taken by a
        conditional update, so two processes never both edit)."""
        now = self.deps.clock.now()
        if not force:  # most calls: not yet time; found out without taking the write lock
            async with self.deps.uow(readonly=True) as uow:
                last = await uow.session.scalar(select(Broadcast.progress_at).where(Broadcast.id == broadcast_id))
            if last is not None and last > now - self.policy.progress_every:
                return
        async with self._write, self.deps.uow() as uow:
            slot = update(Broadcast).where(Broadcast.id == broadcast_id).values(progress_at=now)
            if not force:
                slot = slot.where(or_(Broadcast.progress_at.is_(None),
                                      Broadcast.progress_at <= now - self.policy.progress_every))
            if (await uow.session.execute(slot)).rowcount != 1:
                return
            broadcast = await uow.session.get(Broadcast, broadcast_id)
            counts = await progress.counts(uow, broadcast_id, now)
            await uow.commit()
        assert broadcast is not None
        notifier = self.notifiers.get(broadcast.messenger)
        if notifier is None:
            return
        screen = progress.screen(broadcast, counts, now)
        try:
            if broadcast.progress_ref and await notifier.edit(broadcast.chat_id, broadcast.progress_ref, screen,
                                                              broadcast.locale):
                return
            delivered = await notifier.send(broadcast.chat_id, screen, broadcast.locale,
                                            progress.PROGRESS_RANDOM_BASE - broadcast_id)
        except DeliveryError as exc:  # rate limited or gone: the next slot tries again
            log.info("broadcast %s progress not shown: %s", broadcast_id, exc)
            return
        if delivered is not None:
            async with self._write, self.deps.uow() as uow:
                await uow.session.execute(update(Broadcast).where(Broadcast.id == broadcast_id)
                                          .values(progress_ref=delivered.ref))
                await uow.commit()

    async def finish_if_complete(self, broadcast_id: int) -> bool:
        now = self.deps.clock.now()
        open_rows = select(func.count()).select_from(B).where(B.broadcast_id == broadcast_id,
                                                              B.status.in_((R.PENDING, R.SENDING)))
        async with self.deps.uow(readonly=True) as uow:
            if await uow.session.scalar(open_rows):
                return False
        async with self._write, self.deps.uow() as uow:
            if await uow.session.scalar(open_rows):
                return False
            done = await uow.session.execute(update(Broadcast).where(
                Broadcast.id == broadcast_id, Broadcast.status == Status.RUNNING)
                .values(status=Status.DONE, finished_at=now))
            if done.rowcount != 1:
                return False
            await progress.report(uow, self.deps, broadcast_id)
            await uow.commit()
        self.deps.wake_outbox()
        await self.show_progress(broadcast_id, force=True)
        return True

    async def run(self, poll_seconds: float = 1.0) -> None:
        """Forever: one delivery loop per messenger and one for housekeeping; each works while there is work,
        then sleeps until woken (a broadcast started or resumed) or `poll_seconds` pass."""
        loops = [self._forever(lambda m=m: self.deliver(m), poll_seconds) for m in self.senders]
        await asyncio.gather(*loops, self._forever(self.housekeeping, poll_seconds))

    async def _forever(self, work: Callable[[], Awaitable[int]], poll_seconds: float) -> None:
        event = asyncio.Event()
        self._events.append(event)
        while True:
            event.clear()
            try:
                while await work():
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("broadcast loop failed; retrying")
            try:
                await asyncio.wait_for(event.wait(), timeout=poll_seconds)
            except TimeoutError:
                pass


async def start(deps: Deps, broadcast_id: int, *, from_status: str) -> int:
    """draft|scheduled → running with its recipient rows, in one transaction; 0 when another tap or process
    started it first (the conditional update decides)."""
    now = deps.clock.now()
    async with deps.uow() as uow:
        moved = await uow.session.execute(update(Broadcast).where(
            Broadcast.id == broadcast_id, Broadcast.status == from_status)
            .values(status=Status.RUNNING, started_at=now))
        if moved.rowcount != 1:
            return 0
        broadcast = await uow.session.get(Broadcast, broadcast_id)
        assert broadcast is not None
        await audience.materialize(uow, broadcast_id, dict(broadcast.audience), now)
        await uow.commit()
    return 1
