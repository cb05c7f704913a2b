"""Partner onboarding: language, application form, submission. One use case for every messenger.

The application is a form of the form engine (services/kernel/forms.py) with screens and buttons of its own
(ob:…): its steps are stored by name, Back on the first question returns to the language choice, and a stale
button shows where the person really is. Managers' decisions live in applications.py.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.exc import IntegrityError

from services.db.models import Application, MessengerAccount, Partner
from services.db.uow import UnitOfWork
from services.kernel import validation
from services.kernel.actions import ActionTable
from services.kernel.codes import new_code
from services.kernel.deps import Deps
from services.kernel.dto import Incoming, Reply, Screen, Toast
from services.kernel.forms import Abort, Field, Form, FormRunner
from services.kernel.i18n import LOCALES, pick_locale
from services.kernel.menu import main_menu_screen
from services.partners import actions as act
from services.partners.accounts import looks_like_code
from services.partners.applications import REJECT_FORM, ApplicationDecisions, submit
from services.partners.current import find_partner
from services.partners.screens import BACK, CANCEL, REJECT_PRESETS, status_screen, step_screen
from services.partners.status import ApplicationStatus, PartnerStatus

__all__ = ["FORM", "REJECT_FORM", "REJECT_PRESETS", "STEPS", "OnboardingService"]

FORM = "onboarding"
FIELDS = (
    Field("language", "ob-welcome", keep=False),  # answered by ob:lang:<code>, which sets the partner's locale
    Field("name", "ob-ask-name", validation.name),
    Field("email", "ob-ask-email", validation.email),
    Field("sources", "ob-ask-sources", validation.sources),
    Field("audience", "ob-ask-audience", validation.audience),
    Field("terms", "ob-ask-terms", keep=False),  # answered by ob:terms: submits the application
)
STEPS = tuple(spec.name for spec in FIELDS)


class OnboardingForm(Form):
    """The application's own look: ob:… buttons, a language choice that marks the current language."""

    fm_buttons = False

    def __init__(self, service: OnboardingService) -> None:
        super().__init__(FORM, FIELDS, service._submit, named_steps=True)
        self.service = service

    async def screen(self, uow: UnitOfWork, inc: Incoming, index: int, data: dict[str, Any]) -> Screen:
        step = self.fields[index].name
        partner = await find_partner(uow, inc) if step == "language" else None
        return step_screen(step, data, partner.locale if partner else None)

    def invalid(self, bad: validation.Invalid, prompt: Screen) -> Reply:
        if bad.key == "err-use-buttons":
            return Reply.of(Screen("ob-use-buttons"), prompt)
        if bad.key == "err-text-expected":
            return Reply.of(Screen(bad.key), prompt)
        return Reply.of(Screen(bad.key, bad.params, buttons=((BACK, CANCEL),)))  # the question stays above

    def previous(self, data: dict[str, Any], index: int) -> int | None:
        return max(index - 1, 0)  # Back on the language choice shows it again

    async def stale(self, uow: UnitOfWork, inc: Incoming) -> Reply:
        return await self.service._stale(uow, inc)


class OnboardingService:
    def __init__(self, deps: Deps, forms: FormRunner | None = None) -> None:
        self.deps = deps
        self.forms = forms or FormRunner(deps)
        self.forms.register(OnboardingForm(self))
        self.decisions = ApplicationDecisions(deps)
        self.reject_reason_text = self.decisions.reject_reason_text
        # Set by the composition of services: /start L-XXXXXXXX attaches this account to an existing partner.
        self.redeem_link_code: Callable[[Incoming, str], Awaitable[Reply]] | None = None
        self.on_action = t = ActionTable()  # ob:… (the applicant), app:… and rej:… (managers)
        t.on(act.OnboardingLanguage, lambda inc, a: self.choose_language(inc, a.locale))
        t.on(act.OnboardingBack, lambda inc, _: self.forms.back(inc, FORM))
        t.on(act.OnboardingCancel, lambda inc, _: self.cancel(inc))
        t.on(act.OnboardingTerms, lambda inc, _: self.forms.press(inc, FORM, "terms", True))
        t.on(act.ApplicationApprove, lambda inc, a: self.decisions.approve(inc, a.application))
        t.on(act.ApplicationReject, lambda inc, a: self.decisions.ask_reject_reason(inc, a.application))
        t.on(act.ApplicationCard, lambda inc, a: self.decisions.show_card(inc, a.application))
        t.on(act.RejectPreset, lambda inc, a: self.decisions.reject_with_preset(inc, a.application, a.reason))

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
            partner = await find_partner(uow, inc)
            if partner is None:
                await self._register(uow, inc)
                reply = await self.forms.begin(uow, inc, FORM, {})
            else:
                reply = await self._status_reply(uow, inc, partner)
            await uow.commit()
            return reply

    async def answer(self, inc: Incoming) -> Reply:
        """A typed answer to the current form step."""
        return await self.forms.on_text(inc)

    async def choose_language(self, inc: Incoming, locale: str) -> Reply:
        """The language buttons: the form's first step, and valid later too (they change the language)."""
        if locale not in LOCALES:
            return Reply(toast=Toast("err-stale-button"))
        async with self.deps.uow() as uow:
            partner = await find_partner(uow, inc)
            if partner is None:
                return Reply(toast=Toast("err-stale-button"))
            partner.locale = locale
            state = await uow.forms.get(inc.messenger, inc.user_id, lock=True)
            if state is not None and state.form == FORM and state.step == "language":
                reply = await self.forms.advance(uow, inc, state, locale)
                return Reply.of(Screen("ob-language-set", buttons=()), *reply.screens)
            await uow.commit()
        if partner.status == PartnerStatus.APPROVED:
            return Reply.of(main_menu_screen("settings-language-saved"))
        return Reply.of(Screen("settings-language-saved"))

    async def cancel(self, inc: Incoming) -> Reply:
        """/cancel or the Cancel button: drops whatever form is open (onboarding or any other)."""
        async with self.deps.uow() as uow:
            state = await uow.forms.get(inc.messenger, inc.user_id, lock=True)
            partner = await find_partner(uow, inc)
            approved = partner is not None and partner.status == PartnerStatus.APPROVED
            if state is None:
                return Reply.of(main_menu_screen("cancel-nothing") if approved else Screen("cancel-nothing"))
            await uow.forms.clear(inc.messenger, inc.user_id)
            await uow.commit()
        if state.form == FORM:
            return Reply.of(Screen("ob-cancelled", menu=()))
        return Reply.of(main_menu_screen("cancelled") if approved else Screen("cancelled"))

    # ---- internals ----------------------------------------------------------------------------------------

    async def _submit(self, uow: UnitOfWork, inc: Incoming, answers: dict[str, Any]) -> Reply:
        """The form's last step (ob:terms): the application is created once, however often it is pressed."""
        partner = await find_partner(uow, inc)
        if partner is None:
            raise Abort(Reply(toast=Toast("err-stale-button")))
        if not await uow.partners.move_status(partner.id, (PartnerStatus.NEW,), PartnerStatus.APPLIED):
            raise Abort(await self._stale(uow, inc, commit=False))
        now = self.deps.clock.now()
        application = await uow.applications.add(Application(
            partner_id=partner.id, answers=answers, decision=ApplicationStatus.PENDING, created_at=now))
        partner.name, partner.email = answers.get("name"), answers.get("email")
        if await submit(uow, self.deps, application, partner, now):
            return Reply.of(main_menu_screen("ob-approved", name=partner.name))
        return Reply.of(Screen("ob-submitted", {"id": application.id}, menu=()))

    async def _register(self, uow: UnitOfWork, inc: Incoming) -> Partner:
        now = self.deps.clock.now()
        parent = None
        if inc.start_payload:
            parent = await uow.partners.by_ref_code(inc.start_payload.strip()[:32])
            if parent is not None and parent.status == PartnerStatus.BLOCKED:
                parent = None
        for _ in range(5):
            try:
                async with uow.session.begin_nested():
                    partner = await uow.partners.add(Partner(
                        status=PartnerStatus.NEW, ref_code=new_code(), created_at=now, name=inc.first_name,
                        locale=pick_locale(inc.language_code, self.deps.config.default_locale),
                        parent_id=parent.id if parent else None))
                break
            except IntegrityError:  # a ref_code collision: astronomically rare, but cheap to survive
                continue
        else:
            raise RuntimeError("could not allocate a referral code")
        await uow.accounts.add(MessengerAccount(
            partner_id=partner.id, messenger=inc.messenger, external_id=inc.user_id, chat_id=inc.chat_id,
            username=inc.username, first_name=inc.first_name, created_at=now))
        return partner

    async def _status_reply(self, uow: UnitOfWork, inc: Incoming, partner: Partner) -> Reply:
        """What a known person sees on /start: their form where they left it, or their status."""
        if partner.status != PartnerStatus.NEW:
            return Reply.of(status_screen(partner, await uow.applications.latest_for(partner.id)))
        state = await uow.forms.get(inc.messenger, inc.user_id, lock=True)
        screen = await self.forms.resume(uow, inc, state) if state is not None and state.form == FORM else None
        if screen is None:
            screen = (await self.forms.begin(uow, inc, FORM, {})).screens[0]
        return Reply.of(Screen("ob-resume"), screen)

    async def _stale(self, uow: UnitOfWork, inc: Incoming, *, commit: bool = True) -> Reply:
        """A button from an old message: say so and show where the person really is."""
        partner = await find_partner(uow, inc)
        if partner is None:
            return Reply(toast=Toast("err-stale-button"))
        reply = await self._status_reply(uow, inc, partner)
        if commit:
            await uow.commit()  # a newcomer without a form gets it back at the first question
        return Reply(screens=reply.screens[-1:], toast=Toast("err-stale-button"))
