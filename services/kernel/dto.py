"""Messenger-neutral data passed between adapters and use cases.

Adapters turn updates into `Incoming`, use cases answer with `Reply` (Screens for the current chat) and write
messages for other people to the outbox. Each messenger renders a Screen in exactly one place (its render.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Awaitable, Callable
from typing import Any, Literal

Messenger = Literal["telegram", "vk"]
MESSENGERS: tuple[str, ...] = ("telegram", "vk")


@dataclass(frozen=True)
class Button:
    """A button: `label_key` is a locale key, `action` the callback data / payload (≤ 64 bytes)."""

    label_key: str
    action: str = ""
    args: dict[str, Any] = field(default_factory=dict)
    url: str | None = None  # a link button instead of an action
    style: Literal["default", "primary", "positive", "negative"] = "default"


@dataclass(frozen=True)
class Attachment:
    """A photo or document as its origin messenger knows it (Telegram file_id, VK URL / owner_id_id), or one
    generated for the current chat (origin GENERATED, `data` = its bytes, `name` = its file name)."""

    kind: Literal["photo", "document"]
    origin: str  # messenger whose reference this is, or GENERATED
    ref: str
    name: str | None = None
    url: str | None = None  # a public URL other messengers can fetch (VK photos/documents have one)
    data: bytes | None = field(default=None, repr=False, compare=False)
    # Generated files worth uploading once: the adapter hands the messenger's reference to the upload back
    # under this key (Services.remember_upload), so the next send reuses it.
    key: str | None = None

    @classmethod
    def generated(cls, kind: Literal["photo", "document"], name: str, data: bytes,
                  key: str | None = None) -> "Attachment":
        return cls(kind, GENERATED, name, name=name, data=data, key=key)

    def to_dict(self) -> dict[str, Any]:
        if self.data is not None:  # bytes belong in an answer to the current chat, never in an outbox row
            raise ValueError("a generated attachment cannot be stored")
        return {"kind": self.kind, "origin": self.origin, "ref": self.ref, "name": self.name, "url": self.url}


GENERATED = "generated"  # Attachment.origin of files made by the bot (a chart, an export, a QR banner): uploaded from bytes


# Screens wait in outbox rows (JSON) across deploys. Every stored Screen carries the format it was written in;
# a row written by an older version is upgraded on read, so renaming a locale key or a field later never breaks
# messages still waiting to be sent. Bump SCREEN_FORMAT and add an upgrade step when the shape changes.
SCREEN_FORMAT = 1
RENAMED_TEXT_KEYS: dict[str, str] = {}  # old locale key → new one, for rows stored before a rename


class UnknownScreenFormat(ValueError):
    """A row written by a newer version of the bot (a rollback after a deploy): leave it for that version."""


def upgrade_screen_dict(data: dict[str, Any]) -> dict[str, Any]:
    version = data.get("v", 0)  # rows written before formats were versioned have no "v": format 0 = format 1
    if not isinstance(version, int) or version > SCREEN_FORMAT:
        raise UnknownScreenFormat(f"screen format {version!r} is newer than {SCREEN_FORMAT}")
    data = dict(data)
    data["text_key"] = RENAMED_TEXT_KEYS.get(data["text_key"], data["text_key"])
    data["v"] = SCREEN_FORMAT
    return data


@dataclass(frozen=True)
class Screen:
    """What to show: a locale key with arguments, inline buttons, and optionally the persistent menu."""

    text_key: str
    args: dict[str, Any] = field(default_factory=dict)
    buttons: tuple[tuple[Button, ...], ...] = ()
    menu: tuple[tuple[Button, ...], ...] | None = None  # persistent keyboard; () removes it
    edit: bool = False  # replace the message whose button was pressed instead of sending a new one
    attachments: tuple[Attachment, ...] = ()  # sent along with the text (text as caption / first message)
    # One forwardable message: the text is the caption of the (single, photo) attachment, buttons under it.
    as_caption: bool = False

    def to_dict(self) -> dict[str, Any]:
        def rows(value: tuple[tuple[Button, ...], ...] | None) -> list[list[dict[str, Any]]] | None:
            if value is None:
                return None
            return [
                [
                    {"label_key": b.label_key, "action": b.action, "args": b.args, "url": b.url, "style": b.style}
                    for b in row
                ]
                for row in value
            ]

        return {"v": SCREEN_FORMAT, "text_key": self.text_key, "args": self.args, "buttons": rows(self.buttons),
                "menu": rows(self.menu), "edit": self.edit, "attachments": [a.to_dict() for a in self.attachments],
                "as_caption": self.as_caption}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Screen":
        def rows(value: list[list[dict[str, Any]]] | None) -> tuple[tuple[Button, ...], ...] | None:
            if value is None:
                return None
            return tuple(tuple(Button(**b) for b in row) for row in value)

        data = upgrade_screen_dict(data)
        return cls(text_key=data["text_key"], args=data.get("args") or {}, buttons=rows(data.get("buttons")) or (),
                   menu=rows(data.get("menu")), edit=bool(data.get("edit")),
                   attachments=tuple(Attachment(**a) for a in data.get("attachments") or ()),
                   as_caption=bool(data.get("as_caption")))


@dataclass(frozen=True)
class Toast:
    """A short notice answering a button press (Telegram callback answer / VK snackbar)."""

    text_key: str
    args: dict[str, Any] = field(default_factory=dict)
    alert: bool = False


@dataclass
class Reply:
    screens: list[Screen] = field(default_factory=list)
    toast: Toast | None = None
    # Slow work (rendering a chart, an export) done after these screens are shown, so the person sees progress:
    # the adapter shows this reply, awaits `then` and shows its reply too — where a screen of it has edit=True,
    # it replaces the last message shown (e.g. "Preparing…" becomes "Done", its file sent along).
    then: Callable[[], Awaitable["Reply"]] | None = None

    @classmethod
    def of(cls, *screens: Screen, toast: Toast | None = None,
           then: Callable[[], Awaitable["Reply"]] | None = None) -> "Reply":
        return cls(list(screens), toast, then)


@dataclass(frozen=True)
class Incoming:
    """One message or button press from a person, as plain data."""

    messenger: str
    user_id: str  # the messenger's user id, as text
    chat_id: str  # where to answer (private chat id / VK peer id)
    text: str | None = None
    action: str | None = None  # callback data / payload action of a pressed button
    language_code: str | None = None  # from the messenger, used only to preselect a language
    first_name: str | None = None
    username: str | None = None
    non_text: bool = False  # a photo, sticker, voice… where text was expected
    attachments: tuple[Attachment, ...] = ()  # photos / documents that came with the message
    message_id: str | None = None  # the platform's id of this message
    reply_to: str | None = None  # id of the message this one replies to (staff answering a ticket)
    thread_id: str | None = None  # forum topic of a group message
    chat_type: str = "private"  # private | group
    start_payload: str | None = None  # /start <payload> in Telegram, `ref` in VK
    # Formatting of `text` as the messenger reports it (Telegram MessageEntity dicts; VK has none): kept where a
    # text is re-sent as its author wrote it (broadcasts).
    entities: tuple[dict[str, Any], ...] = ()
