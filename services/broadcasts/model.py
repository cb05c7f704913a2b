"""A broadcast's states and the post it sends, shared by the manager's screens and the sender."""
from __future__ import annotations

from enum import StrEnum

from services.db.broadcast_models import Broadcast
from services.kernel.dto import Attachment
from services.kernel.ports import Post


class Status(StrEnum):
    DRAFT = "draft"  # being composed
    SCHEDULED = "scheduled"  # waits for scheduled_at
    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"
    CANCELLED = "cancelled"


class RecipientStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed with a lease; after a crash it becomes due again when the lease ends
    SENT = "sent"
    FAILED = "failed"
    UNREACHABLE = "unreachable"


ACTIVE = (Status.RUNNING, Status.PAUSED)
# VK's random_id for a broadcast: one per broadcast, so every peer gets it at most once however the peers are
# grouped into calls. Counted down from int32's top so it never meets an outbox row id (random_id = row id).
VK_RANDOM_TOP = 2_147_483_647


def dedupe_id(broadcast_id: int) -> int:
    return VK_RANDOM_TOP - broadcast_id


def post_of(broadcast: Broadcast) -> Post:
    photo = Attachment(**broadcast.photo) if broadcast.photo else None
    return Post(key=f"bc:{broadcast.id}", text=broadcast.text, entities=tuple(broadcast.entities or ()),
                photo=photo, button_label=broadcast.button_label, button_url=broadcast.button_url)
