"""Button actions of partner links (lnk:…). The packed strings are the ones already sent in old messages."""
from __future__ import annotations

from services.kernel.actions import ActionData


class LinksHome(ActionData, prefix="lnk:home"):
    pass


class NewLink(ActionData, prefix="lnk:new"):
    offer: int | None = None  # None: choose the offer first (when there are several)


class Recruit(ActionData, prefix="lnk:recruit"):
    pass


class RenameLink(ActionData, prefix="lnk:ren"):
    link: int


class ArchiveLink(ActionData, prefix="lnk:arc"):
    link: int


class ShowLink(ActionData, prefix="lnk"):
    link: int
