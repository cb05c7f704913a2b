"""Materials screens: results of services/materials (queries, use cases) as Screens, for partners and managers.
Keyboards stay within VK's inline limits (10 buttons, 6 rows): four items a page."""
from __future__ import annotations

from services.db.materials_models import Material
from services.kernel.dto import Attachment, Button, Screen
from services.kernel.paging import pager
from services.materials.partner import QrBanner, Ready
from services.materials.queries import MaterialPage, OfferPage

ICONS = {"banner": "🖼", "text": "📝", "landing": "🌐"}


def _rows(*rows: tuple[Button, ...]) -> tuple[tuple[Button, ...], ...]:
    return tuple(row for row in rows if row)


# ---- partners ---------------------------------------------------------------------------------------------------

def offers(result: OfferPage, *, edit: bool) -> Screen:
    if not result.rows:
        return Screen("mat-none")
    items = tuple((Button("mat-offer-item", f"mat:o:{r.id}:0", {"name": r.name, "count": r.count}),)
                  for r in result.rows)
    return Screen("mat-offers", {"page": result.page + 1, "pages": result.pages}, edit=edit,
                  buttons=items + _rows(pager("mat:ol:", result.page, result.pages)))


def materials(result: MaterialPage, *, several_offers: bool, edit: bool) -> Screen:
    items = tuple((Button("mat-item", f"mat:m:{r.id}:0", {"icon": ICONS[r.kind], "title": r.title}),)
                  for r in result.rows)
    last = (Button("mat-btn-promo", f"prm:get:{result.offer_id}"),) + (
        (Button("btn-back", "mat:ol:0"),) if several_offers else ())
    return Screen("mat-list", {"offer": result.offer_name, "count": result.total, "page": result.page + 1,
                               "pages": result.pages}, edit=edit,
                  buttons=items + _rows(pager(f"mat:o:{result.offer_id}:", result.page, result.pages), last))


def ready(result: Ready) -> list[Screen]:
    """The material as one clean message to forward, then a message with what else can be done with it."""
    m, placement = result.material, result.link.sub1 or "—"
    args = {"title": m.title, "url": result.url, "promo": result.promo or "", "offer": result.offer.name,
            "placement": placement, "has_promo": "yes" if result.promo else "no"}
    more: list[tuple[Button, ...]] = []
    if m.kind == "banner":
        assert result.banner is not None
        content = Screen("mat-banner-caption", args, attachments=(result.banner,), as_caption=True)
        more.append((Button("mat-btn-qr", f"mat:qr:{m.id}:{result.link.id}", style="primary"),))
    elif m.kind == "text":
        content = Screen("mat-text-filled", {"text": result.text or ""})
    else:
        content = Screen("mat-landing-ready", {**args, "landing": m.body or ""})
    more.append((Button("mat-btn-placement", f"mat:pl:{m.id}"),))
    more.append((Button("btn-back", f"mat:o:{m.offer_id}:0"),))
    return [content, Screen("mat-ready", {**args, "kind": m.kind}, buttons=tuple(more))]


def qr(result: QrBanner) -> Screen:
    return Screen("mat-qr-caption", {"title": result.title, "url": result.url}, attachments=(result.attachment,),
                  as_caption=True, buttons=((Button("btn-back", f"mat:m:{result.material_id}:{result.link_id}"),),))


# ---- managers ---------------------------------------------------------------------------------------------------

def admin_offers(result: OfferPage, *, edit: bool) -> Screen:
    items = tuple((Button("mat-offer-item", f"mta:o:{r.id}:0", {"name": r.name, "count": r.count}),)
                  for r in result.rows)
    return Screen("mat-admin-offers", {"page": result.page + 1, "pages": result.pages}, edit=edit,
                  buttons=items + _rows(pager("mta:ol:", result.page, result.pages)))


def admin_materials(result: MaterialPage, *, edit: bool = True) -> Screen:
    items = tuple((Button("mat-admin-item", f"mta:m:{r.id}", {"icon": ICONS[r.kind], "title": r.title,
                                                                "status": r.status}),) for r in result.rows)
    last = (Button("mat-btn-add", f"mta:add:{result.offer_id}", style="positive"),
            Button("mat-btn-codes", f"prma:o:{result.offer_id}:0"), Button("btn-back", "mta:ol:0"))
    return Screen("mat-admin-list", {"offer": result.offer_name, "count": result.total, "page": result.page + 1,
                                     "pages": result.pages}, edit=edit,
                  buttons=items + _rows(pager(f"mta:o:{result.offer_id}:", result.page, result.pages), last))


def admin_add(offer_id: int) -> Screen:
    return Screen("mat-admin-add", edit=True, buttons=(
        (Button("mat-kind-banner", f"mta:new:{offer_id}:banner"),),
        (Button("mat-kind-text", f"mta:new:{offer_id}:text"),),
        (Button("mat-kind-landing", f"mta:new:{offer_id}:landing"),),
        (Button("btn-back", f"mta:o:{offer_id}:0"),)))


def ask_banner() -> Screen:
    return Screen("mat-ask-banner", buttons=((Button("btn-cancel", "mta:x"),),))


def admin_card(material: Material, preview: Attachment | None, *, edit: bool = False) -> Screen:
    buttons: list[tuple[Button, ...]] = []
    if material.status == "draft":
        buttons.append((Button("mat-btn-publish", f"mta:pub:{material.id}", style="positive"),))
    if material.status in ("draft", "published"):
        buttons.append((Button("mat-btn-archive", f"mta:arc:{material.id}", style="negative"),))
    buttons.append((Button("btn-back", f"mta:o:{material.offer_id}:0"),))
    # Numbers as text: Fluent would group their digits ("1,200×628").
    args = {"id": str(material.id), "kind": material.kind, "title": material.title, "status": material.status,
            "body": material.body or "", "width": str(material.width or 0), "height": str(material.height or 0),
            "kb": str((material.size_bytes or 0) // 1024), "format": material.image_format or ""}
    return Screen("mat-admin-card", args, buttons=tuple(buttons), attachments=(preview,) if preview else (),
                  as_caption=preview is not None, edit=edit and preview is None)
