"""Materials and promo codes on VK, as on Telegram: a manager's photo becomes a banner (downloaded from its URL),
a partner gets it with their link, uploaded to VK once and re-sent by attachment id after; the QR banner is
uploaded once and decodes back to the partner's link; a promo text carries the link and the promo code."""
from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select

from services.db.materials_models import Material, MaterialFile, PromoCode
from services.db.tracking_models import TrackingLink
from services.links.use_cases import tracking_url
from services.offers.service import ensure_default_offer
from tests.fakes.vk_harness import VkHarness

PARTNER, MANAGER = 111, 800
EN = 3  # VK's lang_id for English


@pytest.fixture
async def vk(services) -> AsyncIterator[VkHarness]:
    async with VkHarness(services) as harness:
        harness.vk.users[PARTNER] = {"first_name": "Ivan", "last_name": "Petrov"}
        yield harness


async def rows(services, model, *where):
    async with services.deps.uow() as uow:
        return list((await uow.session.scalars(select(model).where(*where).order_by(*model.__table__.primary_key))).all())


async def vk_partner(services, vk: VkHarness, user: int = PARTNER) -> int:
    await vk.send(user, "Start", lang_id=EN)
    async with services.deps.uow() as uow:
        account = await uow.accounts.get("vk", str(user))
        await uow.partners.move_status(account.partner_id, ("new",), "approved")
        await uow.forms.clear("vk", str(user))
        await uow.commit()
        return account.partner_id


def picture() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1000, 600), (240, 180, 20)).save(out, "PNG")
    return out.getvalue()


async def test_banner_and_qr_banner_are_uploaded_to_vk_once_and_reused(services, vk):
    offer_id = await ensure_default_offer(services.deps, "https://shop.example.com", "Shop")
    await vk_partner(services, vk)
    await vk.press(MANAGER, f"mta:new:{offer_id}:banner")
    await vk.send(MANAGER, "VK banner", lang_id=EN, attachments=[vk.vk.photo_attachment("banner.png", picture())])
    [banner] = await rows(services, Material)
    assert (banner.title, banner.width, banner.height, banner.image_format) == ("VK banner", 1000, 600, "PNG")
    assert vk.vk.sent[-1].attachment and "1000×600 PNG" in (vk.vk.sent[-1].message or "")
    assert len(vk.vk.uploads) == 1  # the manager's preview: uploaded by the community, remembered
    [ref] = await rows(services, MaterialFile)
    assert ref.messenger == "vk" and vk.vk.sent[-1].attachment == ref.ref
    await vk.press(MANAGER, f"mta:pub:{banner.id}")

    await vk.send(PARTNER, "🖼 Materials", payload={"a": "menu:materials"}, lang_id=EN)
    assert vk.buttons(PARTNER) == [f"mat:m:{banner.id}:0", f"prm:get:{offer_id}"]
    await vk.press(PARTNER, f"mat:m:{banner.id}:0")
    [link] = await rows(services, TrackingLink)
    url = tracking_url(services.deps, link.code)
    content, controls = vk.vk.sent[-2:]
    assert content.attachment == ref.ref and content.message == f"VK banner\n{url}"  # re-sent by id
    assert len(vk.vk.uploads) == 1
    assert controls.message and f"Link: {url}" in controls.message

    await vk.press(PARTNER, f"mat:qr:{banner.id}:{link.id}")
    qr = vk.vk.sent[-1]
    upload = vk.vk.uploaded(qr.attachment)
    assert upload.peer_id == PARTNER and len(vk.vk.uploads) == 2
    image = Image.open(io.BytesIO(upload.content))
    assert [found.text for found in zxingcpp.read_barcodes(image)] == [url]
    await vk.press(PARTNER, f"mat:qr:{banner.id}:{link.id}")
    assert vk.vk.sent[-1].attachment == qr.attachment and len(vk.vk.uploads) == 2


async def test_promo_text_and_promo_code_on_vk(services, vk):
    offer_id = await ensure_default_offer(services.deps, "https://shop.example.com", "Shop")
    partner_id = await vk_partner(services, vk)
    await vk.press(MANAGER, f"mta:new:{offer_id}:text")
    await vk.send(MANAGER, "Story text", lang_id=EN)
    await vk.send(MANAGER, "Code {promo} gives 10% off: {link}", lang_id=EN)
    [text] = await rows(services, Material)
    await vk.press(MANAGER, f"mta:pub:{text.id}")

    await vk.press(PARTNER, f"prm:get:{offer_id}")
    [code] = await rows(services, PromoCode)
    assert (code.partner_id, code.code[:4], code.source) == (partner_id, "IVAN", "request")
    assert code.code in (vk.last(PARTNER).text or "")
    await vk.press(PARTNER, f"mat:m:{text.id}:0")
    [link] = await rows(services, TrackingLink)
    assert vk.vk.sent[-2].message == f"Code {code.code} gives 10% off: {tracking_url(services.deps, link.code)}"
