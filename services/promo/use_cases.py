"""Promo code use cases over plain data: issue (on request or on approval), set by hand, revoke, and the lookup
postback attribution calls. Role checks happen in the chat service before these run."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from services.db.materials_models import PromoCode
from services.db.models import MessengerAccount, Partner
from services.db.tracking_models import Offer
from services.db.uow import UnitOfWork
from services.kernel.deps import Deps
from services.kernel.dto import Screen
from services.messaging import notify
from services.promo import codes

ACTIVE, REVOKED = "active", "revoked"
PAGE = 4  # codes per page: with paging and two more buttons, within VK's inline keyboard
ATTEMPTS = 24  # candidates tried before giving up (two digits, then three, then four)


def _slot(partner_id: int, offer_id: int) -> str:
    return f"{partner_id}:{offer_id}"


async def owner_of_promo(uow: UnitOfWork, code: str) -> tuple[Partner, Offer] | None:
    """Whose active code this is, matched case-insensitively; None for unknown and revoked codes. Postback
    attribution calls this (a click id, when present, still wins)."""
    row = await uow.session.scalar(select(PromoCode).where(PromoCode.active_code == codes.normalize(code)))
    if row is None:
        return None
    partner = await uow.partners.get(row.partner_id)
    offer = await uow.session.get(Offer, row.offer_id)
    return (partner, offer) if partner is not None and offer is not None else None


async def active_code(uow: UnitOfWork, partner_id: int, offer_id: int) -> PromoCode | None:
    return await uow.session.scalar(select(PromoCode).where(PromoCode.active_slot == _slot(partner_id, offer_id)))


async def _display_name(uow: UnitOfWork, partner: Partner) -> str | None:
    if partner.name:
        return partner.name
    return await uow.session.scalar(select(MessengerAccount.first_name).where(
        MessengerAccount.partner_id == partner.id).order_by(MessengerAccount.id).limit(1))


async def _taken(uow: UnitOfWork, code: str) -> bool:
    """Any row with this code, revoked ones too: a revoked code is not handed out again by itself."""
    return await uow.session.scalar(select(PromoCode.id).where(PromoCode.code == code).limit(1)) is not None


@dataclass(frozen=True)
class Issued:
    code: str
    offer_id: int
    created: bool  # False: the partner already had one


async def issue(uow: UnitOfWork, deps: Deps, partner: Partner, offer_id: int, source: str) -> Issued:
    """The partner's code for the offer, made on first need. Unique constraints settle races: a double tap
    finds the first tap's code, two partners drawing the same candidate make one of them draw again."""
    existing = await active_code(uow, partner.id, offer_id)
    if existing is not None:
        return Issued(existing.code, offer_id, created=False)
    name = await _display_name(uow, partner)
    for attempt in range(ATTEMPTS):
        code = codes.candidate(name, attempt)
        if await _taken(uow, code):
            continue
        try:
            async with uow.session.begin_nested():
                uow.session.add(PromoCode(code=code, partner_id=partner.id, offer_id=offer_id, status=ACTIVE,
                                          active_code=code, active_slot=_slot(partner.id, offer_id), source=source,
                                          created_at=deps.clock.now()))
            return Issued(code, offer_id, created=True)
        except IntegrityError:
            existing = await active_code(uow, partner.id, offer_id)
            if existing is not None:  # the same partner, concurrently
                return Issued(existing.code, offer_id, created=False)
    raise RuntimeError("could not allocate a promo code")


async def issue_on_approval(uow: UnitOfWork, deps: Deps, partner: Partner) -> list[Issued]:
    """A code for every active offer, in the approval's transaction."""
    offers = (await uow.session.scalars(select(Offer.id).where(Offer.status == "active").order_by(Offer.id))).all()
    return [await issue(uow, deps, partner, offer_id, "approval") for offer_id in offers]


@dataclass(frozen=True)
class SetResult:
    outcome: Literal["set", "unchanged", "taken", "revoked_elsewhere", "no_partner", "no_offer"]
    code: str
    partner_id: int | None = None
    holder_id: int | None = None  # taken / revoked_elsewhere: whose code it is or was
    holder_name: str | None = None


async def set_code(uow: UnitOfWork, deps: Deps, partner_id: int, offer_id: int, code: str, by: str, *,
                   reuse: bool = False) -> SetResult:
    """A manager gives the partner this code for the offer (their previous one is revoked). A code revoked from
    someone else is only reused with reuse=True — the manager confirmed it on a screen that named the holder."""
    partner = await uow.partners.get(partner_id)
    if partner is None or partner.status != "approved":
        return SetResult("no_partner", code)
    offer = await uow.session.get(Offer, offer_id)
    if offer is None:
        return SetResult("no_offer", code)
    rows = (await uow.session.scalars(select(PromoCode).where(PromoCode.code == code)
                                      .order_by(PromoCode.id.desc()))).all()
    active = next((r for r in rows if r.status == ACTIVE), None)
    if active is not None and (active.partner_id, active.offer_id) == (partner_id, offer_id):
        return SetResult("unchanged", code, partner_id)
    if active is not None:
        holder = await uow.partners.get(active.partner_id)
        return SetResult("taken", code, partner_id, active.partner_id, holder.name if holder else None)
    foreign = next((r for r in rows if r.partner_id != partner_id), None)
    if foreign is not None and not reuse:
        holder = await uow.partners.get(foreign.partner_id)
        return SetResult("revoked_elsewhere", code, partner_id, foreign.partner_id, holder.name if holder else None)
    now = deps.clock.now()
    await uow.session.execute(update(PromoCode).where(PromoCode.active_slot == _slot(partner_id, offer_id)).values(
        status=REVOKED, active_code=None, active_slot=None, revoked_by=by, revoked_at=now))
    try:
        async with uow.session.begin_nested():
            uow.session.add(PromoCode(code=code, partner_id=partner_id, offer_id=offer_id, status=ACTIVE,
                                      active_code=code, active_slot=_slot(partner_id, offer_id), source="manager",
                                      created_by=by, created_at=now))
    except IntegrityError:  # someone took the code this very moment
        return SetResult("taken", code, partner_id)
    await notify.to_partner(uow, deps, partner, Screen("promo-set-notice", {"code": code, "offer": offer.name}),
                            kind="promo")
    return SetResult("set", code, partner_id)


@dataclass(frozen=True)
class Revoked:
    outcome: Literal["revoked", "already", "not_found"]
    code: str = ""
    offer_id: int | None = None


async def revoke(uow: UnitOfWork, deps: Deps, code_id: int, by: str) -> Revoked:
    row = await uow.session.get(PromoCode, code_id)
    if row is None:
        return Revoked("not_found")
    moved = await uow.session.execute(update(PromoCode).where(PromoCode.id == code_id, PromoCode.status == ACTIVE)
                                      .values(status=REVOKED, active_code=None, active_slot=None, revoked_by=by,
                                              revoked_at=deps.clock.now()))
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        return Revoked("already", row.code, row.offer_id)
    partner = await uow.partners.get(row.partner_id)
    offer = await uow.session.get(Offer, row.offer_id)
    if partner is not None and offer is not None:
        await notify.to_partner(uow, deps, partner,
                                Screen("promo-revoked-notice", {"code": row.code, "offer": offer.name}), kind="promo")
    return Revoked("revoked", row.code, row.offer_id)


@dataclass(frozen=True)
class CodeRow:
    id: int
    code: str
    partner_id: int
    partner_name: str


@dataclass(frozen=True)
class CodePage:
    offer_id: int
    offer_name: str
    rows: list[CodeRow]
    page: int
    pages: int
    total: int


async def list_codes(uow: UnitOfWork, offer: Offer, page: int) -> CodePage:
    where = (PromoCode.offer_id == offer.id, PromoCode.status == ACTIVE)
    total = await uow.session.scalar(select(func.count()).select_from(PromoCode).where(*where)) or 0
    pages = max(1, -(-total // PAGE))
    page = min(max(page, 0), pages - 1)
    found = (await uow.session.execute(
        select(PromoCode.id, PromoCode.code, Partner.id, Partner.name).join(Partner, Partner.id == PromoCode.partner_id)
        .where(*where).order_by(PromoCode.code).offset(page * PAGE).limit(PAGE))).all()
    rows = [CodeRow(i, c, p, name or f"#{p}") for i, c, p, name in found]
    return CodePage(offer.id, offer.name, rows, page, pages, total)
