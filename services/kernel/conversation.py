"""Where a message goes when no command matched it: an open form, a menu entry, or a polite "not understood".

Features plug in here (forms by name, menu sections by name, a free-text fallback such as FAQ search), so the
adapters need one catch-all handler each and never decide these things themselves.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable

from services.partners.accounts import looks_like_code
from services.partners.current import find_partner
from services.partners.status import PartnerStatus
from services.kernel.deps import Deps
from services.kernel.dto import Incoming, Reply, Screen
from services.kernel.i18n import Translator
from services.kernel.menu import SECTIONS, MenuMatcher, OpenSection, main_menu_screen

Handler = Callable[[Incoming], Awaitable[Reply]]


class ConversationService:
    def __init__(self, deps: Deps, translator: Translator, start: Handler) -> None:
        self.deps = deps
        self.menu = MenuMatcher(translator)
        self.forms: dict[str, Handler] = {}
        self.sections: dict[str, Handler] = {}
        self.fallback: Handler | None = None
        self.redeem_link_code: Callable[[Incoming, str], Awaitable[Reply]] | None = None
        # Hooks answering None when the message is not theirs: staff replies to a forwarded ticket message,
        # and a partner's message while their support ticket is open.
        self.reply_hook: Callable[[Incoming], Awaitable[Reply | None]] | None = None
        self.ticket_hook: Callable[[Incoming], Awaitable[Reply | None]] | None = None
        self._start = start

    async def on_text(self, inc: Incoming) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            state = await uow.forms.get(inc.messenger, inc.user_id)
            account = await uow.accounts.get(inc.messenger, inc.user_id)
            partner = await uow.partners.get(account.partner_id) if account else None
            staff = bool(await uow.staff.roles(inc.messenger, inc.user_id))
        newcomer = partner is None or partner.status == PartnerStatus.NEW
        if newcomer and self.redeem_link_code is not None and looks_like_code(inc.text):
            # Before any form: a person who pressed Start and then pastes the code from the other messenger
            # is linking, not answering the application's first question.
            return await self.redeem_link_code(inc, inc.text or "")
        # Menu labels before forms: a reply-keyboard tap (Telegram sends the label as text) leaves the form,
        # exactly like VK's menu payload does — it is never taken as an answer.
        section = OpenSection.parse(self.menu.action_for(inc.text))
        if section is not None:
            return await self.open_section(inc, section.section)
        if state is not None and state.form in self.forms:
            if inc.text and inc.text.startswith("/"):
                return Reply.of(Screen("err-unknown-command"))
            return await self.forms[state.form](inc)
        if inc.reply_to is not None and staff and self.reply_hook is not None:
            reply = await self.reply_hook(inc)
            if reply is not None:
                return reply
        if inc.text and inc.text.startswith("/"):
            return Reply.of(Screen("err-unknown-command"))
        if account is not None and self.ticket_hook is not None:
            reply = await self.ticket_hook(inc)
            if reply is not None:
                return reply
        if account is None:
            if staff:
                return Reply.of(Screen("staff-hello"))
            return await self._start(inc)  # VK has no /start: the first message opens the door
        if inc.non_text or not inc.text:
            return Reply.of(Screen("err-not-understood"))
        if self.fallback is not None:
            return await self.fallback(inc)
        return Reply.of(Screen("err-not-understood"))

    async def on_menu_action(self, inc: Incoming) -> Reply:
        """A menu entry pressed as a button with payload "menu:<section>" (VK keyboards, inline menus)."""
        pressed = OpenSection.parse(inc.action)
        return await self.open_section(inc, pressed.section if pressed else "")

    async def open_section(self, inc: Incoming, section: str) -> Reply:
        if section not in SECTIONS:
            return Reply.of(Screen("err-not-understood"))
        async with self.deps.uow(readonly=True) as uow:
            partner = await find_partner(uow, inc)
        if partner is None or partner.status != PartnerStatus.APPROVED:
            # Support stays reachable before approval; everything else waits for it.
            if section == "support" and partner is not None and section in self.sections:
                return await self.sections[section](inc)
            return Reply.of(Screen("err-approved-only"))
        async with self.deps.uow() as uow:  # a section opened from the menu abandons any half-filled form
            if await uow.forms.get(inc.messenger, inc.user_id) is not None:
                await uow.forms.clear(inc.messenger, inc.user_id)
                await uow.commit()
        handler = self.sections.get(section)
        if handler is None:
            return Reply.of(main_menu_screen("section-soon", section=section))
        return await handler(inc)

    async def help(self, inc: Incoming) -> Reply:
        return Reply.of(Screen("help"))
