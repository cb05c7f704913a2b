"""Screens of the FAQ: browsing and answers for partners, the editor and KPIs for managers."""
from __future__ import annotations

from collections.abc import Sequence

from services.db.support_models import FaqCategory, FaqEntry
from services.faq import actions as act
from services.faq.knowledge import ENTRY_FIELDS, FaqKpi, SearchResult
from services.kernel.dto import Button, Screen
from services.support.actions import NewTicket

PAGE = 8  # buttons per page: fits VK's 10-button inline keyboards with the navigation row
ADMIN_CATEGORIES = 9
ADMIN_ENTRIES = 8
# The editor card's share of a 4096-character message: 2 × 300 + 2 × 1400 + 300 + the frame < 4096.
CARD_QUESTION, CARD_ANSWER = 300, 1400


def _preview(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _pager(page: int, total: int, category: int | None = None) -> tuple[Button, ...]:
    """Previous / next page of the home screen, or of one category."""

    def target(number: int) -> str:
        return act.ShowCategory(category, number).pack() if category is not None else act.HomePage(number).pack()

    buttons = []
    if page > 0:
        buttons.append(Button("btn-prev", target(page - 1)))
    if (page + 1) * PAGE < total:
        buttons.append(Button("btn-next", target(page + 1)))
    return tuple(buttons)


def _ask_rows(search_id: int) -> tuple[tuple[Button, ...], ...]:
    return ((Button("faq-btn-ask", act.AskPerson(search_id).pack()),), (Button("menu-faq", act.Home().pack()),))


# ---- partners -------------------------------------------------------------------------------------------------

def home(categories: Sequence[FaqCategory], locale: str, page: int = 0, *, edit: bool = False) -> Screen:
    chunk = categories[page * PAGE:(page + 1) * PAGE]
    rows = [(Button("faq-item", act.ShowCategory(c.id).pack(), {"title": getattr(c, f"title_{locale}")}),)
            for c in chunk]
    rows.append(_pager(page, len(categories)) + (Button("faq-btn-ask", NewTicket().pack()),))
    return Screen("faq-home", buttons=tuple(r for r in rows if r), edit=edit)


def category(found: FaqCategory, entries: Sequence[FaqEntry], locale: str, page: int = 0) -> Screen:
    chunk = entries[page * PAGE:(page + 1) * PAGE]
    rows = [(Button("faq-item", act.ShowEntry(e.id).pack(), {"title": getattr(e, f"question_{locale}")}),)
            for e in chunk]
    rows.append(_pager(page, len(entries), category=found.id) + (Button("btn-back", act.Home().pack()),))
    return Screen("faq-category", {"title": getattr(found, f"title_{locale}")}, buttons=tuple(rows), edit=True)


def answer(entry: FaqEntry, locale: str, search_id: int = 0) -> Screen:
    rows: list[tuple[Button, ...]] = [(
        Button("faq-btn-yes", act.Feedback(search_id, entry.id, True).pack(), style="positive"),
        Button("faq-btn-no", act.Feedback(search_id, entry.id, False).pack()))]
    if entry.category_id is not None:
        rows.append((Button("btn-back", act.ShowCategory(entry.category_id).pack()),))
    return Screen("faq-answer", {"question": getattr(entry, f"question_{locale}"),
                                 "answer": getattr(entry, f"answer_{locale}")}, buttons=tuple(rows))


def not_helped(search_id: int) -> Screen:
    return Screen("faq-not-helped", buttons=_ask_rows(search_id))


def found(result: SearchResult, locale: str) -> Screen:
    """The best answer of a free-text search, the others as buttons; or a way to a person."""
    search_id = result.search.id
    if not result.entries:
        return Screen("faq-nothing", buttons=_ask_rows(search_id))
    best, *others = result.entries
    rows: list[tuple[Button, ...]] = [
        (Button("faq-btn-yes", act.Feedback(search_id, best.id, True).pack(), style="positive"),
         Button("faq-btn-ask-short", act.AskPerson(search_id).pack())),
    ]
    rows += [(Button("faq-item", act.SearchHit(search_id, e.id).pack(), {"title": getattr(e, f"question_{locale}")}),)
             for e in others]
    return Screen("faq-found", {"question": getattr(best, f"question_{locale}"),
                                "answer": getattr(best, f"answer_{locale}"), "others": len(others)},
                  buttons=tuple(rows))


# ---- managers -------------------------------------------------------------------------------------------------

def admin_home(categories: Sequence[FaqCategory]) -> Screen:
    rows = [(Button("faq-item", act.AdminCategory(c.id).pack(), {"title": c.title_ru}),)
            for c in categories[:ADMIN_CATEGORIES]]
    rows.append((Button("faq-btn-kpi", act.Kpi().pack()),))
    return Screen("faq-admin-home", buttons=tuple(rows), edit=True)


def admin_category(category_id: int, entries: Sequence[FaqEntry]) -> Screen:
    rows = [(Button("faq-admin-item", act.AdminEntry(e.id).pack(), {"title": e.question_ru, "hidden": str(e.hidden)}),)
            for e in entries[:ADMIN_ENTRIES]]
    rows.append((Button("faq-btn-add", act.AdminNew(category_id).pack()), Button("btn-back", act.AdminHome().pack())))
    return Screen("faq-admin-category", {"count": len(entries)}, buttons=tuple(rows), edit=True)


def admin_entry(entry: FaqEntry, *, edit: bool) -> Screen:
    fields = list(ENTRY_FIELDS)
    rows = [tuple(Button(f"faq-field-{f.replace('_', '-')}", act.AdminEdit(entry.id, f).pack()) for f in fields[i:i + 2])
            for i in range(0, len(fields), 2)]
    rows.append((Button("faq-btn-up", act.AdminMove(entry.id, "up").pack()),
                 Button("faq-btn-down", act.AdminMove(entry.id, "down").pack()),
                 Button("faq-btn-show" if entry.hidden else "faq-btn-hide", act.AdminToggle(entry.id).pack())))
    rows.append((Button("btn-back", act.AdminCategory(entry.category_id).pack()),))
    # Both languages in one card overflow a message (4096) long before the stored text does: the card shows
    # previews, the entry itself is never cut.
    args = {f"{part}_{lang}": _preview(getattr(entry, f"{part}_{lang}"), limit)
            for part, limit in (("question", CARD_QUESTION), ("answer", CARD_ANSWER)) for lang in ("ru", "en")}
    keywords = _preview(", ".join(entry.keywords_ru + entry.keywords_en), CARD_QUESTION) or "—"
    return Screen("faq-admin-entry", {**args, "keywords": keywords, "hidden": str(entry.hidden)},
                  buttons=tuple(rows), edit=edit)


def kpi(numbers: FaqKpi) -> Screen:
    return Screen("faq-kpi", {"total": numbers.total, "helped": numbers.helped, "escalated": numbers.escalated,
                              "unanswered": numbers.unanswered, "deflection": numbers.deflection},
                  buttons=((Button("btn-back", act.AdminHome().pack()),),), edit=True)
