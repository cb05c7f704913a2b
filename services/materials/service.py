"""Materials in the partner's chat (menu → Materials, mat:): browse by offer, take a material ready to forward,
its personal QR banner, or a link for a named placement."""
from __future__ import annotations

import re
from typing import Any

from services.db.models import Partner
from services.db.tracking_models import Offer
from services.db.uow import UnitOfWork
from services.kernel import validation
from services.kernel.actions import ID, ActionTable
from services.kernel.deps import Deps
from services.kernel.dto import Incoming, Reply, Screen, Toast
from services.kernel.forms import Field, Form, FormRunner
from services.links.use_cases import MAX_NAMED_LINKS
from services.materials import files, partner as use_cases, queries, screens

PLACEMENT_FORM = "mat_placement"
_PLACEMENT = re.compile(r"[A-Za-z0-9_.\-]{1,32}")


def placement_name(value: str) -> str:
    """A placement label, stored as sub1: "tg_channel", "vk_post_42"."""
    value = value.strip()
    if not _PLACEMENT.fullmatch(value):
        raise validation.Invalid("mat-err-placement")
    return value


async def current_partner(uow: UnitOfWork, inc: Incoming) -> Partner | None:
    account = await uow.accounts.get(inc.messenger, inc.user_id)
    partner = await uow.partners.get(account.partner_id) if account else None
    return partner if partner is not None and partner.status == "approved" else None


class MaterialsService:
    def __init__(self, deps: Deps, forms: FormRunner) -> None:
        self.deps = deps
        self.forms = forms
        forms.register(Form(PLACEMENT_FORM, [Field("placement", "mat-ask-placement", placement_name)],
                            self._placement_chosen))
        self.on_action = ActionTable()  # mat:…
        self.on_action.add(rf"mat:ol:{ID}", lambda inc, page: self.home(inc, page=page, edit=True))
        self.on_action.add(rf"mat:o:{ID}:{ID}", self.offer_page)
        self.on_action.add(rf"mat:m:{ID}:{ID}", self.material)
        self.on_action.add(rf"mat:qr:{ID}:{ID}", self.qr)
        self.on_action.add(rf"mat:pl:{ID}", self.ask_placement)

    async def remember_upload(self, messenger: str, key: str, ref: str) -> None:
        """An adapter uploaded a generated file: its id there is reused from now on."""
        await files.remember(self.deps, messenger, key, ref)

    async def home(self, inc: Incoming, *, page: int = 0, edit: bool = False) -> Reply:
        """The menu section: offers with published materials; straight to the materials when there is one."""
        async with self.deps.uow(readonly=True) as uow:
            if await current_partner(uow, inc) is None:
                return Reply.of(Screen("err-approved-only"))
            result = await queries.offers_with_materials(uow, queries.PUBLISHED, page, active_only=True)
            if result.pages == 1 and len(result.rows) == 1:
                offer = await uow.session.get(Offer, result.rows[0].id)
                assert offer is not None
                listing = await queries.materials_page(uow, offer, queries.PUBLISHED, 0)
                return Reply.of(screens.materials(listing, several_offers=False, edit=edit))
        return Reply.of(screens.offers(result, edit=edit))

    async def offer_page(self, inc: Incoming, offer_id: int, page: int) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            if await current_partner(uow, inc) is None:
                return Reply(toast=Toast("err-approved-only"))
            offer = await uow.session.get(Offer, offer_id)
            if offer is None or offer.status != "active":
                return Reply(toast=Toast("err-stale-button"))
            listing = await queries.materials_page(uow, offer, queries.PUBLISHED, page)
            several = len((await queries.offers_with_materials(uow, queries.PUBLISHED, 0, active_only=True)).rows) > 1
        return Reply.of(screens.materials(listing, several_offers=several, edit=True))

    async def material(self, inc: Incoming, material_id: int, link_id: int) -> Reply:
        async with self.deps.uow() as uow:
            partner = await current_partner(uow, inc)
            if partner is None:
                return Reply(toast=Toast("err-approved-only"))
            result = await use_cases.ready(uow, self.deps, partner, material_id, link_id, inc.messenger)
            if result is None:
                return Reply(toast=Toast("err-stale-button"))
            await uow.commit()  # a default link or a promo code made on the way
        return Reply(screens.ready(result))

    async def qr(self, inc: Incoming, material_id: int, link_id: int) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            partner = await current_partner(uow, inc)
        if partner is None:
            return Reply(toast=Toast("err-approved-only"))
        result = await use_cases.qr_banner(self.deps, partner, material_id, link_id, inc.messenger)
        if result is None:
            return Reply(toast=Toast("err-stale-button"))
        return Reply.of(screens.qr(result))

    async def ask_placement(self, inc: Incoming, material_id: int) -> Reply:
        async with self.deps.uow() as uow:
            if await current_partner(uow, inc) is None:
                return Reply(toast=Toast("err-approved-only"))
            if await queries.material(uow, material_id) is None:
                return Reply(toast=Toast("err-stale-button"))
            reply = await self.forms.begin(uow, inc, PLACEMENT_FORM, {"material": material_id})
            await uow.commit()
        return reply

    async def _placement_chosen(self, uow: UnitOfWork, inc: Incoming, data: dict[str, Any]) -> Reply:
        partner = await current_partner(uow, inc)
        if partner is None:
            return Reply.of(Screen("err-approved-only"))
        material_id = int(data["material"])
        made = await use_cases.placement_link(uow, self.deps, partner, material_id, str(data["placement"]))
        if made.outcome == "limit":
            return Reply.of(Screen("link-limit", {"max": MAX_NAMED_LINKS}))
        result = None if made.outcome == "stale" else await use_cases.ready(
            uow, self.deps, partner, material_id, made.link_id, inc.messenger)
        if result is None:
            return Reply.of(Screen("err-stale-button"))
        return Reply(screens.ready(result))
