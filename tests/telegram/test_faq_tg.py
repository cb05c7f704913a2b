"""FAQ through the real Telegram Dispatcher: browsing, free-text answers, feedback, escalation, editing, KPIs."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from services.db.support_models import FaqEntry, FaqSearch, Ticket, TicketMessage
from tests.fakes.tg_harness import TelegramHarness

PARTNER, MANAGER = 111, 900


@pytest.fixture
async def tg(services) -> TelegramHarness:
    await services.faq.seed()
    harness = TelegramHarness(services)
    await harness.send(PARTNER, "/start", language_code="ru")
    await harness.press(PARTNER, "ob:lang:ru")
    await harness.press(PARTNER, "ob:cancel")  # a known person outside any form
    return harness


async def rows(services, model, *where):
    async with services.deps.uow() as uow:
        return (await uow.session.scalars(select(model).where(*where).order_by(model.id))).all()


async def test_free_text_answer_feedback_and_escalation(services, tg):
    await tg.send(PARTNER, "когда выплаты")
    answer = tg.last(PARTNER)
    assert "Выплаты проводим раз в неделю" in answer.text
    [search] = await rows(services, FaqSearch)
    assert search.query == "когда выплаты" and len(search.results) == 3
    buttons = tg.buttons(PARTNER)
    assert buttons[:2] == [f"fq:h:{search.id}:{search.results[0]}:1", f"fq:ask:{search.id}"]
    await tg.press(PARTNER, buttons[0])
    assert tg.toasts()[-1] == "Рады, что помогло!"

    await tg.send(PARTNER, "выплата когда придет")
    [_, second] = await rows(services, FaqSearch)
    await tg.press(PARTNER, f"fq:ask:{second.id}")
    [ticket] = await rows(services, Ticket)
    assert ticket.source == "faq"
    [message] = await rows(services, TicketMessage)
    assert message.text == "выплата когда придет"  # no retyping
    searches = await rows(services, FaqSearch)
    assert [s.helped for s in searches] == [True, False] and searches[1].escalated


async def test_nothing_found_offers_a_person(services, tg):
    await tg.send(PARTNER, "asdfgh qwerty")
    assert "Не нашёл ответа" in tg.last(PARTNER).text
    assert tg.buttons(PARTNER)[0].startswith("fq:ask:")


async def test_browse_categories_and_answer(services, tg):
    await tg.send(PARTNER, "/faq")
    categories = tg.buttons(PARTNER)
    assert categories[0].startswith("fq:c:") and "sup:new" in categories
    await tg.press(PARTNER, categories[0])
    questions = tg.buttons(PARTNER)
    await tg.press(PARTNER, questions[0])
    assert "Это помогло?" in tg.last(PARTNER).text
    await tg.press(PARTNER, "fq:q:999999")
    assert tg.toasts()[-1] == "Эта кнопка устарела."


async def test_manager_edits_hides_and_sees_kpi(services, tg):
    [entry] = await rows(services, FaqEntry, FaqEntry.key == "payout-when")
    await tg.press(PARTNER, f"fqa:e:{entry.id}")  # partners cannot edit
    assert "прав" in tg.toasts()[-1]
    await tg.send(MANAGER, "/admin")
    await tg.press(MANAGER, "fqa:home")
    await tg.press(MANAGER, f"fqa:ed:{entry.id}:answer_ru")
    await tg.send(MANAGER, "Выплаты — каждую пятницу.")
    await tg.press(MANAGER, f"fqa:vis:{entry.id}")  # hide: search no longer offers it
    [entry] = await rows(services, FaqEntry, FaqEntry.key == "payout-when")
    assert entry.answer_ru == "Выплаты — каждую пятницу." and entry.hidden
    await tg.send(PARTNER, "когда выплаты")
    assert "каждую пятницу" not in tg.last(PARTNER).text
    await tg.press(MANAGER, f"fqa:vis:{entry.id}")
    await tg.send(PARTNER, "когда выплаты")
    assert "каждую пятницу" in tg.last(PARTNER).text
    await tg.press(MANAGER, "fqa:kpi")
    assert "Вопросов задано: 2" in tg.last(MANAGER).text


async def test_manager_adds_an_entry_and_moves_it(services, tg):
    [known] = await rows(services, FaqEntry, FaqEntry.key == "payout-when")
    category = known.category_id
    siblings = sorted(await rows(services, FaqEntry, FaqEntry.category_id == category), key=lambda e: e.position)
    await tg.press(MANAGER, f"fqa:c:{category}")
    assert f"fqa:new:{category}" in tg.buttons(MANAGER)
    await tg.press(PARTNER, f"fqa:new:{category}")  # partners cannot add
    assert "прав" in tg.toasts()[-1]
    await tg.press(MANAGER, f"fqa:new:{category}")
    await tg.send(MANAGER, "Можно ли получать на карту?")
    await tg.send(MANAGER, "Да, на любую карту.")
    await tg.press(MANAGER, "fm:=")  # no Russian keywords
    await tg.send(MANAGER, "Can I be paid to a card?")
    await tg.send(MANAGER, "Yes, to any card.")
    await tg.send(MANAGER, "card; payout")
    [added] = await rows(services, FaqEntry, FaqEntry.key.like("custom-%"))
    assert (added.category_id, added.keywords_ru, added.keywords_en, added.hidden) == (category, [],
                                                                                       ["card", "payout"], False)
    assert added.position == siblings[-1].position + 1
    assert tg.buttons(MANAGER)[:2] == [f"fqa:ed:{added.id}:question_ru", f"fqa:ed:{added.id}:answer_ru"]

    await tg.press(MANAGER, f"fqa:mv:{added.id}:up")
    ordered = sorted(await rows(services, FaqEntry, FaqEntry.category_id == category), key=lambda e: e.position)
    assert [e.id for e in ordered] == [e.id for e in siblings[:-1]] + [added.id, siblings[-1].id]
    assert [e.position for e in ordered] == list(range(len(ordered)))
    listed = [f"fqa:e:{e.id}" for e in ordered[:8]]  # back on the category (its first 8), in the new order
    assert tg.buttons(MANAGER)[:len(listed)] == listed
    await tg.press(MANAGER, f"fqa:mv:{ordered[0].id}:up")  # the first one stays first
    assert [e.id for e in sorted(await rows(services, FaqEntry, FaqEntry.category_id == category),
                                 key=lambda e: e.position)] == [e.id for e in ordered]


async def test_long_entries_open_in_the_editor_and_reach_partners_whole(services, tg):
    [entry] = await rows(services, FaqEntry, FaqEntry.key == "payout-when")
    longest = "Выплаты. " * 333  # 2997 characters: the longest answer the editor's form accepts
    await tg.press(MANAGER, f"fqa:ed:{entry.id}:answer_ru")
    await tg.send(MANAGER, longest)
    await tg.press(PARTNER, f"fq:q:{entry.id}")
    assert longest.strip() in tg.last(PARTNER).text  # not "{???}": Fluent's 2500-character cap is lifted

    async with services.deps.uow() as uow:  # older or imported entries may be longer still
        stored = await uow.session.get(FaqEntry, entry.id)
        stored.answer_ru, stored.answer_en = "р" * 4000, "e" * 4000
        await uow.commit()
    await tg.press(MANAGER, f"fqa:e:{entry.id}")  # the fake session enforces Telegram's 4096 per message
    card = tg.last(MANAGER).text
    assert "р" * 1300 in card and "р" * 1400 not in card and "…" in card
    assert [b for b in tg.buttons(MANAGER) if b.startswith("fqa:ed:")]  # the editor's buttons are there
    [stored] = await rows(services, FaqEntry, FaqEntry.id == entry.id)
    assert (stored.answer_ru, stored.answer_en) == ("р" * 4000, "e" * 4000)  # the card cut a preview only
