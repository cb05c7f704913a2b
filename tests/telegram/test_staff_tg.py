"""/admin → Staff through the real Telegram Dispatcher: env roles revoked at start, grants and revocations in the
bot with an audit trail, and no staff member deciding on their own partner account."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from services.db.models import Application, MessengerAccount, OutboxMessage, StaffAudit, StaffRole
from services.db.support_models import Ticket, TicketMessage
from services.db.tracking_models import Conversion
from services.kernel.deps import ProgramConfig
from services.messaging.outbox import OutboxDispatcher
from tests.conftest import STAFF_SEED
from tests.fakes.builders import add_sale, approved_partner
from tests.fakes.tg_harness import TelegramHarness

MANAGER, OTHER_MANAGER, SUPPORT, ADMIN = 900, 901, 902, 903
NEWCOMER = 950
STAFF_CHAT = -100500


@pytest.fixture
def program_config() -> ProgramConfig:
    return ProgramConfig(support_chat_id=str(STAFF_CHAT))


@pytest.fixture
def tg(services) -> TelegramHarness:
    return TelegramHarness(services)


async def rows(services, model, *where):
    async with services.deps.uow() as uow:
        return (await uow.session.scalars(select(model).where(*where).order_by(model.id))).all()


async def role_of(services, user: int, role: str, messenger: str = "telegram") -> StaffRole | None:
    found = await rows(services, StaffRole, StaffRole.messenger == messenger,
                       StaffRole.external_id == str(user), StaffRole.role == role)
    return found[0] if found else None


async def grant(tg, user: int, role_index: int) -> None:
    """The admin's grant form: messenger (Telegram), user id, role, confirm."""
    await tg.press(ADMIN, "adm:stg")
    await tg.press(ADMIN, "fm:0")  # Telegram
    await tg.send(ADMIN, str(user))
    await tg.press(ADMIN, f"fm:{role_index}")  # 0 admin, 1 manager, 2 support
    await tg.press(ADMIN, "fm:0")  # confirm


async def test_env_is_authoritative_for_env_roles_only(services, tg):
    await grant(tg, NEWCOMER, 2)  # support, granted in the bot
    without_other_manager = [t for t in STAFF_SEED if t[1] != str(OTHER_MANAGER)]
    assert await services.seed_staff(without_other_manager) == (0, 1)  # the restart after editing MANAGER_IDS

    assert await role_of(services, OTHER_MANAGER, "manager") is None
    await tg.send(OTHER_MANAGER, "/admin")
    assert "прав" in tg.last(OTHER_MANAGER).text
    assert (await role_of(services, NEWCOMER, "support")).source == "bot"  # env never touches bot grants
    # Listed again: back, as an env role; a bot grant also listed in env stays a bot grant.
    assert await services.seed_staff([*STAFF_SEED, ("telegram", str(NEWCOMER), "support")]) == (1, 0)
    assert (await role_of(services, OTHER_MANAGER, "manager")).source == "env"
    assert (await role_of(services, NEWCOMER, "support")).source == "bot"
    trail = [(a.actor, a.action, a.role, a.external_id, a.source) for a in await rows(services, StaffAudit)]
    assert trail[-3:] == [(f"telegram:{ADMIN}", "granted", "support", str(NEWCOMER), "bot"),
                          ("env", "revoked", "manager", str(OTHER_MANAGER), "env"),
                          ("env", "granted", "manager", str(OTHER_MANAGER), "env")]


async def test_admin_grants_and_revokes_in_the_bot(services, tg):
    await tg.send(MANAGER, "/admin")
    assert "adm:staff" not in tg.buttons(MANAGER)
    await tg.press(MANAGER, "adm:staff")
    await tg.press(MANAGER, "adm:stg")
    assert all("прав" in toast for toast in tg.toasts()[-2:])
    await tg.send(ADMIN, "/admin")
    assert "adm:staff" in tg.buttons(ADMIN)

    await tg.press(ADMIN, "adm:stg")
    await tg.press(ADMIN, "fm:0")
    await tg.send(ADMIN, "12abc")
    assert "положительное число" in tg.texts(ADMIN)[-2]  # the localized error, then the question again
    await tg.send(ADMIN, str(NEWCOMER))
    await tg.press(ADMIN, "fm:1")  # manager
    assert f"telegram:{NEWCOMER}" in tg.last(ADMIN).text and "manager" in tg.last(ADMIN).text
    await tg.press(ADMIN, "fm:0")
    role = await role_of(services, NEWCOMER, "manager")
    assert role is not None and role.source == "bot"
    await tg.send(NEWCOMER, "/admin")
    assert "adm:offers" in tg.buttons(NEWCOMER)

    await grant(tg, NEWCOMER, 1)  # again: nothing changes
    assert "уже есть роль" in tg.texts(ADMIN)[-2]
    assert len(await rows(services, StaffRole, StaffRole.external_id == str(NEWCOMER))) == 1

    await tg.press(ADMIN, "adm:staff")
    assert f"adm:str:{role.id}" in tg.buttons(ADMIN)
    await tg.press(ADMIN, f"adm:str:{role.id}")
    assert tg.buttons(ADMIN) == [f"adm:stry:{role.id}", "adm:staff"]  # confirm first
    assert await role_of(services, NEWCOMER, "manager") is not None
    await tg.press(MANAGER, f"adm:stry:{role.id}")  # a manager's forged confirm
    assert await role_of(services, NEWCOMER, "manager") is not None
    await tg.press(ADMIN, f"adm:stry:{role.id}")
    assert await role_of(services, NEWCOMER, "manager") is None
    await tg.send(NEWCOMER, "/admin")
    assert "прав" in tg.last(NEWCOMER).text  # revoked at once, no restart
    await tg.press(ADMIN, f"adm:stry:{role.id}")  # pressed twice
    assert "устарела" in tg.toasts()[-1]

    await tg.press(ADMIN, "adm:sta")
    audit = tg.last(ADMIN).text
    assert f"telegram:{ADMIN} · granted manager · telegram:{NEWCOMER} (bot)" in audit
    assert f"telegram:{ADMIN} · revoked manager · telegram:{NEWCOMER} (bot)" in audit


async def test_revoking_an_env_role_says_env_must_change_too(services, tg):
    role = await role_of(services, OTHER_MANAGER, "manager")
    await tg.press(ADMIN, f"adm:stry:{role.id}")
    assert await role_of(services, OTHER_MANAGER, "manager") is None
    assert "env" in tg.toasts()[-1] and tg.session.of("answerCallbackQuery")[-1].method.show_alert


async def test_admin_cannot_revoke_their_own_last_admin_role(services, tg):
    own = await role_of(services, ADMIN, "admin")
    await tg.press(ADMIN, f"adm:str:{own.id}")
    assert "последнюю роль админа" in tg.toasts()[-1]
    await tg.press(ADMIN, f"adm:stry:{own.id}")
    assert "последнюю роль админа" in tg.toasts()[-1]
    assert await role_of(services, ADMIN, "admin") is not None

    # With admin on their linked VK account too, the Telegram one may go.
    await approved_partner(services, tg, user=ADMIN)
    async with services.deps.uow() as uow:
        account = await uow.accounts.get("telegram", str(ADMIN))
        uow.session.add(MessengerAccount(partner_id=account.partner_id, messenger="vk", external_id="77",
                                         chat_id="77", created_at=services.deps.clock.now()))
        await uow.commit()
    await services.seed_staff([*STAFF_SEED, ("vk", "77", "admin")])
    await tg.press(ADMIN, f"adm:stry:{own.id}")
    assert await role_of(services, ADMIN, "admin") is None


async def test_staff_cannot_decide_their_own_application(services, tg):
    partner_id = await approved_partner(services, tg, user=MANAGER)  # a manager who also applied as a partner
    async with services.deps.uow() as uow:
        await uow.partners.move_status(partner_id, ("approved",), "applied")
        application = await uow.applications.add(Application(
            partner_id=partner_id, answers={"name": "Me"}, decision="pending", created_at=services.deps.clock.now()))
        await uow.commit()
    await tg.press(MANAGER, f"app:ok:{application.id}")
    assert "your own application" in tg.toasts()[-1]
    await tg.press(MANAGER, f"app:no:{application.id}")
    await tg.press(MANAGER, f"rej:{application.id}:traffic")
    assert "your own application" in tg.toasts()[-1]
    [stored] = await rows(services, Application)
    assert stored.decision == "pending"
    await tg.press(OTHER_MANAGER, f"app:ok:{application.id}")
    [stored] = await rows(services, Application)
    assert stored.decision == "approved" and stored.decided_by == f"telegram:{OTHER_MANAGER}"


async def test_staff_cannot_review_their_own_or_their_recruits_conversion(services, tg):
    own = await approved_partner(services, tg, user=MANAGER)
    recruit = await approved_partner(services, tg, user=555)
    async with services.deps.uow() as uow:
        (await uow.partners.get(recruit)).parent_id = own  # the manager earns the L2 commission on it
        await uow.commit()
    await add_sale(services, own, "1000.00")
    await add_sale(services, recruit, "2000.00")
    async with services.deps.uow() as uow:
        for conversion in (await uow.session.scalars(select(Conversion))).all():
            conversion.flags, conversion.review = "fast", "pending"
        await uow.commit()
    first, second = [c.id for c in await rows(services, Conversion)]
    await tg.press(MANAGER, f"adm:rvc:{first}")
    assert "your own conversion" in tg.toasts()[-1]
    await tg.press(MANAGER, f"adm:rvr:{second}")
    assert "your own conversion" in tg.toasts()[-1]
    assert [(c.review, c.status) for c in await rows(services, Conversion)] == [("pending", "approved")] * 2
    await tg.press(OTHER_MANAGER, f"adm:rvc:{first}")
    assert [c.review for c in await rows(services, Conversion)] == ["cleared", "pending"]


async def test_staff_cannot_answer_their_own_ticket(services, tg):
    await tg.send(SUPPORT, "/start", language_code="en")  # the support agent has a partner account too
    await tg.send(SUPPORT, "/support")
    await tg.send(SUPPORT, "My own payout?")
    await OutboxDispatcher(services.deps, {"telegram": tg.notifier}, rates={}).dispatch_once()
    [card] = await rows(services, OutboxMessage, OutboxMessage.kind == "ticket")
    [ticket] = await rows(services, Ticket)

    await tg.press(SUPPORT, f"sup:take:{ticket.id}", chat_id=STAFF_CHAT)
    await tg.press(SUPPORT, f"sup:reply:{ticket.id}", chat_id=STAFF_CHAT)
    assert all("your own" in toast for toast in tg.toasts()[-2:])
    await tg.send(SUPPORT, "Paid, trust me", chat_id=STAFF_CHAT, chat_type="supergroup",
                  reply_to=int(card.delivered_ref), thread_id=77)
    assert "your own" in tg.last(STAFF_CHAT).text
    assert [m.direction for m in await rows(services, TicketMessage)] == ["in"]
    [ticket] = await rows(services, Ticket)
    assert ticket.status == "open" and ticket.assignee is None

    await tg.send(ADMIN, "Paid on Monday", chat_id=STAFF_CHAT, chat_type="supergroup",
                  reply_to=int(card.delivered_ref), thread_id=77)
    assert [m.direction for m in await rows(services, TicketMessage)] == ["in", "out"]
