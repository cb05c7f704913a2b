"""Typed button actions: pack/parse in one grammar, strict parsing, and the wire strings already sent in old
messages still meaning the same thing."""
from __future__ import annotations

from typing import Literal

import pytest

from services.faq import actions as faq
from services.kernel.actions import ActionData, ActionTable, token
from services.kernel.dto import Incoming, Reply, Screen
from services.kernel import menu
from services.kernel.forms import Field, Form
from services.links import actions as links
from services.partners import actions as partners
from services.support import actions as support


class Sample(ActionData, prefix="tst:s"):
    item: int
    mode: Literal["up", "down"]
    flag: bool
    name: str = token(r"[a-z]{1,5}")
    page: int | None = None


def test_pack_and_parse_round_trip():
    assert Sample(42, "up", True, "abc").pack() == "tst:s:42:up:1:abc"
    assert Sample(42, "down", False, "abc", 3).pack() == "tst:s:42:down:0:abc:3"
    assert Sample.parse("tst:s:42:up:1:abc") == Sample(42, "up", True, "abc")
    assert Sample.parse("tst:s:42:down:0:abc:3") == Sample(42, "down", False, "abc", 3)
    assert support.RateTicket.parse("sup:rate:7:5") == support.RateTicket(7, 5)


@pytest.mark.parametrize("action", [
    None, "", "tst:s", "tst:s:42:up:1", "tst:s:x:up:1:abc", "tst:s:42:left:1:abc", "tst:s:42:up:2:abc",
    "tst:s:42:up:1:ABC", "tst:s:42:up:1:abcdef", "tst:s:42:up:1:abc:3:4", "tst:sx:42:up:1:abc",
    "tst:s:1234567890123456789:up:1:abc", "tst:s:42:up:1:a:b", "sup:rate:7:6", "sup:rate:7:0",
])
def test_parse_is_strict(action):
    assert Sample.parse(action) is None and support.RateTicket.parse(action) is None


def test_pack_refuses_what_parse_would_not_take():
    with pytest.raises(ValueError):
        Sample(10**18, "up", True, "abc").pack()
    with pytest.raises(ValueError):
        Sample(1, "up", True, "a:b").pack()
    with pytest.raises(ValueError):
        partners.SetTimezone("x" * 60).pack()


async def test_table_routes_typed_and_regex_actions_and_refuses_the_rest():
    seen = []

    async def typed(inc: Incoming, data: Sample) -> Reply:
        seen.append(data)
        return Reply.of(Screen("typed"))

    async def regex(inc: Incoming, number: int) -> Reply:
        seen.append(number)
        return Reply.of(Screen("regex"))

    table = ActionTable()
    table.on(Sample, typed)
    table.add(r"tst:r:(\d+)", regex)
    assert table.prefixes() == {"tst"}

    def press(action: str) -> Incoming:
        return Incoming("telegram", "1", "1", action=action)

    assert (await table(press("tst:s:1:up:0:ab"))).screens[0].text_key == "typed"
    assert (await table(press("tst:r:5"))).screens[0].text_key == "regex"
    assert (await table(press("tst:s:1:up"))).toast.text_key == "err-stale-button"
    assert seen == [Sample(1, "up", False, "ab"), 5]


# Every shape of callback data the bot sent before actions were typed: each must still parse, into exactly one
# action type, and pack back to the very same string.
WIRE = [
    "ob:lang:ru", "ob:lang:en", "ob:back", "ob:cancel", "ob:terms", "app:ok:1", "app:no:12", "app:card:3",
    "rej:4:traffic", "set:home", "set:lang", "set:lang:en", "set:tz", "set:tz:Europe/Moscow", "set:tz:UTC",
    "set:mute", "set:mute:l2_conversion:1", "set:mute:news:0", "set:linkacc",
    "lnk:home", "lnk:new", "lnk:new:3", "lnk:recruit", "lnk:ren:4", "lnk:arc:4", "lnk:5",
    "sup:new", "sup:dispute:7", "sup:cancel", "sup:take:1", "sup:reply:1", "sup:close:1", "sup:rate:1:5",
    "fq:home", "fq:cp:1", "fq:c:2", "fq:c:2:1", "fq:q:3", "fq:s:4:3", "fq:h:4:3:1", "fq:h:0:3:0", "fq:ask:4",
    "fqa:home", "fqa:c:1", "fqa:e:2", "fqa:new:1", "fqa:ed:2:answer_ru", "fqa:mv:2:up", "fqa:mv:2:down",
    "fqa:vis:2", "fqa:kpi", "menu:links", "menu:settings",
]
KINDS = [kind for module in (partners, links, support, faq, menu) for kind in vars(module).values()
         if isinstance(kind, type) and issubclass(kind, ActionData) and kind is not ActionData]


@pytest.mark.parametrize("wire", WIRE)
def test_old_wire_strings_keep_their_meaning(wire):
    parsed = [data for kind in KINDS if (data := kind.parse(wire)) is not None]
    assert len(parsed) == 1, parsed
    assert parsed[0].pack() == wire


def test_form_steps_are_found_by_index_or_by_name():
    async def done(*_):
        return Reply()

    form = Form("f", [Field("a", "k"), Field("b", "k")], done, named_steps=True)
    assert [form.step_id(0), form.step_id(1)] == ["a", "b"]
    assert [form.index_of("a"), form.index_of("b"), form.index_of("1"), form.index_of("2"),
            form.index_of("gone")] == [0, 1, 1, None, None]
