"""Button actions as typed data, packed into short strings ("lnk:ren:42") and parsed back — one grammar for every
messenger, like aiogram's CallbackData but with no messenger in it.

    class LinkRename(ActionData, prefix="lnk:ren"):
        link: int

    LinkRename(42).pack() == "lnk:ren:42";  LinkRename.parse("lnk:ren:42") == LinkRename(42)

Field types: int (1–18 digits), bool ("1"/"0"), Literal["a", 2] (str or int values), str (pattern from
`token(...)`, default [A-Za-z0-9_]+). Trailing fields with a default of None may be left out. Parsing is strict,
so forged or outdated data never reaches a handler. `pack()` refuses anything over Telegram's 64 callback bytes.
"""
from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Self, TypeVar, dataclass_transform

from services.kernel.dto import Incoming, Reply, Toast

ID = r"(\d{1,18})"  # for the remaining regex routes
MAX_BYTES = 64  # Telegram's callback_data limit; VK payloads are larger
_DEFAULT_STR = r"[A-Za-z0-9_]+"


def token(pattern: str, *, default: Any = dataclasses.MISSING) -> Any:
    """A str field and the pattern its value must fully match (it may never contain ":")."""
    return dataclasses.field(default=default, metadata={"pattern": pattern})


@dataclass(frozen=True)
class _Codec:
    name: str
    pattern: re.Pattern[str]
    decode: Callable[[str], Any]
    encode: Callable[[Any], str]
    optional: bool  # may be omitted at the end (default None)


def _codec(spec: dataclasses.Field[Any], hint: Any) -> _Codec:
    optional = False
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType) and type(None) in args:
        (hint,) = [a for a in args if a is not type(None)]
        optional = spec.default is None
    if hint is bool:
        return _Codec(spec.name, re.compile("[01]"), lambda s: s == "1", lambda v: "1" if v else "0", optional)
    if hint is int:
        return _Codec(spec.name, re.compile(r"\d{1,18}"), int, str, optional)
    if typing.get_origin(hint) is Literal:
        values = {str(choice): choice for choice in typing.get_args(hint)}
        choices = "|".join(re.escape(text) for text in values)
        return _Codec(spec.name, re.compile(f"(?:{choices})"), values.__getitem__, str, optional)
    if hint is str:
        pattern = re.compile(spec.metadata.get("pattern", _DEFAULT_STR))
        return _Codec(spec.name, pattern, str, str, optional)
    raise TypeError(f"{spec.name}: an action field is int, bool, str or Literal, not {hint!r}")


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field, token))
class ActionData:
    """Base of typed button actions: `class X(ActionData, prefix="ab:cd"): field: type`."""

    action_prefix: ClassVar[str]
    _codec_cache: ClassVar[tuple[_Codec, ...] | None]

    def __init_subclass__(cls, *, prefix: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not re.fullmatch(r"[a-z]+(?::[a-z]+)*", prefix):
            raise ValueError(f"bad action prefix {prefix!r}")
        cls.action_prefix = prefix
        cls._codec_cache = None
        dataclass(frozen=True)(cls)

    @classmethod
    def _codecs(cls) -> tuple[_Codec, ...]:
        # Resolved on first use: type hints may name things defined after the class.
        if cls._codec_cache is None:
            hints = typing.get_type_hints(cls)
            codecs = tuple(_codec(spec, hints[spec.name]) for spec in dataclasses.fields(cls))  # type: ignore[arg-type]
            optional = [c.optional for c in codecs]
            if optional != sorted(optional):
                raise TypeError(f"{cls.__name__}: optional fields must come last")
            cls._codec_cache = codecs
        return cls._codec_cache

    def pack(self) -> str:
        parts = [self.action_prefix]
        omitted = None
        for codec in self._codecs():
            value = getattr(self, codec.name)
            if value is None and codec.optional:
                omitted = codec.name
                continue
            if omitted is not None:
                raise ValueError(f"{type(self).__name__}.{codec.name} is set but {omitted} before it is not")
            encoded = codec.encode(value)
            if not codec.pattern.fullmatch(encoded):
                raise ValueError(f"{type(self).__name__}.{codec.name}={value!r} cannot be packed")
            parts.append(encoded)
        packed = ":".join(parts)
        if len(packed.encode()) > MAX_BYTES:
            raise ValueError(f"{packed!r} is longer than {MAX_BYTES} bytes")
        return packed

    @classmethod
    def parse(cls, action: str | None) -> Self | None:
        """The action as this type, or None when it is not one (another prefix, wrong shape, bad value)."""
        if not action or len(action.encode()) > MAX_BYTES:
            return None
        rest = action[len(cls.action_prefix):] if action.startswith(cls.action_prefix) else None
        if rest is None or (rest and not rest.startswith(":")):
            return None
        parts = rest[1:].split(":") if rest else []
        codecs = cls._codecs()
        required = sum(1 for c in codecs if not c.optional)
        if not required <= len(parts) <= len(codecs):
            return None
        values = {}
        for codec, part in zip(codecs, parts):
            if not codec.pattern.fullmatch(part):
                return None
            values[codec.name] = codec.decode(part)
        return cls(**values)


A = TypeVar("A", bound=ActionData)
Handler = Callable[..., Awaitable[Reply]]


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern[str]
    handler: Handler
    int_groups: bool = True


@dataclass(frozen=True)
class TypedRoute:
    kind: type[ActionData]
    handler: Handler


class ActionTable:
    """A feature's actions. Typed routes (`on`) hand the handler the parsed ActionData; regex routes (`add`) its
    groups. Unknown or forged data → "outdated button"."""

    def __init__(self) -> None:
        self.routes: list[Route | TypedRoute] = []

    def on(self, kind: type[A], handler: Callable[[Incoming, A], Awaitable[Reply]]) -> None:
        self.routes.append(TypedRoute(kind, handler))

    def add(self, pattern: str, handler: Handler, *, int_groups: bool = True) -> None:
        self.routes.append(Route(re.compile(pattern), handler, int_groups))

    def prefixes(self) -> set[str]:
        """First segments of every action this table answers ("lnk"), for registering it with an adapter."""
        found = set()
        for route in self.routes:
            head = route.kind.action_prefix if isinstance(route, TypedRoute) else route.pattern.pattern
            found.add(re.split(r"[:(\\]", head, maxsplit=1)[0])
        return found

    async def __call__(self, inc: Incoming) -> Reply:
        action = inc.action or ""
        for route in self.routes:
            if isinstance(route, TypedRoute):
                data = route.kind.parse(action)
                if data is not None:
                    return await route.handler(inc, data)
                continue
            match = route.pattern.fullmatch(action)
            if match:
                groups = [int(g) if route.int_groups and g.isdigit() else g for g in match.groups()]
                return await route.handler(inc, *groups)
        return Reply(toast=Toast("err-stale-button"))
