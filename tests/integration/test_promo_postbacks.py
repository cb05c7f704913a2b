"""Personal promo codes through /postback: promo=<code> (any letter case) attributes to the code's owner and offer,
a click id still wins, revoked codes attribute to no one, and codes issued on approval are readable and unique."""
from __future__ import annotations

from sqlalchemy import select

from services.db.materials_models import PromoCode
from services.db.tracking_models import Conversion
from services.promo import codes, use_cases
from tests.integration.test_postbacks import build_world, client, offer, partner, postback, program_config, rows

__all__ = ["client", "program_config"]  # fixtures used here


async def give(deps, partner_id: int, offer_id: int, code: str) -> None:
    async with deps.uow() as uow:
        result = await use_cases.set_code(uow, deps, partner_id, offer_id, code, "test")
        assert result.outcome == "set"
        await uow.commit()


async def test_promo_code_postback_attributes_to_its_owner_case_insensitively(client, deps):
    world = await build_world(deps)
    await give(deps, world.partner_id, world.offer_id, "IVAN25")
    second = await offer(deps, name="Second")
    status, body = await postback(client, promo="ivan25", status="approved", txid="P1")
    assert status == 200, body
    status, _ = await postback(client, promo=" Ivan25", status="approved", txid="P2")
    assert status == 200
    convs = await rows(deps, Conversion)
    assert [(c.partner_id, c.offer_id, c.click_pk, c.link_id) for c in convs] == [
        (world.partner_id, world.offer_id, None, None)] * 2
    # The code names its offer: no offer= needed even with two offers, and another offer is refused.
    status, body = await postback(client, promo="IVAN25", status="approved", txid="P3", offer=str(second))
    assert (status, body["error"]) == (400, "offer_mismatch")


async def test_click_id_wins_over_a_promo_code_and_revoked_codes_attribute_to_no_one(client, deps):
    world = await build_world(deps)
    await give(deps, world.parent_id, world.offer_id, "PARENT77")
    await postback(client, click_id=world.click_id, promo="parent77", status="pending")
    [conversion] = await rows(deps, Conversion)
    assert (conversion.partner_id, conversion.flags) == (world.partner_id, "self_referral")

    async with deps.uow() as uow:
        code_id = await uow.session.scalar(select(PromoCode.id).where(PromoCode.code == "PARENT77"))
        assert (await use_cases.revoke(uow, deps, code_id, "test")).outcome == "revoked"
        await uow.commit()
    status, body = await postback(client, promo="PARENT77", status="approved", txid="R1")
    assert (status, body["error"]) == (404, "unknown_promo")


async def test_codes_issued_on_approval_are_readable_and_unique(deps):
    offer_id = await offer(deps)
    ids = [await partner(deps, f"ref{i}", tg=1000 + i) for i in range(12)]
    issued = []
    async with deps.uow() as uow:
        for partner_id in ids:
            found = await uow.partners.get(partner_id)
            found.name = "Иван Петров"
            [one] = await use_cases.issue_on_approval(uow, deps, found)
            again = await use_cases.issue(uow, deps, found, offer_id, "request")
            assert (again.code, again.created) == (one.code, False)  # one code per partner and offer
            issued.append(one.code)
        await uow.commit()
    assert len(set(issued)) == 12 and all(code.startswith("IVAN") and code.isalnum() for code in issued)
    async with deps.uow() as uow:
        owner, found_offer = await use_cases.owner_of_promo(uow, issued[0].lower())
    assert (owner.id, found_offer.id) == (ids[0], offer_id)


def test_code_shapes():
    assert codes.normalize(" иван25 ") == "IVAN25"
    assert codes.stem("Юлия Щукина") == "YULIYA"
    assert codes.stem("Alexander-the-Great") == "ALEXANDE"
    assert codes.stem("42") == "PROMO"
    assert codes.parse("Щука2026") == "SHCHUKA2026"
    for bad in ("AB", "IVAN-25", "A" * 17, "ИВАН 25"):
        try:
            codes.parse(bad)
        except Exception as exc:  # validation.Invalid
            assert exc.args == ("promo-err-format",)
        else:
            raise AssertionError(bad)


def test_keys_built_at_run_time_exist():
    from services.kernel.i18n import Translator

    keys = Translator().keys["en"]
    built = ({f"mat-{o}" for o in ("published", "not-draft", "archived", "already")}
             | {f"promo-set-{o}" for o in ("set", "unchanged", "taken", "revoked-elsewhere", "no-partner", "no-offer")})
    assert built - keys == set()
