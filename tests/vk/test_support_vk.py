"""Support tickets for a VK partner: the REAL VK bot (VkHarness → FakeVK) on the partner's side, the REAL Telegram
Dispatcher (TelegramHarness) in the staff group, the real outbox in between. Mirrors tests/telegram/test_support_tg.py.

Attachments cross messengers both ways: a VK photo / document reaches the staff group by its public URL (Telegram
fetches it), a Telegram photo / document from staff is fetched through TelegramFiles (getFile + download) and
re-uploaded to VK (getMessagesUploadServer → multipart upload → saveMessagesPhoto / docs.save) before
messages.send carries it as `attachment=photo<owner>_<id>_<key>`."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from handlers.telegram.notifier import TelegramFiles
from handlers.vk.notifier import VkNotifier
from services.db.models import OutboxMessage
from services.db.support_models import Ticket, TicketMessage
from services.kernel.deps import ProgramConfig
from services.messaging.outbox import OutboxDispatcher
from tests.fakes.tg_harness import TelegramHarness
from tests.fakes.vk_harness import VkHarness

USER = 111  # the VK partner
SUPPORT, OUTSIDER = 902, 555  # Telegram: support role (seeded by conftest) / a stranger in the staff group
STAFF_CHAT = -100500
GROUP = 1  # the VK community (FakeVK's group_id): files the bot uploads belong to it
LANG_EN = 3  # VK client_info.lang_id of an English client

# A photo as VK delivers it in message_new: several sizes, not ordered by size; the largest must be picked.
BIG_PHOTO_URL = "https://sun9-77.userapi.com/impg/big.jpg?size=1280x960"
PHOTO = {"type": "photo", "photo": {
    "album_id": -3, "date": 1_700_000_000, "id": 457239017, "owner_id": USER, "access_key": "a1b2c3", "text": "",
    "has_tags": False, "sizes": [
        {"type": "s", "width": 75, "height": 56, "url": "https://sun9-77.userapi.com/impg/s.jpg?size=75x56"},
        {"type": "w", "width": 1280, "height": 960, "url": BIG_PHOTO_URL},
        {"type": "x", "width": 604, "height": 453, "url": "https://sun9-77.userapi.com/impg/x.jpg?size=604x453"},
    ]}}
DOC_URL = "https://vk.com/doc111_680000001?hash=f00&dl=GE3D&api=1"
DOC = {"type": "doc", "doc": {
    "id": 680000001, "owner_id": USER, "title": "invoice.pdf", "size": 48213, "ext": "pdf", "date": 1_700_000_000,
    "type": 1, "url": DOC_URL, "access_key": "d4e5f6"}}


@pytest.fixture
def program_config() -> ProgramConfig:
    return ProgramConfig(support_chat_id=str(STAFF_CHAT), support_sla_minutes=60)


@pytest.fixture
async def vk(services) -> AsyncIterator[VkHarness]:
    async with VkHarness(services, group_id=GROUP) as harness:
        harness.vk.users[USER] = {"first_name": "Ivan", "last_name": "Petrov"}
        yield harness


@pytest.fixture
def tg(services) -> TelegramHarness:
    return TelegramHarness(services)


@pytest.fixture
def t(services):
    return services.translator


@pytest.fixture
def dispatcher(services, vk, tg) -> OutboxDispatcher:
    # What bot/__main__ wires: VK fetches other messengers' files (here Telegram's) to re-upload them.
    vk_notifier = VkNotifier(vk.bot.api, services.translator, files={"telegram": TelegramFiles(tg.bot)})
    return OutboxDispatcher(services.deps, {"telegram": tg.notifier, "vk": vk_notifier}, rates={})


async def rows(services, model, *where):
    async with services.deps.uow() as uow:
        return (await uow.session.scalars(select(model).where(*where).order_by(model.id))).all()


def sent_to(tg: TelegramHarness, chat_id: int, method: str = "sendMessage"):
    return [c.method for c in tg.session.of(method) if str(c.method.chat_id) == str(chat_id)]


async def become_partner(services, vk: VkHarness, *, approved: bool = False) -> None:
    await vk.send(USER, "привет", lang_id=LANG_EN)  # VK has no /start: the first message opens the door
    await vk.press(USER, "ob:lang:en")
    if approved:
        async with services.deps.uow() as uow:
            account = await uow.accounts.get("vk", str(USER))
            await uow.partners.move_status(account.partner_id, ("new",), "approved")
            await uow.commit()


async def card_row(services) -> OutboxMessage:
    [row] = await rows(services, OutboxMessage, OutboxMessage.kind == "ticket")
    assert row.status == "sent" and row.delivered_ref
    return row


async def staff_reply(tg: TelegramHarness, card: OutboxMessage, text: str, **media) -> None:
    await tg.send(SUPPORT, text, chat_id=STAFF_CHAT, chat_type="supergroup", reply_to=int(card.delivered_ref),
                  thread_id=int(card.delivered_thread) if card.delivered_thread else None, first_name="Olga",
                  **media)


async def test_round_trip_with_attachments_both_ways_and_csat(services, vk, tg, t, dispatcher):
    await become_partner(services, vk)  # not approved yet: support is still reachable
    await vk.send(USER, "/support", lang_id=LANG_EN)
    assert vk.texts(USER)[-1] == t("en", "sup-ask")
    assert vk.buttons(USER) == ["sup:cancel"]

    # The question with a photo → the ticket; the staff group gets the card in a new topic, the photo by URL.
    await vk.send(USER, "Where is my payout?", lang_id=LANG_EN, attachments=[PHOTO])
    assert vk.texts(USER)[-1] == t("en", "sup-created", id=1)
    [ticket] = await rows(services, Ticket)
    assert (ticket.messenger, ticket.chat_id, ticket.status) == ("vk", str(USER), "open")
    assert await dispatcher.dispatch_once() == 1
    [topic] = tg.session.of("createForumTopic")
    assert topic.method.chat_id == STAFF_CHAT and topic.method.name == "#1 Ivan Petrov"
    [card] = sent_to(tg, STAFF_CHAT)
    assert card.message_thread_id == 77 and "Where is my payout?" in card.text
    assert "vk:111" in card.text and "Ivan Petrov" in card.text
    assert [b.callback_data for b in card.reply_markup.inline_keyboard[0]] == ["sup:reply:1", "sup:take:1", "sup:close:1"]
    [photo] = sent_to(tg, STAFF_CHAT, "sendPhoto")
    assert photo.photo == BIG_PHOTO_URL  # the largest size, not the last one listed
    assert photo.message_thread_id == 77
    row = await card_row(services)
    assert row.delivered_thread == "77"
    [first] = await rows(services, TicketMessage)
    assert first.attachments == [{"kind": "photo", "origin": "vk", "ref": "photo111_457239017_a1b2c3",
                                  "name": None, "url": BIG_PHOTO_URL}]

    # Someone without the support role replying to the card is ignored.
    await tg.send(OUTSIDER, "I can answer that", chat_id=STAFF_CHAT, chat_type="supergroup",
                  reply_to=int(row.delivered_ref), thread_id=77)
    assert len(await rows(services, TicketMessage)) == 1

    # Staff answer by replying to the card with a photo: VK gets the text with the photo uploaded to VK.
    tg.clear()
    vk.clear()
    await staff_reply(tg, row, "Payouts go out on Mondays.", photo=True)
    assert sent_to(tg, STAFF_CHAT) == []  # no noise in the staff chat
    assert await dispatcher.dispatch_once() == 1
    [get_file] = tg.session.of("getFile")
    assert get_file.method.file_id == f"photo-{SUPPORT}"
    [download] = tg.session.downloads
    assert "/file/bot42:TEST-TOKEN/photos/" in download
    [server] = vk.vk.calls_of("photos.getMessagesUploadServer")
    assert server.params["peer_id"] == str(USER)
    [upload] = vk.vk.uploads
    assert (upload.kind, upload.field, upload.peer_id) == ("photo", "photo", USER)
    assert upload.content == tg.session.content_of(f"photo-{SUPPORT}")
    [save] = vk.vk.calls_of("photos.saveMessagesPhoto")
    assert save.params["photo"] == upload.token and save.params["server"] and save.params["hash"]
    [answer] = vk.vk.sent
    assert answer.peer_id == USER
    assert answer.message == t("en", "sup-answer", id=1, text="Payouts go out on Mondays.")
    assert answer.attachment == f"photo-{GROUP}_500_pk500"
    assert vk.vk.uploaded(answer.attachment) is upload
    assert vk.buttons(USER) == ["sup:close:1"]  # the partner may close it from the answer
    [out] = await rows(services, OutboxMessage, OutboxMessage.kind == "support_answer")
    assert (out.status, out.attempts) == ("sent", 1)
    assert answer.random_id == out.id  # VK drops a repeat of this send
    [ticket] = await rows(services, Ticket)
    assert ticket.status == "answered" and ticket.first_response_at and ticket.assignee_name == "Olga"

    # The partner's follow-up with a VK document joins the same ticket, in the ticket's topic.
    tg.clear()
    vk.clear()
    await vk.send(USER, "Here is my invoice", lang_id=LANG_EN, attachments=[DOC])
    assert vk.texts(USER) == [t("en", "sup-forwarded", id=1)]
    assert await dispatcher.dispatch_once() == 1
    [follow_up] = sent_to(tg, STAFF_CHAT)
    assert follow_up.message_thread_id == 77 and "Here is my invoice" in follow_up.text and "(vk)" in follow_up.text
    [document] = sent_to(tg, STAFF_CHAT, "sendDocument")
    assert document.document == DOC_URL and document.message_thread_id == 77
    assert tg.session.of("createForumTopic") == []  # the ticket keeps its topic
    assert len(await rows(services, Ticket)) == 1
    [ticket] = await rows(services, Ticket)
    assert ticket.status == "open"

    # Staff close from the group → the partner is asked to rate, on VK, with callback buttons.
    tg.clear()
    vk.clear()
    await tg.press(OUTSIDER, "sup:close:1", chat_id=STAFF_CHAT)
    assert (await rows(services, Ticket))[0].status == "open"
    await tg.press(SUPPORT, "sup:close:1", chat_id=STAFF_CHAT)
    assert await dispatcher.dispatch_once() == 1
    rate = vk.last(USER)
    assert rate.text == t("en", "sup-closed-rate", id=1)
    assert rate.inline and rate.actions() == [f"sup:rate:1:{n}" for n in range(1, 6)]

    # Rating is a message_event: a snackbar, the rate message edited into thanks; a second rating is refused.
    await vk.press(USER, "sup:rate:1:5")
    assert vk.snackbars()[-1] == t("en", "sup-rated")
    thanks = vk.last(USER)
    assert (thanks.kind, thanks.text) == ("edit", t("en", "sup-thanks", score=5))
    assert thanks.conversation_message_id == rate.conversation_message_id
    await vk.press(USER, "sup:rate:1:1", conversation_message_id=rate.conversation_message_id)
    assert vk.snackbars()[-1] == t("en", "sup-already-rated")
    [ticket] = await rows(services, Ticket)
    assert (ticket.status, ticket.csat) == ("closed", 5)

    messages = await rows(services, TicketMessage)
    assert [(m.direction, m.author, m.text) for m in messages] == [
        ("in", "vk:111", "Where is my payout?"), ("out", "telegram:902", "Payouts go out on Mondays."),
        ("in", "vk:111", "Here is my invoice")]
    assert messages[1].attachments[0] == {"kind": "photo", "origin": "telegram", "ref": f"photo-{SUPPORT}",
                                          "name": None, "url": None}
    assert messages[2].attachments[0]["ref"] == "doc111_680000001_d4e5f6"
    assert [s.peer_id for s in vk.vk.sent] == [USER]  # nothing else reached VK


async def test_menu_support_for_approved_partner_and_staff_document(services, vk, tg, t, dispatcher):
    await become_partner(services, vk, approved=True)
    # The persistent menu's Support button: its payload, not its label, decides.
    await vk.send(USER, t("en", "menu-support"), lang_id=LANG_EN, payload={"a": "menu:support"})
    assert vk.texts(USER)[-1] == t("en", "sup-ask")

    # A document alone (no text) is a question too.
    await vk.send(USER, "", lang_id=LANG_EN, attachments=[DOC])
    assert vk.texts(USER)[-1] == t("en", "sup-created", id=1)
    await vk.send(USER, "/support", lang_id=LANG_EN)
    assert vk.texts(USER)[-1] == t("en", "sup-already-open", id=1)
    assert await dispatcher.dispatch_once() == 1
    [card] = sent_to(tg, STAFF_CHAT)
    assert "approved" in card.text
    [document] = sent_to(tg, STAFF_CHAT, "sendDocument")
    assert document.document == DOC_URL

    # Staff answer with a Telegram document: fetched from Telegram, uploaded to VK as a document with its name.
    vk.clear()
    tg.session.files["tg-doc-7"] = b"%PDF-1.4 terms"
    await staff_reply(tg, await card_row(services), "Our terms are attached.", document="tg-doc-7")
    assert await dispatcher.dispatch_once() == 1
    [server] = vk.vk.calls_of("docs.getMessagesUploadServer")
    assert server.params["peer_id"] == str(USER)
    [upload] = vk.vk.uploads
    assert (upload.kind, upload.field, upload.filename, upload.content) == ("doc", "file", "report.pdf",
                                                                           b"%PDF-1.4 terms")
    [save] = vk.vk.calls_of("docs.save")
    assert save.params["title"] == "report.pdf" and save.params["file"] == upload.token
    assert "peer_id" not in save.params  # an upload-server parameter only
    [answer] = vk.vk.sent
    assert answer.message == t("en", "sup-answer", id=1, text="Our terms are attached.")
    assert answer.attachment == f"doc-{GROUP}_500_dk500"
    assert vk.vk.uploaded(answer.attachment).title == "report.pdf"


@pytest.mark.parametrize(("method", "code", "delay"), [
    ("photos.getMessagesUploadServer", 6, 1),  # too many requests per second: VkNotifier's retry_after
    ("photos.saveMessagesPhoto", 10, 2),  # internal server error: the dispatcher's backoff
    ("messages.send", 9, 1),  # flood control after the photo is already uploaded
    ("telegram:getFile", 429, 2),  # Telegram's own flood control while fetching the file: its retry_after
])
async def test_vk_error_while_attaching_is_retried_without_duplicates(services, vk, tg, t, dispatcher, clock,
                                                                      method, code, delay):
    await become_partner(services, vk)
    await vk.send(USER, "/support", lang_id=LANG_EN)
    await vk.send(USER, "Where is my payout?", lang_id=LANG_EN)
    assert await dispatcher.dispatch_once() == 1
    vk.clear()
    await staff_reply(tg, await card_row(services), "See the screenshot.", photo=True)

    if method.startswith("telegram:"):
        tg.session.fail(method.split(":")[1], code, f"Too Many Requests: retry after {delay}", retry_after=delay)
    else:
        vk.vk.fail_next(method, code=code, msg="Temporary failure")
    assert await dispatcher.dispatch_once() == 1
    assert vk.vk.sent == []
    [row] = await rows(services, OutboxMessage, OutboxMessage.kind == "support_answer")
    assert (row.status, row.attempts) == ("pending", 1)
    assert (f"Retry in {delay} seconds" if method.startswith("telegram:") else f"[{code}]") in row.last_error
    assert row.next_attempt_at == clock.now() + timedelta(seconds=delay)
    assert await dispatcher.dispatch_once() == 0  # not due yet

    clock.advance(seconds=delay)
    assert await dispatcher.dispatch_once() == 1
    [answer] = vk.vk.sent  # exactly one message for the partner
    assert answer.message == t("en", "sup-answer", id=1, text="See the screenshot.")
    assert answer.random_id == row.id
    assert answer.attachment and answer.attachment.startswith(f"photo-{GROUP}_")
    assert vk.vk.uploaded(answer.attachment).content == tg.session.content_of(f"photo-{SUPPORT}")
    [row] = await rows(services, OutboxMessage, OutboxMessage.kind == "support_answer")
    assert (row.status, row.attempts) == ("sent", 2)
    clock.advance(minutes=10)
    assert await dispatcher.dispatch_once() == 0
    assert len(vk.vk.sent) == 1


@pytest.mark.parametrize(("method", "status", "description", "extra"), [
    # Telegram fetches URLs itself and sends documents by URL only as PDF/ZIP/GIF: a VK .docx is refused…
    ("sendDocument", 400, "Bad Request: wrong type of the web page content", {}),
    # …and a busy staff group can rate-limit the attachment right after the card went out.
    ("sendPhoto", 429, "Too Many Requests: retry after 3", {"retry_after": 3}),
])
async def test_card_attachment_refused_by_telegram_keeps_the_ticket_reachable(services, vk, tg, t, dispatcher,
                                                                              clock, method, status, description,
                                                                              extra):
    """The card text is already in the group when Telegram refuses the attachment that follows it: the row must
    not fail (staff replies to the card would lead nowhere) nor be retried (a second topic and a second card)."""
    await become_partner(services, vk)
    await vk.send(USER, "/support", lang_id=LANG_EN)
    media = PHOTO if method == "sendPhoto" else {"type": "doc", "doc": {**DOC["doc"], "title": "contract.docx",
                                                                         "ext": "docx"}}
    await vk.send(USER, "Please check this", lang_id=LANG_EN, attachments=[media])
    tg.session.fail(method, status, description, **extra)
    await dispatcher.dispatch_once()
    clock.advance(minutes=5)
    await dispatcher.dispatch_once()
    assert len(tg.session.of("createForumTopic")) == 1
    assert len(tg.session.of(method)) == 1  # tried once, not again with the whole card
    card, link = sent_to(tg, STAFF_CHAT)  # the card once, however the attachment fared
    assert "Please check this" in card.text
    row = await card_row(services)
    assert row.delivered_thread == "77" and row.attempts == 1
    # What Telegram would not take is still there for staff to open: its link, in the ticket's topic.
    assert link.text == ("📎 " + BIG_PHOTO_URL if method == "sendPhoto" else f"📎 contract.docx {DOC_URL}")
    assert link.message_thread_id == 77 and link.reply_to_message_id == int(row.delivered_ref)

    # Staff can answer the ticket.
    vk.clear()
    await staff_reply(tg, row, "Got it, checking.")
    await dispatcher.dispatch_once()
    assert [s.message for s in vk.vk.sent] == [t("en", "sup-answer", id=1, text="Got it, checking.")]


@pytest.mark.parametrize("problem", ["too_big_for_bot_api", "refused_by_vk_upload_server"])
async def test_unusable_staff_attachment_does_not_swallow_the_answer(services, vk, tg, t, dispatcher, clock,
                                                                      problem):
    """Telegram lets bots download files up to 20 MB only, and VK's upload server refuses some files: the answer's
    text must still reach the partner (now, not after ten retries) — with the files that did work."""
    await become_partner(services, vk)
    await vk.send(USER, "/support", lang_id=LANG_EN)
    await vk.send(USER, "Where is my payout?", lang_id=LANG_EN)
    assert await dispatcher.dispatch_once() == 1
    vk.clear()
    if problem == "too_big_for_bot_api":
        tg.session.fail("getFile", 400, "Bad Request: file is too big")
    else:
        tg.session.files[f"photo-{SUPPORT}"] = b""  # VK's upload server answers {"error": "ERR_UPLOAD_…"}
    await staff_reply(tg, await card_row(services), "Payouts go out on Mondays.", photo=True)
    assert await dispatcher.dispatch_once() == 1
    [answer] = vk.vk.sent
    assert answer.message == t("en", "sup-answer", id=1, text="Payouts go out on Mondays.")
    assert answer.attachment is None
    [row] = await rows(services, OutboxMessage, OutboxMessage.kind == "support_answer")
    assert (row.status, row.attempts) == ("sent", 1)
    clock.advance(hours=1)
    assert await dispatcher.dispatch_once() == 0
    assert len(vk.vk.sent) == 1


async def test_partner_closes_from_the_answer_on_vk(services, vk, tg, t, dispatcher):
    await become_partner(services, vk)
    await vk.send(USER, "/support", lang_id=LANG_EN)
    await vk.send(USER, "Where is my payout?", lang_id=LANG_EN)
    await dispatcher.dispatch_once()
    row = await card_row(services)
    await staff_reply(tg, row, "Payouts go out on Mondays.")
    await dispatcher.dispatch_once()
    assert vk.buttons(USER) == ["sup:close:1"]

    tg.clear()
    await vk.press(USER, "sup:close:1")
    assert vk.snackbars()[-1] == t("en", "sup-closed")
    rate = vk.last(USER)
    assert rate.text == t("en", "sup-closed-rate", id=1) and rate.kind == "send"
    assert rate.actions() == [f"sup:rate:1:{n}" for n in range(1, 6)]
    await vk.press(USER, "sup:close:1")  # the old button again
    assert vk.snackbars()[-1] == t("en", "sup-already-closed")
    await dispatcher.dispatch_once()
    [note] = sent_to(tg, STAFF_CHAT)  # staff learn it in the ticket's topic
    assert note.message_thread_id == 77
    assert note.text == t(services.deps.config.default_locale, "sup-staff-partner-closed", id=1)

    await vk.press(USER, "sup:rate:1:4", conversation_message_id=rate.conversation_message_id)
    [ticket] = await rows(services, Ticket)
    assert (ticket.status, ticket.csat) == ("closed", 4)

    # A new question opens a new ticket, with a topic of its own.
    await vk.send(USER, "/support", lang_id=LANG_EN)
    await vk.send(USER, "Another question", lang_id=LANG_EN)
    assert vk.texts(USER)[-1] == t("en", "sup-created", id=2)
    await dispatcher.dispatch_once()
    assert [c.method.name for c in tg.session.of("createForumTopic")] == ["#2 Ivan Petrov"]


async def test_reply_to_the_cards_photo_in_a_group_without_topics(services, vk, tg, t, dispatcher):
    tg.session.fail("createForumTopic", 400, "Bad Request: the chat is not a forum")
    await become_partner(services, vk)
    await vk.send(USER, "/support", lang_id=LANG_EN)
    await vk.send(USER, "What is wrong here?", lang_id=LANG_EN, attachments=[PHOTO])
    assert await dispatcher.dispatch_once() == 1
    row = await card_row(services)
    assert row.delivered_thread is None
    names = [c.name for c in tg.session.calls]
    assert names[-2:] == ["sendMessage", "sendPhoto"]  # the photo is the very next message: id card + 1
    photo_id = int(row.delivered_ref) + 1

    vk.clear()
    await tg.send(SUPPORT, "The link has a typo.", chat_id=STAFF_CHAT, chat_type="supergroup", reply_to=photo_id,
                  first_name="Olga")
    await dispatcher.dispatch_once()
    assert [s.message for s in vk.vk.sent] == [t("en", "sup-answer", id=1, text="The link has a typo.")]
