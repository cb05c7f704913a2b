"""FAQ search: quality and speed of the engine (stemming + fuzzy tokens) against a naive baseline run alongside
(rapidfuzz WRatio of the whole query against whole questions), on the labelled query table of the tests."""
from __future__ import annotations

import statistics
import time

from rapidfuzz import fuzz, process

from services.faq.search import FaqIndex, load_seed, seed_docs
from tests.unit.test_faq_search import JUNK, QUERIES

ROUNDS = 20


def _naive(docs):  # type: ignore[no-untyped-def]
    choices = {i: f"{d.question} {' '.join(d.keywords)}" for i, d in enumerate(docs)}

    def search(query: str, limit: int = 3) -> list[str]:
        found = process.extract(query, choices, scorer=fuzz.WRatio, limit=12, score_cutoff=60)
        ids: list[str] = []
        for _, _, index in found:
            if docs[index].entry_id not in ids:
                ids.append(docs[index].entry_id)
        return ids[:limit]

    return search


def _measure(search, queries) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    hits = sum(expected in search(q, l) for q, l, expected in queries)
    junk_answered = sum(bool(search(q, "ru")) for q in JUNK)
    timings = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for query, locale, _ in queries:
            search(query, locale)
        timings.append((time.perf_counter() - started) / len(queries))
    return hits / len(queries), junk_answered / len(JUNK), statistics.median(timings) * 1000


def main() -> None:
    docs = list(seed_docs(load_seed()))
    started = time.perf_counter()
    index = FaqIndex(docs)
    build_ms = (time.perf_counter() - started) * 1000
    naive = _naive(docs)
    ours = _measure(lambda q, l: [h.entry_id for h in index.search(q, l)], QUERIES)
    base = _measure(lambda q, l: naive(q), QUERIES)
    print(f"entries: {len(docs) // 2}, labelled queries: {len(QUERIES)}, junk queries: {len(JUNK)}")
    print(f"{'':10} {'top-3 hit':>10} {'junk answered':>14} {'ms/query':>9}")
    print(f"{'baseline':10} {base[0]:>10.1%} {base[1]:>14.1%} {base[2]:>9.3f}")
    print(f"{'engine':10} {ours[0]:>10.1%} {ours[1]:>14.1%} {ours[2]:>9.3f}")
    print(f"summary: FAQ engine top-3 {ours[0]:.1%} vs baseline {base[0]:.1%}; junk answered {ours[1]:.0%} vs "
          f"{base[1]:.0%}; {ours[2]:.3f} ms/query ({ours[2] / base[2]:.1f}x baseline); index build {build_ms:.0f} ms")


if __name__ == "__main__":
    main()
