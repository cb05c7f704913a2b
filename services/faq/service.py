"""The FAQ in the chat: browsing, free-text answers, feedback, "ask a person"; managers edit and see KPIs.
Who may do what is decided here; the knowledge base use cases are in knowledge.py, the screens in screens.py."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from typing import Any

from services.db.support_models import FaqCategory, FaqEntry
from services.db.uow import UnitOfWork
from services.faq import actions as act
from services.faq import screens
from services.faq.knowledge import ENTRY_FIELDS, NO_KEYWORDS, KnowledgeBase
from services.faq.search import FaqIndex
from services.kernel import validation
from services.kernel.actions import ActionTable
from services.kernel.deps import Deps
from services.kernel.dto import Incoming, Reply, Screen, Toast
from services.kernel.forms import Field, Form, FormRunner
from services.partners.current import find_partner
from services.staff.roles import MANAGER_ROLES, has_role

QUERY_MAX = 500
KPI_WINDOW = timedelta(days=30)
STALE = Toast("err-stale-button")
NOT_ALLOWED = Toast("err-not-allowed", alert=True)

_question = partial(validation.text_length, max_len=300, min_len=3)
_answer = partial(validation.text_length, max_len=3000, min_len=3)


def _keywords(text: str) -> list[str]:
    return [word.strip() for word in text.replace(";", ",").split(",") if word.strip()][:20]


FORM_FIELDS = {
    "question_ru": Field("question_ru", "faq-ask-question-ru", _question),
    "answer_ru": Field("answer_ru", "faq-ask-answer-ru", _answer),
    "keywords_ru": Field("keywords_ru", "faq-ask-keywords-ru", _keywords, default=NO_KEYWORDS),
    "question_en": Field("question_en", "faq-ask-question-en", _question),
    "answer_en": Field("answer_en", "faq-ask-answer-en", _answer),
    "keywords_en": Field("keywords_en", "faq-ask-keywords-en", _keywords, default=NO_KEYWORDS),
}
assert tuple(FORM_FIELDS) == ENTRY_FIELDS


class FaqService:
    def __init__(self, deps: Deps, forms: FormRunner) -> None:
        self.deps = deps
        self.forms = forms
        self.kb = KnowledgeBase(deps)
        # Set by the composition: "Not it — ask a person" opens a ticket with the partner's own words.
        self.escalate: Callable[[Incoming, str], Awaitable[Reply]] | None = None
        forms.register(Form("faq_new", list(FORM_FIELDS.values()), self._create))
        for name in FORM_FIELDS:
            forms.register(Form(f"faq_edit:{name}", [FORM_FIELDS[name]], self._save_field))
        t = self.on_action = ActionTable()  # fq:… (partners), fqa:… (managers)
        t.on(act.Home, lambda inc, _: self.home(inc, edit=True))
        t.on(act.HomePage, lambda inc, a: self.home(inc, page=a.page, edit=True))
        t.on(act.ShowCategory, lambda inc, a: self.category(inc, a.category, a.page or 0))
        t.on(act.ShowEntry, lambda inc, a: self.entry(inc, a.entry))
        t.on(act.SearchHit, lambda inc, a: self.entry(inc, a.entry, a.search))
        t.on(act.Feedback, lambda inc, a: self.feedback(inc, a.search, a.entry, a.helped))
        t.on(act.AskPerson, lambda inc, a: self.ask_person(inc, a.search))
        t.on(act.AdminHome, lambda inc, _: self.admin_home(inc))
        t.on(act.AdminCategory, lambda inc, a: self.admin_category(inc, a.category))
        t.on(act.AdminEntry, lambda inc, a: self.admin_entry(inc, a.entry))
        t.on(act.AdminNew, lambda inc, a: self.admin_new(inc, a.category))
        t.on(act.AdminEdit, lambda inc, a: self.admin_edit(inc, a.entry, a.field))
        t.on(act.AdminMove, lambda inc, a: self.admin_move(inc, a.entry, a.direction))
        t.on(act.AdminToggle, lambda inc, a: self.admin_toggle(inc, a.entry))
        t.on(act.Kpi, lambda inc, _: self.kpi(inc))

    async def seed(self) -> int:
        return await self.kb.seed()

    async def index(self) -> FaqIndex:
        return await self.kb.index()

    # ---- partners -----------------------------------------------------------------------------------------

    async def _reader(self, uow: UnitOfWork, inc: Incoming) -> tuple[str, int | None]:
        """The reader's language and partner id (anyone may read the FAQ)."""
        partner = await find_partner(uow, inc)
        return (partner.locale if partner else self.deps.config.default_locale), (partner.id if partner else None)

    async def home(self, inc: Incoming, page: int = 0, *, edit: bool = False) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            locale, _ = await self._reader(uow, inc)
            categories = await self.kb.categories(uow)
        return Reply.of(screens.home(categories, locale, page, edit=edit))

    async def category(self, inc: Incoming, category_id: int, page: int = 0) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            locale, _ = await self._reader(uow, inc)
            category = await uow.session.get(FaqCategory, category_id)
            if category is None or category.hidden:
                return Reply(toast=STALE)
            entries = await self.kb.entries(uow, category_id)
        return Reply.of(screens.category(category, entries, locale, page))

    async def entry(self, inc: Incoming, entry_id: int, search_id: int = 0) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            locale, _ = await self._reader(uow, inc)
            entry = await uow.session.get(FaqEntry, entry_id)
            if entry is None or entry.hidden:
                return Reply(toast=STALE)
        return Reply.of(screens.answer(entry, locale, search_id))

    async def feedback(self, inc: Incoming, search_id: int, entry_id: int, helped: bool) -> Reply:
        async with self.deps.uow() as uow:
            _, partner_id = await self._reader(uow, inc)
            if not await self.kb.feedback(uow, partner_id, search_id, entry_id, helped):
                return Reply(toast=STALE)
            await uow.commit()
        return Reply(toast=Toast("faq-thanks")) if helped else Reply.of(screens.not_helped(search_id))

    async def answer_text(self, inc: Incoming) -> Reply:
        """Any free-text message outside a form: the best 1–3 answers, or a way to a person."""
        query = (inc.text or "").strip()[:QUERY_MAX]
        index = await self.kb.index()  # before the unit of work: building it opens one of its own
        async with self.deps.uow() as uow:
            locale, partner_id = await self._reader(uow, inc)
            result = await self.kb.search(uow, index, partner_id, locale, query)
            await uow.commit()
        return Reply.of(screens.found(result, locale))

    async def ask_person(self, inc: Incoming, search_id: int) -> Reply:
        """"Not it — ask a person": the partner's own question becomes a ticket, no retyping."""
        async with self.deps.uow() as uow:
            _, partner_id = await self._reader(uow, inc)
            query = await self.kb.escalate(uow, partner_id, search_id)
            await uow.commit()
        assert self.escalate is not None, "wired by services.app"
        return await self.escalate(inc, query)

    # ---- managers -----------------------------------------------------------------------------------------

    async def admin_home(self, inc: Incoming) -> Reply:
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, MANAGER_ROLES):
                return Reply(toast=NOT_ALLOWED)
            categories = await self.kb.categories(uow, hidden_too=True)
        return Reply.of(screens.admin_home(categories))

    async def admin_category(self, inc: Incoming, category_id: int) -> Reply:
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, MANAGER_ROLES):
                return Reply(toast=NOT_ALLOWED)
            entries = await self.kb.entries(uow, category_id, hidden_too=True)
        return Reply.of(screens.admin_category(category_id, entries))

    async def admin_entry(self, inc: Incoming, entry_id: int, *, edit: bool = True) -> Reply:
        async with self.deps.uow() as uow:
            entry = await self._editable(uow, inc, entry_id)
        if isinstance(entry, Reply):
            return entry
        return Reply.of(screens.admin_entry(entry, edit=edit))

    async def admin_new(self, inc: Incoming, category_id: int) -> Reply:
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, MANAGER_ROLES) or await uow.session.get(FaqCategory, category_id) is None:
                return Reply(toast=NOT_ALLOWED)
            reply = await self.forms.begin(uow, inc, "faq_new", {"category": category_id})
            await uow.commit()
        return reply

    async def admin_edit(self, inc: Incoming, entry_id: int, field: str) -> Reply:
        if field not in FORM_FIELDS:
            return Reply(toast=STALE)
        async with self.deps.uow() as uow:
            entry = await self._editable(uow, inc, entry_id)
            if isinstance(entry, Reply):
                return Reply(toast=NOT_ALLOWED)
            current = getattr(entry, field)
            reply = await self.forms.begin(uow, inc, f"faq_edit:{field}", {
                "entry": entry_id, field: ", ".join(current) if isinstance(current, list) else current})
            await uow.commit()
        return reply

    async def _create(self, uow: UnitOfWork, inc: Incoming, data: dict[str, Any]) -> Reply:
        if not await has_role(uow, inc, MANAGER_ROLES):  # roles can be revoked while a form is open
            return Reply.of(Screen("err-not-allowed"))
        entry = await self.kb.create_entry(uow, int(data["category"]), data, author=inc.user_id)
        return Reply.of(screens.admin_entry(entry, edit=False))

    async def _save_field(self, uow: UnitOfWork, inc: Incoming, data: dict[str, Any]) -> Reply:
        if not await has_role(uow, inc, MANAGER_ROLES):
            return Reply.of(Screen("err-not-allowed"))
        entry = await uow.session.get(FaqEntry, int(data["entry"]))
        if entry is None:
            return Reply.of(Screen("err-stale-button"))
        await self.kb.update_entry(uow, entry, data)
        return Reply(screens=[screens.admin_entry(entry, edit=False)], toast=Toast("settings-saved"))

    async def admin_move(self, inc: Incoming, entry_id: int, direction: str) -> Reply:
        async with self.deps.uow() as uow:
            entry = await self._editable(uow, inc, entry_id)
            if isinstance(entry, Reply):
                return Reply(toast=NOT_ALLOWED)
            await self.kb.move(uow, entry, "up" if direction == "up" else "down")
            await uow.commit()
        return await self.admin_category(inc, entry.category_id)

    async def admin_toggle(self, inc: Incoming, entry_id: int) -> Reply:
        async with self.deps.uow() as uow:
            entry = await self._editable(uow, inc, entry_id)
            if isinstance(entry, Reply):
                return Reply(toast=NOT_ALLOWED)
            await self.kb.toggle(uow, entry)
            await uow.commit()
        self.kb.changed()
        return await self.admin_entry(inc, entry_id)

    async def kpi(self, inc: Incoming) -> Reply:
        """Deflection over 30 days: free-text questions answered without a person."""
        async with self.deps.uow(readonly=True) as uow:
            if not await has_role(uow, inc, MANAGER_ROLES):
                return Reply(toast=NOT_ALLOWED)
            numbers = await self.kb.kpi(uow, self.deps.clock.now() - KPI_WINDOW)
        return Reply.of(screens.kpi(numbers))

    async def _editable(self, uow: UnitOfWork, inc: Incoming, entry_id: int) -> FaqEntry | Reply:
        """The entry, for a manager; a refusal (NOT_ALLOWED) or, for a manager, a missing entry (STALE)."""
        if not await has_role(uow, inc, MANAGER_ROLES):
            return Reply(toast=NOT_ALLOWED)
        entry = await uow.session.get(FaqEntry, entry_id)
        return entry if entry is not None else Reply(toast=STALE)
