"""FAQ search quality: realistic partner questions (typos, other word forms, both languages) → top 3."""
from __future__ import annotations

import pytest

from services.faq.search import FaqDoc, FaqIndex, load_seed

QUERIES = [
    ("когда выплаты", "ru", "payout-when"),
    ("выплата когда придет", "ru", "payout-when"),
    ("wen payout", "en", "payout-when"),
    ("когда выплты", "ru", "payout-when"),
    ("когда деньги придут на карту", "ru", "payout-when"),
    ("when do i get paid", "en", "payout-when"),
    ("какой минимальный вывод", "ru", "payout-minimum"),
    ("minimum withdrawl amount", "en", "payout-minimum"),
    ("можно вывести на сбп", "ru", "payout-methods"),
    ("pay to usdt?", "en", "payout-methods"),
    ("как заказать выплату", "ru", "payout-request"),
    ("где взять ссылку", "ru", "get-link"),
    ("где моя реферальная ссылка", "ru", "get-link"),
    ("how to get my referal link", "en", "get-link"),
    ("что такое сабайди", "ru", "sub-ids"),
    ("what are subids for", "en", "sub-ids"),
    ("почему клики не считаются", "ru", "click-counting"),
    ("unique clicks", "en", "click-counting"),
    ("сколько живут куки", "ru", "attribution"),
    ("cookie lifetime", "en", "attribution"),
    ("холд сколько дней", "ru", "hold"),
    ("money on hold when available", "en", "hold"),
    ("сколько процентов я получаю", "ru", "commission-calc"),
    ("revshare rate", "en", "commission-calc"),
    ("мне отклонили конверсию", "ru", "rejected-conversion"),
    ("conversion declined why", "en", "rejected-conversion"),
    ("клиент вернул товар", "ru", "refunds"),
    ("chargeback", "en", "refunds"),
    ("как получить уровень голд", "ru", "tiers"),
    ("how to reach platinum tier", "en", "tiers"),
    ("как пригласить друга в партнерку", "ru", "sub-partners"),
    ("invite sub partners", "en", "sub-partners"),
    ("промокод не работает", "ru", "promo-codes"),
    ("где баннеры", "ru", "banners"),
    ("можно ли спам", "ru", "forbidden-traffic"),
    ("brand bidding allowed?", "en", "forbidden-traffic"),
    ("можно ли лить с телеграм канала", "ru", "allowed-traffic"),
    ("хочу поговорить с оператором", "ru", "contact-support"),
    ("how do i contact support", "en", "contact-support"),
    ("поменять язык на английский", "ru", "change-language"),
    ("отключить уведомления", "ru", "notifications"),
    ("меня забанили", "ru", "blocked"),
    ("нужно ли платить налоги", "ru", "taxes"),
    ("как отправлять постбэк", "ru", "postback-advertisers"),
]

JUNK = ["asdfgh", "ok", "привет", "спасибо", "?", "🙂", "qwerty uiop", ""]


@pytest.fixture(scope="module")
def index() -> FaqIndex:
    docs = []
    for entry in load_seed()["entries"]:
        for locale in ("ru", "en"):
            docs.append(FaqDoc(entry["key"], locale, entry[f"question_{locale}"], entry[f"answer_{locale}"],
                               tuple(entry[f"keywords_{locale}"])))
    return FaqIndex(docs)


def test_expected_entry_in_top3_for_90_percent(index: FaqIndex):
    misses = []
    for query, locale, expected in QUERIES:
        found = [hit.entry_id for hit in index.search(query, locale, limit=3)]
        if expected not in found:
            misses.append((query, expected, found))
    hit_rate = 1 - len(misses) / len(QUERIES)
    print(f"\nFAQ top-3 hit rate: {hit_rate:.0%} over {len(QUERIES)} queries; misses: {misses}")
    assert len(QUERIES) >= 30
    assert hit_rate >= 0.90, misses


def test_best_answer_first_for_the_issue_examples(index: FaqIndex):
    for query, locale in (("когда выплаты", "ru"), ("выплата когда придет", "ru"), ("wen payout", "en")):
        assert index.search(query, locale)[0].entry_id == "payout-when"


@pytest.mark.parametrize("query", JUNK)
def test_junk_finds_nothing(index: FaqIndex, query: str):
    assert index.search(query, "ru") == []


def test_results_are_distinct_and_limited(index: FaqIndex):
    hits = index.search("деньги выплата", "ru", limit=3)
    assert len(hits) == len({h.entry_id for h in hits}) <= 3


def test_other_language_still_matches(index: FaqIndex):
    assert index.search("payout minimum", "ru")[0].entry_id == "payout-minimum"


def test_seed_integrity():
    seed = load_seed()
    categories = {c["key"] for c in seed["categories"]}
    keys = [e["key"] for e in seed["entries"]]
    assert len(keys) == len(set(keys)) >= 20 and len(categories) >= 5
    for entry in seed["entries"]:
        assert entry["category"] in categories
        for field in ("question_ru", "answer_ru", "question_en", "answer_en"):
            assert entry[field].strip(), (entry["key"], field)
