"""Repositories: the only place that writes SQL for the foundation tables. Thin on purpose."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.kernel.ports import Delivered
from services.messaging.status import OutboxStatus
from services.partners.status import ApplicationStatus
from services.db.models import (
    Application, FormState, MessengerAccount, OutboxMessage, Partner, StaffAudit, StaffRole,
)


class _Repo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _update(self, stmt: Any) -> int:
        result: CursorResult[Any] = await self.session.execute(stmt)  # type: ignore[assignment]
        return result.rowcount


class PartnerRepository(_Repo):
    async def get(self, partner_id: int) -> Partner | None:
        return await self.session.get(Partner, partner_id)

    async def by_ref_code(self, code: str) -> Partner | None:
        return await self.session.scalar(select(Partner).where(Partner.ref_code == code))

    async def add(self, partner: Partner) -> Partner:
        self.session.add(partner)
        await self.session.flush()
        return partner

    async def move_status(self, partner_id: int, from_: Iterable[str], to: str, **values: Any) -> bool:
        """Conditional transition: True only for the one caller that actually moved it."""
        stmt = (
            update(Partner)
            .where(Partner.id == partner_id, Partner.status.in_(list(from_)))
            .values(status=to, **values)
            .execution_options(synchronize_session="fetch")
        )
        return await self._update(stmt) == 1


class AccountRepository(_Repo):
    async def get(self, messenger: str, external_id: str) -> MessengerAccount | None:
        return await self.session.scalar(
            select(MessengerAccount).where(
                MessengerAccount.messenger == messenger, MessengerAccount.external_id == external_id
            )
        )

    async def for_partner(self, partner_id: int) -> Sequence[MessengerAccount]:
        rows = await self.session.scalars(
            select(MessengerAccount).where(MessengerAccount.partner_id == partner_id).order_by(MessengerAccount.id)
        )
        return rows.all()

    async def add(self, account: MessengerAccount) -> MessengerAccount:
        self.session.add(account)
        await self.session.flush()
        return account


class ApplicationRepository(_Repo):
    async def get(self, application_id: int) -> Application | None:
        return await self.session.get(Application, application_id)

    async def latest_for(self, partner_id: int) -> Application | None:
        return await self.session.scalar(
            select(Application).where(Application.partner_id == partner_id).order_by(Application.id.desc()).limit(1)
        )

    async def add(self, application: Application) -> Application:
        self.session.add(application)
        await self.session.flush()
        return application

    async def decide(self, application_id: int, decision: str, **values: Any) -> bool:
        """Exactly one decision wins, however many managers press at once."""
        stmt = (
            update(Application)
            .where(Application.id == application_id, Application.decision == ApplicationStatus.PENDING)
            .values(decision=decision, **values)
            .execution_options(synchronize_session="fetch")
        )
        return await self._update(stmt) == 1


class StaffRepository(_Repo):
    async def roles(self, messenger: str, external_id: str) -> set[str]:
        rows = await self.session.scalars(
            select(StaffRole.role).where(StaffRole.messenger == messenger, StaffRole.external_id == external_id)
        )
        return set(rows.all())

    async def with_roles(self, roles: Iterable[str]) -> list[tuple[str, str]]:
        """Distinct (messenger, external id) of staff holding any of `roles`."""
        rows = await self.session.execute(
            select(StaffRole.messenger, StaffRole.external_id)
            .where(StaffRole.role.in_(list(roles)))
            .distinct()
            .order_by(StaffRole.messenger, StaffRole.external_id)
        )
        return [(m, e) for m, e in rows.all()]

    async def seed(self, triples: Iterable[tuple[str, str, str]], now: datetime) -> tuple[int, int]:
        """Makes the env-seeded roles exactly `triples`: adds the missing ones, revokes env roles whose id left
        the environment. Roles granted in the bot are never touched (a role held both ways stays 'bot').
        Returns (added, revoked)."""
        wanted = set(triples)
        rows = (await self.session.scalars(select(StaffRole))).all()
        held = {(r.messenger, r.external_id, r.role) for r in rows}
        revoked = 0
        for row in rows:
            if row.source == "env" and (row.messenger, row.external_id, row.role) not in wanted:
                await self.session.delete(row)
                self._audit(now, "env", "revoked", row.role, row.messenger, row.external_id, "env")
                revoked += 1
        added = 0
        for messenger, external_id, role in sorted(wanted - held):
            self.session.add(StaffRole(messenger=messenger, external_id=external_id, role=role, source="env",
                                       created_at=now))
            self._audit(now, "env", "granted", role, messenger, external_id, "env")
            added += 1
        await self.session.flush()
        return added, revoked

    async def all(self) -> Sequence[StaffRole]:
        return (await self.session.scalars(
            select(StaffRole).order_by(StaffRole.messenger, StaffRole.external_id, StaffRole.role))).all()

    async def get(self, role_id: int) -> StaffRole | None:
        return await self.session.get(StaffRole, role_id)

    async def grant(self, messenger: str, external_id: str, role: str, actor: str, now: datetime) -> bool:
        """A role granted in the bot; False when it is already held (however it was granted)."""
        try:
            async with self.session.begin_nested():  # two admins granting the same role at once: one wins
                self.session.add(StaffRole(messenger=messenger, external_id=external_id, role=role, source="bot",
                                           created_at=now))
        except IntegrityError:
            return False
        self._audit(now, actor, "granted", role, messenger, external_id, "bot")
        await self.session.flush()
        return True

    async def revoke(self, role: StaffRole, actor: str, now: datetime) -> bool:
        """False when someone else revoked it first."""
        deleted = await self._update(delete(StaffRole).where(StaffRole.id == role.id))
        if deleted != 1:
            return False
        self._audit(now, actor, "revoked", role.role, role.messenger, role.external_id, "bot")
        await self.session.flush()
        return True

    async def audit(self, limit: int) -> Sequence[StaffAudit]:
        return (await self.session.scalars(
            select(StaffAudit).order_by(StaffAudit.id.desc()).limit(limit))).all()

    def _audit(self, now: datetime, actor: str, action: str, role: str, messenger: str, external_id: str,
               source: str) -> None:
        self.session.add(StaffAudit(created_at=now, actor=actor, action=action, role=role, messenger=messenger,
                                    external_id=external_id, source=source))


class FormRepository(_Repo):
    async def get(self, messenger: str, external_id: str, *, lock: bool = False) -> FormState | None:
        """`lock`: hold the row until commit (PostgreSQL), so two quick answers are applied one after another."""
        return await self.session.get(FormState, (messenger, external_id), with_for_update=lock or None)

    async def save(self, messenger: str, external_id: str, form: str, step: str, data: dict[str, Any],
                   now: datetime) -> FormState:
        state = await self.get(messenger, external_id)
        if state is None:
            state = FormState(messenger=messenger, external_id=external_id)
            self.session.add(state)
        state.form, state.step, state.data, state.updated_at = form, step, dict(data), now
        await self.session.flush()
        return state

    async def clear(self, messenger: str, external_id: str) -> None:
        state = await self.get(messenger, external_id)
        if state is not None:
            await self.session.delete(state)
            await self.session.flush()


_DUE = (OutboxStatus.PENDING, OutboxStatus.SENDING)


class OutboxRepository(_Repo):
    async def subject_of_reply(self, messenger: str, chat_id: str, *, reply_to: str | None = None,
                               thread: str | None = None) -> str | None:
        """Which subject ("ticket:12") a message replying to our message, or posted in our thread, is about."""
        if reply_to is None and thread is None:
            return None
        where = or_(OutboxMessage.delivered_ref == reply_to,
                    OutboxMessage.delivered_also.contains(f",{reply_to},")) if reply_to is not None else \
            OutboxMessage.delivered_thread == thread
        return await self.session.scalar(
            select(OutboxMessage.subject).where(
                OutboxMessage.messenger == messenger, OutboxMessage.chat_id == chat_id, where,
                OutboxMessage.subject.is_not(None)).order_by(OutboxMessage.id).limit(1))

    async def thread_of(self, messenger: str, chat_id: str, subject: str) -> str | None:
        """The forum topic already opened for a subject in a chat, if its first message went out."""
        return await self.session.scalar(
            select(OutboxMessage.delivered_thread).where(
                OutboxMessage.messenger == messenger, OutboxMessage.chat_id == chat_id,
                OutboxMessage.subject == subject, OutboxMessage.delivered_thread.is_not(None)).limit(1))

    async def add(self, *, messenger: str, chat_id: str, locale: str, kind: str, screen: dict[str, Any],
                  now: datetime, partner_id: int | None = None, dedupe_key: str | None = None,
                  thread_id: str | None = None, subject: str | None = None,
                  not_before: datetime | None = None) -> OutboxMessage:
        message = OutboxMessage(
            messenger=messenger, chat_id=chat_id, locale=locale, kind=kind, screen=screen, partner_id=partner_id,
            dedupe_key=dedupe_key, status=OutboxStatus.PENDING, attempts=0,
            next_attempt_at=max(now, not_before) if not_before else now, created_at=now,
            thread_id=thread_id, subject=subject,
        )
        self.session.add(message)
        await self.session.flush()
        return message

    async def due_ids(self, now: datetime, limit: int, messengers: Iterable[str]) -> list[int]:
        """Due rows for the messengers that can deliver now; the others' rows wait, untouched, for theirs."""
        # "sending" rows whose lease ran out belong to a dispatcher that died mid-send: take them over.
        rows = await self.session.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.status.in_(_DUE), OutboxMessage.next_attempt_at <= now,
                   OutboxMessage.messenger.in_(list(messengers)))
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        return list(rows.all())

    async def backlog(self) -> tuple[int, datetime | None]:
        """Undelivered rows, and when the oldest of them was written (for /healthz)."""
        count, oldest = (await self.session.execute(
            select(func.count(), func.min(OutboxMessage.created_at))
            .where(OutboxMessage.status.in_(_DUE)))).one()
        return count, oldest

    async def claim(self, message_id: int, now: datetime, lease: timedelta) -> OutboxMessage | None:
        claimed = await self._update(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status.in_(_DUE),
                   OutboxMessage.next_attempt_at <= now)
            .values(status=OutboxStatus.SENDING, next_attempt_at=now + lease, attempts=OutboxMessage.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if not claimed:
            return None
        message = await self.session.get(OutboxMessage, message_id, populate_existing=True)
        return message

    async def finish(self, message_id: int, *, status: str, now: datetime, error: str | None = None,
                     retry_at: datetime | None = None, delivered: Delivered | None = None) -> None:
        values: dict[str, Any] = {"status": status, "last_error": error}
        if delivered is not None:
            values["delivered_ref"], values["delivered_thread"] = delivered.ref, delivered.thread
            values["delivered_also"] = f",{','.join(delivered.also)}," if delivered.also else None
        if status == OutboxStatus.SENT:
            values["sent_at"] = now
        if retry_at is not None:
            values["next_attempt_at"] = retry_at
        await self._update(
            update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values)
            .execution_options(synchronize_session=False)
        )
