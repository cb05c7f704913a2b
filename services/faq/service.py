"""FAQ knowledge base in the database: seeding, browsing, free-text answers, feedback, manager editing, KPIs."""
from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

from sqlalchemy import String, cast, func, select, update

from services.messaging import notify

from services.kernel import validation
from services.kernel.actions import ID, ActionTable
from services.db.support_models import FaqCategory, FaqEntry, FaqSearch
from services.db.uow import UnitOfWork
from services.kernel.deps import Deps
from services.kernel.dto import Button, Incoming, Reply, Screen, Toast
from services.faq.search import FaqDoc, FaqIndex, load_seed
from services.kernel.forms import Field, Form, FormRunner
from services.staff.roles import has_role

PAGE = 8  # buttons per page: fits VK's 10-button inline keyboards with the navigation row
QUERY_MAX = 500

_question = partial(validation.text_length, max_len=300, min_len=3)
_answer = partial(validation.text_length, max_len=3000, min_len=3)


# The editor card's share of a 4096-character message: 2 × 300 + 2 × 1400 + 300 + the frame < 4096.
CARD_QUESTION, CARD_ANSWER = 300, 1400


def _preview(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _keywords(text: str) -> list[str]:
    return [word.strip() for word in text.replace(";", ",").split(",") if word.strip()][:20]


ENTRY_FIELDS = {
    "question_ru": Field("question_ru", "faq-ask-question-ru", _question),
    "answer_ru": Field("answer_ru", "faq-ask-answer-ru", _answer),
    "keywords_ru": Field("keywords_ru", "faq-ask-keywords-ru", _keywords, default="—"),
    "question_en": Field("question_en", "faq-ask-question-en", _question),
    "answer_en": Field("answer_en", "faq-ask-answer-en", _answer),
    "keywords_en": Field("keywords_en", "faq-ask-keywords-en", _keywords, default="—"),
}


class FaqService:
    def __init__(self, deps: Deps, forms: FormRunner) -> None:
        self.deps = deps
        self.forms = forms
        self._index: FaqIndex | None = None
        # Set by the composition: "Not it — ask a person" opens a ticket with the partner's own words.
        self.escalate: Any = None
        forms.register(Form("faq_new", list(ENTRY_FIELDS.values()), self._create))
        for name in ENTRY_FIELDS:
            forms.register(Form(f"faq_edit:{name}", [ENTRY_FIELDS[name]], self._save_field))
        t = self.on_action = ActionTable()  # fq:… (partners), fqa:… (managers)
        t.add(r"fq:home", lambda inc: self.home(inc, edit=True))
        t.add(rf"fq:cp:{ID}", lambda inc, page: self.home(inc, page=page, edit=True))
        t.add(rf"fq:c:{ID}", self.category)
        t.add(rf"fq:c:{ID}:{ID}", self.category)
        t.add(rf"fq:q:{ID}", self.entry)
        t.add(rf"fq:s:{ID}:{ID}", self.entry_from_search)
        t.add(rf"fq:h:{ID}:{ID}:([01])", self.feedback)
        t.add(rf"fq:ask:{ID}", self.ask_person)
        t.add(r"fqa:home", self.admin_home)
        t.add(rf"fqa:c:{ID}", self.admin_category)
        t.add(rf"fqa:e:{ID}", self.admin_entry)
        t.add(rf"fqa:new:{ID}", self.admin_new)
        t.add(rf"fqa:ed:{ID}:([a-z_]+)", self.admin_edit)
        t.add(rf"fqa:mv:{ID}:(up|down)", self.admin_move)
        t.add(rf"fqa:vis:{ID}", self.admin_toggle)
        t.add(r"fqa:kpi", self.kpi)

    # ---- knowledge base ----------------------------------------------------------------------------------

    async def seed(self) -> int:
        """Adds the starter entries that are missing (by key); never overwrites what managers edited."""
        data = load_seed()
        now = self.deps.clock.now()
        added = 0
        async with self.deps.uow() as uow:
            categories = {c.key: c for c in (await uow.session.scalars(select(FaqCategory))).all()}
            for spec in data["categories"]:
                if spec["key"] not in categories:
                    category = FaqCategory(key=spec["key"], title_ru=spec["title_ru"], title_en=spec["title_en"],
                                           position=spec.get("position", 0), hidden=False)
                    uow.session.add(category)
                    categories[spec["key"]] = category
            await uow.session.flush()
            keys = set((await uow.session.scalars(select(FaqEntry.key))).all())
            for spec in data["entries"]:
                if spec["key"] in keys:
                    continue
                uow.session.add(FaqEntry(
                    key=spec["key"], category_id=categories[spec["category"]].id, position=spec.get("position", 0),
                    hidden=False, updated_at=now, **{f: spec.get(f) or ([] if f.startswith("keywords") else "")
                                                     for f in ENTRY_FIELDS}))
                added += 1
            await uow.commit()
        self._index = None
        return added

    async def index(self) -> FaqIndex:
        """Built once from the visible entries; any edit drops it so the next search sees the change."""
        if self._index is None:
            async with self.deps.uow(readonly=True) as uow:
                rows = (await uow.session.execute(
                    select(FaqEntry).join(FaqCategory, FaqCategory.id == FaqEntry.category_id)
                    .where(FaqEntry.hidden.is_(False), FaqCategory.hidden.is_(False)))).scalars().all()
            docs = []
            for entry in rows:
                docs.append(FaqDoc(entry.id, "ru", entry.question_ru, entry.answer_ru, tuple(entry.keywords_ru)))
                docs.append(FaqDoc(entry.id, "en", entry.question_en, entry.answer_en, tuple(entry.keywords_en)))
            self._index = FaqIndex(docs)
        return self._index

    # ---- partners: browsing --------------------------------------------------------------------------------

    async def _locale(self, uow: UnitOfWork, inc: Incoming) -> tuple[str, int | None]:
        account = await uow.accounts.get(inc.messenger, inc.user_id)
        partner = await uow.partners.get(account.partner_id) if account else None
        return (partner.locale if partner else self.deps.config.default_locale), (partner.id if partner else None)

    async def home(self, inc: Incoming, page: int = 0, *, edit: bool = False) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            locale, _ = await self._locale(uow, inc)
            categories = (await uow.session.scalars(select(FaqCategory).where(FaqCategory.hidden.is_(False))
                                                    .order_by(FaqCategory.position, FaqCategory.id))).all()
        chunk = categories[page * PAGE:(page + 1) * PAGE]
        rows = [(Button("faq-item", f"fq:c:{c.id}", {"title": getattr(c, f"title_{locale}")}),) for c in chunk]
        rows.append(self._pager("fq:cp", page, len(categories)) + (Button("faq-btn-ask", "sup:new"),))
        return Reply.of(Screen("faq-home", buttons=tuple(r for r in rows if r), edit=edit))

    @staticmethod
    def _pager(prefix: str, page: int, total: int) -> tuple[Button, ...]:
        buttons = []
        if page > 0:
            buttons.append(Button("btn-prev", f"{prefix}:{page - 1}"))
        if (page + 1) * PAGE < total:
            buttons.append(Button("btn-next", f"{prefix}:{page + 1}"))
        return tuple(buttons)

    async def category(self, inc: Incoming, category_id: int, page: int = 0) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            locale, _ = await self._locale(uow, inc)
            category = await uow.session.get(FaqCategory, category_id)
            if category is None or category.hidden:
                return Reply(toast=Toast("err-stale-button"))
            entries = (await uow.session.scalars(select(FaqEntry).where(
                FaqEntry.category_id == category_id, FaqEntry.hidden.is_(False))
                .order_by(FaqEntry.position, FaqEntry.id))).all()
        chunk = entries[page * PAGE:(page + 1) * PAGE]
        rows = [(Button("faq-item", f"fq:q:{e.id}", {"title": getattr(e, f"question_{locale}")}),) for e in chunk]
        rows.append(self._pager(f"fq:c:{category_id}", page, len(entries)) + (Button("btn-back", "fq:home"),))
        return Reply.of(Screen("faq-category", {"title": getattr(category, f"title_{locale}")},
                               buttons=tuple(rows), edit=True))

    async def entry(self, inc: Incoming, entry_id: int, search_id: int = 0) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            locale, _ = await self._locale(uow, inc)
            entry = await uow.session.get(FaqEntry, entry_id)
            if entry is None or entry.hidden:
                return Reply(toast=Toast("err-stale-button"))
        return Reply.of(Screen("faq-answer", {"question": getattr(entry, f"question_{locale}"),
                                              "answer": getattr(entry, f"answer_{locale}")},
                               buttons=self._feedback_buttons(search_id, entry_id, entry.category_id)))

    async def entry_from_search(self, inc: Incoming, search_id: int, entry_id: int) -> Reply:
        return await self.entry(inc, entry_id, search_id)

    @staticmethod
    def _feedback_buttons(search_id: int, entry_id: int, category_id: int | None
                          ) -> tuple[tuple[Button, ...], ...]:
        rows: list[tuple[Button, ...]] = [(Button("faq-btn-yes", f"fq:h:{search_id}:{entry_id}:1", style="positive"),
                                           Button("faq-btn-no", f"fq:h:{search_id}:{entry_id}:0"))]
        if category_id is not None:
            rows.append((Button("btn-back", f"fq:c:{category_id}"),))
        return tuple(rows)

    async def feedback(self, inc: Incoming, search_id: int, entry_id: int, answer: int) -> Reply:
        """Yes/No under an answer: updates its search (free text), or records a browse feedback row."""
        helped = answer == 1
        async with self.deps.uow() as uow:
            _, partner_id = await self._locale(uow, inc)
            if search_id:
                search = await uow.session.get(FaqSearch, search_id)
                if search is None or search.partner_id != partner_id:
                    return Reply(toast=Toast("err-stale-button"))
                search.helped = helped
            else:
                uow.session.add(FaqSearch(partner_id=partner_id, query="", locale="", results=[entry_id],
                                          helped=helped, escalated=False, created_at=self.deps.clock.now()))
            await uow.commit()
        if helped:
            return Reply(toast=Toast("faq-thanks"))
        return Reply.of(Screen("faq-not-helped", buttons=((Button("faq-btn-ask", f"fq:ask:{search_id}"),),
                                                          (Button("menu-faq", "fq:home"),))))

    # ---- partners: free text -----------------------------------------------------------------------------

    async def answer_text(self, inc: Incoming) -> Reply:
        """Any free-text message outside a form: the best 1–3 answers, or a way to a person."""
        query = (inc.text or "").strip()[:QUERY_MAX]
        index = await self.index()
        async with self.deps.uow() as uow:
            locale, partner_id = await self._locale(uow, inc)
            hits = index.search(query, locale, limit=3)
            search = FaqSearch(partner_id=partner_id, query=query, locale=locale,
                               results=[h.entry_id for h in hits], escalated=False, created_at=self.deps.clock.now())
            uow.session.add(search)
            await uow.session.flush()
            entries = {e.id: e for e in (await uow.session.scalars(
                select(FaqEntry).where(FaqEntry.id.in_([h.entry_id for h in hits])))).all()}
            await uow.commit()
        if not hits:
            return Reply.of(Screen("faq-nothing", buttons=((Button("faq-btn-ask", f"fq:ask:{search.id}"),),
                                                           (Button("menu-faq", "fq:home"),))))
        best = entries[hits[0].entry_id]
        rows: list[tuple[Button, ...]] = [
            (Button("faq-btn-yes", f"fq:h:{search.id}:{best.id}:1", style="positive"),
             Button("faq-btn-ask-short", f"fq:ask:{search.id}")),
        ]
        rows += [(Button("faq-item", f"fq:s:{search.id}:{h.entry_id}",
                         {"title": getattr(entries[h.entry_id], f"question_{locale}")}),) for h in hits[1:]]
        return Reply.of(Screen("faq-found", {"question": getattr(best, f"question_{locale}"),
                                             "answer": getattr(best, f"answer_{locale}"),
                                             "others": len(hits) - 1}, buttons=tuple(rows)))

    async def ask_person(self, inc: Incoming, search_id: int) -> Reply:
        """"Not it — ask a person": the partner's own question becomes a ticket, no retyping."""
        async with self.deps.uow() as uow:
            _, partner_id = await self._locale(uow, inc)
            search = await uow.session.get(FaqSearch, search_id) if search_id else None
            if search is not None and search.partner_id == partner_id:
                search.escalated, search.helped = True, False
                await uow.commit()
                query = search.query
            else:
                query = ""
        return await self.escalate(inc, query)

    # ---- managers -----------------------------------------------------------------------------------------

    async def admin_home(self, inc: Incoming) -> Reply:
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, notify.MANAGER_ROLES):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            categories = (await uow.session.scalars(select(FaqCategory).order_by(FaqCategory.position))).all()
        rows = [(Button("faq-item", f"fqa:c:{c.id}", {"title": c.title_ru}),) for c in categories[:9]]
        rows.append((Button("faq-btn-kpi", "fqa:kpi"),))
        return Reply.of(Screen("faq-admin-home", buttons=tuple(rows), edit=True))

    async def admin_category(self, inc: Incoming, category_id: int) -> Reply:
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, notify.MANAGER_ROLES):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            entries = (await uow.session.scalars(select(FaqEntry).where(FaqEntry.category_id == category_id)
                                                 .order_by(FaqEntry.position, FaqEntry.id))).all()
        rows = [(Button("faq-admin-item", f"fqa:e:{e.id}", {"title": e.question_ru, "hidden": str(e.hidden)}),)
                for e in entries[:8]]
        rows.append((Button("faq-btn-add", f"fqa:new:{category_id}"), Button("btn-back", "fqa:home")))
        return Reply.of(Screen("faq-admin-category", {"count": len(entries)}, buttons=tuple(rows), edit=True))

    async def admin_entry(self, inc: Incoming, entry_id: int, *, edit: bool = True) -> Reply:
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, notify.MANAGER_ROLES):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            entry = await uow.session.get(FaqEntry, entry_id)
            if entry is None:
                return Reply(toast=Toast("err-stale-button"))
        return Reply.of(self._entry_card(entry, edit))

    def _entry_card(self, entry: FaqEntry, edit: bool) -> Screen:
        fields = list(ENTRY_FIELDS)
        rows = [tuple(Button(f"faq-field-{f.replace('_', '-')}", f"fqa:ed:{entry.id}:{f}") for f in fields[i:i + 2])
                for i in range(0, len(fields), 2)]
        rows.append((Button("faq-btn-up", f"fqa:mv:{entry.id}:up"), Button("faq-btn-down", f"fqa:mv:{entry.id}:down"),
                     Button("faq-btn-show" if entry.hidden else "faq-btn-hide", f"fqa:vis:{entry.id}")))
        rows.append((Button("btn-back", f"fqa:c:{entry.category_id}"),))
        # Both languages in one card overflow a message (4096) long before the stored text does: the card shows
        # previews, the entry itself is never cut.
        args = {f"{part}_{lang}": _preview(getattr(entry, f"{part}_{lang}"), limit)
                for part, limit in (("question", CARD_QUESTION), ("answer", CARD_ANSWER)) for lang in ("ru", "en")}
        keywords = _preview(", ".join(entry.keywords_ru + entry.keywords_en), CARD_QUESTION) or "—"
        return Screen("faq-admin-entry", {**args, "keywords": keywords, "hidden": str(entry.hidden)},
                      buttons=tuple(rows), edit=edit)

    async def admin_new(self, inc: Incoming, category_id: int) -> Reply:
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, notify.MANAGER_ROLES) or await uow.session.get(FaqCategory, category_id) is None:
                return Reply(toast=Toast("err-not-allowed", alert=True))
            reply = await self.forms.begin(uow, inc, "faq_new", {"category": category_id})
            await uow.commit()
        return reply

    async def admin_edit(self, inc: Incoming, entry_id: int, field: str) -> Reply:
        if field not in ENTRY_FIELDS:
            return Reply(toast=Toast("err-stale-button"))
        async with self.deps.uow() as uow:
            entry = await uow.session.get(FaqEntry, entry_id)
            if not await has_role(uow, inc, notify.MANAGER_ROLES) or entry is None:
                return Reply(toast=Toast("err-not-allowed", alert=True))
            current = getattr(entry, field)
            reply = await self.forms.begin(uow, inc, f"faq_edit:{field}", {
                "entry": entry_id, field: ", ".join(current) if isinstance(current, list) else current})
            await uow.commit()
        return reply

    async def _create(self, uow: UnitOfWork, inc: Incoming, data: dict[str, Any]) -> Reply:
        if not await has_role(uow, inc, notify.MANAGER_ROLES):
            return Reply.of(Screen("err-not-allowed"))
        last = await uow.session.scalar(select(func.max(FaqEntry.position)).where(
            FaqEntry.category_id == int(data["category"])))
        entry = FaqEntry(key=f"custom-{self.deps.clock.now().timestamp():.0f}-{inc.user_id}",
                         category_id=int(data["category"]), position=(last or 0) + 1, hidden=False,
                         updated_at=self.deps.clock.now(),
                         **{f: (data[f] if data[f] != "—" else []) if f.startswith("keywords") else data[f]
                            for f in ENTRY_FIELDS})
        uow.session.add(entry)
        await uow.session.flush()
        self._index = None
        return Reply.of(self._entry_card(entry, edit=False))

    async def _save_field(self, uow: UnitOfWork, inc: Incoming, data: dict[str, Any]) -> Reply:
        if not await has_role(uow, inc, notify.MANAGER_ROLES):
            return Reply.of(Screen("err-not-allowed"))
        entry = await uow.session.get(FaqEntry, int(data["entry"]))
        if entry is None:
            return Reply.of(Screen("err-stale-button"))
        for field in ENTRY_FIELDS:
            if field in data:
                value = data[field]
                setattr(entry, field, [] if value == "—" else value)
        entry.updated_at = self.deps.clock.now()
        await uow.session.flush()
        self._index = None
        return Reply(screens=[self._entry_card(entry, edit=False)], toast=Toast("settings-saved"))

    async def admin_move(self, inc: Incoming, entry_id: int, direction: str) -> Reply:
        async with self.deps.uow() as uow:
            entry = await uow.session.get(FaqEntry, entry_id)
            if not await has_role(uow, inc, notify.MANAGER_ROLES) or entry is None:
                return Reply(toast=Toast("err-not-allowed", alert=True))
            siblings = list((await uow.session.scalars(select(FaqEntry).where(
                FaqEntry.category_id == entry.category_id).order_by(FaqEntry.position, FaqEntry.id))).all())
            index = siblings.index(entry)
            other = index - 1 if direction == "up" else index + 1
            if 0 <= other < len(siblings):
                siblings[index], siblings[other] = siblings[other], siblings[index]
                for position, item in enumerate(siblings):  # renumber: positions stay dense and unique
                    item.position = position
            await uow.commit()
        return await self.admin_category(inc, entry.category_id)

    async def admin_toggle(self, inc: Incoming, entry_id: int) -> Reply:
        async with self.deps.uow() as uow:
            entry = await uow.session.get(FaqEntry, entry_id)
            if not await has_role(uow, inc, notify.MANAGER_ROLES) or entry is None:
                return Reply(toast=Toast("err-not-allowed", alert=True))
            await uow.session.execute(update(FaqEntry).where(FaqEntry.id == entry_id)
                                      .values(hidden=not entry.hidden, updated_at=self.deps.clock.now()))
            await uow.commit()
        self._index = None
        return await self.admin_entry(inc, entry_id)

    async def kpi(self, inc: Incoming) -> Reply:
        """Deflection over 30 days: free-text questions answered without a person."""
        since = self.deps.clock.now() - timedelta(days=30)
        async with self.deps.uow(readonly=True) as uow:
            if not await has_role(uow, inc, notify.MANAGER_ROLES):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            base = select(func.count()).select_from(FaqSearch).where(FaqSearch.created_at >= since,
                                                                     FaqSearch.query != "")
            total = await uow.session.scalar(base) or 0
            helped = await uow.session.scalar(base.where(FaqSearch.helped.is_(True))) or 0
            escalated = await uow.session.scalar(base.where(FaqSearch.escalated.is_(True))) or 0
            unanswered = await uow.session.scalar(base.where(cast(FaqSearch.results, String) == "[]")) or 0
        deflection = round(100 * (total - escalated) / total) if total else 0
        return Reply.of(Screen("faq-kpi", {"total": total, "helped": helped, "escalated": escalated,
                                           "unanswered": unanswered, "deflection": deflection},
                               buttons=((Button("btn-back", "fqa:home"),),), edit=True))
