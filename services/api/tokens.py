"""API tokens: issued by admins in the bot, shown once, stored as sha256, scoped, expiring, revocable, audited.

A token reads "pbk_<prefix>_<secret>": the prefix (random, 10 chars) finds the row by a unique index, the secret
(32 random bytes) makes it unguessable, and only sha256 of the whole string is stored — hashing a high-entropy
secret needs no slow KDF. Comparison is constant-time. Every use case here checks the admin role itself.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import select, update

from services.db.api_models import ApiToken, ApiTokenAudit
from services.db.uow import UnitOfWork
from services.kernel.dto import Incoming
from services.staff.roles import ADMIN_ROLES, require_role

SCOPES = ("stats:read", "conversions:read", "payouts:read", "partners:read", "kpis:read")
PREFIX = "pbk_"
TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is written at most this often per token: reads stay reads
MAX_TOKEN_CHARS = 128


class Auth(Enum):
    OK = "ok"
    MISSING = "missing"  # no Authorization: Bearer …
    INVALID = "invalid"  # malformed, unknown or a wrong secret
    REVOKED = "revoked"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Checked:
    outcome: Auth
    token_id: int | None = None
    scopes: frozenset[str] = frozenset()
    touch: bool = False  # last_used_at is older than TOUCH_EVERY: the caller records this use


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def scopes_text(scopes: set[str] | frozenset[str] | list[str] | tuple[str, ...]) -> str:
    return ",".join(s for s in SCOPES if s in set(scopes))  # canonical order, unknown ones dropped


def actor(inc: Incoming) -> str:
    return f"{inc.messenger}:{inc.user_id}"


async def create(uow: UnitOfWork, inc: Incoming, name: str, scopes: tuple[str, ...], expires_at: datetime | None,
                 now: datetime) -> tuple[ApiToken, str]:
    """A new token and its clear text (never stored; the caller shows it once). Admins only; caller commits."""
    await require_role(uow, inc, ADMIN_ROLES)
    prefix = secrets.token_hex(5)
    token = f"{PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiToken(prefix=prefix, secret_hash=_hash(token), name=name, scopes=scopes_text(scopes),
                   created_by=actor(inc), created_at=now, expires_at=expires_at)
    uow.session.add(row)
    await uow.session.flush()
    uow.session.add(ApiTokenAudit(created_at=now, actor=actor(inc), action="created", token_id=row.id, name=name,
                                  scopes=row.scopes))
    return row, token


async def revoke(uow: UnitOfWork, inc: Incoming, token_id: int, now: datetime) -> ApiToken | None:
    """Revokes once (a conditional UPDATE: a double tap or a second admin changes nothing); the token if this
    call revoked it, None if it was gone or revoked already. Admins only; caller commits."""
    await require_role(uow, inc, ADMIN_ROLES)
    done = await uow.session.execute(
        update(ApiToken).where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now, revoked_by=actor(inc)).execution_options(synchronize_session=False))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        return None
    row = await uow.session.get(ApiToken, token_id)
    assert row is not None
    await uow.session.refresh(row)
    uow.session.add(ApiTokenAudit(created_at=now, actor=actor(inc), action="revoked", token_id=row.id,
                                  name=row.name, scopes=row.scopes))
    return row


async def listed(uow: UnitOfWork, inc: Incoming) -> list[ApiToken]:
    """Every token, newest first (revoked ones too: the list says so). Admins only."""
    await require_role(uow, inc, ADMIN_ROLES)
    return list((await uow.session.scalars(select(ApiToken).order_by(ApiToken.id.desc()))).all())


async def get(uow: UnitOfWork, inc: Incoming, token_id: int) -> ApiToken | None:
    await require_role(uow, inc, ADMIN_ROLES)
    return await uow.session.get(ApiToken, token_id)


async def audit(uow: UnitOfWork, inc: Incoming, limit: int) -> list[ApiTokenAudit]:
    await require_role(uow, inc, ADMIN_ROLES)
    return list((await uow.session.scalars(select(ApiTokenAudit).order_by(ApiTokenAudit.id.desc())
                                           .limit(limit))).all())


def bearer(header: str | None) -> str | None:
    """The token of an "Authorization: Bearer <token>" header, else None."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    return value if scheme.lower() == "bearer" and value else None


async def check(uow: UnitOfWork, token: str | None, now: datetime) -> Checked:
    """Who a presented token is. Read-only: recording the use is `touch`, in a writing unit of work."""
    if token is None:
        return Checked(Auth.MISSING)
    head, sep, _ = token.removeprefix(PREFIX).partition("_")
    if not token.startswith(PREFIX) or not sep or len(token) > MAX_TOKEN_CHARS or not head.isalnum():
        return Checked(Auth.INVALID)
    row = await uow.session.scalar(select(ApiToken).where(ApiToken.prefix == head))
    if row is None or not hmac.compare_digest(row.secret_hash, _hash(token)):
        return Checked(Auth.INVALID)
    if row.revoked_at is not None:
        return Checked(Auth.REVOKED, row.id)
    if row.expires_at is not None and row.expires_at <= now:
        return Checked(Auth.EXPIRED, row.id)
    stale = row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY
    return Checked(Auth.OK, row.id, frozenset(row.scopes.split(",")) - {""}, stale)


async def touch(uow: UnitOfWork, token_id: int, now: datetime) -> None:
    """Records a use (conditional: concurrent requests write once per TOUCH_EVERY). Caller commits."""
    await uow.session.execute(
        update(ApiToken).where(ApiToken.id == token_id,
                               (ApiToken.last_used_at.is_(None)) | (ApiToken.last_used_at <= now - TOUCH_EVERY))
        .values(last_used_at=now).execution_options(synchronize_session=False))
