"""Payout details per method (good and bad examples), masking, encryption, and the PAYOUT_SCHEDULE formats."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from bot.config import Settings
from services.kernel.validation import Invalid
from services.payouts import details
from services.payouts.cipher import fernet_for
from services.payouts.schedule import parse_schedule, period_of

GOOD = [
    ("card", "4242 4242 4242 4242", "visa", "•••• 4242"),
    ("card", "5555-5555-5555-4444", "mastercard", "•••• 4444"),
    ("card", "2200000000000004", "mir", "•••• 0004"),
    ("card", "378282246310005", "amex", "•••• 0005"),
    ("account", "DE89 3704 0044 0532 0130 00", "iban", "•••• 3000"),
    ("account", "gb82west12345698765432", "iban", "•••• 5432"),
    ("crypto", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "btc", "•••• NVN2"),
    ("crypto", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "btc", "•••• WNLy"),
    ("crypto", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "btc", "•••• 5mdq"),
    ("crypto", "BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ", "btc", "•••• 5MDQ"),
    ("crypto", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", "btc", "•••• 5jj0"),
    ("crypto", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "eth", "•••• eAed"),
    ("crypto", "0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359", "eth", "•••• d359"),  # all lower: no checksum
    ("crypto", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "tron", "•••• Lj6t"),
    ("ewallet", "4100 1123 4567 890", "yoomoney", "•••• 7890"),
    ("ewallet", "z123456789012", "webmoney", "•••• 9012"),
    ("ewallet", "Ivan.Petrov@Example.COM", "email", "•••• @example.com"),
]

BAD = [
    ("card", "4242 4242 4242 4241", "pay-err-card", "checksum"),  # one digit off
    ("card", "4242 4242 42", "pay-err-card", "format"),
    ("card", "4242-4242-4242-424x", "pay-err-card", "format"),
    ("card", "0000 0000 0000 0000", "pay-err-card", "format"),  # Luhn-valid, but no card starts with 0
    ("card", "４２４２４２４２４２４２４２４２", "pay-err-card", "format"),  # full-width digits
    ("account", "DE89 3704 0044 0532 0130 01", "pay-err-account", "checksum"),
    ("account", "DE12", "pay-err-account", "format"),
    ("account", "12345678901234567890", "pay-err-account", "format"),  # a bare Russian account number
    ("crypto", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", "pay-err-crypto", None),  # base58check fails
    ("crypto", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr", "pay-err-crypto", None),  # bech32 fails
    ("crypto", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", "pay-err-crypto", None),  # v0 with bech32m
    ("crypto", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", "pay-err-crypto", None),  # v1, bech32
    ("crypto", "Bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "pay-err-crypto", None),  # mixed case
    ("crypto", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", "pay-err-crypto", None),  # EIP-55 fails
    ("crypto", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA", "pay-err-crypto", None),  # too short
    ("crypto", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u", "pay-err-crypto", None),
    ("crypto", "hello", "pay-err-crypto", None),
    ("ewallet", "4100", "pay-err-ewallet", None),
    ("ewallet", "Q123456789012", "pay-err-ewallet", None),
    ("ewallet", "ivan@", "pay-err-ewallet", None),
    ("ewallet", "+7 999 123-45-67", "pay-err-ewallet", None),
]


@pytest.mark.parametrize(("method", "text", "kind", "masked"), GOOD)
def test_valid_details_are_cleaned_and_masked(method, text, kind, masked):
    parsed = details.parse(method, text)
    assert (parsed.method, parsed.kind, parsed.masked) == (method, kind, masked)
    assert parsed.value not in repr(parsed) and parsed.value not in parsed.masked


@pytest.mark.parametrize(("method", "text", "key", "problem"), BAD)
def test_invalid_details_are_refused_without_echoing_them(method, text, key, problem):
    with pytest.raises(Invalid) as refused:
        details.parse(method, text)
    assert refused.value.key == key
    assert refused.value.params.get("problem") == problem
    assert text not in repr(refused.value.params)


def test_overlong_input_is_refused_before_parsing():
    with pytest.raises(Invalid) as refused:
        details.parse("crypto", "1" * 500)
    assert refused.value.key == "err-too-long"


def test_encryption_round_trip_and_key_separation():
    token = fernet_for("k" * 16 + "0123456789abcdef").encrypt(b"4242424242424242")
    assert b"4242" not in token
    assert fernet_for("k" * 16 + "0123456789abcdef").decrypt(token) == b"4242424242424242"
    with pytest.raises(Exception):
        fernet_for("another-key-0123456789abcdefghij").decrypt(token)


@pytest.mark.parametrize(("text", "now", "period"), [
    ("monthly:1", datetime(2026, 2, 1, 9, 0, tzinfo=UTC), datetime(2026, 2, 1, 9, 0, tzinfo=UTC)),
    ("monthly:1", datetime(2026, 2, 1, 8, 59, tzinfo=UTC), datetime(2026, 1, 1, 9, 0, tzinfo=UTC)),
    ("monthly:15@12:30", datetime(2026, 3, 20, tzinfo=UTC), datetime(2026, 3, 15, 12, 30, tzinfo=UTC)),
    ("weekly:fri", datetime(2026, 1, 31, tzinfo=UTC), datetime(2026, 1, 30, 9, 0, tzinfo=UTC)),
    ("0 10 1,15 * *", datetime(2026, 1, 20, tzinfo=UTC), datetime(2026, 1, 15, 10, 0, tzinfo=UTC)),
])
def test_schedule_periods(text, now, period):
    assert period_of(parse_schedule(text), now) == period


@pytest.mark.parametrize("text", ["monthly:0", "monthly:31", "weekly:funday", "monthly:1@25:00", "* * * * *",
                                  "0 * * * *", "every day", "61 9 * * *"])
def test_bad_schedules_are_refused_at_start(text):
    with pytest.raises(ValueError):
        parse_schedule(text)
    with pytest.raises(Exception, match="payout_schedule"):
        Settings(_env_file=None, payout_schedule=text)


def test_payout_settings():
    settings = Settings(_env_file=None, min_payout="rub:500, USD:10.50", payout_schedule=" Monthly:1 ")
    assert settings.min_payout == {"RUB": Decimal("500"), "USD": Decimal("10.50")}
    assert settings.payout_schedule == "monthly:1" and parse_schedule("") is None
    for bad in ("RUB", "RUB:-1", "RUB:0", "RUBL:10", "RUB:1.001", "RUB:nan"):
        with pytest.raises(Exception, match="min_payout"):
            Settings(_env_file=None, min_payout=bad)
    with pytest.raises(Exception, match="payout_details_key"):
        Settings(_env_file=None, payout_details_key="change-me")


def test_payout_actions_fit_telegram_limit_and_built_keys_exist():
    from services.kernel.i18n import Translator

    big = 10**18
    actions = [f"pam:{verb}:{big}" for verb in ("card", "ok", "paid", "no", "list")] + \
        [f"set:pay:{m}" for m in details.METHODS] + ["pay:req:RUB", "pay:hist"]
    assert [a for a in actions if len(a.encode()) > 64] == []
    keys = Translator().keys["en"]
    built = {f"pay-ask-{m}" for m in details.METHODS} | {f"pay-btn-method-{m}" for m in details.METHODS} | \
        {f"pay-err-{m}" for m in details.METHODS}
    assert built - keys == set()
