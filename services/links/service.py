"""Partner links in the chat: the Links section, named links (a form), rename, archive, the recruit link."""
from __future__ import annotations

from functools import partial
from typing import Any

from services.db.tracking_models import TrackingLink
from services.db.uow import UnitOfWork
from services.kernel import validation
from services.kernel.actions import ActionTable
from services.kernel.deps import Deps
from services.kernel.dto import Incoming, Reply, Screen, Toast
from services.kernel.forms import Field, Form, FormRunner
from services.links import actions as act
from services.links import screens
from services.links import use_cases as links
from services.links.use_cases import recruit_links, tracking_url  # noqa: F401  (the area's public helpers)
from services.partners.current import Require, current_partner

_link_name = partial(validation.text_length, max_len=32, min_len=1)
STALE = "err-stale-button"


class LinksService:
    def __init__(self, deps: Deps, forms: FormRunner) -> None:
        self.deps = deps
        self.forms = forms
        forms.register(Form("link_new", [
            Field("name", "link-ask-name", _link_name),
            Field("subs", "link-ask-subs", validation.sub_ids, default="—"),
        ], self._create))
        forms.register(Form("link_rename", [Field("name", "link-ask-name", _link_name)], self._rename))
        self.on_action = t = ActionTable()  # lnk:…
        t.on(act.LinksHome, lambda inc, _: self.home(inc, edit=True))
        t.on(act.NewLink, lambda inc, a: self.start_new(inc, a.offer))
        t.on(act.Recruit, lambda inc, _: self.recruit(inc))
        t.on(act.RenameLink, lambda inc, a: self.start_rename(inc, a.link))
        t.on(act.ArchiveLink, lambda inc, a: self.archive(inc, a.link))
        t.on(act.ShowLink, lambda inc, a: self.show(inc, a.link))

    async def home(self, inc: Incoming, *, edit: bool = False) -> Reply:
        async with self.deps.uow() as uow:
            partner = await current_partner(uow, inc, Require.APPROVED)
            if isinstance(partner, Reply):
                return partner
            overview = await links.overview(uow, self.deps, partner)
            await uow.commit()  # default links created on first need
        return Reply.of(screens.home(self.deps, overview, edit=edit))

    async def start_new(self, inc: Incoming, offer_id: int | None = None) -> Reply:
        async with self.deps.uow() as uow:
            partner = await current_partner(uow, inc, Require.APPROVED, toast=True)
            if isinstance(partner, Reply):
                return partner
            options = await links.new_link_options(uow, partner)
            if not options.offers:
                return Reply.of(screens.no_offers())
            if options.at_limit:
                return Reply.of(screens.limit_reached())
            if offer_id is None and len(options.offers) > 1:
                return Reply.of(screens.choose_offer(options.offers))
            chosen = offer_id if offer_id is not None else options.offers[0].id
            if chosen not in {o.id for o in options.offers}:
                return Reply(toast=Toast(STALE))
            reply = await self.forms.begin(uow, inc, "link_new", {"offer": chosen})
            await uow.commit()
        return reply

    async def _create(self, uow: UnitOfWork, inc: Incoming, data: dict[str, Any]) -> Reply:
        partner = await current_partner(uow, inc, Require.APPROVED, refusal=STALE)
        if isinstance(partner, Reply):
            return partner
        subs = data.get("subs")
        created = await links.create_link(uow, self.deps, partner, int(data["offer"]), data["name"],
                                          subs if isinstance(subs, list) else [])
        if created is None:
            return Reply.of(Screen(STALE))
        return Reply.of(screens.card(self.deps, created))

    async def show(self, inc: Incoming, link_id: int) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            link = await self._owned(uow, inc, link_id)
            if link is None:
                return Reply(toast=Toast(STALE))
            found = await links.details(uow, link)
        return Reply.of(screens.card(self.deps, found, edit=True))

    async def start_rename(self, inc: Incoming, link_id: int) -> Reply:
        async with self.deps.uow() as uow:
            link = await self._owned(uow, inc, link_id)
            if link is None or link.is_default:
                return Reply(toast=Toast(STALE))
            reply = await self.forms.begin(uow, inc, "link_rename", {"link": link_id, "name": link.name})
            await uow.commit()
        return reply

    async def _rename(self, uow: UnitOfWork, inc: Incoming, data: dict[str, Any]) -> Reply:
        link = await self._owned(uow, inc, int(data["link"]))
        if link is None:
            return Reply.of(Screen(STALE))
        link.name = data["name"]
        found = await links.details(uow, link, count_clicks=False)
        return Reply(screens=[screens.card(self.deps, found)], toast=Toast("settings-saved"))

    async def archive(self, inc: Incoming, link_id: int) -> Reply:
        async with self.deps.uow() as uow:
            link = await self._owned(uow, inc, link_id)
            if link is None or link.is_default:
                return Reply(toast=Toast(STALE))
            await links.archive(uow, self.deps, link)
            await uow.commit()
        self.deps.invalidate_links(link.code)
        reply = await self.home(inc, edit=True)
        reply.toast = Toast("link-archived")
        return reply

    async def recruit(self, inc: Incoming) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            partner = await current_partner(uow, inc, Require.APPROVED, toast=True)
            if isinstance(partner, Reply):
                return partner
            info = await links.recruit_info(uow, self.deps, partner)
        return Reply.of(screens.recruit(info))

    async def _owned(self, uow: UnitOfWork, inc: Incoming, link_id: int) -> TrackingLink | None:
        partner = await current_partner(uow, inc, Require.APPROVED)
        return None if isinstance(partner, Reply) else await links.owned_link(uow, partner, link_id)
