"""Promo code screens: results of services/promo/use_cases.py as Screens."""
from __future__ import annotations

from services.kernel.dto import Button, Screen
from services.kernel.paging import pager
from services.db.materials_models import PromoCode
from services.promo.use_cases import CodePage, SetResult


def partner_code(code: str, offer_name: str, offer_id: int) -> Screen:
    return Screen("promo-yours", {"code": code, "offer": offer_name},
                  buttons=((Button("btn-back", f"mat:o:{offer_id}:0"),),))


def code_list(result: CodePage) -> Screen:
    rows: list[tuple[Button, ...]] = [
        (Button("promo-admin-item", f"prma:c:{r.id}", {"code": r.code, "name": r.partner_name}),)
        for r in result.rows]
    paging = pager(f"prma:o:{result.offer_id}:", result.page, result.pages)
    if paging:
        rows.append(paging)
    rows.append((Button("promo-btn-set", f"prma:set:{result.offer_id}"),
                 Button("btn-back", f"mta:o:{result.offer_id}:0")))
    return Screen("promo-admin-list", {"offer": result.offer_name, "count": result.total, "page": result.page + 1,
                                       "pages": result.pages}, buttons=tuple(rows), edit=True)


def code_card(row: PromoCode, partner_name: str, offer_name: str) -> Screen:
    buttons: list[tuple[Button, ...]] = []
    if row.status == "active":
        buttons.append((Button("promo-btn-revoke", f"prma:x:{row.id}", style="negative"),))
    buttons.append((Button("btn-back", f"prma:o:{row.offer_id}:0"),))
    return Screen("promo-admin-card", {"code": row.code, "partner": partner_name, "partner_id": str(row.partner_id),
                                       "offer": offer_name, "status": row.status, "source": row.source},
                  buttons=tuple(buttons), edit=True)


def set_outcome(result: SetResult, offer_id: int) -> Screen:
    back = (Button("btn-back", f"prma:o:{offer_id}:0"),)
    args = {"code": result.code, "partner_id": str(result.partner_id or ""), "holder_id": str(result.holder_id or ""),
            "holder": result.holder_name or ""}
    if result.outcome == "revoked_elsewhere":
        confirm = Button("promo-btn-reuse", "prma:reuse", style="primary")  # what: in the form state
        return Screen("promo-reuse-ask", args, buttons=((confirm,), back))
    return Screen(f"promo-set-{result.outcome.replace('_', '-')}", args, buttons=(back,))
