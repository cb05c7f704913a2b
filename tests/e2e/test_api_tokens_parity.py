"""/admin → API tokens through both messengers: ONE scenario — a manager refused, an admin issuing a token with
typed mistakes along the way, the token shown once and working, the list with its last use, revocation with a
double tap, the audit — run through Telegram (real Dispatcher) and VK (real vkbottle bot), each on a fresh
database. Texts, buttons, toasts and the stored rows must agree."""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from services.api import tokens
from services.db.api_models import ApiToken, ApiTokenAudit
from tests.conftest import STAFF_SEED
from tests.e2e.test_parity import reset_database
from tests.fakes.tg_harness import TelegramHarness
from tests.fakes.vk_harness import VkHarness

ADMIN = {"telegram": 903, "vk": 803}
MANAGER = {"telegram": 900, "vk": 800}
TOKEN = re.compile(r"pbk_[0-9a-f]{10}_[A-Za-z0-9_-]{43}")
SCENARIO: list[tuple[str, ...]] = [
    ("manager", "text", "/admin"),
    ("manager", "press", "adm:api"),  # a manager pressing an admin's button
    ("manager", "press", "adm:api:new"),
    ("admin", "text", "/admin"),
    ("admin", "press", "adm:api"),
    ("admin", "press", "adm:api:new"),
    ("admin", "text", "x"),  # too short
    ("admin", "text", "Metabase"),
    ("admin", "text", "stats, everything"),  # an unknown scope
    ("admin", "text", "stats conversions:read"),
    ("admin", "text", "someday"),  # not an expiry
    ("admin", "press", "fm:1"),  # 90 days
    ("admin", "use",),  # the BI tool calls the API with it
    ("admin", "press", "adm:api"),
    ("manager", "press", "adm:api:rev:1"),
    ("admin", "press", "adm:api:rev:1"),
    ("admin", "press", "adm:api:revy:1"),
    ("admin", "press", "adm:api:revy:1"),  # double tap
    ("admin", "press", "adm:api:rev:1"),  # revoked: nothing to revoke
    ("admin", "press", "adm:api:log"),
]


def norm(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    for people in (ADMIN, MANAGER):
        for messenger, user in people.items():
            text = text.replace(f"{messenger}:{user}", "<admin>" if people is ADMIN else "<manager>")
    return TOKEN.sub("<token>", text)


async def _run(services, messenger: str) -> dict[str, Any]:
    tg = TelegramHarness(services)
    shown: list[tuple[str, str, list[str]]] = []
    secrets: list[str] = []
    async with VkHarness(services) as vk:
        for who, kind, *arg in SCENARIO:
            user = (ADMIN if who == "admin" else MANAGER)[messenger]
            if kind == "use":
                now = services.deps.clock.now()
                async with services.deps.uow(readonly=True) as uow:
                    checked = await tokens.check(uow, secrets[-1], now)
                async with services.deps.uow() as uow:
                    await tokens.touch(uow, checked.token_id, now)
                    await uow.commit()
                continue
            if messenger == "telegram":
                before = len(tg.texts(user))
                await (tg.send(user, arg[0]) if kind == "text" else tg.press(user, arg[0]))
                text, buttons = "\n---\n".join(tg.texts(user)[before:]), tg.buttons(user)
            else:
                before = len(vk.texts(user))
                await (vk.send(user, arg[0]) if kind == "text" else vk.press(user, arg[0]))
                text, buttons = "\n---\n".join(vk.texts(user)[before:]), vk.buttons(user)
            secrets += TOKEN.findall(text)
            shown.append((who, norm(text), buttons))
        toasts = tg.toasts() if messenger == "telegram" else vk.snackbars()
    async with services.deps.uow(readonly=True) as uow:
        stored = [(t.name, t.scopes, t.expires_at, t.revoked_at is not None, t.last_used_at is not None,
                   t.created_by.split(":")[0] == messenger) for t in (await uow.session.scalars(select(ApiToken)))]
        trail = [(a.action, a.token_id, a.scopes) for a in (await uow.session.scalars(
            select(ApiTokenAudit).order_by(ApiTokenAudit.id)))]
        hashes = [t.secret_hash for t in (await uow.session.scalars(select(ApiToken)))]
    return {"shown": shown, "toasts": [norm(t) for t in toasts], "stored": stored, "trail": trail,
            "secrets": secrets, "hashes": hashes}


async def test_api_tokens_agree_on_telegram_and_vk(services, clock):
    start = clock.now()
    runs = {}
    for messenger in ("telegram", "vk"):
        await reset_database(services, start, clock)
        await services.seed_staff([*STAFF_SEED, ("vk", str(ADMIN["vk"]), "admin")])
        runs[messenger] = await _run(services, messenger)
    telegram, vk = runs["telegram"], runs["vk"]

    t = services.translator
    texts = [text for _, text, _ in telegram["shown"]]
    assert "adm:api" not in telegram["shown"][0][2] and "adm:api" in telegram["shown"][3][2]
    assert t("ru", "err-not-allowed") in telegram["toasts"]
    assert t("ru", "err-too-short", min=2) in texts[6]
    assert "«everything»" in texts[8] and "kpis:read" in texts[8]  # the unknown scope, named
    assert t("ru", "api-err-expiry", max=3650) in texts[10]
    created = next(x for x in texts if "<token>" in x)
    assert "stats:read,conversions:read" in created and "2026-04-15" in created  # 90 days from the fake clock
    assert len(telegram["secrets"]) == 1  # shown once: never again in the list or the audit
    assert "#1 Metabase · stats:read,conversions:read · active" in texts[12] and "👁 2026-01-15 12:00 UTC" in texts[12]
    assert telegram["stored"] == [("Metabase", "stats:read,conversions:read", telegram["stored"][0][2], True, True,
                                   True)]
    assert telegram["trail"] == [("created", 1, "stats:read,conversions:read"),
                                 ("revoked", 1, "stats:read,conversions:read")]
    assert t("ru", "api-revoked", id=1, name="Metabase") in telegram["toasts"]
    assert telegram["toasts"].count(t("ru", "err-stale-button")) == 2  # the double tap, the stale revoke
    assert telegram["secrets"][0] not in str(telegram["hashes"])

    # The same conversation on VK, token and all (each run its own random token).
    assert telegram["secrets"] != vk["secrets"]
    for key in ("shown", "toasts", "stored", "trail"):
        assert vk[key] == telegram[key], key
