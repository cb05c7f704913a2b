"""FAQ search engine and starter knowledge base: search quality on realistic partner questions (typos, other word
forms, both languages), junk rejection, locale preference, distinct results, seed integrity."""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from services.faq.search import MIN_SCORE, FaqDoc, FaqIndex, load_seed, seed_docs

# (query, partner locale, expected entry key) — how partners actually write: typos, slang, no punctuation,
# other word forms, English terms typed by Russian speakers.
QUERIES = [
    # payouts
    ("когда выплаты", "ru", "payout-when"),
    ("выплата когда придет", "ru", "payout-when"),
    ("wen payout", "en", "payout-when"),
    ("когда выплты", "ru", "payout-when"),
    ("виплата", "ru", "payout-when"),
    ("по каким дням выплаты", "ru", "payout-when"),
    ("payment day", "en", "payout-when"),
    ("when do i get paid", "en", "payout-when"),
    ("минималка для вывода", "ru", "payout-minimum"),
    ("от какой суммы можно выводить", "ru", "payout-minimum"),
    ("minimum withdrawl amount", "en", "payout-minimum"),
    ("выплата на крипту", "ru", "payout-methods"),
    ("можно на сбп", "ru", "payout-methods"),
    ("can i get paid to paypal", "en", "payout-methods"),
    ("как вывести деньги", "ru", "payout-request"),
    ("how to withdraw", "en", "payout-request"),
    ("деньги так и не пришли", "ru", "payout-missing"),
    ("payout didnt arrive", "en", "payout-missing"),
    # hold, commission, conversions
    ("деньги в холде", "ru", "hold"),
    ("почему баланс заморожен", "ru", "hold"),
    ("when will my balance be available", "en", "hold"),
    ("через сколько дней можно вывести заработанное", "ru", "hold"),
    ("какой процент ревшары", "ru", "commission-calc"),
    ("what percentage do i get", "en", "commission-calc"),
    ("конверсия висит на проверке", "ru", "conversion-review"),
    ("конверсия отклонена", "ru", "rejected-conversion"),
    ("how to appeal a rejection", "en", "rejected-conversion"),
    ("клиент вернул товар", "ru", "refunds"),
    ("чарджбек", "ru", "refunds"),
    ("нужен ли договор", "ru", "taxes"),
    ("tax documents", "en", "taxes"),
    # links and tracking
    ("где моя реферальная ссылка", "ru", "get-link"),
    ("how to get my referal link", "en", "get-link"),
    ("что такое сабайди", "ru", "sub-ids"),
    ("what are subids for", "en", "sub-ids"),
    ("клики не засчитываются", "ru", "click-counting"),
    ("what counts as unique click", "en", "click-counting"),
    ("сколько живут куки", "ru", "attribution"),
    ("окно атрибуцыи", "ru", "attribution"),
    ("клиент купил через неделю засчитается", "ru", "attribution"),
    ("статистика по какому часовому поясу", "ru", "stats-timezone"),
    # tiers, referrals, materials
    ("как получить уровень голд", "ru", "tiers"),
    ("how to reach platinum tier", "en", "tiers"),
    ("сколько получаю с приглашенных", "ru", "sub-partners"),
    ("second level commission", "en", "sub-partners"),
    ("промокод не работает", "ru", "promo-codes"),
    ("coupon code", "en", "promo-codes"),
    ("где баннеры", "ru", "banners"),
    # traffic rules
    ("можно ли рекламироваться по бренду", "ru", "forbidden-traffic"),
    ("мотивированный трафик", "ru", "forbidden-traffic"),
    ("is incentivized traffic ok", "en", "forbidden-traffic"),
    ("можно ли лить с ютуба", "ru", "allowed-traffic"),
    ("can i use facebook ads", "en", "allowed-traffic"),
    # account
    ("хочу поговорить с оператором", "ru", "contact-support"),
    ("поменять язык на английский", "ru", "change-language"),
    ("как привязать телеграм", "ru", "two-messengers"),
    ("отключить уведомления", "ru", "notifications"),
    ("меня забанили", "ru", "blocked"),
    ("account suspended", "en", "blocked"),
    ("как отправлять постбэк", "ru", "postback-advertisers"),
    ("когда одобрят заявку", "ru", "application-review"),
    ("как тут зарабатывать", "ru", "how-it-works"),
]

JUNK = ["", "   ", "?", "🙂", "ok", "OK!", "привет", "Привет!", "спасибо", "спасибо большое", "добрый день",
        "asdfgh", "qwerty uiop", "ываыва", "ааааа", "123", "lol", "test", "hello there", "как дела", "ты бот?",
        "погода в москве", "when?", "когда?"]


@pytest.fixture(scope="module")
def seed() -> dict:
    return load_seed()


@pytest.fixture(scope="module")
def index(seed: dict) -> FaqIndex:
    return FaqIndex(seed_docs(seed))


def test_expected_entry_in_top3_for_90_percent(index: FaqIndex, seed: dict):
    keys = {entry["key"] for entry in seed["entries"]}
    assert len(QUERIES) >= 36 and {expected for _, _, expected in QUERIES} <= keys
    misses, first = [], 0
    for query, locale, expected in QUERIES:
        found = [hit.entry_id for hit in index.search(query, locale, limit=3)]
        first += bool(found) and found[0] == expected
        if expected not in found:
            misses.append((query, expected, found))
    hit_rate = 1 - len(misses) / len(QUERIES)
    print(f"\nFAQ search: top-3 {hit_rate:.1%}, top-1 {first / len(QUERIES):.1%} over {len(QUERIES)} queries")
    for miss in misses:
        print("  miss:", miss)
    assert hit_rate >= 0.90, misses


@pytest.mark.parametrize("query, locale", [("когда выплаты", "ru"), ("выплата когда придет", "ru"),
                                           ("wen payout", "en"), ("когда выплты", "ru"), ("ВЫПЛАТА??", "ru")])
def test_payout_questions_answered_first(index: FaqIndex, query: str, locale: str):
    assert index.search(query, locale)[0].entry_id == "payout-when"


@pytest.mark.parametrize("query", JUNK)
@pytest.mark.parametrize("locale", ["ru", "en"])
def test_junk_finds_nothing(index: FaqIndex, query: str, locale: str):
    assert index.search(query, locale) == []


def test_threshold_filters_and_scores_are_sorted(index: FaqIndex):
    everything = index.search("деньги выплата", "ru", limit=50, min_score=0)
    default = index.search("деньги выплата", "ru", limit=50)
    assert len(everything) > len(default) > 0
    assert all(MIN_SCORE <= hit.score <= 100 for hit in default)
    assert all(0 <= hit.score <= 100 for hit in everything)
    scores = [hit.score for hit in everything]
    assert scores == sorted(scores, reverse=True)
    assert index.search("деньги выплата", "ru", min_score=101) == []


def test_results_are_distinct_and_limited(index: FaqIndex):
    for query in ("деньги выплата", "payout", "ссылка link", "трафик"):
        for limit in (1, 3, 10):
            hits = index.search(query, "ru", limit=limit)
            ids = [hit.entry_id for hit in hits]
            assert len(ids) == len(set(ids)) <= limit


def test_own_locale_ranks_first_other_still_matches():
    docs = [FaqDoc(1, "ru", "Выплата в USDT TRC-20", ""), FaqDoc(2, "en", "Payout in USDT TRC-20", "")]
    index = FaqIndex(docs)
    assert [h.entry_id for h in index.search("usdt", "ru")] == [1, 2]
    assert [h.entry_id for h in index.search("usdt", "en")] == [2, 1]
    # Only an English text exists: a Russian-speaking partner still gets it.
    assert [h.entry_id for h in FaqIndex(docs[1:]).search("payout usdt", "ru")] == [2]


def test_russian_partner_typing_english_terms(index: FaqIndex):
    assert index.search("payout minimum", "ru")[0].entry_id == "payout-minimum"
    assert index.search("cookie stuffing", "ru")[0].entry_id == "forbidden-traffic"
    assert index.search("выплата usdt", "en")[0].entry_id == "payout-methods"


def test_keywords_and_question_outweigh_answer():
    index = FaqIndex([FaqDoc("answer", "ru", "Как работает бот?", "Выплаты раз в неделю."),
                      FaqDoc("keyword", "ru", "График", "Раз в неделю.", ("выплаты",))])
    assert [h.entry_id for h in index.search("выплаты", "ru", min_score=0)] == ["keyword", "answer"]


def test_int_ids_empty_index_and_hyphenated_words():
    assert FaqIndex([]).search("выплата", "ru") == []
    index = FaqIndex([FaqDoc(7, "ru", "Что такое саб-айди?", "Метки."), FaqDoc(7, "en", "What is a sub-id?", "")])
    assert [h.entry_id for h in index.search("сабайди", "ru")] == [7]
    assert [h.entry_id for h in index.search("subid", "ru")] == [7]


def test_search_is_fast():
    docs = [FaqDoc(f"{doc.entry_id}-{copy}", doc.locale, doc.question, doc.answer, doc.keywords)
            for copy in range(4) for doc in seed_docs(load_seed())]  # > 100 entries
    index = FaqIndex(docs)
    started = time.perf_counter()
    for query, locale, _ in QUERIES:
        index.search(query, locale)
    per_query_ms = (time.perf_counter() - started) * 1000 / len(QUERIES)
    assert per_query_ms < 20, per_query_ms  # ~1 ms in practice; generous for slow CI machines


# ---- seed file -------------------------------------------------------------------------------------------------

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MARKUP = re.compile(r"<[a-z/][^>]*>|\*\*|__|`|\[[^\]]*\]\(")


def test_seed_integrity(seed: dict):
    categories = [c["key"] for c in seed["categories"]]
    keys = [e["key"] for e in seed["entries"]]
    assert len(categories) == len(set(categories)) >= 5
    assert len(keys) == len(set(keys)) >= 20
    for category in seed["categories"]:
        assert SLUG.fullmatch(category["key"]) and isinstance(category["position"], int)
        assert category["title_ru"].strip() and category["title_en"].strip()
    for entry in seed["entries"]:
        key = entry["key"]
        assert SLUG.fullmatch(key), key
        assert entry["category"] in categories, key
        assert isinstance(entry["position"], int), key
        for locale in ("ru", "en"):
            assert entry[f"question_{locale}"].strip(), (key, locale)
            assert entry[f"answer_{locale}"].strip(), (key, locale)
            keywords = entry[f"keywords_{locale}"]
            assert keywords and all(isinstance(k, str) and k.strip() for k in keywords), (key, locale)
    positions = [(e["category"], e["position"]) for e in seed["entries"]]
    assert len(positions) == len(set(positions)), "two entries share a position in one category"


def test_seed_answers_are_short_plain_text(seed: dict):
    for entry in seed["entries"]:
        for locale in ("ru", "en"):
            answer = entry[f"answer_{locale}"]
            assert not MARKUP.search(answer), (entry["key"], locale)
            sentences = re.findall(r"[.!?](?:\s|$)", answer)
            assert 1 <= len(sentences) <= 4, (entry["key"], locale, answer)
        assert re.search(r"[а-я]", entry["question_ru"] + entry["answer_ru"], re.I), entry["key"]
        assert not re.search(r"[а-яё]", entry["question_en"] + entry["answer_en"], re.I), entry["key"]


def test_seed_covers_the_program_terms(seed: dict):
    """The numbers partners ask about most are stated the same way in both languages."""
    text = {e["key"]: e["answer_ru"] + " " + e["answer_en"] for e in seed["entries"]}
    assert "30" in text["hold"] and "30" in text["attribution"] and "24" in text["click-counting"]
    assert all(p in text["tiers"] for p in ("Certified", "Gold", "Platinum", "30", "35", "40"))
    assert "5 %" in text["sub-partners"]
    assert all(term in text["forbidden-traffic"] for term in ("спам", "brand bidding", "cookie stuffing"))


def test_load_seed_from_another_path(tmp_path: Path):
    path = tmp_path / "faq.toml"
    path.write_text('[[categories]]\nkey = "x"\n', encoding="utf-8")
    assert load_seed(path) == {"categories": [{"key": "x"}]}
