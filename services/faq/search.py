"""Free-text FAQ search over a small bilingual knowledge base: no database, no messenger code.

Text is normalised (lower case, ё→е, no punctuation), split into words, stripped of stop words and stemmed with
snowballstemmer (Russian for Cyrillic words, English otherwise — so a Russian speaker may type English terms).
Each query stem is matched once against the index vocabulary: exactly, fuzzily (rapidfuzz ``fuzz.ratio``:
"выплты" ≈ "выплат", "wen" ≈ "when") or by a shared prefix ("выплачива" ≈ "выплат"). An entry then scores

    100 · (0.8 · coverage + 0.2 · focus)

coverage — the share of the query (words weighted by rarity) found in the entry's question, keywords or answer;
focus — how completely the query covers the entry's question or one of its keyword phrases. Coverage decides
whether an entry is relevant, focus breaks ties ("payout" → the entry whose keyword is just "payout").
Word order and word forms do not matter; the partner's language is preferred, the other one still matches.
"""
from __future__ import annotations

import math
import re
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import snowballstemmer
from rapidfuzz import fuzz, process

SEED_PATH = Path(__file__).with_name("seed.toml")
LOCALES = ("ru", "en")

# Below this an entry is not offered: junk ("asdfgh", "lol") finds nothing instead of random entries, while a
# query with one unknown word next to a known one ("можно ли лить с ютуба") still gets its answer.
MIN_SCORE = 40.0

QUESTION_WEIGHT, KEYWORD_WEIGHT, ANSWER_WEIGHT = 1.0, 1.0, 0.6  # answers are long: a match there says less
OTHER_LOCALE = 0.9  # a match in the partner's own language ranks above the same match in the other one
UNKNOWN_WEIGHT = 0.6  # a query word no entry contains still dilutes the score, but less than a rare known word
INTENT_WEIGHT = 0.3  # "когда", "how": help to rank, never match alone
COVERAGE_SHARE = 0.8
PREFIX_SIMILARITY = 0.85  # "выплачива" for "выплат": probably the same word, but less sure than a typo

STOP_WORDS = frozenset("""
    а и в во на по с со к ко о об от до за из у же ли бы не ни но да я мне меня мой моя мое мои мы нас нам наш
    наша ты тебя вы вас вам ваш ваша ваше ваши он она оно они их его ее им это этот эта эти то тот та те как что
    чтобы где куда откуда почему зачем какой какая какое какие каком какую или для при про под над без через все
    весь вся так там тут здесь уже еще можно нужно надо есть будет был была были быть очень просто вот ну ой
    пожалуйста подскажите скажите скажи подскажи вопрос хочу хотел хотела могу может если тогда кто чем чего
    привет здравствуйте здрасте добрый вечер спасибо благодарю ок окей ага угу хорошо ладно норм дела
    тест алло эй ау бот большое супер отлично понял поняла понятно ясно
    a an the and or but if of in on at to for from by with about as is are was were be been being do does did
    have has had i me my mine we us our you your he she it its they them their this that these those there
    what which who whom why where can could should would will shall may might must not no so too very just
    please pls hi hello hey thanks thank ok okay yes yeah good fine lol test here any some up bot
""".split())
# Stop words that still carry the "timing / amount / way" of a question: kept, with a low weight.
INTENT_WORDS = frozenset("когда сколько how when".split())

# Greetings are dropped as a whole: "день" alone is a real word ("день выплаты"), "добрый день" is not.
_GREETING = re.compile(r"\b(?:добр\w*|хорош\w*|good)\s+"
                       r"(?:день|дня|утро|утра|вечер|вечера|ночи|morning|afternoon|evening|day)\b")
_WORD = re.compile(r"[a-zа-я0-9]+(?:-[a-zа-я0-9]+)*")
_CYRILLIC = re.compile(r"[а-я]")
_STEMMERS = {"ru": snowballstemmer.stemmer("russian"), "en": snowballstemmer.stemmer("english")}


@dataclass(frozen=True)
class FaqDoc:
    """One entry in one language."""

    entry_id: int | str
    locale: str  # "ru" | "en"
    question: str
    answer: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class FaqHit:
    entry_id: int | str
    score: float  # 0..100


def normalise(text: str) -> str:
    return text.lower().replace("ё", "е")


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    return _STEMMERS["ru" if _CYRILLIC.search(word) else "en"].stemWord(word)


def words(text: str) -> list[str]:
    """Normalised words; "sub-id" gives "sub", "id" and "subid" so every spelling meets."""
    result: list[str] = []
    for token in _WORD.findall(_GREETING.sub(" ", normalise(text))):
        parts = token.split("-")
        result += parts + (["".join(parts)] if len(parts) > 1 else [])
    return result


def terms(text: str) -> list[str]:
    """Stemmed content words (and intent words) of a text, in order, without duplicates."""
    result: list[str] = []
    for word in words(text):
        if (word in STOP_WORDS and word not in INTENT_WORDS) or (len(word) < 2 and not word.isdigit()):
            continue
        stemmed = stem(word)
        if stemmed not in result:
            result.append(stemmed)
    return result


def _cutoff(term: str) -> float:
    """Minimum fuzz.ratio for a typo; stricter for short words ("lol" must not become "log")."""
    return 101.0 if len(term) <= 2 else 85.0 if len(term) == 3 else 80.0 if len(term) <= 5 else 75.0


def _prefix_match(a: str, b: str) -> bool:
    """Russian stems of one word can differ in the tail: выплат/выплачива, минимал/минималк."""
    common = 0
    for x, y in zip(a, b):
        if x != y:
            break
        common += 1
    # a short whole stem only with a short tail: "холд"/"холдов", not "time"/"timezon"
    return common >= 5 or (common >= 4 and common == min(len(a), len(b)) and abs(len(a) - len(b)) <= 2)


@dataclass(frozen=True)
class _Doc:
    entry: int  # index into FaqIndex._entries
    locale: str


class FaqIndex:
    """All stemming, posting lists and weights are built here once; a search then takes about a millisecond."""

    def __init__(self, docs: Iterable[FaqDoc]) -> None:
        self._entries: list[int | str] = []  # entry ids, in order of first appearance
        position: dict[int | str, int] = {}
        self._docs: list[_Doc] = []
        fields_of: list[dict[str, float]] = []  # per doc: stem → best field weight
        phrases_of: list[list[list[str]]] = []  # per doc: the question and every keyword phrase, as stems
        for doc in docs:
            entry = position.setdefault(doc.entry_id, len(self._entries))
            if entry == len(self._entries):
                self._entries.append(doc.entry_id)
            question, answer = terms(doc.question), terms(doc.answer)
            keywords = [terms(keyword) for keyword in doc.keywords]
            fields: dict[str, float] = {}
            for weight, stems in ((ANSWER_WEIGHT, answer), (KEYWORD_WEIGHT, [s for k in keywords for s in k]),
                                  (QUESTION_WEIGHT, question)):
                for s in stems:
                    fields[s] = max(fields.get(s, 0.0), weight)
            self._docs.append(_Doc(entry, doc.locale))
            fields_of.append(fields)
            phrases_of.append([p for p in (question, *keywords) if p])

        # Rarity per stem counted in entries, not docs: "холд" (one entry) outweighs "деньги" (ten).
        entries_with: dict[str, set[int]] = defaultdict(set)
        for number, fields in enumerate(fields_of):
            for s in fields:
                entries_with[s].add(self._docs[number].entry)
        count = max(len(self._entries), 1)
        self._idf = {s: 1.0 + math.log(count / len(found)) for s, found in entries_with.items()}

        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)  # stem → (doc, field weight)
        for number, fields in enumerate(fields_of):
            for s, weight in fields.items():
                self._postings[s].append((number, weight))
        # stem → (doc, phrase number, the stem's share of that phrase): focus adds up only the phrases touched.
        self._phrase_postings: dict[str, list[tuple[int, int, float]]] = defaultdict(list)
        for number, phrases in enumerate(phrases_of):
            for index, phrase in enumerate(phrases):
                total = sum(self._idf[s] for s in phrase)
                for s in phrase:
                    self._phrase_postings[s].append((number, index, self._idf[s] / total))

        self._vocabulary = list(self._idf)
        self._by_head: dict[str, list[str]] = defaultdict(list)  # first 4 letters → stems, for prefix matches
        for s in self._vocabulary:
            if len(s) >= 4:
                self._by_head[s[:4]].append(s)
        self._intent = frozenset(stem(w) for w in INTENT_WORDS)

    def _matches(self, term: str) -> dict[str, float]:
        """Vocabulary stems this query stem stands for, with a similarity 0..1.

        Fuzzy matches are looked for even after an exact one: "percentag" is in an answer, "percent" in keywords.
        """
        if term in self._intent:
            return {term: 1.0} if term in self._idf else {}
        found: dict[str, float] = {}
        cutoff = _cutoff(term)
        if cutoff <= 100:
            for s, ratio, _ in process.extract(term, self._vocabulary, scorer=fuzz.ratio, score_cutoff=cutoff,
                                               limit=5):
                found[s] = ratio / 100
        if len(term) >= 4:
            for s in self._by_head.get(term[:4], ()):
                if _prefix_match(term, s):
                    found[s] = max(found.get(s, 0.0), PREFIX_SIMILARITY)
        if term in self._idf:
            found[term] = 1.0
        return found

    def search(self, query: str, locale: str, limit: int = 3, min_score: float = MIN_SCORE) -> list[FaqHit]:
        """Up to `limit` distinct entries, best first; [] when nothing scores min_score (0..100) or more."""
        query_terms = terms(query)
        matches = {t: self._matches(t) for t in query_terms}
        if not any(m for t, m in matches.items() if t not in self._intent):
            return []  # nothing known was asked: "", "🙂", "спасибо", "when?", "asdfgh"
        weights = {t: INTENT_WEIGHT if t in self._intent else max((self._idf[s] for s in m), default=UNKNOWN_WEIGHT)
                   for t, m in matches.items()}
        total_weight = sum(weights.values())

        def factor(number: int) -> float:
            return 1.0 if self._docs[number].locale == locale else OTHER_LOCALE

        # coverage: per entry and query term, the best match over the entry's docs and fields.
        covered: dict[int, dict[str, float]] = defaultdict(dict)
        similar: dict[str, float] = {}  # vocabulary stem → its best similarity to a query term
        for t, found in matches.items():
            for s, sim in found.items():
                similar[s] = max(similar.get(s, 0.0), sim)
                for number, field_weight in self._postings[s]:
                    row = covered[self._docs[number].entry]
                    row[t] = max(row.get(t, 0.0), sim * field_weight * factor(number))
        # focus: the best-covered question or keyword phrase of each entry.
        phrase_cover: dict[tuple[int, int], float] = defaultdict(float)
        for s, sim in similar.items():
            for number, index, share in self._phrase_postings[s]:
                phrase_cover[number, index] += share * sim
        focus: dict[int, float] = defaultdict(float)
        for (number, _), cover in phrase_cover.items():
            entry = self._docs[number].entry
            focus[entry] = max(focus[entry], cover * factor(number))

        scored = []
        for entry, row in covered.items():
            coverage = sum(weights[t] * value for t, value in row.items()) / total_weight
            score = 100 * (COVERAGE_SHARE * coverage + (1 - COVERAGE_SHARE) * focus[entry])
            if score >= min_score:
                scored.append((round(score, 1), entry))
        scored.sort(key=lambda pair: (-pair[0], pair[1]))  # best first; ties keep the knowledge base order
        return [FaqHit(self._entries[entry], score) for score, entry in scored[:limit]]


def load_seed(path: Path | None = None) -> dict[str, Any]:
    """The starter knowledge base: {"categories": [...], "entries": [...]}."""
    with open(path or SEED_PATH, "rb") as handle:
        return tomllib.load(handle)


def seed_docs(seed: dict[str, Any]) -> Iterator[FaqDoc]:
    """FaqDocs of a parsed seed (entry_id = the entry's key), both languages."""
    for entry in seed["entries"]:
        for locale in LOCALES:
            yield FaqDoc(entry["key"], locale, entry[f"question_{locale}"], entry[f"answer_{locale}"],
                         tuple(entry.get(f"keywords_{locale}", ())))
