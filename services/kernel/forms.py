"""A small form engine for multi-step chat input (offers, links, renames…), stored in form_states.

A form is a list of Fields. Each step prompts with a locale key; the answer is typed (parsed by the field's
parser, which raises validation.Invalid) or chosen with a button (`fm:<index>` of the field's choices, `fm:=` for
the default, `fm:<` back, `fm:x` cancel). When the last field is answered, the form's `complete` callback runs in
the same unit of work. Onboarding keeps its own richer flow; everything else should use this.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from services.kernel import validation
from services.db.uow import UnitOfWork
from services.kernel.deps import Deps
from services.kernel.dto import Button, Incoming, Reply, Screen, Toast

Complete = Callable[[UnitOfWork, Incoming, dict[str, Any]], Awaitable[Reply]]


@dataclass(frozen=True)
class Field:
    name: str
    prompt_key: str
    parse: Callable[[str], Any] | None = None  # None: buttons only
    default: Any = None  # offered as a button; None: no default
    choices: tuple[tuple[Any, str], ...] = ()  # (value, button label key)
    skip_if: Callable[[dict[str, Any]], bool] | None = None


@dataclass
class Form:
    name: str
    fields: Sequence[Field]
    complete: Complete
    # Extra prompt arguments from the data gathered so far (e.g. the offer being edited).
    prompt_args: Callable[[dict[str, Any]], dict[str, Any]] = field(default=lambda data: {})

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
        await uow.forms.save(inc.messenger, inc.user_id, form.name, str(index), data, self.deps.clock.now())
        return Reply.of(form.prompt(index, data))

    async def on_text(self, inc: Incoming) -> Reply:
        return await self._answer(inc, text=inc.text, button=None)

    async def on_action(self, inc: Incoming) -> Reply:
        """fm:<choice index> | fm:= (default) | fm:< (back) | fm:x (cancel)."""
        token = (inc.action or "").removeprefix("fm:")
        return await self._answer(inc, text=None, button=token)

    async def _answer(self, inc: Incoming, *, text: str | None, button: str | None) -> Reply:
        async with self.deps.uow() as uow:
            state = await uow.forms.get(inc.messenger, inc.user_id, lock=True)
            form = self.forms.get(state.form) if state else None
            if state is None or form is None:
                return Reply(toast=Toast("err-stale-button")) if button else Reply.of(Screen("err-not-understood"))
            index, data = int(state.step), dict(state.data)
            spec = form.fields[index]
            if button == "x":
                await uow.forms.clear(inc.messenger, inc.user_id)
                await uow.commit()
                return Reply.of(Screen("cancelled", edit=True))
            if button == "<":
                previous = form._previous_index(data, index)
                if previous is None:
                    return Reply(toast=Toast("err-stale-button"))
                await uow.forms.save(inc.messenger, inc.user_id, form.name, str(previous), data,
                                     self.deps.clock.now())
                await uow.commit()
                return Reply.of(form.prompt(previous, data))
            try:
                data[spec.name] = self._value(spec, text, button, inc.non_text)
            except validation.Invalid as bad:
                return Reply.of(Screen(bad.key, bad.params), form.prompt(index, data))
            following = form._next_index(data, index + 1)
            if following is None:
                await uow.forms.clear(inc.messenger, inc.user_id)
                reply = await form.complete(uow, inc, data)
                await uow.commit()
                self.deps.wake_outbox()
                return reply
            await uow.forms.save(inc.messenger, inc.user_id, form.name, str(following), data, self.deps.clock.now())
            await uow.commit()
            return Reply.of(form.prompt(following, data))

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
