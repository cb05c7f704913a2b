"""Signed tokens of the web dashboard: sign-in links (single-use, in the DB), session cookies, CSV download links.

Every token is `<fields joined by ".">.<signature>`; the signature is an HMAC over the fields and the token's
purpose, so a session cookie is no sign-in link and a CSV link for one partner is nothing for another. A token
carries its partner id and expiry in clear: they are authenticated, not secret.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum

from sqlalchemy import delete, select, update

from services.db.dashboard_models import DashboardToken
from services.db.uow import UnitOfWork

log = logging.getLogger(__name__)

LINK_TTL = timedelta(minutes=15)
SESSION_TTL = timedelta(days=7)
EXPORT_TTL = timedelta(minutes=10)
PURGE_AFTER = timedelta(days=1)  # used and expired sign-in rows are deleted this long after expiry

_process_secret = secrets.token_bytes(32)  # only when nothing was configured: sessions end with the process


def derive_secret(*material: str) -> str:
    """A stable key from secrets the bot already has (its tokens), for when DASHBOARD_SECRET is not set."""
    joined = "\0".join(material)
    if not joined.strip("\0"):
        return ""
    return hmac.new(b"partnerbot-dashboard", joined.encode(), hashlib.sha256).hexdigest()


class Signer:
    def __init__(self, secret: str) -> None:
        if not secret:
            log.warning("no DASHBOARD_SECRET (nor bot token): dashboard sessions end when the process stops")
        self._key = secret.encode() if secret else _process_secret

    def _mac(self, purpose: str, payload: str) -> str:
        digest = hmac.new(self._key, f"{purpose}|{payload}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")

    def dumps(self, purpose: str, *fields: str) -> str:
        assert all("." not in field for field in fields)
        payload = ".".join(fields)
        return f"{payload}.{self._mac(purpose, payload)}"

    def loads(self, purpose: str, token: str | None, count: int) -> list[str] | None:
        """The fields of a token this signer made for `purpose`, or None (wrong shape or signature)."""
        if not token or len(token) > 512:
            return None
        payload, _, mac = token.rpartition(".")
        fields = payload.split(".")
        if len(fields) != count or not hmac.compare_digest(self._mac(purpose, payload), mac):
            return None
        return fields


def _stamp(moment: datetime) -> str:
    return str(int(moment.timestamp()))


def _unstamp(text: str) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(text), UTC)
    except (ValueError, OverflowError, OSError):
        return None


class Redeemed(Enum):
    OK = "ok"
    INVALID = "invalid"  # not ours: malformed, tampered, signed with another key
    EXPIRED = "expired"
    USED = "used"


@dataclass(frozen=True)
class Redemption:
    outcome: Redeemed
    partner_id: int | None = None  # known whenever the signature was good, so the page can speak their language


async def issue_link(uow: UnitOfWork, signer: Signer, partner_id: int, now: datetime) -> str:
    """A sign-in token for the partner, valid LINK_TTL and once. The caller commits."""
    nonce = secrets.token_urlsafe(16)
    expires = now + LINK_TTL
    await uow.session.execute(delete(DashboardToken).where(DashboardToken.expires_at < now - PURGE_AFTER))
    uow.session.add(DashboardToken(id=nonce, partner_id=partner_id, created_at=now, expires_at=expires))
    await uow.session.flush()
    return signer.dumps("link", str(partner_id), _stamp(expires), nonce)


def _link_fields(signer: Signer, token: str | None) -> tuple[int, str] | None:
    fields = signer.loads("link", token, 3)
    if fields is None or not fields[0].isdigit() or _unstamp(fields[1]) is None:
        return None
    return int(fields[0]), fields[2]


async def _state(uow: UnitOfWork, partner_id: int, nonce: str, now: datetime) -> Redemption:
    row = (await uow.session.execute(select(DashboardToken.used_at, DashboardToken.expires_at).where(
        DashboardToken.id == nonce, DashboardToken.partner_id == partner_id))).first()
    if row is None:  # purged long ago, or never issued by this database
        return Redemption(Redeemed.EXPIRED, partner_id)
    if row.used_at is not None:
        return Redemption(Redeemed.USED, partner_id)
    return Redemption(Redeemed.OK if row.expires_at > now else Redeemed.EXPIRED, partner_id)


async def peek_link(uow: UnitOfWork, signer: Signer, token: str | None, now: datetime) -> Redemption:
    """What redeem_link would answer, without spending the token: link previews (messengers fetch every URL
    they show) must not use up a link the partner has not clicked yet."""
    found = _link_fields(signer, token)
    return Redemption(Redeemed.INVALID) if found is None else await _state(uow, *found, now)


async def redeem_link(uow: UnitOfWork, signer: Signer, token: str | None, now: datetime) -> Redemption:
    """Spends a sign-in token. Exactly one request can win it, however many arrive at once. The caller commits."""
    found = _link_fields(signer, token)
    if found is None:
        return Redemption(Redeemed.INVALID)
    partner_id, nonce = found
    claimed = await uow.session.execute(
        update(DashboardToken)
        .where(DashboardToken.id == nonce, DashboardToken.partner_id == partner_id,
               DashboardToken.used_at.is_(None), DashboardToken.expires_at > now)
        .values(used_at=now))
    if claimed.rowcount == 1:  # type: ignore[attr-defined]
        return Redemption(Redeemed.OK, partner_id)
    state = await _state(uow, partner_id, nonce, now)
    return state if state.outcome is not Redeemed.OK else Redemption(Redeemed.USED, partner_id)


def new_session(signer: Signer, partner_id: int, now: datetime) -> str:
    return signer.dumps("session", str(partner_id), _stamp(now + SESSION_TTL), secrets.token_urlsafe(9))


def session_partner(signer: Signer, cookie: str | None, now: datetime) -> int | None:
    fields = signer.loads("session", cookie, 3)
    if fields is None or not fields[0].isdigit():
        return None
    expires = _unstamp(fields[1])
    return int(fields[0]) if expires is not None and expires > now else None


def export_token(signer: Signer, partner_id: int, preset: str, group: str, now: datetime) -> str:
    return signer.dumps("export", str(partner_id), _stamp(now + EXPORT_TTL), preset, group)


def read_export(signer: Signer, token: str | None, now: datetime) -> tuple[int, str, str] | None:
    """(partner id, period preset, group) of a CSV link still valid, else None."""
    fields = signer.loads("export", token, 4)
    if fields is None or not fields[0].isdigit():
        return None
    expires = _unstamp(fields[1])
    if expires is None or expires <= now:
        return None
    return int(fields[0]), fields[2], fields[3]
