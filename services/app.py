"""All use cases, wired once. Adapters receive this object (aiogram DI / vkbottle closure) and call into it."""
from __future__ import annotations

from services.conversation import ConversationService
from services.deps import Deps
from services.i18n import Translator, default_translator
from services.onboarding import REJECT_FORM, FORM as ONBOARDING_FORM, OnboardingService
from services.settings import SettingsService


class Services:
    def __init__(self, deps: Deps, translator: Translator | None = None) -> None:
        self.deps = deps
        self.translator = translator or default_translator()
        self.onboarding = OnboardingService(deps)
        self.settings = SettingsService(deps)
        self.conversation = ConversationService(deps, self.translator, self.onboarding.start)
        self.conversation.forms[ONBOARDING_FORM] = self.onboarding.answer
        self.conversation.forms[REJECT_FORM] = self.onboarding.reject_reason_text
        self.conversation.sections["settings"] = self.settings.show

    async def seed_staff(self, triples: list[tuple[str, str, str]]) -> int:
        async with self.deps.uow() as uow:
            added = await uow.staff.seed(triples, self.deps.clock.now())
            await uow.commit()
        return added

    async def locale_for(self, messenger: str, user_id: str, language_code: str | None = None) -> str:
        """The language to talk to this person in: their choice, else their messenger's, else the default."""
        from services.i18n import pick_locale

        async with self.deps.uow() as uow:
            account = await uow.accounts.get(messenger, user_id)
            partner = await uow.partners.get(account.partner_id) if account else None
        if partner is not None:
            return partner.locale
        return pick_locale(language_code, self.deps.config.default_locale)
