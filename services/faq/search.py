"""Free-text FAQ search: ru/en stemming (snowballstemmer) plus fuzzy token matching (rapidfuzz).

A query and every entry are normalised (lower case, ё→е, no punctuation), split into words, stripped of stop
words and stemmed. Each query word is matched to the closest word of an entry's question, keywords and answer
(fuzzy, so "выплты" ≈ "выплат", "wen" ≈ "when"); the entry's score is the weighted share of query words it
covers, so word order and other word forms do not matter. Entries in the partner's language win ties.
"""
from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import snowballstemmer
from rapidfuzz import fuzz, process

SEED_PATH = Path(__file__).with_name("seed.toml")

STOP_WORDS = {
    "ru": set("""а и в во на по с со к ко о об от до за из у же ли бы не ни но да я мне меня мой моя мои мы нас наш
        ты вы вас ваш ваша ваши он она оно они их его ее её это этот эта эти то как что где когда куда почему
        зачем сколько какой какая какие каком ли или для при про под над без через все всё весь так там тут
        уже еще ещё можно нужно надо есть будет был была были быть очень просто пожалуйста подскажите скажите
        вопрос хочу хотел хотела ли""".split()),
    "en": set("""a an the and or but if of in on at to for from by with about as is are was were be been being do
        does did doing have has had i me my we our you your he she it its they them their this that these those
        what which who whom how why where when can could should would will shall may might must not no so too
        very just please hi hello tell know want get""".split()),
}
STOP_WORDS["ru"] |= {"привет", "здравствуйте", "добрый", "день", "спасибо", "ок", "ага", "хорошо"}
STOP_WORDS["en"] |= {"thanks", "thank", "ok", "okay", "yes", "good"}
# "когда"/"when" are stop words for ranking but also mean "timing": kept, with a small weight.
INTENT_WORDS = {"когда", "when", "сколько", "how"}

_STEMMERS = {"ru": snowballstemmer.stemmer("russian"), "en": snowballstemmer.stemmer("english")}
UNKNOWN_WEIGHT = 0.25  # a query word no entry contains says nothing about which entry is meant
_WORD = re.compile(r"[a-zа-я0-9]+")
_CYRILLIC = re.compile(r"[а-я]")

QUESTION_WEIGHT, KEYWORD_WEIGHT, ANSWER_WEIGHT = 1.0, 1.0, 0.6
TOKEN_CUTOFF = 75  # fuzz.ratio below this is not the same word
MIN_SCORE = 45.0  # entries scoring less are not offered (junk like "asdfgh" finds nothing)


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


@lru_cache(maxsize=20_000)
def stem(word: str) -> str:
    language = "ru" if _CYRILLIC.search(word) else "en"
    return _STEMMERS[language].stemWord(word)


def terms(text: str, *, keep_intent: bool = False) -> list[str]:
    """Stemmed content words of a text, in order, without duplicates."""
    words = _WORD.findall(normalise(text))
    result: list[str] = []
    for word in words:
        stop = word in STOP_WORDS["ru"] or word in STOP_WORDS["en"]
        if stop and not (keep_intent and word in INTENT_WORDS):
            continue
        if len(word) < 2 and not word.isdigit():
            continue
        stemmed = stem(word)
        if stemmed not in result:
            result.append(stemmed)
    return result


@dataclass
class _Indexed:
    doc: FaqDoc
    fields: tuple[tuple[float, list[str]], ...]  # (weight, stems) for question, keywords, answer


class FaqIndex:
    def __init__(self, docs: Iterable[FaqDoc]) -> None:
        self._items = [
            _Indexed(doc, (
                (QUESTION_WEIGHT, terms(doc.question, keep_intent=True)),
                (KEYWORD_WEIGHT, terms(" ".join(doc.keywords), keep_intent=True)),
                (ANSWER_WEIGHT, terms(doc.answer)),
            ))
            for doc in docs
        ]
        # Document frequency of every stem: rare words (холд, промокод) weigh more than common ones (деньги).
        frequency: dict[str, int] = {}
        for item in self._items:
            for stem_ in {t for _, field in item.fields for t in field}:
                frequency[stem_] = frequency.get(stem_, 0) + 1
        self._vocabulary = list(frequency)
        self._frequency = frequency
        self._intent = {stem(word) for word in INTENT_WORDS}

    def _weight(self, term: str) -> float:
        if term in self._intent:
            return 0.3  # "когда" helps rank, cannot match alone
        match = process.extractOne(term, self._vocabulary, scorer=fuzz.ratio, score_cutoff=TOKEN_CUTOFF)
        if match is None:
            return UNKNOWN_WEIGHT
        return 1.0 + math.log(len(self._items) / self._frequency[match[0]])

    def search(self, query: str, locale: str, limit: int = 3, min_score: float = MIN_SCORE) -> list[FaqHit]:
        query_terms = terms(query, keep_intent=True)
        if not [t for t in query_terms if t not in self._intent]:  # "when?" alone, "hi", emoji
            return []
        weights = {term: self._weight(term) for term in query_terms}
        best: dict[int | str, float] = {}
        for item in self._items:
            score = self._score(weights, item)
            if item.doc.locale == locale:
                score += 2.0  # the partner's language first when two entries tie
            if score > best.get(item.doc.entry_id, -1.0):
                best[item.doc.entry_id] = score
        ranked = sorted(best.items(), key=lambda pair: pair[1], reverse=True)
        return [FaqHit(entry_id, round(min(score, 100.0), 1)) for entry_id, score in ranked
                if score >= min_score][:limit]

    @staticmethod
    def _score(weights: dict[str, float], item: _Indexed) -> float:
        """Weighted share of query words found in the entry (each word counts its best field match)."""
        total = weight_sum = 0.0
        for term, weight in weights.items():
            weight_sum += weight
            best = 0.0
            for field_weight, field_terms in item.fields:
                if not field_terms:
                    continue
                match = process.extractOne(term, field_terms, scorer=fuzz.ratio, score_cutoff=TOKEN_CUTOFF)
                if match is None and len(term) >= 4:
                    # a stem that is a prefix of a word form the stemmer cut differently ("выплат" / "выплач")
                    match = process.extractOne(term, field_terms, scorer=fuzz.partial_ratio,
                                               score_cutoff=90)
                    match = (match[0], match[1] * 0.85, match[2]) if match else None
                if match is not None:
                    best = max(best, field_weight * match[1])
            total += weight * best
        return total / weight_sum if weight_sum else 0.0


def load_seed(path: Path | None = None) -> dict[str, Any]:
    with open(path or SEED_PATH, "rb") as handle:
        return tomllib.load(handle)
