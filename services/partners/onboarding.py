"""Partner onboarding: language, application form, manager decision. One use case for every messenger."""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError

from services.messaging import notify

from services.kernel import validation
from services.partners.accounts import looks_like_code
from services.kernel.actions import ID, ActionTable
from services.kernel.codes import new_code
from services.db.models import Application, MessengerAccount, Partner
from services.db.uow import UnitOfWork
from services.kernel.deps import Deps
from services.kernel.dto import Button, Incoming, Reply, Screen, Toast
from services.kernel.i18n import LOCALES, pick_locale
from services.kernel.menu import main_menu_screen
from services.staff.roles import has_role, own_partner_id

log = logging.getLogger(__name__)

FORM = "onboarding"
STEPS = ("language", "name", "email", "sources", "audience", "terms")
REJECT_PRESETS = ("traffic", "incomplete", "duplicate", "geo")
REJECT_FORM = "reject_reason"

BACK = Button("btn-back", "ob:back")
CANCEL = Button("btn-cancel", "ob:cancel")


def language_buttons(prefix: str, selected: str | None) -> tuple[tuple[Button, ...], ...]:
    return (tuple(
        Button(f"lang-{code}", f"{prefix}:{code}", {"mark": "✓ " if code == selected else ""},
               style="primary" if code == selected else "default")
        for code in LOCALES
    ),)


def step_screen(step: str, data: dict[str, Any], selected_locale: str | None = None) -> Screen:
    """The question of one form step, with its buttons."""
    if step == "language":
        return Screen("ob-welcome", buttons=language_buttons("ob:lang", selected_locale))
    if step == "terms":
        return Screen("ob-ask-terms", buttons=((Button("btn-accept-terms", "ob:terms", style="positive"),),
                                               (BACK, CANCEL)))
    previous = data.get(step)
    if isinstance(previous, list):
        previous = ", ".join(previous)
    return Screen(f"ob-ask-{step}", {"previous": previous or "", "has_previous": "yes" if previous else "no"},
                  buttons=((BACK, CANCEL),))


_VALIDATORS = {
    "name": validation.name,
    "email": validation.email,
    "sources": validation.sources,
    "audience": validation.audience,
}


@dataclass
class Person:
    """The current user as the database knows them (either may be missing)."""

    account: MessengerAccount | None
    partner: Partner | None


class OnboardingService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        # Set by the composition of services: /start L-XXXXXXXX attaches this account to an existing partner.
        self.redeem_link_code: Callable[[Incoming, str], Awaitable[Reply]] | None = None
        self.on_action = ActionTable()  # ob:… (the applicant), app:… and rej:… (managers)
        self.on_action.add(r"ob:lang:([a-z]{2})", self.choose_language)
        self.on_action.add(r"ob:back", self.back)
        self.on_action.add(r"ob:cancel", self.cancel)
        self.on_action.add(r"ob:terms", self.accept_terms)
        self.on_action.add(rf"app:ok:{ID}", self.approve)
        self.on_action.add(rf"app:no:{ID}", self.ask_reject_reason)
        self.on_action.add(rf"app:card:{ID}", self.show_card)
        self.on_action.add(rf"rej:{ID}:([a-z]+)", self.reject_with_preset)

    # ---- entry points -------------------------------------------------------------------------------------

    async def start(self, inc: Incoming) -> Reply:
        """/start (Telegram), first message or Start button (VK). Never opens a second form for a known partner."""
        try:
            return await self._start(inc)
        except IntegrityError:  # two /start of a newcomer at once: the other one registered them
            return await self._start(inc)

    async def _start(self, inc: Incoming) -> Reply:
        if self.redeem_link_code is not None and looks_like_code(inc.start_payload):
            return await self.redeem_link_code(inc, inc.start_payload or "")
        async with self.deps.uow() as uow:
            person = await self._person(uow, inc)
            if person.partner is None:
                partner = await self._register(uow, inc)
                await uow.forms.save(inc.messenger, inc.user_id, FORM, "language", {}, self.deps.clock.now())
                await uow.commit()
                return Reply.of(step_screen("language", {}, partner.locale))
            reply = await self._status_reply(uow, inc, person.partner)
            await uow.commit()
            return reply

    async def choose_language(self, inc: Incoming, locale: str) -> Reply:
        if locale not in LOCALES:
            return Reply(toast=Toast("err-stale-button"))
        async with self.deps.uow() as uow:
            person = await self._person(uow, inc)
            if person.partner is None:
                return Reply(toast=Toast("err-stale-button"))
            person.partner.locale = locale
            state = await uow.forms.get(inc.messenger, inc.user_id, lock=True)
            if state is not None and state.form == FORM and state.step == "language":
                await uow.forms.save(inc.messenger, inc.user_id, FORM, "name", state.data, self.deps.clock.now())
                await uow.commit()
                return Reply.of(Screen("ob-language-set", buttons=()), step_screen("name", state.data))
            await uow.commit()
            if person.partner.status == "approved":
                return Reply.of(main_menu_screen("settings-language-saved"))
            return Reply.of(Screen("settings-language-saved"))

    async def answer(self, inc: Incoming) -> Reply:
        """A typed answer to the current form step."""
        async with self.deps.uow() as uow:
            state = await uow.forms.get(inc.messenger, inc.user_id, lock=True)
            if state is None or state.form != FORM:
                return Reply()
            step, data = state.step, dict(state.data)
            if step in ("language", "terms"):  # these steps are answered with buttons
                partner = (await self._person(uow, inc)).partner
                return Reply.of(Screen("ob-use-buttons"), step_screen(step, data, partner.locale if partner else None))
            if inc.non_text or not inc.text:
                return Reply.of(Screen("err-text-expected"), step_screen(step, data))
            try:
                data[step] = _VALIDATORS[step](inc.text)
            except validation.Invalid as bad:
                return Reply.of(Screen(bad.key, bad.params, buttons=((BACK, CANCEL),)))
            next_step = STEPS[STEPS.index(step) + 1]
            await uow.forms.save(inc.messenger, inc.user_id, FORM, next_step, data, self.deps.clock.now())
            await uow.commit()
            return Reply.of(step_screen(next_step, data))

    async def back(self, inc: Incoming) -> Reply:
        async with self.deps.uow() as uow:
            state = await uow.forms.get(inc.messenger, inc.user_id, lock=True)
            if state is None or state.form != FORM:
                return await self._stale(uow, inc)
            index = STEPS.index(state.step)
            previous = STEPS[max(index - 1, 0)]
            await uow.forms.save(inc.messenger, inc.user_id, FORM, previous, state.data, self.deps.clock.now())
            partner = (await self._person(uow, inc)).partner
            await uow.commit()
            return Reply.of(step_screen(previous, state.data, partner.locale if partner else None))

    async def cancel(self, inc: Incoming) -> Reply:
        """/cancel or the Cancel button: drops whatever form is open (onboarding or a manager's reason)."""
        async with self.deps.uow() as uow:
            state = await uow.forms.get(inc.messenger, inc.user_id, lock=True)
            if state is None:
                person = await self._person(uow, inc)
                if person.partner is not None and person.partner.status == "approved":
                    return Reply.of(main_menu_screen("cancel-nothing"))
                return Reply.of(Screen("cancel-nothing"))
            await uow.forms.clear(inc.messenger, inc.user_id)
            await uow.commit()
            if state.form == FORM:
                return Reply.of(Screen("ob-cancelled", menu=()))
            person = await self._person(uow, inc)
            if person.partner is not None and person.partner.status == "approved":
                return Reply.of(main_menu_screen("cancelled"))
            return Reply.of(Screen("cancelled"))

    async def accept_terms(self, inc: Incoming) -> Reply:
        """The last step: the application is created once, however often the button is pressed."""
        async with self.deps.uow() as uow:
            state = await uow.forms.get(inc.messenger, inc.user_id, lock=True)
            person = await self._person(uow, inc)
            if state is None or state.form != FORM or state.step != "terms" or person.partner is None:
                return await self._stale(uow, inc)
            partner = person.partner
            now = self.deps.clock.now()
            if not await uow.partners.move_status(partner.id, ("new",), "applied"):
                return await self._stale(uow, inc)
            answers = dict(state.data)
            application = await uow.applications.add(Application(
                partner_id=partner.id, answers=answers, decision="pending", created_at=now))
            partner.name, partner.email = answers.get("name"), answers.get("email")
            await uow.forms.clear(inc.messenger, inc.user_id)
            if self.deps.config.auto_approve:
                await uow.applications.decide(application.id, "approved", decided_by="auto", decided_at=now)
                await uow.partners.move_status(partner.id, ("applied",), "approved", approved_at=now)
                await self._announce_newcomer(uow, partner)
                await uow.commit()
                self.deps.wake_outbox()
                return Reply.of(main_menu_screen("ob-approved", name=partner.name))
            await notify.to_staff(uow, self.deps, notify.MANAGER_ROLES,
                                  await self._card(uow, application, partner), kind="application",
                                  dedupe_key=f"application:{application.id}")
            await uow.commit()
        self.deps.wake_outbox()
        return Reply.of(Screen("ob-submitted", {"id": application.id}, menu=()))

    # ---- manager side -------------------------------------------------------------------------------------

    async def approve(self, inc: Incoming, application_id: int) -> Reply:
        return await self._decide(inc, application_id, "approved")

    async def ask_reject_reason(self, inc: Incoming, application_id: int) -> Reply:
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, notify.MANAGER_ROLES):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            application = await uow.applications.get(application_id)
            if application is None:
                return Reply(toast=Toast("err-stale-button"))
            if application.partner_id == await own_partner_id(uow, inc):
                return Reply(toast=Toast("err-own-application", alert=True))
            if application.decision != "pending":
                return await self._already_decided(uow, application)
            await uow.forms.save(inc.messenger, inc.user_id, REJECT_FORM, "reason", {"application": application_id},
                                 self.deps.clock.now())
            await uow.commit()
        buttons = tuple((Button(f"reject-reason-{code}", f"rej:{application_id}:{code}"),) for code in REJECT_PRESETS)
        return Reply.of(Screen("mgr-reject-ask", {"id": application_id},
                               buttons=buttons + ((Button("btn-back", f"app:card:{application_id}"),),)))

    async def reject_with_preset(self, inc: Incoming, application_id: int, code: str) -> Reply:
        if code not in REJECT_PRESETS:
            return Reply(toast=Toast("err-stale-button"))
        return await self._decide(inc, application_id, "rejected", reason_code=code)

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
        return await self._decide(inc, application_id, "rejected", reason=reason)

    async def show_card(self, inc: Incoming, application_id: int) -> Reply:
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, notify.MANAGER_ROLES):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            application = await uow.applications.get(application_id)
            if application is None:
                return Reply(toast=Toast("err-stale-button"))
            await uow.forms.clear(inc.messenger, inc.user_id)
            partner = await uow.partners.get(application.partner_id)
            assert partner is not None
            card = await self._card(uow, application, partner)
            await uow.commit()
        return Reply.of(Screen(card.text_key, card.args, card.buttons, edit=True))

    # ---- internals ----------------------------------------------------------------------------------------

    async def _decide(self, inc: Incoming, application_id: int, decision: str, *, reason_code: str | None = None,
                      reason: str | None = None) -> Reply:
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, notify.MANAGER_ROLES):
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
            if decision == "approved":
                await uow.partners.move_status(partner.id, ("applied",), "approved", approved_at=now)
                await notify.to_partner(uow, self.deps, partner,
                                        main_menu_screen("ob-approved", name=partner.name or ""),
                                        kind="application_decision", dedupe_key=f"decision:{application_id}")
                await self._announce_newcomer(uow, partner)
            else:
                await uow.partners.move_status(partner.id, ("applied",), "rejected")
                await notify.to_partner(uow, self.deps, partner,
                                        Screen("ob-rejected", {"reason": reason or "", "preset": reason_code or ""},
                                               menu=()),
                                        kind="application_decision", dedupe_key=f"decision:{application_id}")
            await uow.session.refresh(application)
            card = await self._card(uow, application, partner)
            await uow.commit()
        self.deps.wake_outbox()
        return Reply(screens=[Screen(card.text_key, card.args, card.buttons, edit=True)],
                     toast=Toast("mgr-decision-saved"))

    async def _already_decided(self, uow: UnitOfWork, application: Application) -> Reply:
        partner = await uow.partners.get(application.partner_id)
        assert partner is not None
        card = await self._card(uow, application, partner)
        return Reply(screens=[Screen(card.text_key, card.args, card.buttons, edit=True)],
                     toast=Toast("mgr-already-decided", {"who": application.decided_by_name or "—"}, alert=True))

    async def _card(self, uow: UnitOfWork, application: Application, partner: Partner) -> Screen:
        """The application card managers see; after the decision it says who decided and drops the buttons."""
        accounts = await uow.accounts.for_partner(partner.id)
        contacts = ", ".join(
            f"{a.messenger}:{a.external_id}" + (f" (@{a.username})" if a.username else "") for a in accounts)
        parent = await uow.partners.get(partner.parent_id) if partner.parent_id else None
        answers = application.answers
        args = {
            "id": application.id, "partner": partner.id, "name": answers.get("name", ""),
            "email": answers.get("email", ""), "sources": "\n".join(answers.get("sources", [])),
            "audience": answers.get("audience", 0), "contacts": contacts, "locale": partner.locale,
            "parent": f"#{parent.id} {parent.name or ''}".strip() if parent else "—",
            "decision": application.decision, "who": application.decided_by_name or "",
            "reason": application.reason or "", "preset": application.reason_code or "",
        }
        if application.decision == "pending":
            return Screen("mgr-application-card", args, buttons=((
                Button("btn-approve", f"app:ok:{application.id}", style="positive"),
                Button("btn-reject", f"app:no:{application.id}", style="negative"),
            ),))
        return Screen("mgr-application-card", args)

    async def _person(self, uow: UnitOfWork, inc: Incoming) -> Person:
        account = await uow.accounts.get(inc.messenger, inc.user_id)
        partner = await uow.partners.get(account.partner_id) if account else None
        return Person(account, partner)

    async def _register(self, uow: UnitOfWork, inc: Incoming) -> Partner:
        now = self.deps.clock.now()
        parent = None
        if inc.start_payload:
            parent = await uow.partners.by_ref_code(inc.start_payload.strip()[:32])
            if parent is not None and parent.status == "blocked":
                parent = None
        for _ in range(5):
            try:
                async with uow.session.begin_nested():
                    partner = await uow.partners.add(Partner(
                        status="new", locale=pick_locale(inc.language_code, self.deps.config.default_locale),
                        ref_code=new_code(), parent_id=parent.id if parent else None, created_at=now,
                        name=inc.first_name))
                break
            except IntegrityError:  # a ref_code collision: astronomically rare, but cheap to survive
                continue
        else:
            raise RuntimeError("could not allocate a referral code")
        await uow.accounts.add(MessengerAccount(
            partner_id=partner.id, messenger=inc.messenger, external_id=inc.user_id, chat_id=inc.chat_id,
            username=inc.username, first_name=inc.first_name, created_at=now))
        return partner

    async def _announce_newcomer(self, uow: UnitOfWork, partner: Partner) -> None:
        """Tell the referrer a sub-partner joined (once, keyed by the newcomer)."""
        if partner.parent_id is None:
            return
        parent = await uow.partners.get(partner.parent_id)
        if parent is None or parent.status != "approved":
            return
        await notify.to_partner(uow, self.deps, parent, Screen("ref-new-subpartner", {"name": partner.name or ""}),
                                kind="subpartner", dedupe_key=f"subpartner:{partner.id}")

    async def _status_reply(self, uow: UnitOfWork, inc: Incoming, partner: Partner) -> Reply:
        """What a known person sees on /start: their form where they left it, or their status."""
        if partner.status == "new":
            state = await uow.forms.get(inc.messenger, inc.user_id, lock=True)
            if state is None or state.form != FORM:
                state = await uow.forms.save(inc.messenger, inc.user_id, FORM, "language", {}, self.deps.clock.now())
            return Reply.of(Screen("ob-resume"), step_screen(state.step, state.data, partner.locale))
        if partner.status == "applied":
            return Reply.of(Screen("ob-status-applied", menu=()))
        if partner.status == "approved":
            return Reply.of(main_menu_screen("menu-title"))
        if partner.status == "rejected":
            application = await uow.applications.latest_for(partner.id)
            return Reply.of(Screen("ob-status-rejected", {
                "reason": application.reason or "" if application else "",
                "preset": application.reason_code or "" if application else ""}, menu=()))
        return Reply.of(Screen("ob-status-blocked", menu=()))

    async def _stale(self, uow: UnitOfWork, inc: Incoming) -> Reply:
        """A button from an old message: say so and show where the person really is."""
        person = await self._person(uow, inc)
        if person.partner is None:
            return Reply(toast=Toast("err-stale-button"))
        reply = await self._status_reply(uow, inc, person.partner)
        await uow.commit()
        return Reply(screens=reply.screens[-1:], toast=Toast("err-stale-button"))
