"""Screens of partner links, from the data of use_cases.py."""
from __future__ import annotations

from collections.abc import Sequence

from services.db.tracking_models import Offer
from services.kernel.deps import Deps
from services.kernel.dto import Button, Screen
from services.kernel.menu import OpenSection
from services.links import actions as act
from services.links.use_cases import MAX_NAMED_LINKS, LinkDetails, LinksOverview, RecruitInfo, tracking_url

HOME_ITEMS = 8  # named links listed as buttons under the home screen
OFFER_ITEMS = 9  # offers to choose from (+ Back: VK's 10-button inline keyboards)


def home(deps: Deps, links: LinksOverview, *, edit: bool = False) -> Screen:
    if not links.defaults:
        return no_offers()
    listing = "\n\n".join(f"{offer.name}\n{tracking_url(deps, link.code)}" for offer, link in links.defaults)
    rows = [(Button("link-item", act.ShowLink(link.id).pack(), {"name": link.name or link.code}),)
            for link in links.named[:HOME_ITEMS]]
    rows.append((Button("link-btn-new", act.NewLink().pack()), Button("link-btn-recruit", act.Recruit().pack())))
    return Screen("links-home", {"links": listing, "named": len(links.named)}, buttons=tuple(rows), edit=edit)


def no_offers() -> Screen:
    return Screen("links-no-offers")


def limit_reached() -> Screen:
    return Screen("link-limit", {"max": MAX_NAMED_LINKS})


def choose_offer(offers: Sequence[Offer]) -> Screen:
    rows = tuple((Button("link-offer-item", act.NewLink(o.id).pack(), {"name": o.name}),)
                 for o in offers[:OFFER_ITEMS])
    return Screen("link-choose-offer", buttons=rows + ((Button("btn-back", OpenSection("links").pack()),),))


def card(deps: Deps, found: LinkDetails, *, edit: bool = False) -> Screen:
    link = found.link
    subs = ", ".join(f"sub{i}={v}" for i in range(1, 6) if (v := getattr(link, f"sub{i}")))
    return Screen("link-card", {"name": link.name or link.code, "url": tracking_url(deps, link.code),
                                "offer": found.offer.name, "subs": subs or "—", "clicks": found.clicks}, edit=edit,
                  buttons=((Button("link-btn-rename", act.RenameLink(link.id).pack()),
                            Button("link-btn-archive", act.ArchiveLink(link.id).pack())),
                           (Button("btn-back", act.LinksHome().pack()),)))


def recruit(info: RecruitInfo) -> Screen:
    listing = "\n".join(info.links.values()) or info.code
    return Screen("link-recruit", {"links": listing, "code": info.code, "count": info.subpartners},
                  buttons=((Button("btn-back", act.LinksHome().pack()),),))
