"""Materials for managers (/admin → Materials, mta:): per offer, add banners (a photo sent to the bot), promo
texts and landing pages as drafts, publish them (partners are told) and archive them."""
from __future__ import annotations

import asyncio
from typing import Any

from services.db.materials_models import Material
from services.db.tracking_models import Offer
from services.db.uow import UnitOfWork
from services.kernel import validation
from services.kernel.actions import ID, ActionTable
from services.kernel.deps import Deps
from services.kernel.dto import Attachment, Incoming, Reply, Screen, Toast
from services.kernel.forms import Field, Form, FormRunner
from services.materials import files, images, manage, queries, screens
from services.materials.partner import image_ext
from services.staff.roles import MANAGER_ROLES, has_role

BANNER_FORM = "mat_banner"  # one step: a photo (or an image file), its caption the title
TEXT_FORM, LANDING_FORM = "mat_text", "mat_landing"
KINDS = ("banner", "text", "landing")


def who(inc: Incoming) -> str:
    return f"{inc.messenger}:{inc.user_id}"


class MaterialsAdmin:
    def __init__(self, deps: Deps, forms: FormRunner) -> None:
        self.deps = deps
        self.forms = forms
        forms.register(Form(TEXT_FORM, [Field("title", "mat-ask-title", manage.title),
                                        Field("body", "mat-ask-text", manage.promo_text)], self._create_from_form))
        forms.register(Form(LANDING_FORM, [Field("title", "mat-ask-title", manage.title),
                                           Field("body", "mat-ask-landing", validation.http_url)],
                            self._create_from_form))
        self.on_action = ActionTable()  # mta:…
        self.on_action.add(r"mta:home", lambda inc: self.offers(inc, 0))
        self.on_action.add(rf"mta:ol:{ID}", self.offers)
        self.on_action.add(rf"mta:o:{ID}:{ID}", self.offer_page)
        self.on_action.add(rf"mta:add:{ID}", self.add_menu)
        self.on_action.add(rf"mta:new:{ID}:(banner|text|landing)", self.start_new)
        self.on_action.add(r"mta:x", self.cancel)
        self.on_action.add(rf"mta:m:{ID}", self.card)
        self.on_action.add(rf"mta:pub:{ID}", self.publish)
        self.on_action.add(rf"mta:arc:{ID}", self.archive)

    async def _allowed(self, uow: UnitOfWork, inc: Incoming) -> bool:
        return await has_role(uow, inc, MANAGER_ROLES)

    async def offers(self, inc: Incoming, page: int) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            if not await self._allowed(uow, inc):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            result = await queries.offers_with_materials(uow, queries.MANAGED, page, active_only=False)
        return Reply.of(screens.admin_offers(result, edit=True))

    async def offer_page(self, inc: Incoming, offer_id: int, page: int, *, edit: bool = True) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            if not await self._allowed(uow, inc):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            offer = await uow.session.get(Offer, offer_id)
            if offer is None:
                return Reply(toast=Toast("err-stale-button"))
            listing = await queries.materials_page(uow, offer, queries.MANAGED, page)
        return Reply.of(screens.admin_materials(listing, edit=edit))

    async def add_menu(self, inc: Incoming, offer_id: int) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            if not await self._allowed(uow, inc):
                return Reply(toast=Toast("err-not-allowed", alert=True))
        return Reply.of(screens.admin_add(offer_id))

    async def start_new(self, inc: Incoming, offer_id: int, kind: str) -> Reply:
        async with self.deps.uow() as uow:
            if not await self._allowed(uow, inc):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            if await uow.session.get(Offer, offer_id) is None:
                return Reply(toast=Toast("err-stale-button"))
            if kind == "banner":
                await uow.forms.save(inc.messenger, inc.user_id, BANNER_FORM, "photo", {"offer": offer_id},
                                     self.deps.clock.now())
                reply = Reply.of(screens.ask_banner())
            else:
                form = TEXT_FORM if kind == "text" else LANDING_FORM
                reply = await self.forms.begin(uow, inc, form, {"offer": offer_id, "kind": kind})
            await uow.commit()
        return reply

    async def cancel(self, inc: Incoming) -> Reply:
        async with self.deps.uow() as uow:
            state = await uow.forms.get(inc.messenger, inc.user_id, lock=True)
            if state is None or state.form != BANNER_FORM:
                return Reply(toast=Toast("err-stale-button"))
            await uow.forms.clear(inc.messenger, inc.user_id)
            await uow.commit()
        return Reply.of(Screen("cancelled", edit=True))

    async def on_banner_message(self, inc: Incoming) -> Reply:
        """The photo for a new banner. Downloaded and checked before the transaction that stores it, so no
        write lock is held while a file travels."""
        picture = next((a for a in inc.attachments if a.kind in ("photo", "document")), None)
        if picture is None:
            return Reply.of(Screen("mat-err-photo"), screens.ask_banner())
        data = await files.download(self.deps, picture)
        try:
            if data is None:
                raise validation.Invalid("mat-err-download")
            info = await asyncio.to_thread(images.inspect, data)
            name = manage.title(inc.text) if inc.text else None
        except validation.Invalid as bad:
            return Reply.of(Screen(bad.key, bad.params), screens.ask_banner())
        async with self.deps.uow() as uow:
            state = await uow.forms.get(inc.messenger, inc.user_id, lock=True)
            if state is None or state.form != BANNER_FORM:
                return Reply.of(Screen("err-stale-button"))
            if not await self._allowed(uow, inc):
                return Reply.of(Screen("err-not-allowed"))
            # A Telegram photo's file_id is this bot's to re-send; a VK user's photo is not the community's.
            upload = (inc.messenger, picture.ref) if inc.messenger == "telegram" and picture.kind == "photo" else None
            material = await manage.create(uow, self.deps, int(state.data["offer"]), "banner",
                                           name or f"{info.width}×{info.height}", who(inc), image=data, info=info,
                                           upload=upload)
            await uow.forms.clear(inc.messenger, inc.user_id)
            if material is None:
                await uow.commit()
                return Reply.of(Screen("err-stale-button"))
            preview = await self._preview(uow, material, inc.messenger)
            await uow.commit()
        return Reply.of(screens.admin_card(material, preview))

    async def _create_from_form(self, uow: UnitOfWork, inc: Incoming, data: dict[str, Any]) -> Reply:
        if not await self._allowed(uow, inc):  # roles can be revoked while a form is open
            return Reply.of(Screen("err-not-allowed"))
        material = await manage.create(uow, self.deps, int(data["offer"]), str(data["kind"]), str(data["title"]),
                                       who(inc), body=str(data["body"]))
        if material is None:
            return Reply.of(Screen("err-stale-button"))
        return Reply.of(screens.admin_card(material, None))

    async def _preview(self, uow: UnitOfWork, material: Material, messenger: str) -> Attachment | None:
        if material.kind != "banner":
            return None
        key = files.banner_key(material.id)
        ref = await files.lookup(uow, key, messenger)
        if ref is not None:
            return Attachment("photo", messenger, ref)
        data = await queries.image_of(uow, material.id) or b""
        return Attachment.generated("photo", f"banner-{material.id}.{image_ext(data)}", data, key=key)

    async def card(self, inc: Incoming, material_id: int, *, toast: Toast | None = None) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            if not await self._allowed(uow, inc):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            material = await queries.material(uow, material_id)
            if material is None:
                return Reply(toast=Toast("err-stale-button"))
            preview = await self._preview(uow, material, inc.messenger)
        return Reply([screens.admin_card(material, preview, edit=True)], toast=toast)

    async def publish(self, inc: Incoming, material_id: int) -> Reply:
        async with self.deps.uow() as uow:
            if not await self._allowed(uow, inc):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            result = await manage.publish(uow, self.deps, material_id)
            await uow.commit()
        if result.outcome == "not_found":
            return Reply(toast=Toast("err-stale-button"))
        self.deps.wake_outbox()
        return await self.card(inc, material_id, toast=Toast(f"mat-{result.outcome.replace('_', '-')}",
                                                             {"count": result.notified}))

    async def archive(self, inc: Incoming, material_id: int) -> Reply:
        async with self.deps.uow() as uow:
            if not await self._allowed(uow, inc):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            outcome = await manage.archive(uow, self.deps, material_id)
            await uow.commit()
        if outcome == "not_found":
            return Reply(toast=Toast("err-stale-button"))
        return await self.card(inc, material_id, toast=Toast(f"mat-{outcome}"))
