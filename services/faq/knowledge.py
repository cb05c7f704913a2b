"""The FAQ knowledge base as use cases over plain data: seeding, browsing, free-text search and its feedback,
managers' edits, the deflection KPI. The chat renders the results (screens.py); the web dashboard reuses them."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import String, cast, func, select, update

from services.db.support_models import FaqCategory, FaqEntry, FaqSearch
from services.db.uow import UnitOfWork
from services.kernel.deps import Deps
from services.faq.search import FaqDoc, FaqIndex, load_seed

ENTRY_FIELDS = ("question_ru", "answer_ru", "keywords_ru", "question_en", "answer_en", "keywords_en")
NO_KEYWORDS = "—"  # the form's "use default" answer for keywords


@dataclass(frozen=True)
class SearchResult:
    search: FaqSearch  # recorded, so feedback and escalation can refer to it
    entries: list[FaqEntry]  # best first; empty: nothing good enough


@dataclass(frozen=True)
class FaqKpi:
    total: int  # free-text questions
    helped: int
    escalated: int
    unanswered: int  # nothing was offered
    deflection: int  # % answered without a person


class KnowledgeBase:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self._index: FaqIndex | None = None

    def changed(self) -> None:
        """Any edit drops the search index, so the next search sees the change."""
        self._index = None

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
        self.changed()
        return added

    async def index(self) -> FaqIndex:
        """Built once from the visible entries."""
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

    # ---- browsing ---------------------------------------------------------------------------------------------

    @staticmethod
    async def categories(uow: UnitOfWork, *, hidden_too: bool = False) -> Sequence[FaqCategory]:
        query = select(FaqCategory).order_by(FaqCategory.position, FaqCategory.id)
        return (await uow.session.scalars(query if hidden_too else query.where(FaqCategory.hidden.is_(False)))).all()

    @staticmethod
    async def entries(uow: UnitOfWork, category_id: int, *, hidden_too: bool = False) -> Sequence[FaqEntry]:
        query = select(FaqEntry).where(FaqEntry.category_id == category_id).order_by(FaqEntry.position, FaqEntry.id)
        return (await uow.session.scalars(query if hidden_too else query.where(FaqEntry.hidden.is_(False)))).all()

    # ---- free text --------------------------------------------------------------------------------------------

    async def search(self, uow: UnitOfWork, index: FaqIndex, partner_id: int | None, locale: str,
                     query: str) -> SearchResult:
        """The best 1–3 entries for a question, recorded as a FaqSearch (the caller commits). `index`: from
        index(), fetched before the caller's unit of work (building it opens one of its own)."""
        hits = index.search(query, locale, limit=3)
        search = FaqSearch(partner_id=partner_id, query=query, locale=locale, results=[h.entry_id for h in hits],
                           escalated=False, created_at=self.deps.clock.now())
        uow.session.add(search)
        await uow.session.flush()
        found = {e.id: e for e in (await uow.session.scalars(
            select(FaqEntry).where(FaqEntry.id.in_([h.entry_id for h in hits])))).all()}
        return SearchResult(search, [found[h.entry_id] for h in hits])

    async def feedback(self, uow: UnitOfWork, partner_id: int | None, search_id: int, entry_id: int,
                       helped: bool) -> bool:
        """Yes/No under an answer: updates its search, or records a browse feedback row (search_id 0).
        False: the search is not this partner's."""
        if search_id:
            search = await uow.session.get(FaqSearch, search_id)
            if search is None or search.partner_id != partner_id:
                return False
            search.helped = helped
        else:
            uow.session.add(FaqSearch(partner_id=partner_id, query="", locale="", results=[entry_id],
                                      helped=helped, escalated=False, created_at=self.deps.clock.now()))
        return True

    @staticmethod
    async def escalate(uow: UnitOfWork, partner_id: int | None, search_id: int) -> str:
        """Marks the partner's search as handed to a person; its question ("" if none or not theirs)."""
        search = await uow.session.get(FaqSearch, search_id) if search_id else None
        if search is None or search.partner_id != partner_id:
            return ""
        search.escalated, search.helped = True, False
        return search.query

    # ---- managers ---------------------------------------------------------------------------------------------

    async def create_entry(self, uow: UnitOfWork, category_id: int, data: dict[str, Any], author: str) -> FaqEntry:
        now = self.deps.clock.now()
        last = await uow.session.scalar(select(func.max(FaqEntry.position)).where(
            FaqEntry.category_id == category_id))
        entry = FaqEntry(key=f"custom-{now.timestamp():.0f}-{author}", category_id=category_id,
                         position=(last or 0) + 1, hidden=False, updated_at=now,
                         **{f: _stored(f, data[f]) for f in ENTRY_FIELDS})
        uow.session.add(entry)
        await uow.session.flush()
        self.changed()
        return entry

    async def update_entry(self, uow: UnitOfWork, entry: FaqEntry, data: dict[str, Any]) -> None:
        for name in ENTRY_FIELDS:
            if name in data:
                setattr(entry, name, [] if data[name] == NO_KEYWORDS else data[name])
        entry.updated_at = self.deps.clock.now()
        await uow.session.flush()
        self.changed()

    @staticmethod
    async def move(uow: UnitOfWork, entry: FaqEntry, direction: Literal["up", "down"]) -> None:
        siblings = list(await KnowledgeBase.entries(uow, entry.category_id, hidden_too=True))
        index = siblings.index(entry)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(siblings):
            siblings[index], siblings[other] = siblings[other], siblings[index]
            for position, item in enumerate(siblings):  # renumber: positions stay dense and unique
                item.position = position

    async def toggle(self, uow: UnitOfWork, entry: FaqEntry) -> None:
        """Hides or shows an entry; the caller commits, then calls changed()."""
        await uow.session.execute(update(FaqEntry).where(FaqEntry.id == entry.id)
                                  .values(hidden=not entry.hidden, updated_at=self.deps.clock.now()))

    @staticmethod
    async def kpi(uow: UnitOfWork, since: datetime, until: datetime | None = None) -> FaqKpi:
        """Deflection in [since, until): free-text questions answered without a person (program KPIs reuse it)."""
        base = select(func.count()).select_from(FaqSearch).where(FaqSearch.created_at >= since,
                                                                 FaqSearch.query != "")
        if until is not None:
            base = base.where(FaqSearch.created_at < until)
        total = await uow.session.scalar(base) or 0
        helped = await uow.session.scalar(base.where(FaqSearch.helped.is_(True))) or 0
        escalated = await uow.session.scalar(base.where(FaqSearch.escalated.is_(True))) or 0
        unanswered = await uow.session.scalar(base.where(cast(FaqSearch.results, String) == "[]")) or 0
        deflection = round(100 * (total - escalated) / total) if total else 0
        return FaqKpi(total, helped, escalated, unanswered, deflection)


def _stored(name: str, value: Any) -> Any:
    if name.startswith("keywords"):
        return [] if value == NO_KEYWORDS else value
    return value
