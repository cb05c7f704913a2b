"""Managers decide on applications: approve, reject with a preset or a typed reason. Exactly one decision wins."""
from __future__ import annotations

from datetime import datetime

from services.db.models import Application, Partner
from services.db.uow import UnitOfWork
from services.kernel import validation
from services.kernel.deps import Deps
from services.kernel.dto import Incoming, Reply, Screen, Toast
from services.messaging import notify
from services.partners.screens import (
    REJECT_PRESETS,
    ApplicationView,
    application_card,
    decision_screen,
    reject_reason_screen,
)
from services.partners.status import ApplicationStatus, PartnerStatus
from services.staff.roles import MANAGER_ROLES, has_role, own_partner_id

REJECT_FORM = "reject_reason"  # a manager pressed Reject: their next message is the reason


async def application_view(uow: UnitOfWork, application: Application) -> ApplicationView:
    partner = await uow.partners.get(application.partner_id)
    assert partner is not None
    parent = await uow.partners.get(partner.parent_id) if partner.parent_id else None
    return ApplicationView(application, partner, await uow.accounts.for_partner(partner.id), parent)


async def submit(uow: UnitOfWork, deps: Deps, application: Application, partner: Partner, now: datetime) -> bool:
    """A new application goes to every manager, or is approved at once (AUTO_APPROVE). True if approved."""
    if deps.config.auto_approve:
        await uow.applications.decide(application.id, ApplicationStatus.APPROVED, decided_by="auto", decided_at=now)
        await uow.partners.move_status(partner.id, (PartnerStatus.APPLIED,), PartnerStatus.APPROVED, approved_at=now)
        await announce_newcomer(uow, deps, partner)
        return True
    card = application_card(await application_view(uow, application))
    await notify.to_staff(uow, deps, MANAGER_ROLES, card, kind="application",
                          dedupe_key=f"application:{application.id}")
    return False


async def announce_newcomer(uow: UnitOfWork, deps: Deps, partner: Partner) -> None:
    """Tell the referrer a sub-partner joined (once, keyed by the newcomer)."""
    if partner.parent_id is None:
        return
    parent = await uow.partners.get(partner.parent_id)
    if parent is None or parent.status != PartnerStatus.APPROVED:
        return
    await notify.to_partner(uow, deps, parent, Screen("ref-new-subpartner", {"name": partner.name or ""}),
                            kind="subpartner", dedupe_key=f"subpartner:{partner.id}")


class ApplicationDecisions:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def approve(self, inc: Incoming, application_id: int) -> Reply:
        return await self._decide(inc, application_id, ApplicationStatus.APPROVED)

    async def ask_reject_reason(self, inc: Incoming, application_id: int) -> Reply:
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, MANAGER_ROLES):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            application = await uow.applications.get(application_id)
            if application is None:
                return Reply(toast=Toast("err-stale-button"))
            if application.partner_id == await own_partner_id(uow, inc):  # staff who applied as a partner
                return Reply(toast=Toast("err-own-application", alert=True))
            if application.decision != ApplicationStatus.PENDING:
                return await self._already_decided(uow, application)
            await uow.forms.save(inc.messenger, inc.user_id, REJECT_FORM, "reason", {"application": application_id},
                                 self.deps.clock.now())
            await uow.commit()
        return Reply.of(reject_reason_screen(application_id))

    async def reject_with_preset(self, inc: Incoming, application_id: int, code: str) -> Reply:
        if code not in REJECT_PRESETS:
            return Reply(toast=Toast("err-stale-button"))
        return await self._decide(inc, application_id, ApplicationStatus.REJECTED, reason_code=code)

    async def reject_reason_text(self, inc: Incoming) -> Reply:
        """The manager typed a reason (form `reject_reason`)."""
        async with self.deps.uow() as uow:
            state = await uow.forms.get(inc.messenger, inc.user_id, lock=True)
            if state is None or state.form != REJECT_FORM:
                return Reply()
            application_id = int(state.data["application"])
        if inc.non_text or not inc.text:
            return Reply.of(Screen("err-text-expected"))
        try:
            reason = validation.text_length(inc.text, max_len=500, min_len=3)
        except validation.Invalid as bad:
            return Reply.of(Screen(bad.key, bad.params))
        return await self._decide(inc, application_id, ApplicationStatus.REJECTED, reason=reason)

    async def show_card(self, inc: Incoming, application_id: int) -> Reply:
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, MANAGER_ROLES):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            application = await uow.applications.get(application_id)
            if application is None:
                return Reply(toast=Toast("err-stale-button"))
            await uow.forms.clear(inc.messenger, inc.user_id)
            card = application_card(await application_view(uow, application), edit=True)
            await uow.commit()
        return Reply.of(card)

    async def _decide(self, inc: Incoming, application_id: int, decision: ApplicationStatus, *,
                      reason_code: str | None = None, reason: str | None = None) -> Reply:
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, MANAGER_ROLES):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            application = await uow.applications.get(application_id)
            if application is None:
                return Reply(toast=Toast("err-stale-button"))
            if application.partner_id == await own_partner_id(uow, inc):  # staff who applied as a partner
                return Reply(toast=Toast("err-own-application", alert=True))
            now = self.deps.clock.now()
            decided_by_name = inc.first_name or (f"@{inc.username}" if inc.username else inc.user_id)
            won = await uow.applications.decide(
                application_id, decision, reason_code=reason_code, reason=reason, decided_at=now,
                decided_by=f"{inc.messenger}:{inc.user_id}", decided_by_name=decided_by_name)
            if not won:
                await uow.session.refresh(application)
                return await self._already_decided(uow, application)
            await uow.forms.clear(inc.messenger, inc.user_id)
            partner = await uow.partners.get(application.partner_id)
            assert partner is not None
            approved = decision == ApplicationStatus.APPROVED
            await uow.partners.move_status(partner.id, (PartnerStatus.APPLIED,),
                                           PartnerStatus.APPROVED if approved else PartnerStatus.REJECTED,
                                           **({"approved_at": now} if approved else {}))
            await notify.to_partner(uow, self.deps, partner, decision_screen(decision, partner, reason, reason_code),
                                    kind="application_decision", dedupe_key=f"decision:{application_id}")
            if approved:
                await announce_newcomer(uow, self.deps, partner)
            await uow.session.refresh(application)
            card = application_card(await application_view(uow, application), edit=True)
            await uow.commit()
        self.deps.wake_outbox()
        return Reply(screens=[card], toast=Toast("mgr-decision-saved"))

    async def _already_decided(self, uow: UnitOfWork, application: Application) -> Reply:
        card = application_card(await application_view(uow, application), edit=True)
        return Reply(screens=[card], toast=Toast("mgr-already-decided", {"who": application.decided_by_name or "—"},
                                                 alert=True))
