"""/admin → Review through Telegram: flagged conversions cleared or rejected once, by managers only."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from services.db.tracking_models import Conversion
from tests.fakes.tg_harness import TelegramHarness
from tests.fakes.builders import PARTNER, add_sale, partner_id  # noqa: F401  (fixture)

MANAGER, OTHER_MANAGER = 900, 901


async def flag_all(services) -> list[int]:
    async with services.deps.uow() as uow:
        conversions = (await uow.session.scalars(select(Conversion).order_by(Conversion.id))).all()
        for conversion in conversions:
            conversion.flags, conversion.review = "fast", "pending"
        await uow.commit()
        return [c.id for c in conversions]


async def test_manager_clears_and_rejects(services, partner_id):  # noqa: F811
    await add_sale(services, partner_id, "1000.00")
    await add_sale(services, partner_id, "2000.00")
    first, second = await flag_all(services)
    tg = TelegramHarness(services)

    await tg.press(PARTNER, "adm:review")
    assert "прав" in tg.toasts()[-1] or "permission" in tg.toasts()[-1]

    await tg.press(MANAGER, "adm:review")
    assert "Конверсий на проверке: 2" in tg.last(MANAGER).text and "fast" in tg.last(MANAGER).text
    assert tg.buttons(MANAGER) == [f"adm:rvc:{first}", f"adm:rvr:{first}", f"adm:rvc:{second}", f"adm:rvr:{second}"]
    await tg.press(MANAGER, f"adm:rvc:{first}")
    await tg.press(OTHER_MANAGER, f"adm:rvr:{first}")
    assert "уже решил кто-то другой" in tg.toasts()[-1]
    await tg.press(MANAGER, f"adm:rvr:{second}")
    async with services.deps.uow() as uow:
        rows = (await uow.session.scalars(select(Conversion).order_by(Conversion.id))).all()
    assert [(c.review, c.status) for c in rows] == [("cleared", "approved"), ("rejected", "rejected")]
    assert [c.reviewed_by for c in rows] == [f"telegram:{MANAGER}"] * 2 and rows[0].reviewed_at is not None
    assert rows[1].commission == Decimal("600.0000")
    assert "Конверсий на проверке: 0" in tg.last(MANAGER).text
