"""Files of materials as each messenger knows them: a banner (or a personal QR banner) is uploaded to a
messenger once, and its file_id / attachment id is reused for every later send."""
from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.db.materials_models import MaterialFile
from services.db.uow import UnitOfWork
from services.kernel.deps import Deps
from services.kernel.dto import Attachment
from services.kernel.ports import DeliveryError

log = logging.getLogger(__name__)


def banner_key(material_id: int) -> str:
    return f"banner:{material_id}"


def qr_key(material_id: int, link_id: int) -> str:
    return f"qr:{material_id}:{link_id}"


def _material_of(key: str) -> int | None:
    parts = key.split(":")
    return int(parts[1]) if len(parts) >= 2 and parts[0] in ("banner", "qr") and parts[1].isdigit() else None


async def lookup(uow: UnitOfWork, key: str, messenger: str) -> str | None:
    return await uow.session.scalar(select(MaterialFile.ref).where(MaterialFile.key == key,
                                                                   MaterialFile.messenger == messenger))


async def store(uow: UnitOfWork, deps: Deps, key: str, messenger: str, ref: str) -> None:
    """Inside the caller's transaction; the first reference stays (a concurrent upload of the same file is
    just as good)."""
    material_id = _material_of(key)
    if material_id is None:
        return
    try:
        async with uow.session.begin_nested():
            uow.session.add(MaterialFile(key=key, messenger=messenger, material_id=material_id, ref=ref,
                                         created_at=deps.clock.now()))
    except IntegrityError:
        pass


async def remember(deps: Deps, messenger: str, key: str, ref: str) -> None:
    """Called by an adapter right after it uploaded a generated file."""
    async with deps.uow() as uow:
        await store(uow, deps, key, messenger, ref)
        await uow.commit()


async def photo(uow: UnitOfWork, messenger: str, key: str, name: str, data: bytes) -> Attachment:
    """The file as the messenger already has it, else its bytes to upload (and remember under `key`)."""
    ref = await lookup(uow, key, messenger)
    if ref is not None:
        return Attachment("photo", messenger, ref)
    return Attachment.generated("photo", name, data, key=key)


async def download(deps: Deps, attachment: Attachment) -> bytes | None:
    """A file a person sent, fetched from their messenger; None when it cannot be had."""
    source = deps.files.get(attachment.origin)
    if source is None:
        log.warning("no file source for %s: cannot read %s", attachment.origin, attachment.ref)
        return None
    try:
        content, _ = await source.fetch(attachment)
    except DeliveryError as exc:
        log.info("could not download %s: %s", attachment.ref, exc)
        return None
    return content
