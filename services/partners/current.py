"""Who is talking: the partner behind an Incoming, or the Reply that refuses them, in one place."""
from __future__ import annotations

from enum import StrEnum

from services.db.models import Partner
from services.db.uow import UnitOfWork
from services.kernel.dto import Incoming, Reply, Screen, Toast
from services.partners.status import PartnerStatus


class Require(StrEnum):
    REGISTERED = "registered"  # any partner record (support stays reachable before approval)
    APPROVED = "approved"  # an approved partner; anything else is told "approved only"


REFUSAL = {Require.REGISTERED: "err-start-first", Require.APPROVED: "err-approved-only"}


async def find_partner(uow: UnitOfWork, inc: Incoming) -> Partner | None:
    """The partner this messenger account belongs to, whatever their status."""
    account = await uow.accounts.get(inc.messenger, inc.user_id)
    return await uow.partners.get(account.partner_id) if account else None


async def current_partner(uow: UnitOfWork, inc: Incoming, require: Require = Require.REGISTERED, *,
                          toast: bool = False, refusal: str | None = None) -> Partner | Reply:
    """The partner, or a ready Reply refusing them: a message (typed command, menu) or, with `toast`, a notice
    answering a button press. `refusal` replaces the locale key ("err-stale-button" for buttons that only a
    partner could have been shown)."""
    partner = await find_partner(uow, inc)
    if partner is not None and (require is Require.REGISTERED or partner.status == PartnerStatus.APPROVED):
        return partner
    key = refusal or REFUSAL[require]
    return Reply(toast=Toast(key)) if toast else Reply.of(Screen(key))
