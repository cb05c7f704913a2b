"""Partner links: a default tracking link per offer, named links with sub-ids, and the recruit link."""
from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from services.kernel import validation
from services.kernel.actions import ID, ActionTable
from services.kernel.codes import new_code
from services.db.models import Partner
from services.db.tracking_models import Click, Offer, TrackingLink
from services.db.uow import UnitOfWork
from services.kernel.deps import Deps
from services.kernel.dto import Button, Incoming, Reply, Screen, Toast
from services.kernel.forms import Field, Form, FormRunner

LINK_CODE_LENGTH = 8  # 62^8 ≈ 2·10^14 codes: short in a post, hopeless to enumerate
MAX_NAMED_LINKS = 50

_link_name = partial(validation.text_length, max_len=32, min_len=1)


def tracking_url(deps: Deps, code: str) -> str:
    return f"{deps.config.public_base_url.rstrip('/')}/r/{code}"


def recruit_links(deps: Deps, ref_code: str) -> dict[str, str]:
    links = {}
    if deps.config.telegram_bot_username:
        links["telegram"] = f"https://t.me/{deps.config.telegram_bot_username}?start={ref_code}"
    if deps.config.vk_group_id:
        links["vk"] = f"https://vk.me/club{deps.config.vk_group_id}?ref={ref_code}"
    return links


class LinksService:
    def __init__(self, deps: Deps, forms: FormRunner) -> None:
        self.deps = deps
        self.forms = forms
        forms.register(Form("link_new", [
            Field("name", "link-ask-name", _link_name),
            Field("subs", "link-ask-subs", validation.sub_ids, default="—"),
        ], self._create))
        forms.register(Form("link_rename", [Field("name", "link-ask-name", _link_name)], self._rename))
        self.on_action = ActionTable()  # lnk:…
        self.on_action.add(r"lnk:home", lambda inc: self.home(inc, edit=True))
        self.on_action.add(r"lnk:new", self.start_new)
        self.on_action.add(rf"lnk:new:{ID}", self.start_new)
        self.on_action.add(r"lnk:recruit", self.recruit)
        self.on_action.add(rf"lnk:ren:{ID}", self.start_rename)
        self.on_action.add(rf"lnk:arc:{ID}", self.archive)
        self.on_action.add(rf"lnk:{ID}", self.show)

    async def _partner(self, uow: UnitOfWork, inc: Incoming) -> Partner | None:
        account = await uow.accounts.get(inc.messenger, inc.user_id)
        partner = await uow.partners.get(account.partner_id) if account else None
        return partner if partner is not None and partner.status == "approved" else None

    async def _new_link(self, uow: UnitOfWork, **values: Any) -> TrackingLink:
        for _ in range(5):
            try:
                async with uow.session.begin_nested():
                    link = TrackingLink(code=new_code(LINK_CODE_LENGTH), created_at=self.deps.clock.now(), **values)
                    uow.session.add(link)
                    await uow.session.flush()
                return link
            except IntegrityError:  # a code collision: retry with another
                continue
        raise RuntimeError("could not allocate a link code")

    async def default_links(self, uow: UnitOfWork, partner: Partner) -> list[tuple[Offer, TrackingLink]]:
        """The partner's default link for every active offer, created on first need."""
        offers = (await uow.session.scalars(select(Offer).where(Offer.status == "active").order_by(Offer.id))).all()
        existing = {
            link.offer_id: link for link in (await uow.session.scalars(select(TrackingLink).where(
                TrackingLink.partner_id == partner.id, TrackingLink.is_default.is_(True),
                TrackingLink.archived_at.is_(None)))).all()
        }
        result = []
        for offer in offers:
            link = existing.get(offer.id) or await self._new_link(
                uow, partner_id=partner.id, offer_id=offer.id, is_default=True)
            result.append((offer, link))
        return result

    async def home(self, inc: Incoming, *, edit: bool = False) -> Reply:
        async with self.deps.uow() as uow:
            partner = await self._partner(uow, inc)
            if partner is None:
                return Reply.of(Screen("err-approved-only"))
            defaults = await self.default_links(uow, partner)
            named = (await uow.session.scalars(select(TrackingLink).where(
                TrackingLink.partner_id == partner.id, TrackingLink.is_default.is_(False),
                TrackingLink.archived_at.is_(None)).order_by(TrackingLink.id).limit(MAX_NAMED_LINKS))).all()
            await uow.commit()
        if not defaults:
            return Reply.of(Screen("links-no-offers"))
        listing = "\n\n".join(f"{offer.name}\n{tracking_url(self.deps, link.code)}" for offer, link in defaults)
        rows = [(Button("link-item", f"lnk:{link.id}", {"name": link.name or link.code}),) for link in named[:8]]
        rows.append((Button("link-btn-new", "lnk:new"), Button("link-btn-recruit", "lnk:recruit")))
        return Reply.of(Screen("links-home", {"links": listing, "named": len(named)}, buttons=tuple(rows),
                               edit=edit))

    async def start_new(self, inc: Incoming, offer_id: int | None = None) -> Reply:
        async with self.deps.uow() as uow:
            partner = await self._partner(uow, inc)
            if partner is None:
                return Reply(toast=Toast("err-approved-only"))
            offers = (await uow.session.scalars(select(Offer).where(Offer.status == "active")
                                                .order_by(Offer.id))).all()
            if not offers:
                return Reply.of(Screen("links-no-offers"))
            count = await uow.session.scalar(select(func.count()).select_from(TrackingLink).where(
                TrackingLink.partner_id == partner.id, TrackingLink.archived_at.is_(None)))
            if (count or 0) >= MAX_NAMED_LINKS:
                return Reply.of(Screen("link-limit", {"max": MAX_NAMED_LINKS}))
            if offer_id is None and len(offers) > 1:
                rows = tuple((Button("link-offer-item", f"lnk:new:{o.id}", {"name": o.name}),) for o in offers[:9])
                return Reply.of(Screen("link-choose-offer", buttons=rows + ((Button("btn-back", "menu:links"),),)))
            chosen = offer_id if offer_id is not None else offers[0].id
            if chosen not in {o.id for o in offers}:
                return Reply(toast=Toast("err-stale-button"))
            reply = await self.forms.begin(uow, inc, "link_new", {"offer": chosen})
            await uow.commit()
        return reply

    async def _create(self, uow: UnitOfWork, inc: Incoming, data: dict[str, Any]) -> Reply:
        partner = await self._partner(uow, inc)
        offer = await uow.session.get(Offer, int(data["offer"]))
        if partner is None or offer is None or offer.status != "active":
            return Reply.of(Screen("err-stale-button"))
        subs = data.get("subs")
        subs = subs if isinstance(subs, list) else []
        values = {f"sub{i + 1}": value for i, value in enumerate(subs[:5])}
        link = await self._new_link(uow, partner_id=partner.id, offer_id=offer.id, is_default=False,
                                    name=data["name"], **values)
        return Reply.of(self._card(link, offer, clicks=0))

    def _card(self, link: TrackingLink, offer: Offer, clicks: int, edit: bool = False) -> Screen:
        subs = ", ".join(f"sub{i}={v}" for i in range(1, 6) if (v := getattr(link, f"sub{i}")))
        return Screen("link-card", {"name": link.name or link.code, "url": tracking_url(self.deps, link.code),
                                    "offer": offer.name, "subs": subs or "—", "clicks": clicks}, edit=edit,
                      buttons=((Button("link-btn-rename", f"lnk:ren:{link.id}"),
                                Button("link-btn-archive", f"lnk:arc:{link.id}")),
                               (Button("btn-back", "lnk:home"),)))

    async def _owned(self, uow: UnitOfWork, inc: Incoming, link_id: int) -> TrackingLink | None:
        partner = await self._partner(uow, inc)
        link = await uow.session.get(TrackingLink, link_id)
        if partner is None or link is None or link.partner_id != partner.id or link.archived_at is not None:
            return None  # someone else's link, forged data, or archived meanwhile
        return link

    async def show(self, inc: Incoming, link_id: int) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            link = await self._owned(uow, inc, link_id)
            if link is None:
                return Reply(toast=Toast("err-stale-button"))
            offer = await uow.session.get(Offer, link.offer_id)
            clicks = await uow.session.scalar(select(func.count()).select_from(Click).where(Click.link_id == link.id))
        assert offer is not None
        return Reply.of(self._card(link, offer, clicks or 0, edit=True))

    async def start_rename(self, inc: Incoming, link_id: int) -> Reply:
        async with self.deps.uow() as uow:
            link = await self._owned(uow, inc, link_id)
            if link is None or link.is_default:
                return Reply(toast=Toast("err-stale-button"))
            reply = await self.forms.begin(uow, inc, "link_rename", {"link": link_id, "name": link.name})
            await uow.commit()
        return reply

    async def _rename(self, uow: UnitOfWork, inc: Incoming, data: dict[str, Any]) -> Reply:
        link = await self._owned(uow, inc, int(data["link"]))
        if link is None:
            return Reply.of(Screen("err-stale-button"))
        link.name = data["name"]
        offer = await uow.session.get(Offer, link.offer_id)
        assert offer is not None
        return Reply(screens=[self._card(link, offer, clicks=0)], toast=Toast("settings-saved"))

    async def archive(self, inc: Incoming, link_id: int) -> Reply:
        async with self.deps.uow() as uow:
            link = await self._owned(uow, inc, link_id)
            if link is None or link.is_default:
                return Reply(toast=Toast("err-stale-button"))
            await uow.session.execute(update(TrackingLink).where(
                TrackingLink.id == link_id, TrackingLink.archived_at.is_(None)).values(archived_at=self.deps.clock.now()))
            await uow.commit()
        self.deps.invalidate_links(link.code)
        reply = await self.home(inc, edit=True)
        reply.toast = Toast("link-archived")
        return reply

    async def recruit(self, inc: Incoming) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            partner = await self._partner(uow, inc)
            if partner is None:
                return Reply(toast=Toast("err-approved-only"))
            subpartners = await uow.session.scalar(select(func.count()).select_from(Partner).where(
                Partner.parent_id == partner.id))
        links = recruit_links(self.deps, partner.ref_code)
        listing = "\n".join(links.values()) or partner.ref_code
        return Reply.of(Screen("link-recruit", {"links": listing, "code": partner.ref_code,
                                                "count": subpartners or 0},
                               buttons=((Button("btn-back", "lnk:home"),),)))

