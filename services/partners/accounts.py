"""Linking messenger accounts: one partner, a Telegram and a VK account, notifications on both."""
from __future__ import annotations

import re
import secrets
from datetime import timedelta

from sqlalchemy import delete, select, update

from services.db.models import AccountLinkCode, MessengerAccount, Partner
from services.kernel.deps import Deps
from services.kernel.dto import Incoming, Reply, Screen, Toast
from services.links.service import recruit_links
from services.kernel.menu import main_menu_screen
from services.partners.status import PartnerStatus

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: people retype it from another screen
CODE_TTL = timedelta(minutes=15)
CODE_PATTERN = re.compile(r"^L-[A-Z0-9]{8}$")


def looks_like_code(text: str | None) -> bool:
    return bool(text) and bool(CODE_PATTERN.match(text.strip().upper()))  # type: ignore[union-attr]


class AccountsService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    @staticmethod
    async def _placeholder(uow, partner_id: int) -> bool:  # type: ignore[no-untyped-def]
        """A partner created by pressing Start that never applied, invited nobody and owns nothing."""
        partner = await uow.partners.get(partner_id)
        if partner is None or partner.status != PartnerStatus.NEW or await uow.applications.latest_for(partner_id):
            return False
        accounts = await uow.accounts.for_partner(partner_id)
        invited = await uow.session.scalar(select(Partner.id).where(Partner.parent_id == partner_id).limit(1))
        return len(accounts) == 1 and invited is None

    async def issue_code(self, inc: Incoming) -> Reply:
        async with self.deps.uow() as uow:
            account = await uow.accounts.get(inc.messenger, inc.user_id)
            if account is None:
                return Reply(toast=Toast("err-start-first"))
            code = "L-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
            expires = self.deps.clock.now() + CODE_TTL
            uow.session.add(AccountLinkCode(code=code, partner_id=account.partner_id, expires_at=expires))
            await uow.commit()
        bot_links = recruit_links(self.deps, code)  # same deep-link shapes as invitations, with the code
        return Reply.of(Screen("acc-link-code", {"code": code, "minutes": int(CODE_TTL.total_seconds() // 60),
                                                 "links": "\n".join(bot_links.values()) or code}))

    async def redeem(self, inc: Incoming, raw_code: str) -> Reply:
        code = raw_code.strip().upper()
        async with self.deps.uow() as uow:
            existing = await uow.accounts.get(inc.messenger, inc.user_id)
            if existing is not None and not await self._placeholder(uow, existing.partner_id):
                return Reply.of(Screen("acc-link-already"))
            now = self.deps.clock.now()
            # Conditional claim: a code works once, however many times it is sent.
            claimed = await uow.session.execute(
                update(AccountLinkCode)
                .where(AccountLinkCode.code == code, AccountLinkCode.used_at.is_(None),
                       AccountLinkCode.expires_at > now)
                .values(used_at=now, used_by=f"{inc.messenger}:{inc.user_id}")
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                return Reply.of(Screen("acc-link-invalid"))
            link = await uow.session.get(AccountLinkCode, code)
            assert link is not None
            partner = await uow.partners.get(link.partner_id)
            assert partner is not None
            others = [a.messenger for a in await uow.accounts.for_partner(partner.id)]
            if inc.messenger in others:  # one account per messenger per partner
                return Reply.of(Screen("acc-link-same-messenger"))
            if existing is not None:  # pressed Start first: drop that empty registration, keep the real one
                await uow.forms.clear(inc.messenger, inc.user_id)
                await uow.session.execute(delete(MessengerAccount).where(MessengerAccount.id == existing.id))
                await uow.session.execute(delete(Partner).where(Partner.id == existing.partner_id))
            uow.session.add(MessengerAccount(partner_id=partner.id, messenger=inc.messenger,
                                             external_id=inc.user_id, chat_id=inc.chat_id, username=inc.username,
                                             first_name=inc.first_name, created_at=now))
            await uow.commit()
            approved = partner.status == PartnerStatus.APPROVED
        screen_args = {"messenger": inc.messenger}
        return Reply.of(main_menu_screen("acc-linked", **screen_args) if approved
                        else Screen("acc-linked", screen_args))
