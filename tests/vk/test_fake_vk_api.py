"""FakeVK driven by REAL vkbottle (Bot, BotPolling, labelers) over loopback — and the recipe for doing so.

Recipe (see the `vk`/`api`/`bot` fixtures and `run_bot` below):
  * point the API at the fake: `api.API_URL = vk.api_url.rstrip("/") + "/"`;
  * `async with run_bot(bot, vk):` starts `bot.run_polling()` as a task, waits until it long-polls,
    and makes any exception vkbottle would swallow (handler or polling) fail the test;
  * on exit it cancels polling, lets in-flight handler tasks finish, and closes the shared http session.
"""
from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pydantic
import pytest
from vkbottle import API, Callback, Keyboard, VKAPIError
from vkbottle.bot import Bot, BotLabeler, Message, MessageEvent
from vkbottle_types.events import GroupEventType

from tests.fakes.vk_api import FakeVK


@pytest.fixture
async def vk() -> AsyncIterator[FakeVK]:
    async with FakeVK(group_id=1) as fake:
        yield fake


@pytest.fixture
async def api(vk: FakeVK) -> AsyncIterator[API]:
    api = API("test-token")
    api.API_URL = vk.api_url.rstrip("/") + "/"  # exactly what production does with settings.vk_api_url
    yield api
    # the default SingleAiohttpClient is one process-wide session; close it while this test's loop lives,
    # otherwise the next test's loop opens a new one and this one leaks as "Unclosed client session"
    await api.http_client.close()


@pytest.fixture
def bot(api: API) -> Bot:
    return Bot(api=api, labeler=BotLabeler())


@asynccontextmanager
async def run_bot(bot: Bot, vk: FakeVK) -> AsyncIterator[Bot]:
    """Runs the bot's real long polling against `vk` for the duration of the block."""
    # vkbottle catches handler exceptions (Router/views -> error_handler.handle) and polling-loop ones
    # (BasePolling.listen) and only logs them. Route unhandled ones to the fake: wait_* then fails at once
    # with the original exception as __cause__. ErrorHandler(raise_exceptions=True) is no use here — it
    # re-raises inside run_polling's fire-and-forget per-update tasks, where nobody awaits it.
    @bot.error_handler.register_undefined_error_handler
    async def report(error: Exception, *_: object) -> None:  # *_: redirect_arguments=True also passes the event
        vk.report_error(error)

    # BotPolling writes ./.vkbottle/bot-polling/<group_id>.json after every long-poll answer, even with
    # skip_old_events=True; keep tests from writing into the working tree
    bot.polling.save_server_ts = lambda server: None  # type: ignore[method-assign]

    task = asyncio.create_task(bot.run_polling())
    # an error before the loop's try (e.g. groups.getLongPollServer failing) ends run_polling itself
    task.add_done_callback(lambda t: t.cancelled() or t.exception() is None or vk.report_error(t.exception()))
    try:
        await vk.wait_listening()  # the bot has its ts: updates pushed from now on reach it
        yield bot
    finally:
        task.cancel()
        await asyncio.wait([task])  # not `await task`: its own failure is already reported above
        # run_polling spawns one task per update and keeps them in a local set: let them finish (they may be
        # mid-request) instead of leaving them to be destroyed with the loop
        handlers = [t for t in asyncio.all_tasks() if getattr(t.get_coro(), "__name__", "") == "process_event"]
        if handlers:
            _, late = await asyncio.wait(handlers, timeout=5)
            for t in late:
                t.cancel()
    if vk.errors:  # raised after the last wait_*; only reached when the block itself succeeded
        raise AssertionError(f"the bot raised: {vk.errors[0]!r}") from vk.errors[0]


async def test_message_roundtrip(bot: Bot, vk: FakeVK) -> None:
    seen: dict[str, object] = {}
    keyboard = Keyboard(inline=True).add(Callback("Press", payload={"cmd": "press"})).get_json()

    @bot.labeler.message(text="hi")
    async def hi(message: Message) -> None:
        seen.update(from_id=message.from_id, payload=message.get_payload_json(), ref=message.ref,
                    lang=message.client_info.lang_id, group_id=message.group_id)
        await message.answer("hello", keyboard=keyboard)

    async with run_bot(bot, vk):
        vk.push_message(42, "hi", payload={"command": "start"}, ref="partner-7", lang_id=3)
        [sent] = await vk.wait_sent()

    assert (sent.peer_id, sent.message, sent.random_id) == (42, "hello", 0)
    assert sent.keyboard["inline"] is True
    assert sent.keyboard["buttons"][0][0]["action"] == {"type": "callback", "label": "Press",
                                                        "payload": {"cmd": "press"}}
    assert seen == {"from_id": 42, "payload": {"command": "start"}, "ref": "partner-7", "lang": 3, "group_id": 1}
    assert [c.method for c in vk.calls][:2] == ["groups.getById", "groups.getLongPollServer"]
    assert "access_token" not in vk.calls_of("messages.send")[0].params


async def test_callback_event_snackbar_and_edit(bot: Bot, vk: FakeVK) -> None:
    @bot.labeler.message(text="menu")
    async def menu(message: Message) -> None:
        await message.answer("menu", keyboard=Keyboard(inline=True).add(Callback("Go", {"go": 1})).get_json())

    @bot.labeler.raw_event(GroupEventType.MESSAGE_EVENT, dataclass=MessageEvent)
    async def pressed(event: MessageEvent) -> None:
        await event.show_snackbar("ok")
        await event.edit_message("done")

    async with run_bot(bot, vk):
        vk.push_message(42, "menu")
        [menu_msg] = await vk.wait_sent()
        update = vk.push_event(42, {"go": 1})  # cmid defaults to the bot's last message to 42
        [answer] = await vk.wait_call("messages.sendMessageEventAnswer")
        [edit] = await vk.wait_call("messages.edit")

    assert answer.params["event_id"] == update["object"]["event_id"]
    assert (answer.params["user_id"], answer.params["peer_id"]) == ("42", "42")
    assert json.loads(answer.params["event_data"]) == {"type": "show_snackbar", "text": "ok"}
    assert edit.params["conversation_message_id"] == str(menu_msg.conversation_message_id)
    assert edit.params["message"] == "done"


async def test_failing_handler_fails_the_wait(bot: Bot, vk: FakeVK) -> None:
    @bot.labeler.message()
    async def boom(message: Message) -> None:
        raise RuntimeError("handler bug")

    async with run_bot(bot, vk):
        vk.push_message(42, "anything")
        with pytest.raises(AssertionError) as info:
            await vk.wait_sent()
        assert isinstance(info.value.__cause__, RuntimeError)
        vk.errors.clear()  # expected here; otherwise run_bot would fail the test on exit


async def test_polling_recovers_from_expired_key(bot: Bot, vk: FakeVK) -> None:
    @bot.labeler.message(text="ping")
    async def ping(message: Message) -> None:
        await message.answer("pong")

    async with run_bot(bot, vk):
        vk.expire_key()
        vk.push_message(5, "ping")
        [sent] = await vk.wait_sent()
    assert sent.message == "pong"
    assert len(vk.calls_of("groups.getLongPollServer")) == 2


async def test_error_injection_raises_vkapierror(api: API, vk: FakeVK) -> None:
    vk.fail_next("messages.send", code=9, msg="Flood control")
    with pytest.raises(VKAPIError[9]) as info:
        await api.messages.send(peer_id=42, message="x", random_id=0)
    assert info.value.code == 9 and info.value.error_msg == "Flood control"
    assert info.value.request_params["method"] == "messages.send"
    assert vk.sent == [] and len(vk.calls) == 1
    assert await api.messages.send(peer_id=42, message="x", random_id=0) == vk.sent[0].message_id


async def test_random_id_dedup(api: API, vk: FakeVK) -> None:
    first = await api.messages.send(peer_id=42, message="a", random_id=777)
    again = await api.messages.send(peer_id=42, message="a", random_id=777)
    other_peer = await api.messages.send(peer_id=43, message="a", random_id=777)
    assert first == again != other_peer
    await api.messages.send(peer_id=42, message="b", random_id=0)  # 0 = no dedup
    await api.messages.send(peer_id=42, message="b", random_id=0)
    assert [(s.peer_id, s.message) for s in vk.sent] == [(42, "a"), (43, "a"), (42, "b"), (42, "b")]
    assert len(vk.calls_of("messages.send")) == 5


async def test_send_shapes_and_blocked_peer(api: API, vk: FakeVK) -> None:
    vk.blocked.add(7)
    with pytest.raises(VKAPIError[901]):
        await api.messages.send(peer_id=7, message="x", random_id=0)

    raw = (await api.request("messages.send", {"peer_ids": "5,7", "message": "x", "random_id": 0}))["response"]
    assert raw == [{"peer_id": 5, "message_id": vk.sent[0].message_id, "conversation_message_id": 1},
                   {"peer_id": 7, "error": {"code": 901, "description": raw[1]["error"]["description"]}}]
    # vkbottle quirk: its peer_ids model requires message_id, which VK omits for a failed peer, so
    # message.answer() to a user who blocked the group raises pydantic's ValidationError, not VKAPIError
    with pytest.raises(pydantic.ValidationError):
        await api.messages.send(peer_ids=[5, 7], message="x", random_id=0)


async def test_users_and_defaults(api: API, vk: FakeVK) -> None:
    vk.users[42] = {"first_name": "Ann", "last_name": "Lee"}
    users = await api.users.get(user_ids=[42, 43])
    assert [(u.id, u.first_name, u.last_name) for u in users] == [(42, "Ann", "Lee"), (43, "Test", "User")]
    assert await api.request("messages.getConversationMembers", {"peer_id": 42}) == {"response": 1}
    await vk.wait_call("messages.getConversationMembers")  # already there: returns at once
    vk.set_response("groups.getById", {"groups": [{"id": 1, "name": "Partner"}], "profiles": []})
    assert (await api.groups.get_by_id()).groups[0].name == "Partner"
    vk.clear()
    assert vk.calls == [] and vk.sent == []
