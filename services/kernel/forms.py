"""The form engine for multi-step chat input (onboarding, offers, links, renames…), stored in form_states.

A form is a list of Fields. Each step prompts with a locale key; the answer is typed (parsed by the field's
parser, which raises validation.Invalid) or chosen with a button (`fm:<index>` of the field's choices, `fm:=` for
the default, `fm:<` back, `fm:x` cancel). When the last field is answered, the form's `complete` callback runs in
the same unit of work (raising Abort undoes the whole step). A form with buttons and screens of its own
(onboarding) subclasses Form, overrides the hooks under "the look" and answers its own buttons through
`press` / `back` / `advance`; the steps, their order, storage and validation stay here.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from services.db.models import FormState
from services.db.uow import UnitOfWork
from services.kernel import validation
from services.kernel.deps import Deps
from services.kernel.dto import Button, Incoming, Reply, Screen, Toast

Complete = Callable[[UnitOfWork, Incoming, dict[str, Any]], Awaitable[Reply]]


class Abort(Exception):
    """Raised by `complete`: nothing of this step is saved (the form stays where it was); `reply` is shown."""

    def __init__(self, reply: Reply) -> None:
        super().__init__("form step aborted")
        self.reply = reply


@dataclass(frozen=True)
class Field:
    name: str
    prompt_key: str
    parse: Callable[[str], Any] | None = None  # None: buttons only
    default: Any = None  # offered as a button; None: no default
    choices: tuple[tuple[Any, str], ...] = ()  # (value, button label key)
    skip_if: Callable[[dict[str, Any]], bool] | None = None
    keep: bool = True  # False: answering moves the form on, nothing is stored (a consent, a side effect)


@dataclass
class Form:
    name: str
    fields: Sequence[Field]
    complete: Complete
    # Extra prompt arguments from the data gathered so far (e.g. the offer being edited).
    prompt_args: Callable[[dict[str, Any]], dict[str, Any]] = field(default=lambda data: {})
    # form_states.step holds the field's name instead of its index (onboarding's rows always did).
    named_steps: bool = False
    fm_buttons: ClassVar[bool] = True  # False: the form has buttons of its own and fm:… ones are forged

    def _next_index(self, data: dict[str, Any], start: int) -> int | None:
        for index in range(start, len(self.fields)):
            skip = self.fields[index].skip_if
            if skip is None or not skip(data):
                return index
        return None

    def _previous_index(self, data: dict[str, Any], current: int) -> int | None:
        for index in range(current - 1, -1, -1):
            skip = self.fields[index].skip_if
            if skip is None or not skip(data):
                return index
        return None

    def step_id(self, index: int) -> str:
        return self.fields[index].name if self.named_steps else str(index)

    def index_of(self, step: str) -> int | None:
        """The field a stored step points at (by index or by name, whichever the row holds); None if gone."""
        if step.isdigit():
            return int(step) if int(step) < len(self.fields) else None
        names = [spec.name for spec in self.fields]
        return names.index(step) if step in names else None

    def prompt(self, index: int, data: dict[str, Any]) -> Screen:
        spec = self.fields[index]
        rows: list[tuple[Button, ...]] = [
            (Button(label, f"fm:{i}"),) for i, (_, label) in enumerate(spec.choices)
        ]
        if spec.default is not None:
            rows.append((Button("btn-use-default", "fm:=", {"value": str(spec.default)}),))
        rows.append((Button("btn-back", "fm:<"), Button("btn-cancel", "fm:x")))
        args = {"step": index + 1, "steps": len(self.fields), **self.prompt_args(data)}
        current = data.get(spec.name)
        args["current"] = "" if current is None else str(current)
        args["has_current"] = "no" if current is None else "yes"
        return Screen(spec.prompt_key, args, buttons=tuple(rows))

    # ---- the look: forms with screens of their own override these ------------------------------------------

    async def screen(self, uow: UnitOfWork, inc: Incoming, index: int, data: dict[str, Any]) -> Screen:
        return self.prompt(index, data)

    def invalid(self, bad: validation.Invalid, prompt: Screen) -> Reply:
        return Reply.of(Screen(bad.key, bad.params), prompt)

    def previous(self, data: dict[str, Any], index: int) -> int | None:
        """Where Back goes; None: nowhere (the button is stale)."""
        return self._previous_index(data, index)

    async def stale(self, uow: UnitOfWork, inc: Incoming) -> Reply:
        return Reply(toast=Toast("err-stale-button"))

    def cancelled(self) -> Reply:
        return Reply.of(Screen("cancelled", edit=True))


class FormRunner:
    """Runs registered forms; `conversation` routes typed text of an open form here."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.forms: dict[str, Form] = {}

    def register(self, form: Form) -> Form:
        self.forms[form.name] = form
        return form

    async def begin(self, uow: UnitOfWork, inc: Incoming, form_name: str, data: dict[str, Any]) -> Reply:
        """Opens a form inside the caller's unit of work (the caller commits)."""
        form = self.forms[form_name]
        index = form._next_index(data, 0)
        assert index is not None, "a form needs at least one field"
        await self._save(uow, inc, form, index, data)
        return Reply.of(await form.screen(uow, inc, index, data))

    async def resume(self, uow: UnitOfWork, inc: Incoming, state: FormState) -> Screen | None:
        """The question a saved form is waiting on (after a restart, /start mid-form)."""
        form = self.forms.get(state.form)
        index = form.index_of(state.step) if form else None
        if form is None or index is None:
            return None
        return await form.screen(uow, inc, index, dict(state.data))

    async def on_text(self, inc: Incoming) -> Reply:
        return await self._answer(inc, text=inc.text, button=None)

    async def on_action(self, inc: Incoming) -> Reply:
        """fm:<choice index> | fm:= (default) | fm:< (back) | fm:x (cancel)."""
        token = (inc.action or "").removeprefix("fm:")
        if token == "<":
            return await self.back(inc)
        return await self._answer(inc, text=None, button=token)

    async def press(self, inc: Incoming, form_name: str, step: str, value: Any) -> Reply:
        """A form's own button answering `step` with `value`; from any other step it is stale."""
        form = self.forms[form_name]
        async with self.deps.uow() as uow:
            state = await uow.forms.get(inc.messenger, inc.user_id, lock=True)
            at = form.index_of(state.step) if state is not None and state.form == form_name else None
            if at is None or at != form.index_of(step):
                return await form.stale(uow, inc)
            return await self.advance(uow, inc, state, value)

    async def back(self, inc: Incoming, form_name: str | None = None) -> Reply:
        """Back one step; `form_name`: a form's own Back button (stale unless that form is open)."""
        async with self.deps.uow() as uow:
            state = await uow.forms.get(inc.messenger, inc.user_id, lock=True)
            form = self.forms.get(state.form) if state else None
            index = form.index_of(state.step) if form and state else None
            if (state is None or form is None or index is None or form_name not in (None, form.name)
                    or (form_name is None and not form.fm_buttons)):
                stale = self.forms.get(form_name or "")
                return await stale.stale(uow, inc) if stale else Reply(toast=Toast("err-stale-button"))
            data = dict(state.data)
            previous = form.previous(data, index)
            if previous is None:
                return await form.stale(uow, inc)
            await self._save(uow, inc, form, previous, data)
            screen = await form.screen(uow, inc, previous, data)
            await uow.commit()
            return Reply.of(screen)

    async def advance(self, uow: UnitOfWork, inc: Incoming, state: FormState, value: Any) -> Reply:
        """Takes `value` as the answer to the current step and moves on; commits (or completes the form)."""
        form = self.forms[state.form]
        index = form.index_of(state.step)
        assert index is not None
        data = dict(state.data)
        if form.fields[index].keep:
            data[form.fields[index].name] = value
        following = form._next_index(data, index + 1)
        if following is None:
            await uow.forms.clear(inc.messenger, inc.user_id)
            try:
                reply = await form.complete(uow, inc, data)
            except Abort as stop:
                return stop.reply  # the unit of work ends uncommitted: the form stays as it was
            await uow.commit()
            self.deps.wake_outbox()
            return reply
        await self._save(uow, inc, form, following, data)
        screen = await form.screen(uow, inc, following, data)
        await uow.commit()
        return Reply.of(screen)

    async def _answer(self, inc: Incoming, *, text: str | None, button: str | None) -> Reply:
        async with self.deps.uow() as uow:
            state = await uow.forms.get(inc.messenger, inc.user_id, lock=True)
            form = self.forms.get(state.form) if state else None
            index = form.index_of(state.step) if form and state else None
            if state is None or form is None or index is None or (button is not None and not form.fm_buttons):
                return Reply(toast=Toast("err-stale-button")) if button else Reply.of(Screen("err-not-understood"))
            if button == "x":
                await uow.forms.clear(inc.messenger, inc.user_id)
                await uow.commit()
                return form.cancelled()
            data = dict(state.data)
            try:
                value = self._value(form.fields[index], text, button, inc.non_text)
            except validation.Invalid as bad:
                return form.invalid(bad, await form.screen(uow, inc, index, data))
            return await self.advance(uow, inc, state, value)

    async def _save(self, uow: UnitOfWork, inc: Incoming, form: Form, index: int, data: dict[str, Any]) -> None:
        await uow.forms.save(inc.messenger, inc.user_id, form.name, form.step_id(index), data, self.deps.clock.now())

    @staticmethod
    def _value(spec: Field, text: str | None, button: str | None, non_text: bool) -> Any:
        if button == "=" and spec.default is not None:
            return spec.default
        if button is not None:
            if button.isdigit() and int(button) < len(spec.choices):
                return spec.choices[int(button)][0]
            raise validation.Invalid("err-use-buttons")
        if spec.parse is None:
            raise validation.Invalid("err-use-buttons")
        if non_text or not text:
            raise validation.Invalid("err-text-expected")
        return spec.parse(text)
