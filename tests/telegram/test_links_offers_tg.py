"""Offers admin, partner links and settings through the real Telegram Dispatcher."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from services.db.models import Partner
from services.db.tracking_models import NotificationMute, Offer, TrackingLink
from services.offers.service import ensure_default_offer
from tests.fakes.builders import approved_partner
from tests.fakes.tg_harness import TelegramHarness

PARTNER = 111
MANAGER = 900


@pytest.fixture
def tg(services) -> TelegramHarness:
    return TelegramHarness(services)


async def all_rows(services, model, *where):
    async with services.deps.uow() as uow:
        return (await uow.session.scalars(select(model).where(*where))).all()


async def test_manager_creates_edits_and_pauses_offer(services, tg):
    await tg.send(MANAGER, "/admin")
    # The staff menu grows with each area; its first entries and a few others are pinned, not the whole list.
    menu = tg.buttons(MANAGER)
    assert menu[:4] == ["adm:offers", "adm:review", "mta:home", "pam:list"]
    assert {"fqa:home", "kpi:v:7d:0", "adj:home", "bon:home"} <= set(menu) and "adm:staff" not in menu
    await tg.press(MANAGER, "adm:offer:new")
    await tg.send(MANAGER, "Shop X")
    await tg.send(MANAGER, "javascript:alert(1)")
    assert "http:// или https://" in tg.texts(MANAGER)[-2]
    await tg.send(MANAGER, "https://shop.example.com/landing?src=aff")
    await tg.press(MANAGER, "fm:0")  # CPA
    await tg.send(MANAGER, "-5")
    await tg.send(MANAGER, "1 500,50")
    await tg.press(MANAGER, "fm:1")  # USD
    await tg.press(MANAGER, "fm:=")  # hold 30
    await tg.send(MANAGER, "45")  # window
    await tg.press(MANAGER, "fm:=")  # l2 5 %
    [offer] = await all_rows(services, Offer)
    assert (offer.name, offer.payout_model, offer.cpa_amount, offer.currency, offer.hold_days,
            offer.attribution_days, offer.l2_percent) == ("Shop X", "cpa", Decimal("1500.50"), "USD", 30, 45,
                                                          Decimal("5"))
    assert "CPA 1500.50 USD" in tg.texts(MANAGER)[-1]

    await tg.press(MANAGER, f"adm:oe:{offer.id}:hold_days")
    await tg.send(MANAGER, "400")
    assert "от 0 до 365" in tg.texts(MANAGER)[-2]
    await tg.send(MANAGER, "14")
    await tg.press(MANAGER, f"adm:op:{offer.id}")
    [offer] = await all_rows(services, Offer)
    assert offer.hold_days == 14 and offer.status == "paused"


async def test_partner_cannot_use_admin(services, tg):
    await approved_partner(services, tg)
    await tg.send(PARTNER, "/admin")
    assert "permission" in tg.texts(PARTNER)[-1]
    await tg.press(PARTNER, "adm:offer:new")
    await tg.press(PARTNER, "adm:op:1")
    assert tg.toasts()[-2:] == ["⛔ You don't have permission for this action."] * 2


async def test_partner_links_named_rename_archive(services, tg):
    await ensure_default_offer(services.deps, "https://shop.example.com", "Shop")
    await approved_partner(services, tg)
    await tg.send(PARTNER, "🔗 Links")  # the persistent menu button's text
    home = tg.texts(PARTNER)[-1]
    [default] = await all_rows(services, TrackingLink)
    assert f"https://partners.example.com/r/{default.code}" in home and default.is_default
    await tg.send(PARTNER, "/link")
    assert len(await all_rows(services, TrackingLink)) == 1  # the default link is not created twice

    await tg.press(PARTNER, "lnk:new")
    await tg.send(PARTNER, "Pinned post")
    await tg.send(PARTNER, "tg_channel бад")
    assert "one to five labels" in tg.texts(PARTNER)[-2]
    await tg.send(PARTNER, "tg_channel post_42")
    named = (await all_rows(services, TrackingLink, TrackingLink.is_default.is_(False)))[0]
    assert (named.name, named.sub1, named.sub2) == ("Pinned post", "tg_channel", "post_42")
    assert "sub1=tg_channel, sub2=post_42" in tg.texts(PARTNER)[-1]

    await tg.press(PARTNER, f"lnk:ren:{named.id}")
    await tg.send(PARTNER, "Pinned")
    await tg.press(PARTNER, f"lnk:arc:{named.id}")
    await tg.press(PARTNER, f"lnk:arc:{named.id}")  # double tap
    named = (await all_rows(services, TrackingLink, TrackingLink.id == named.id))[0]
    assert named.name == "Pinned" and named.archived_at is not None
    assert tg.toasts()[-1] == "This button is outdated."

    # Someone else's link id is refused.
    await approved_partner(services, tg, 222)
    await tg.press(222, f"lnk:{default.id}")
    assert tg.toasts()[-1] == "This button is outdated."


async def test_recruit_link_and_mutes(services, tg):
    services.deps.config = type(services.deps.config)(telegram_bot_username="partner_bot", vk_group_id=77)
    await approved_partner(services, tg)
    [partner] = await all_rows(services, Partner)
    await tg.press(PARTNER, "lnk:recruit")
    text = tg.texts(PARTNER)[-1]
    assert f"https://t.me/partner_bot?start={partner.ref_code}" in text
    assert f"https://vk.me/club77?ref={partner.ref_code}" in text

    await tg.press(PARTNER, "set:mute")
    assert "set:mute:conversion:1" in tg.buttons(PARTNER)
    await tg.press(PARTNER, "set:mute:conversion:1")
    await tg.press(PARTNER, "set:mute:conversion:1")  # double tap stays muted
    assert [m.kind for m in await all_rows(services, NotificationMute)] == ["conversion"]
    assert "set:mute:conversion:0" in tg.buttons(PARTNER)
    await tg.press(PARTNER, "set:mute:conversion:0")
    assert await all_rows(services, NotificationMute) == []


async def test_settings_language_and_timezone(services, tg):
    await approved_partner(services, tg)
    await tg.send(PARTNER, "⚙️ Settings")
    assert tg.buttons(PARTNER) == ["set:lang", "set:tz", "set:mute", "set:pay", "set:linkacc"]
    await tg.press(PARTNER, "set:lang:ru")
    assert tg.last(PARTNER).reply_markup.keyboard[0][0].text == "🔗 Ссылки"
    await tg.press(PARTNER, "set:tz:Asia/Yekaterinburg")
    await tg.press(PARTNER, "set:tz:Mars/Olympus")
    [partner] = await all_rows(services, Partner)
    assert partner.locale == "ru" and partner.timezone == "Asia/Yekaterinburg"
    assert tg.toasts()[-1] == "Эта кнопка устарела."


async def test_default_offer_is_kept_by_key_when_its_url_is_edited_in_the_bot(services, tg):
    offer_id = await ensure_default_offer(services.deps, "https://shop.example.com", "Shop")
    await tg.press(MANAGER, f"adm:oe:{offer_id}:target_url")
    await tg.send(MANAGER, "https://shop.example.com/new-landing")
    # The next start, OFFER_URL unchanged in .env: the edited offer is still the default one, no second offer.
    assert await ensure_default_offer(services.deps, "https://shop.example.com", "Shop") == offer_id
    [offer] = await all_rows(services, Offer)
    assert (offer.key, offer.target_url) == ("default", "https://shop.example.com/new-landing")


async def test_an_install_from_before_the_key_adopts_its_default_offer(services):
    """Offers made before migration 0005 have no key: the first start keys the one the old URL lookup found."""
    async with services.deps.uow() as uow:
        for name in ("Manager's", "Default", "Later copy"):
            uow.session.add(Offer(name=name, target_url="https://shop.example.com" if name != "Manager's"
                                  else "https://other.example.com", payout_model="revshare", currency="RUB",
                                  hold_days=30, attribution_days=30, l2_percent=Decimal("5"), status="active",
                                  created_at=services.deps.clock.now()))
            await uow.session.flush()
        await uow.commit()
    offer_id = await ensure_default_offer(services.deps, "https://shop.example.com", "Shop")
    offers = {o.name: o for o in await all_rows(services, Offer)}
    assert len(offers) == 3 and offers["Default"].id == offer_id and offers["Default"].key == "default"
    assert offers["Manager's"].key is None and offers["Later copy"].key is None
