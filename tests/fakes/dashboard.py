"""Dashboard test helpers: partners with links, clicks and conversions written straight to the database, Telegram
launch data signed like Telegram does, and the real aiohttp app around a test container."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from sqlalchemy import select

from bot.config import Settings
from bot.container import Container
from services.app import Services
from services.dashboard.initdata import sign
from services.db.models import MessengerAccount, Partner
from services.db.tracking_models import Click, Conversion, Offer, TrackingLink
from services.kernel.deps import Deps

BOT_TOKEN = "42:TEST-TOKEN"


@dataclass
class Seeded:
    partner_id: int
    tg_user: int
    link_ids: list[int] = field(default_factory=list)
    link_names: list[str] = field(default_factory=list)


def init_data(user_id: int, auth_date: datetime, *, bot_token: str = BOT_TOKEN, language_code: str = "en",
              extra: dict[str, str] | None = None) -> str:
    """Launch data as a Telegram client passes it: URL-encoded fields and their hash."""
    fields = {"query_id": "AAHdF6IQAAAAAN0XohDhrOrc", "auth_date": str(int(auth_date.timestamp())),
              "user": json.dumps({"id": user_id, "first_name": "Ann", "language_code": language_code},
                                 separators=(",", ":")), **(extra or {})}
    return urlencode({**fields, "hash": sign(fields, bot_token)})


async def seed_partner(deps: Deps, tg_user: int, *, name: str, status: str = "approved", tz: str = "UTC",
                       locale: str = "en", links: tuple[str, ...] = ("Channel",), clicks_per_link: int = 3,
                       sales: tuple[tuple[str, str], ...] = (("approved", "100"),),
                       days_back: int = 2) -> Seeded:
    """A partner with a Telegram account, named links (sub1 = the link name, lowercased), clicks spread over the
    last `days_back` days, and conversions (status, commission) on the first link's clicks."""
    now = deps.clock.now()
    async with deps.uow() as uow:
        partner = Partner(status=status, locale=locale, timezone=tz, tier="certified", ref_code=f"ref{tg_user}",
                          name=name, created_at=now - timedelta(days=40))
        uow.session.add(partner)
        await uow.session.flush()
        uow.session.add(MessengerAccount(partner_id=partner.id, messenger="telegram", external_id=str(tg_user),
                                         chat_id=str(tg_user), first_name=name, created_at=now))
        offer = await uow.session.scalar(select(Offer).order_by(Offer.id).limit(1))
        if offer is None:
            offer = Offer(name="Shop", target_url="https://shop.example.com", payout_model="cpa",
                          cpa_amount=Decimal("100"), currency="RUB", hold_days=30, attribution_days=30,
                          l2_percent=Decimal("5"), status="active", created_at=now - timedelta(days=60))
            uow.session.add(offer)
            await uow.session.flush()
        seeded = Seeded(partner.id, tg_user)
        first_clicks: list[Click] = []
        for index, link_name in enumerate(links):
            link = TrackingLink(code=f"c{tg_user}x{index}", partner_id=partner.id, offer_id=offer.id,
                                name=link_name, is_default=False, sub1=link_name.lower(), created_at=now)
            uow.session.add(link)
            await uow.session.flush()
            seeded.link_ids.append(link.id)
            seeded.link_names.append(link_name)
            for n in range(clicks_per_link):
                click = Click(click_id=f"k{tg_user}x{index}x{n}", link_id=link.id, partner_id=partner.id,
                              offer_id=offer.id, created_at=now - timedelta(days=n % max(days_back, 1), minutes=5),
                              ip_hash=f"ip{n}", ua_hash="ua", is_unique=n % 3 != 2, sub1=link.sub1)
                uow.session.add(click)
                await uow.session.flush()
                if index == 0:
                    first_clicks.append(click)
        for n, (status_, commission) in enumerate(sales):
            click = first_clicks[n % len(first_clicks)]
            uow.session.add(Conversion(
                idempotency_key=f"t:{tg_user}:{n}", click_pk=click.id, link_id=click.link_id,
                partner_id=partner.id, offer_id=offer.id, goal="default", status=status_,
                sale_amount=Decimal(commission) * 10, commission=Decimal(commission), currency="RUB", payable=True,
                sub1=click.sub1, created_at=click.created_at + timedelta(minutes=1),
                updated_at=click.created_at + timedelta(minutes=1)))
        await uow.commit()
    return seeded


def container_for(deps: Deps, db_url: str, *, bot_token: str = BOT_TOKEN) -> Container:
    engine = deps.uow.session_factory.kw["bind"]  # type: ignore[attr-defined]
    settings = Settings(_env_file=None, database_url=db_url, telegram_bot_token=bot_token,
                        public_base_url=deps.config.public_base_url)
    return Container(settings=settings, engine=engine, deps=deps, services=Services(deps))
