"""Offers (programs) managed by managers in the bot: /admin → Offers → create, edit, pause."""
from __future__ import annotations

import logging
from dataclasses import replace
from decimal import Decimal
from functools import partial
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from services.messaging import notify

from services.kernel import validation
from services.kernel.actions import ID, ActionTable
from services.db.tracking_models import Offer
from services.db.uow import UnitOfWork
from services.kernel.deps import Deps
from services.kernel.dto import Button, Incoming, Reply, Screen, Toast
from services.kernel.forms import Field, Form, FormRunner
from services.staff.roles import ADMIN_ROLES, has_role

CURRENCIES = ("RUB", "USD", "EUR")
DEFAULT_OFFER_KEY = "default"
log = logging.getLogger(__name__)

_name = partial(validation.text_length, max_len=128, min_len=2)
_amount = partial(validation.decimal_text, minimum="0.01", maximum="1000000")
_percent = partial(validation.decimal_text, minimum="0", maximum="100", places=4, key="err-percent")
_days = partial(validation.whole_number, minimum=0, maximum=365)
_window = partial(validation.whole_number, minimum=1, maximum=365)


def _is_cpa(data: dict[str, Any]) -> bool:
    return data.get("payout_model") == "cpa"


# Field specs shared by the "new offer" form and the one-field edit forms.
FIELDS: dict[str, Field] = {
    "name": Field("name", "offer-ask-name", _name),
    "target_url": Field("target_url", "offer-ask-url", validation.http_url),
    "payout_model": Field("payout_model", "offer-ask-model",
                          choices=(("cpa", "offer-model-cpa"), ("revshare", "offer-model-revshare"))),
    "cpa_amount": Field("cpa_amount", "offer-ask-cpa", _amount, skip_if=lambda d: not _is_cpa(d)),
    "revshare_percent": Field("revshare_percent", "offer-ask-revshare", _percent, default="tier",
                              skip_if=_is_cpa),
    "currency": Field("currency", "offer-ask-currency", validation.currency,
                      choices=tuple((c, f"currency-{c.lower()}") for c in CURRENCIES)),
    "hold_days": Field("hold_days", "offer-ask-hold", _days, default=30),
    "attribution_days": Field("attribution_days", "offer-ask-window", _window, default=30),
    "l2_percent": Field("l2_percent", "offer-ask-l2", _percent, default="5"),
}
EDITABLE = ("name", "target_url", "cpa_amount", "revshare_percent", "hold_days", "attribution_days", "l2_percent")


def offer_args(offer: Offer) -> dict[str, Any]:
    return {
        "id": offer.id, "name": offer.name, "url": offer.target_url, "model": offer.payout_model,
        "cpa": f"{offer.cpa_amount:.2f}" if offer.cpa_amount is not None else "—",
        "revshare": f"{offer.revshare_percent.normalize():f}" if offer.revshare_percent is not None else "tier",
        "currency": offer.currency, "hold": offer.hold_days, "window": offer.attribution_days,
        "l2": f"{offer.l2_percent.normalize():f}", "status": offer.status,
    }


def _apply(offer: Offer, name: str, value: Any) -> None:
    if name in ("cpa_amount", "l2_percent"):
        setattr(offer, name, Decimal(str(value)))
    elif name == "revshare_percent":
        offer.revshare_percent = None if value in (None, "tier") else Decimal(str(value))
    else:
        setattr(offer, name, value)


class OffersService:
    def __init__(self, deps: Deps, forms: FormRunner) -> None:
        self.deps = deps
        self.forms = forms
        forms.register(Form("offer_new", list(FIELDS.values()), self._create))
        for name in EDITABLE:
            forms.register(Form(f"offer_edit:{name}", [replace(FIELDS[name], skip_if=None)], self._save_field,
                                prompt_args=lambda data: {"id": data.get("offer")}))
        self.on_action = ActionTable()  # adm:…
        self.on_action.add(r"adm:offers", self.list_offers)
        self.on_action.add(r"adm:offer:new", self.start_new)
        self.on_action.add(rf"adm:offer:{ID}", self.show)
        self.on_action.add(rf"adm:oe:{ID}:([a-z_0-9]+)", self.start_edit)
        self.on_action.add(rf"adm:op:{ID}", self.toggle_pause)

    async def admin_menu(self, inc: Incoming) -> Reply:
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, notify.MANAGER_ROLES):
                return Reply.of(Screen("err-not-allowed"))
            admin = await has_role(uow, inc, ADMIN_ROLES)
        rows = [(Button("admin-btn-offers", "adm:offers"),), (Button("admin-btn-review", "adm:review"),),
                (Button("admin-btn-materials", "mta:home"),), (Button("admin-btn-payouts", "pam:list"),),
                (Button("admin-btn-adjustments", "adj:home"), Button("admin-btn-bonuses", "bon:home")),
                (Button("admin-btn-faq", "fqa:home"), Button("admin-btn-kpi", "kpi:v:7d:0"))]
        if admin:  # the Staff screens check the role themselves; this only spares others a useless button
            rows.append((Button("admin-btn-staff", "adm:staff"),))
        metrics = self.deps.click_metrics
        return Reply.of(Screen("admin-menu", {"unrecorded": metrics.unrecorded if metrics else 0}, buttons=tuple(rows)))

    async def list_offers(self, inc: Incoming, *, edit: bool = True) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            if not await has_role(uow, inc, notify.MANAGER_ROLES):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            offers = (await uow.session.scalars(select(Offer).order_by(Offer.id))).all()
        rows = tuple((Button("offer-list-item", f"adm:offer:{o.id}", offer_args(o)),) for o in offers[:40])
        return Reply.of(Screen("offers-list", {"count": len(offers)}, edit=edit,
                               buttons=rows + ((Button("offer-btn-new", "adm:offer:new"),),)))

    @staticmethod
    async def _managed(uow: UnitOfWork, inc: Incoming, offer_id: int) -> Offer | Reply:
        """The offer, for a manager; otherwise the refusal to show (no rights, or a stale button)."""
        if not await has_role(uow, inc, notify.MANAGER_ROLES):
            return Reply(toast=Toast("err-not-allowed", alert=True))
        offer = await uow.session.get(Offer, offer_id)
        return offer if offer is not None else Reply(toast=Toast("err-stale-button"))

    async def show(self, inc: Incoming, offer_id: int, *, edit: bool = True, toast: Toast | None = None) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            offer = await self._managed(uow, inc, offer_id)
        if isinstance(offer, Reply):
            return offer
        return Reply(screens=[self._card(offer, edit)], toast=toast)

    def _card(self, offer: Offer, edit: bool) -> Screen:
        fields = [f for f in EDITABLE if not (f == "cpa_amount" and offer.payout_model != "cpa")
                  and not (f == "revshare_percent" and offer.payout_model != "revshare")]
        rows = [tuple(Button(f"offer-field-{f}", f"adm:oe:{offer.id}:{f}") for f in fields[i:i + 2])
                for i in range(0, len(fields), 2)]
        rows.append((Button("offer-btn-pause" if offer.status == "active" else "offer-btn-resume",
                            f"adm:op:{offer.id}"), Button("btn-back", "adm:offers")))
        return Screen("offer-card", offer_args(offer), buttons=tuple(rows), edit=edit)

    async def start_new(self, inc: Incoming) -> Reply:
        async with self.deps.uow() as uow:
            if not await has_role(uow, inc, notify.MANAGER_ROLES):
                return Reply(toast=Toast("err-not-allowed", alert=True))
            reply = await self.forms.begin(uow, inc, "offer_new", {})
            await uow.commit()
        return reply

    async def start_edit(self, inc: Incoming, offer_id: int, field: str) -> Reply:
        if field not in EDITABLE:
            return Reply(toast=Toast("err-stale-button"))
        async with self.deps.uow() as uow:
            offer = await self._managed(uow, inc, offer_id)
            if isinstance(offer, Reply):
                return offer
            current = getattr(offer, field)
            reply = await self.forms.begin(uow, inc, f"offer_edit:{field}",
                                           {"offer": offer_id, field: None if current is None else str(current)})
            await uow.commit()
        return reply

    async def toggle_pause(self, inc: Incoming, offer_id: int) -> Reply:
        async with self.deps.uow() as uow:
            offer = await self._managed(uow, inc, offer_id)
            if isinstance(offer, Reply):
                return offer
            new_status = "paused" if offer.status == "active" else "active"
            await uow.session.execute(update(Offer).where(Offer.id == offer_id).values(status=new_status))
            await uow.commit()
        self.deps.invalidate_links(None)
        return await self.show(inc, offer_id, toast=Toast(f"offer-{new_status}"))

    async def _create(self, uow: UnitOfWork, inc: Incoming, data: dict[str, Any]) -> Reply:
        if not await has_role(uow, inc, notify.MANAGER_ROLES):  # roles can be revoked while a form is open
            return Reply.of(Screen("err-not-allowed"))
        offer = Offer(status="active", created_at=self.deps.clock.now(), cpa_amount=None, revshare_percent=None)
        for name in FIELDS:
            if name in data:
                _apply(offer, name, data[name])
        uow.session.add(offer)
        await uow.session.flush()
        return Reply.of(self._card(offer, edit=False))

    async def _save_field(self, uow: UnitOfWork, inc: Incoming, data: dict[str, Any]) -> Reply:
        if not await has_role(uow, inc, notify.MANAGER_ROLES):
            return Reply.of(Screen("err-not-allowed"))
        offer = await uow.session.get(Offer, int(data["offer"]))
        if offer is None:
            return Reply.of(Screen("err-stale-button"))
        for name in EDITABLE:
            if name in data:
                _apply(offer, name, data[name])
        await uow.session.flush()
        self.deps.invalidate_links(None)  # a new target URL must not wait for the click cache's TTL
        return Reply(screens=[self._card(offer, edit=False)], toast=Toast("settings-saved"))


async def ensure_default_offer(deps: Deps, url: str, name: str) -> int | None:
    """OFFER_URL → one active revshare offer keyed "default", created at first start and found by that key ever
    after: editing its URL or name in the bot never makes a restart create another one."""
    if not url:
        return None
    url = validation.operator_url(url)  # set by the operator: an IP or localhost is fine here
    for _ in range(2):  # a second process starting at the same time wins the unique key: read what it wrote
        try:
            return await _default_offer(deps, url, name)
        except IntegrityError:
            continue
    raise RuntimeError("could not create or find the default offer")


async def _default_offer(deps: Deps, url: str, name: str) -> int:
    async with deps.uow() as uow:
        offer = await uow.session.scalar(select(Offer).where(Offer.key == DEFAULT_OFFER_KEY))
        if offer is not None:
            if offer.target_url != url:
                log.info("default offer #%s keeps its URL %s (edited in the bot); OFFER_URL=%s only seeds it",
                         offer.id, offer.target_url, url)
            return offer.id
        # Installs from before the key (migration 0005): adopt what the old URL lookup found, the oldest offer
        # with this URL, instead of creating a second one.
        offer = await uow.session.scalar(select(Offer).where(Offer.target_url == url, Offer.key.is_(None))
                                         .order_by(Offer.id).limit(1))
        if offer is None:
            offer = Offer(name=name, target_url=url, payout_model="revshare", revshare_percent=None, currency="RUB",
                          hold_days=30, attribution_days=30, l2_percent=Decimal("5"), status="active",
                          created_at=deps.clock.now())
            uow.session.add(offer)
        offer.key = DEFAULT_OFFER_KEY
        await uow.session.flush()
        await uow.commit()
        return offer.id
