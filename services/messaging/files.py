"""Generated files travelling in outbox rows. A row stores no bytes (Attachment.to_dict refuses them): the job
that makes a file (a digest's chart) keeps it in outbox_files and attaches Attachment(origin=STORED, ref=<id>);
the dispatcher loads it right before the send, as a generated attachment each messenger uploads."""
from __future__ import annotations

import dataclasses

from sqlalchemy import select

from services.db.retention_models import OutboxFile
from services.kernel.deps import Deps
from services.kernel.dto import Attachment, Screen

STORED = "stored"


async def with_stored_files(deps: Deps, screen: Screen) -> Screen:
    """The screen with its stored attachments loaded; one purged meanwhile is left out (the text still goes)."""
    wanted = [int(a.ref) for a in screen.attachments if a.origin == STORED and a.ref.isdigit()]
    if not any(a.origin == STORED for a in screen.attachments):
        return screen
    async with deps.uow(readonly=True) as uow:
        found = dict((await uow.session.execute(
            select(OutboxFile.id, OutboxFile.data).where(OutboxFile.id.in_(wanted)))).all()) if wanted else {}
    attachments = []
    for item in screen.attachments:
        if item.origin != STORED:
            attachments.append(item)
        elif item.ref.isdigit() and int(item.ref) in found:
            attachments.append(Attachment.generated(item.kind, item.name or f"{item.ref}.png", found[int(item.ref)]))
    return dataclasses.replace(screen, attachments=tuple(attachments),
                               as_caption=screen.as_caption and bool(attachments))
