"""Telegram Mini App launch data: validated exactly as Telegram documents it (and as aiogram checks it)."""
from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

import pytest
from aiogram.utils.web_app import check_webapp_signature

from services.dashboard.initdata import InitDataError, sign, validate
from tests.fakes.dashboard import BOT_TOKEN, init_data

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def reason(data: str, token: str = BOT_TOKEN, now: datetime = NOW) -> str:
    with pytest.raises(InitDataError) as caught:
        validate(data, token, now)
    return caught.value.reason


def test_good_launch_data_names_the_user():
    data = init_data(777, NOW - timedelta(hours=23), language_code="ru",
                     extra={"signature": "c2lnbmF0dXJl", "chat_instance": "-1"})
    assert check_webapp_signature(BOT_TOKEN, data)  # the same string passes aiogram's independent check
    user = validate(data, BOT_TOKEN, NOW)
    assert (user.id, user.language_code, user.first_name) == (777, "ru", "Ann")


def test_data_check_string_is_sorted_fields_without_hash():
    fields = {"user": '{"id":1}', "auth_date": "1700000000", "query_id": "q"}
    secret = hmac.new(b"WebAppData", BOT_TOKEN.encode(), hashlib.sha256).digest()
    expected = hmac.new(secret, b'auth_date=1700000000\nquery_id=q\nuser={"id":1}', hashlib.sha256).hexdigest()
    assert sign(fields, BOT_TOKEN) == expected


def test_tampered_data_is_refused():
    fields = dict(parse_qsl(init_data(777, NOW)))
    fields["user"] = fields["user"].replace("777", "778")  # someone else's id, the old hash
    assert reason(urlencode(fields)) == "bad_signature"
    fields = dict(parse_qsl(init_data(777, NOW)))
    fields["hash"] = fields["hash"][:-1] + ("0" if fields["hash"][-1] != "0" else "1")
    assert reason(urlencode(fields)) == "bad_signature"


def test_expired_and_future_launch_data_is_refused():
    assert reason(init_data(777, NOW - timedelta(hours=24, seconds=1))) == "expired"
    assert reason(init_data(777, NOW + timedelta(hours=1))) == "expired"
    assert validate(init_data(777, NOW - timedelta(hours=24)), BOT_TOKEN, NOW).id == 777


def test_another_bots_launch_data_is_refused():
    assert reason(init_data(777, NOW, bot_token="43:OTHER-BOT")) == "bad_signature"
    assert reason(init_data(777, NOW), token="") == "malformed"  # no Telegram bot configured: nobody signs in


@pytest.mark.parametrize("data, why", [
    ("", "malformed"),
    ("garbage", "malformed"),
    ("auth_date=1&user=x", "unsigned"),
    ("a=1&a=2&hash=00", "malformed"),  # a repeated field: which value was signed is ambiguous
    ("x" * 9000, "malformed"),
])
def test_malformed_launch_data_is_refused(data, why):
    assert reason(data) == why


def test_signed_data_without_a_user_is_refused():
    fields = {"auth_date": str(int(NOW.timestamp())), "query_id": "q"}
    assert reason(urlencode({**fields, "hash": sign(fields, BOT_TOKEN)})) == "no_user"
