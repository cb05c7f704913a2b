"""Materials and promo codes through the real Telegram Dispatcher: a manager adds a banner (a photo sent to the
bot), a promo text and a landing page, publishes them (partners who muted new materials are not told); a partner
takes them ready to forward — the banner by the manager's file_id, the personal QR banner uploaded once and
decoding back to their link, links per placement reused — and managers set, revoke and reuse promo codes."""
from __future__ import annotations

import io

import pytest
import zxingcpp
from aiogram.types import BufferedInputFile
from PIL import Image
from sqlalchemy import select

from services.db.materials_models import Material, MaterialFile, MaterialRender, PromoCode
from services.db.models import OutboxMessage
from services.db.tracking_models import TrackingLink
from services.links.use_cases import tracking_url
from services.offers.service import ensure_default_offer
from services.tracking.clicks import ClickRequest, ClickService
from tests.fakes.builders import approved_partner
from tests.fakes.tg_harness import TelegramHarness

PARTNER, MUTED, MANAGER = 111, 112, 900


def picture(size: tuple[int, int] = (1200, 628), fmt: str = "JPEG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, fmt)
    return out.getvalue()


@pytest.fixture
def tg(services) -> TelegramHarness:
    return TelegramHarness(services)


@pytest.fixture
async def offer_id(services) -> int:
    offer = await ensure_default_offer(services.deps, "https://shop.example.com", "Shop")
    assert offer is not None
    return offer


async def rows(services, model, *where):
    async with services.deps.uow() as uow:
        return list((await uow.session.scalars(select(model).where(*where))).all())


async def add_banner(services, tg: TelegramHarness, offer_id: int, caption: str = "Spring sale") -> Material:
    tg.session.files["photo-banner"] = picture()
    await tg.press(MANAGER, language_code="en", data=f"mta:new:{offer_id}:banner")
    await tg.send(MANAGER, language_code="en", text=caption, photo=True, photo_id="photo-banner")
    return (await rows(services, Material, Material.kind == "banner"))[-1]


def photos(tg: TelegramHarness) -> list:
    return [c.method for c in tg.session.of("sendPhoto")]


async def test_manager_adds_a_banner_and_publishing_tells_partners_who_did_not_mute(services, tg, offer_id):
    await approved_partner(services, tg, PARTNER)
    await approved_partner(services, tg, MUTED)
    await tg.press(MUTED, "set:mute:materials:1")

    await tg.send(MANAGER, language_code="en", text="/admin")
    assert "mta:home" in tg.buttons(MANAGER)
    await tg.press(MANAGER, language_code="en", data="mta:home")
    await tg.press(MANAGER, language_code="en", data=f"mta:o:{offer_id}:0")
    assert tg.buttons(MANAGER) == [f"mta:add:{offer_id}", f"prma:o:{offer_id}:0", "mta:ol:0"]
    await tg.press(MANAGER, language_code="en", data=f"mta:add:{offer_id}")
    await tg.press(MANAGER, language_code="en", data=f"mta:new:{offer_id}:banner")
    await tg.send(MANAGER, language_code="en", text="not a picture")
    assert "photo or an image file" in tg.texts(MANAGER)[-2]
    tg.session.files["photo-broken"] = b"not an image at all"
    await tg.send(MANAGER, language_code="en", text=None, photo=True, photo_id="photo-broken")
    assert "not a usable image" in tg.texts(MANAGER)[-2]
    banner = await add_banner(services, tg, offer_id)
    assert (banner.title, banner.status, banner.width, banner.height, banner.image_format) == (
        "Spring sale", "draft", 1200, 628, "JPEG")
    card = photos(tg)[-1]
    assert card.photo == "photo-banner" and "1200×628 JPEG" in card.caption  # the manager's own file, by id
    [ref] = await rows(services, MaterialFile)
    assert (ref.key, ref.messenger, ref.ref) == (f"banner:{banner.id}", "telegram", "photo-banner")

    await tg.press(PARTNER, "menu:materials")
    assert "no materials yet" in tg.texts(PARTNER)[-1]  # a draft is not shown to partners

    await tg.press(MANAGER, language_code="en", data=f"mta:pub:{banner.id}")
    assert tg.toasts()[-1] == "Published; partners notified: 1"
    await tg.press(MANAGER, language_code="en", data=f"mta:pub:{banner.id}")
    assert tg.toasts()[-1] == "Already published or archived"
    notices = await rows(services, OutboxMessage, OutboxMessage.kind == "materials")
    assert [n.chat_id for n in notices] == [str(PARTNER)]
    assert notices[0].screen["buttons"][0][0]["action"] == f"mat:m:{banner.id}:0"


async def test_partner_gets_the_banner_with_their_link_and_a_qr_banner_uploaded_once(services, tg, offer_id):
    await approved_partner(services, tg, PARTNER)
    banner = await add_banner(services, tg, offer_id)
    await tg.press(MANAGER, language_code="en", data=f"mta:pub:{banner.id}")

    await tg.send(PARTNER, "🖼 Materials")  # the persistent menu's button: one offer → its materials at once
    assert tg.buttons(PARTNER) == [f"mat:m:{banner.id}:0", f"prm:get:{offer_id}"]
    await tg.press(PARTNER, f"mat:m:{banner.id}:0")
    [default] = await rows(services, TrackingLink)
    url = tracking_url(services.deps, default.code)
    sent = photos(tg)[-1]
    assert sent.photo == "photo-banner" and sent.caption == f"Spring sale\n{url}" and sent.reply_markup is None
    assert tg.buttons(PARTNER) == [f"mat:qr:{banner.id}:{default.id}", f"mat:pl:{banner.id}",
                                   f"mat:o:{offer_id}:0"]
    assert tg.session.uploads == {}  # the plain banner is never uploaded again

    await tg.press(PARTNER, f"mat:qr:{banner.id}:{default.id}")
    qr = photos(tg)[-1]
    assert isinstance(qr.photo, BufferedInputFile) and url in qr.caption
    image = Image.open(io.BytesIO(qr.photo.data))
    assert image.size == (1200, 628)
    assert [found.text for found in zxingcpp.read_barcodes(image)] == [url]
    [file_id] = tg.session.uploads

    await tg.press(PARTNER, f"mat:qr:{banner.id}:{default.id}")
    assert photos(tg)[-1].photo == file_id and len(tg.session.uploads) == 1  # rendered and uploaded once
    assert len(await rows(services, MaterialRender)) == 1

    shown = len(photos(tg))
    await tg.press(PARTNER + 1, f"mat:qr:{banner.id}:{default.id}")  # not a partner: no one else's banner
    assert len(photos(tg)) == shown


async def test_placement_links_are_created_once_and_reused(services, tg, offer_id):
    await approved_partner(services, tg, PARTNER)
    banner = await add_banner(services, tg, offer_id)
    await tg.press(MANAGER, language_code="en", data=f"mta:pub:{banner.id}")
    await tg.press(PARTNER, f"mat:pl:{banner.id}")
    await tg.send(PARTNER, "tg channel!")
    assert "letters, digits" in tg.texts(PARTNER)[-2]
    await tg.send(PARTNER, "tg_channel")
    [link] = await rows(services, TrackingLink, TrackingLink.sub1 == "tg_channel")
    assert photos(tg)[-1].caption.endswith(tracking_url(services.deps, link.code))
    assert "Placement: tg_channel" in tg.texts(PARTNER)[-1]
    await tg.press(PARTNER, f"mat:pl:{banner.id}")
    await tg.send(PARTNER, "tg_channel")
    await tg.press(PARTNER, f"mat:pl:{banner.id}")
    await tg.send(PARTNER, "vk_post_42")
    subs = sorted(link.sub1 for link in await rows(services, TrackingLink, TrackingLink.is_default.is_(False)))
    assert subs == ["tg_channel", "vk_post_42"]  # one link per placement, however often it is asked for

    await tg.press(PARTNER, f"mat:qr:{banner.id}:{link.id}")  # the QR banner of the placement's link
    image = Image.open(io.BytesIO(photos(tg)[-1].photo.data))
    assert [found.text for found in zxingcpp.read_barcodes(image)] == [tracking_url(services.deps, link.code)]


async def test_promo_text_gets_link_and_promo_code_and_landing_page_links_land_there(services, tg, offer_id):
    await approved_partner(services, tg, PARTNER)
    await tg.press(MANAGER, language_code="en", data=f"mta:new:{offer_id}:text")
    await tg.send(MANAGER, language_code="en", text="Discount post")
    await tg.send(MANAGER, language_code="en", text="No placeholders in this one")
    assert "{link}" in tg.texts(MANAGER)[-2]
    await tg.send(MANAGER, language_code="en", text="Use {code} at {link}")
    assert "found: code" in tg.texts(MANAGER)[-2]
    await tg.send(MANAGER, language_code="en", text="Get 10% off with {promo}:\n{link}")
    [text] = await rows(services, Material, Material.kind == "text")
    await tg.press(MANAGER, language_code="en", data=f"mta:new:{offer_id}:landing")
    await tg.send(MANAGER, language_code="en", text="Spring landing")
    await tg.send(MANAGER, language_code="en", text="javascript:alert(1)")
    await tg.send(MANAGER, language_code="en", text="https://shop.example.com/spring")
    [landing] = await rows(services, Material, Material.kind == "landing")
    for material in (text, landing):
        await tg.press(MANAGER, language_code="en", data=f"mta:pub:{material.id}")

    await tg.press(PARTNER, f"mat:m:{text.id}:0")
    [code] = await rows(services, PromoCode)
    [default] = await rows(services, TrackingLink)
    assert code.code.startswith("IVAN") and len(code.code) == 6 and code.source == "request"
    assert tg.texts(PARTNER)[-2] == f"Get 10% off with {code.code}:\n{tracking_url(services.deps, default.code)}"
    await tg.press(PARTNER, f"prm:get:{offer_id}")
    assert code.code in tg.texts(PARTNER)[-1] and len(await rows(services, PromoCode)) == 1

    await tg.press(PARTNER, f"mat:m:{landing.id}:0")
    [own] = await rows(services, TrackingLink, TrackingLink.landing_url.is_not(None))
    assert tracking_url(services.deps, own.code) in tg.texts(PARTNER)[-2]
    clicks = ClickService(services.deps)
    target = await clicks.click(ClickRequest(own.code, "203.0.113.7", "Mozilla/5.0", record=False))
    assert target.url == "https://shop.example.com/spring"  # HEAD-like: no click id to carry
    target = await clicks.click(ClickRequest(default.code, "203.0.113.7", "Mozilla/5.0", record=False))
    assert target.url == "https://shop.example.com"


async def test_managers_set_revoke_and_reuse_promo_codes(services, tg, offer_id):
    first = await approved_partner(services, tg, PARTNER)
    second = await approved_partner(services, tg, MUTED)
    await tg.press(MANAGER, language_code="en", data=f"prma:set:{offer_id}")
    await tg.send(MANAGER, language_code="en", text=f"#{first}")
    await tg.send(MANAGER, language_code="en", text="иван-25")
    assert "Latin letters" in tg.texts(MANAGER)[-2]
    await tg.send(MANAGER, language_code="en", text="Иван25")  # transliterated, upper-cased
    [code] = await rows(services, PromoCode)
    assert (code.code, code.partner_id, code.status, code.source) == ("IVAN25", first, "active", "manager")
    notices = await rows(services, OutboxMessage, OutboxMessage.kind == "promo")
    assert [n.screen["text_key"] for n in notices] == ["promo-set-notice"]

    await tg.press(MANAGER, language_code="en", data=f"prma:set:{offer_id}")
    await tg.send(MANAGER, language_code="en", text=str(second))
    await tg.send(MANAGER, language_code="en", text="ivan25")
    assert "belongs to partner" in tg.texts(MANAGER)[-1]

    await tg.press(MANAGER, language_code="en", data=f"prma:o:{offer_id}:0")
    assert tg.buttons(MANAGER)[0] == f"prma:c:{code.id}"
    await tg.press(MANAGER, language_code="en", data=f"prma:c:{code.id}")
    await tg.press(MANAGER, language_code="en", data=f"prma:x:{code.id}")
    assert tg.toasts()[-1] == "Code IVAN25 revoked; the partner was told"
    await tg.press(PARTNER, f"prma:x:{code.id}")
    assert tg.toasts()[-1] == "⛔ You don't have permission for this action."

    await tg.press(MANAGER, language_code="en", data=f"prma:set:{offer_id}")
    await tg.send(MANAGER, language_code="en", text=str(second))
    await tg.send(MANAGER, language_code="en", text="IVAN25")
    assert "was revoked from partner" in tg.texts(MANAGER)[-1]
    assert tg.buttons(MANAGER)[0] == "prma:reuse"
    assert [c.partner_id for c in await rows(services, PromoCode, PromoCode.status == "active")] == []
    await tg.press(MANAGER, language_code="en", data="prma:reuse")
    [active] = await rows(services, PromoCode, PromoCode.status == "active")
    assert (active.code, active.partner_id) == ("IVAN25", second)
    await tg.press(MANAGER, language_code="en", data="prma:reuse")
    assert tg.toasts()[-1] == "This button is outdated."


async def test_approval_issues_a_promo_code_per_active_offer(services, tg, offer_id):
    from services.db.models import Application

    await tg.send(PARTNER, "/start", language_code="en", first_name="Пётр")
    async with services.deps.uow() as uow:
        account = await uow.accounts.get("telegram", str(PARTNER))
        await uow.partners.move_status(account.partner_id, ("new",), "applied")
        application = await uow.applications.add(Application(partner_id=account.partner_id, answers={},
                                                              created_at=services.deps.clock.now()))
        await uow.commit()
    await tg.press(MANAGER, language_code="en", data=f"app:ok:{application.id}")
    [code] = await rows(services, PromoCode)
    assert (code.partner_id, code.offer_id, code.source) == (account.partner_id, offer_id, "approval")
    assert code.code.startswith("PETR") and code.code[4:].isdigit()
