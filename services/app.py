"""All use cases, wired once. Adapters build their routes from `features` (services/routes.py) and call into it."""
from __future__ import annotations

from typing import Any

from services import routes
from services.partners.accounts import AccountsService
from services.ledger.balance import BalanceService
from services.kernel.conversation import ConversationService
from services.dashboard.service import DashboardService
from services.dashboard.staff import StaffDashboard
from services.kpi.screens import KpiService
from services.faq.service import FaqService
from services.kernel.deps import Deps
from services.kernel.forms import FormRunner
from services.kernel.i18n import Translator, default_translator, pick_locale
from services.links.service import LinksService
from services.materials.admin import BANNER_FORM, MaterialsAdmin
from services.materials.service import MaterialsService
from services.promo.service import PromoService
from services.promo.use_cases import issue_on_approval
from services.kernel.locks import KeyedLock
from services.offers.service import OffersService
from services.partners.onboarding import FORM as ONBOARDING_FORM
from services.partners.onboarding import REJECT_FORM, OnboardingService
from services.tracking.review_screens import ReviewScreens
from services.partners.settings import SettingsService
from services.stats.screens import StatsService
from services.staff.service import StaffService
from services.payouts.partner_screens import DETAILS_FORM, PartnerPayoutScreens
from services.payouts.staff_screens import StaffPayoutScreens
from services.payouts.details import METHODS as PAYOUT_METHODS
from services.adjustments.screens import AdjustmentScreens
from services.bonuses.screens import BonusScreens
from services.support.service import FORM as SUPPORT_FORM
from services.support.service import REPLY_FORM as SUPPORT_REPLY_FORM
from services.support.service import SupportService


class Services:
    def __init__(self, deps: Deps, translator: Translator | None = None, user_locks: Any = None) -> None:
        self.deps = deps
        self.translator = translator or default_translator()
        # Adapters serialise each person's updates with it: in memory, or shared through Redis by every worker.
        self.user_locks = user_locks if user_locks is not None else KeyedLock()
        self.forms = FormRunner(deps)
        self.onboarding = OnboardingService(deps, self.forms)
        self.settings = SettingsService(deps)
        self.offers = OffersService(deps, self.forms)
        self.links = LinksService(deps, self.forms)
        self.conversation = ConversationService(deps, self.translator, self.onboarding.start)
        self.conversation.forms[ONBOARDING_FORM] = self.onboarding.answer
        self.conversation.forms[REJECT_FORM] = self.onboarding.reject_reason_text
        self.accounts = AccountsService(deps)
        self.onboarding.redeem_link_code = self.accounts.redeem
        self.conversation.redeem_link_code = self.accounts.redeem
        self.settings.on_action.add(r"set:linkacc", self.accounts.issue_code)
        self.support = SupportService(deps)
        self.conversation.forms[SUPPORT_FORM] = self.support.on_form_message
        self.conversation.forms[SUPPORT_REPLY_FORM] = self.support.reply_form_message
        self.conversation.reply_hook = self.support.staff_message
        self.conversation.ticket_hook = self.support.partner_message
        self.faq = FaqService(deps, self.forms)
        self.faq.escalate = self.support.open_with_question
        self.conversation.fallback = self.faq.answer_text
        self.balance = BalanceService(deps)
        self.dashboard = DashboardService(deps, self.translator)
        self.stats = StatsService(deps)
        self.staff_dashboard = StaffDashboard(deps, self.translator, lambda: self.dashboard.signer)
        self.kpi = KpiService(deps)
        self.kpi.web_link = self.staff_dashboard.link  # /kpi → Web: a staff sign-in link to the KPI page
        self.materials = MaterialsService(deps, self.forms)
        self.materials_admin = MaterialsAdmin(deps, self.forms)
        self.conversation.forms[BANNER_FORM] = self.materials_admin.on_banner_message
        self.promo = PromoService(deps, self.forms)
        self.onboarding.on_approved.append(issue_on_approval)  # a personal promo code per active offer
        self.payouts = PartnerPayoutScreens(deps, self.forms, self.settings.on_action)  # set:pay…, pay:…
        self.payout_staff = StaffPayoutScreens(deps, self.forms)  # pam:…
        self.adjustments = AdjustmentScreens(deps, self.forms)  # adj:…
        self.bonuses = BonusScreens(deps, self.forms)  # bon:…; partners see their plans in Balance and Stats
        self.balance.extras.append(self.bonuses.progress)
        self.stats.extras.append(self.bonuses.progress)
        self.admin_action = self.offers.on_action  # adm:… (review screens join it)
        self.review = ReviewScreens(deps, self.admin_action)
        self.staff = StaffService(deps, self.forms, self.admin_action)
        for name in self.forms.forms:  # every engine-driven form (registered above) takes typed answers
            self.conversation.forms[name] = self.forms.on_text
        for method in PAYOUT_METHODS:  # typed details need the encryption key loaded first
            self.conversation.forms[DETAILS_FORM + method] = self.payouts.details_text
        # The route table both adapters register, in order; the main menu's sections come from it too.
        self.features = routes.features(self)
        for feature in self.features:
            if feature.section is not None:
                self.conversation.sections[feature.section.name] = feature.section.handler

    async def seed_staff(self, triples: list[tuple[str, str, str]]) -> tuple[int, int]:
        """Env roles at start: (added, revoked). Env is authoritative for the roles it seeded, only those."""
        async with self.deps.uow() as uow:
            changes = await uow.staff.seed(triples, self.deps.clock.now())
            await uow.commit()
        return changes

    async def remember_upload(self, messenger: str, key: str, ref: str) -> None:
        """Adapters report the id a messenger gave a generated file they uploaded (Attachment.key)."""
        await self.materials.remember_upload(messenger, key, ref)

    async def locale_for(self, messenger: str, user_id: str, language_code: str | None = None) -> str:
        """The language to talk to this person in: their choice, else their messenger's, else the default."""
        async with self.deps.uow(readonly=True) as uow:
            account = await uow.accounts.get(messenger, user_id)
            partner = await uow.partners.get(account.partner_id) if account else None
            if partner is not None:
                return partner.locale
        return pick_locale(language_code, self.deps.config.default_locale)
