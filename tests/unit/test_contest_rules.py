"""What managers type into the contest form: prizes by place, offers, periods — clean values or a clear refusal."""
from __future__ import annotations

from decimal import Decimal

import pytest

from services.contests import rules
from services.kernel.validation import Invalid


def test_prizes_money_or_words_by_place():
    assert rules.parse_prizes("1: 5 000 RUB\n2) 1500,50 usd\n\n3 - Headphones 🎧") == [
        {"place": 1, "amount": "5000", "currency": "RUB"}, {"place": 2, "amount": "1500.50", "currency": "USD"},
        {"place": 3, "text": "Headphones 🎧"}]
    assert rules.prizes_of([{"place": 2, "text": "x"}, {"place": 1, "amount": "10", "currency": "RUB"}])[0] == \
        rules.Prize(1, Decimal("10"), "RUB")


@pytest.mark.parametrize("text", ["", "2: 100 RUB", "1: 100 RUB\n1: 50 RUB", "1: 100 RUB\n3: x", "11: x",
                                  "1: 0 RUB", "first: 100 RUB", "1: " + "x" * 201])
def test_bad_prizes_are_refused(text):
    with pytest.raises(Invalid) as refused:
        rules.parse_prizes(text)
    assert refused.value.key == "cta-err-prizes"


def test_offers_all_or_ids():
    assert rules.parse_offers(" Все ") == [] and rules.parse_offers("all") == []
    assert rules.parse_offers("5, 3 5;8") == [3, 5, 8]
    for bad in ("", "3, x", "-1", "1" * 10):
        with pytest.raises(Invalid):
            rules.parse_offers(bad)


@pytest.mark.parametrize("text, key", [("2026-02-01", "cta-err-period"), ("2026-02-30 2026-03-01", "cta-err-period"),
                                       ("2026-03-01 2026-02-01", "cta-err-period-order"),
                                       ("2026-01-01 2027-06-01", "cta-err-period-order"),
                                       ("2026-02-01 25:00 2026-02-02", "cta-err-period")])
def test_bad_periods_are_refused(text, key):
    with pytest.raises(Invalid) as refused:
        rules.parse_period(text, "Europe/Moscow")
    assert refused.value.key == key
