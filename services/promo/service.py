"""Promo codes in the chat: a partner asks for theirs (prm:), managers list, set and revoke them (prma:)."""
from __future__ import annotations

import re
from typing import Any

from services.db.materials_models import PromoCode
from services.db.models import Partner
from services.db.tracking_models import Offer
from services.db.uow import UnitOfWork
from services.kernel import validation
from services.kernel.actions import ID, ActionTable
from services.kernel.deps import Deps
from services.kernel.dto import Incoming, Reply, Screen, Toast
from services.kernel.forms import Field, Form, FormRunner
from services.promo import codes, screens, use_cases
from services.staff.roles import MANAGER_ROLES, has_role

SET_FORM = "promo_set"
REUSE_STATE = "promo_reuse"  # a confirmation pending: {partner, offer, code}
_PARTNER_REF = re.compile(r"#?(\d{1,18})|([A-Za-z0-9]{4,32})")


def partner_ref(text: str) -> str:
    """A partner as a manager names them: "#12", "12" or their referral code."""
    match = _PARTNER_REF.fullmatch(text.strip())
    if match is None:
        raise validation.Invalid("promo-err-partner")
    return f"id:{match.group(1)}" if match.group(1) else f"ref:{match.group(2)}"


def who(inc: Incoming) -> str:
    return f"{inc.messenger}:{inc.user_id}"


class PromoService:
    def __init__(self, deps: Deps, forms: FormRunner) -> None:
        self.deps = deps
        self.forms = forms
        forms.register(Form(SET_FORM, [Field("partner", "promo-ask-partner", partner_ref),
                                       Field("code", "promo-ask-code", codes.parse)], self._set_from_form))
        self.on_action = ActionTable()
        self.on_action.add(rf"prm:get:{ID}", self.partner_code)
        self.on_action.add(rf"prma:o:{ID}:{ID}", self.list_codes)
        self.on_action.add(rf"prma:c:{ID}", self.card)
        self.on_action.add(rf"prma:x:{ID}", self.revoke)
        self.on_action.add(rf"prma:set:{ID}", self.start_set)
        self.on_action.add(r"prma:reuse", self.reuse)

    # ---- partner ----------------------------------------------------------------------------------------------

    async def partner_code(self, inc: Incoming, offer_id: int) -> Reply:
        async with self.deps.uow() as uow:
            account = await uow.accounts.get(inc.messenger, inc.user_id)
            partner = await uow.partners.get(account.partner_id) if account else None
            offer = await uow.session.get(Offer, offer_id)
            if partner is None or partner.status != "approved":
                return Reply(toast=Toast("err-approved-only"))
            if offer is None or offer.status != "active":
                return Reply(toast=Toast("err-stale-button"))
            issued = await use_cases.issue(uow, self.deps, partner, offer_id, "request")
            await uow.commit()
        return Reply.of(screens.partner_code(issued.code, offer.name, offer_id))

    # ---- managers ---------------------------------------------------------------------------------------------

    async def list_codes(self, inc: Incoming, offer_id: int, page: int) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            if not await has_role(uow, inc, MANAGER_ROLES):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            offer = await uow.session.get(Offer, offer_id)
            if offer is None:
                return Reply(toast=Toast("err-stale-button"))
            result = await use_cases.list_codes(uow, offer, page)
        return Reply.of(screens.code_list(result))

    async def card(self, inc: Incoming, code_id: int) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            if not await has_role(uow, inc, MANAGER_ROLES):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            row = await uow.session.get(PromoCode, code_id)
            if row is None:
                return Reply(toast=Toast("err-stale-button"))
            partner = await uow.partners.get(row.partner_id)
            offer = await uow.session.get(Offer, row.offer_id)
        name = (partner.name if partner else None) or f"#{row.partner_id}"
        return Reply.of(screens.code_card(row, name, offer.name if offer else "—"))

    async def revoke(self, inc: Incoming, code_id: int) -> Reply:
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, MANAGER_ROLES):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            result = await use_cases.revoke(uow, self.deps, code_id, who(inc))
            await uow.commit()
        self.deps.wake_outbox()
        if result.outcome == "not_found":
            return Reply(toast=Toast("err-stale-button"))
        reply = await self.card(inc, code_id)
        reply.toast = Toast("promo-revoked" if result.outcome == "revoked" else "promo-already-revoked",
                            {"code": result.code})
        return reply

    async def start_set(self, inc: Incoming, offer_id: int) -> Reply:
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, MANAGER_ROLES):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            if await uow.session.get(Offer, offer_id) is None:
                return Reply(toast=Toast("err-stale-button"))
            reply = await self.forms.begin(uow, inc, SET_FORM, {"offer": offer_id})
            await uow.commit()
        return reply

    async def _set_from_form(self, uow: UnitOfWork, inc: Incoming, data: dict[str, Any]) -> Reply:
        if not await has_role(uow, inc, MANAGER_ROLES):  # roles can be revoked while a form is open
            return Reply.of(Screen("err-not-allowed"))
        partner = await self._resolve(uow, str(data["partner"]))
        offer_id = int(data["offer"])
        if partner is None:
            return Reply.of(screens.set_outcome(use_cases.SetResult("no_partner", str(data["code"])), offer_id))
        result = await use_cases.set_code(uow, self.deps, partner.id, offer_id, str(data["code"]), who(inc))
        if result.outcome == "revoked_elsewhere":  # the manager confirms on the next screen
            await uow.forms.save(inc.messenger, inc.user_id, REUSE_STATE, "confirm",
                                 {"partner": partner.id, "offer": offer_id, "code": result.code},
                                 self.deps.clock.now())
        return Reply.of(screens.set_outcome(result, offer_id))

    async def reuse(self, inc: Incoming) -> Reply:
        """The explicit say that a code revoked from someone else goes to the partner named in the form."""
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, MANAGER_ROLES):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            state = await uow.forms.get(inc.messenger, inc.user_id, lock=True)
            if state is None or state.form != REUSE_STATE:
                return Reply(toast=Toast("err-stale-button"))
            await uow.forms.clear(inc.messenger, inc.user_id)
            offer_id = int(state.data["offer"])
            result = await use_cases.set_code(uow, self.deps, int(state.data["partner"]), offer_id,
                                              str(state.data["code"]), who(inc), reuse=True)
            await uow.commit()
        self.deps.wake_outbox()
        return Reply.of(screens.set_outcome(result, offer_id))

    @staticmethod
    async def _resolve(uow: UnitOfWork, ref: str) -> Partner | None:
        kind, _, value = ref.partition(":")
        if kind == "id":
            return await uow.partners.get(int(value))
        return await uow.partners.by_ref_code(value)
