"""python -m bot: migrate, then run Telegram (long polling or webhook), VK (long poll or Callback API), the web
app, the outbox and the scheduler until SIGTERM/SIGINT, and stop cleanly (in-flight updates finish, the database
is closed). WEB_WORKERS > 1: a parent process runs that many workers on one port (bot/workers.py)."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from urllib.parse import urlsplit
from dataclasses import replace

from aiohttp import web

from bot.access_log import RedactedAccessLogger
from bot.config import Settings, load_settings
from bot.container import Container, TelegramRuntime, build_container
from bot.scheduler import build_scheduler
from bot.supervisor import Supervisor
from bot.workers import MIGRATED_ENV, run_workers, worker_index
from services.shared.leader import lead
from bot.web import build_web_app
from services.db.migrate import upgrade_async
from services.db.sqlite import ensure_parent_dir
from services.kernel.secrets import IP_HASH_SECRET, stored_secret
from services.payouts.cipher import PAYOUT_DETAILS_KEY
from services.offers.service import ensure_default_offer

log = logging.getLogger("bot")
GRACE_SECONDS = 10.0
POLLER_BACKOFF = (1.0, 300.0)  # first retry after 0.5–1 s, doubling up to 2.5–5 min


async def start_telegram(container: Container, tasks: list[asyncio.Task],
                         backoff: tuple[float, float] = POLLER_BACKOFF, *, first: bool = True) -> None:
    """Long polling in the first worker only (Telegram serves one getUpdates consumer), or a webhook that every
    worker answers and the first registers."""
    from bot.telegram import build_bot, build_dispatcher, register_commands
    from handlers.telegram.notifier import TelegramFiles, TelegramNotifier

    settings = container.settings
    bot = build_bot(settings.telegram_bot_token, settings.telegram_api_url)
    dispatcher = build_dispatcher(container.services)
    container.attach_notifier(TelegramNotifier(bot, container.services.translator))
    container.deps.files["telegram"] = TelegramFiles(bot)  # managers' banners are downloaded through it
    container.telegram = TelegramRuntime(bot, dispatcher)

    webhook = settings.telegram_webhook_url

    async def run(supervisor: Supervisor) -> None:
        me = await bot.get_me()  # the username builds partners' recruit links t.me/<bot>?start=<code>
        container.deps.config = replace(container.deps.config, telegram_bot_username=me.username or "")
        if first:
            from bot.webhooks import set_telegram_webhook, use_telegram_polling

            if webhook:
                await set_telegram_webhook(bot, webhook, settings.telegram_webhook_secret)
            else:
                await use_telegram_polling(bot)  # Telegram refuses getUpdates while a webhook is set
        supervisor.up()
        if first:
            try:
                await register_commands(bot, container.services)
            except Exception:
                log.exception("setMyCommands failed; the bot still runs")
        if webhook or not first:
            await supervisor.until_stopped()  # updates arrive through the web app
        elif not supervisor.stopping:
            await dispatcher.start_polling(bot, handle_signals=False, close_bot_session=False)

    _supervise(container, tasks, Supervisor("telegram", run, base=backoff[0], cap=backoff[1]))
    log.info("Telegram %s via %s", f"webhook {webhook}" if webhook else "long polling" if first else "sending only",
             settings.telegram_api_url)


async def start_vk(container: Container, tasks: list[asyncio.Task],
                   backoff: tuple[float, float] = POLLER_BACKOFF, *, first: bool = True) -> None:
    from bot.vk import build_vk_bot
    from handlers.vk.notifier import VkNotifier

    settings = container.settings
    vk_bot = build_vk_bot(settings.vk_token, settings.vk_group_id, settings.vk_api_url, container.services)
    files = {}
    if container.telegram is not None:  # staff answers with Telegram photos/documents reach VK partners
        from handlers.telegram.notifier import TelegramFiles

        files["telegram"] = TelegramFiles(container.telegram.bot)
    container.attach_notifier(VkNotifier(vk_bot.api, container.services.translator, files=files))
    from handlers.vk.files import VkFiles

    container.deps.files["vk"] = VkFiles(vk_bot.api)
    container.vk_bot = vk_bot

    callback = settings.vk_callback_url

    async def run(supervisor: Supervisor) -> None:
        if callback:
            if first:
                from bot.webhooks import register_vk_callback

                await register_vk_callback(vk_bot, settings.vk_group_id, callback, settings.vk_callback_secret)
            supervisor.up()
            await supervisor.until_stopped()  # events arrive through the web app
            return
        if not first:
            supervisor.up()
            await supervisor.until_stopped()
            return
        # run_polling's first server lookup is outside vkbottle's retry loop: probe it here to know we are up.
        await vk_bot.polling.get_server()
        supervisor.up()
        await vk_bot.run_polling()

    _supervise(container, tasks, Supervisor("vk", run, base=backoff[0], cap=backoff[1]))
    log.info("VK %s for group %s via %s", f"Callback API {callback}" if callback else "Bots Long Poll" if first
             else "sending only", settings.vk_group_id, settings.vk_api_url)


def _supervise(container: Container, tasks: list[asyncio.Task], supervisor: Supervisor) -> None:
    container.pollers[supervisor.name] = supervisor
    tasks.append(asyncio.create_task(supervisor.run_forever(), name=supervisor.name))


async def main(settings: Settings | None = None, stop: asyncio.Event | None = None, *,
               poller_backoff: tuple[float, float] = POLLER_BACKOFF) -> None:
    settings = settings or load_settings()
    worker = worker_index()
    first = worker in (None, 0)  # one-off start-up work (seeding, registering webhooks, polling) happens once
    logging.basicConfig(level=settings.log_level,
                        format=f"%(asctime)s %(levelname)s {'' if worker is None else f'w{worker} '}%(name)s: %(message)s")
    if settings.database_url.startswith("sqlite"):
        ensure_parent_dir(settings.database_url)
    if not os.environ.get(MIGRATED_ENV):
        await upgrade_async(settings.database_url)
    container = build_container(settings)
    assert container.shared is not None
    await container.shared.start()
    # The key of visitors' IP hashes: IP_HASH_SECRET, or one generated at first start and kept in the database.
    secret = settings.ip_hash_secret or await stored_secret(container.deps, IP_HASH_SECRET)
    # The key of payout details at rest, the same way (losing it makes stored details unreadable: back it up).
    payout_key = settings.payout_details_key or await stored_secret(container.deps, PAYOUT_DETAILS_KEY)
    container.deps.config = replace(container.deps.config, ip_hash_secret=secret, payout_details_key=payout_key)
    if first:
        await seed(container)

    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)

    tasks: list[asyncio.Task] = []
    if settings.telegram_enabled:
        await start_telegram(container, tasks, poller_backoff, first=first)
    else:
        log.warning("Telegram is off: set TELEGRAM_BOT_TOKEN (and ADMIN_IDS / MANAGER_IDS) to enable it")
    if settings.vk_enabled:
        await start_vk(container, tasks, poller_backoff, first=first)
    else:
        log.warning("VK is off: set VK_TOKEN and VK_GROUP_ID (and VK_ADMIN_IDS) to enable it")

    outbox = container.start_outbox()
    tasks.append(asyncio.create_task(outbox.run(settings.outbox_poll_seconds), name="outbox"))
    # Broadcasts: every process may run it (rows are claimed with a lease, limits shared through Redis).
    broadcasts = container.start_broadcasts()
    tasks.append(asyncio.create_task(broadcasts.run(settings.outbox_poll_seconds), name="broadcasts"))

    # Redacted access log: no visitor IPs or user agents, no query strings of /r and /postback (signatures).
    app = build_web_app(container, tracking=True)
    add_update_routes(app, container)
    runner = web.AppRunner(app, access_log_class=RedactedAccessLogger)
    await runner.setup()
    # Workers share the port: the kernel spreads connections between them (SO_REUSEPORT).
    await web.TCPSite(runner, settings.web_host, settings.web_port, reuse_port=worker is not None or None).start()
    log.info("web app listening on http://%s:%s (GET /healthz)", settings.web_host, settings.web_port)

    # Jobs run in one process at a time: whoever holds the leadership (always us when alone).
    scheduler = build_scheduler(container)
    scheduler.start(paused=True)

    def deposed() -> None:
        if scheduler.running:  # at shutdown the scheduler may be gone first
            scheduler.pause()

    tasks.append(asyncio.create_task(lead(container.shared.leadership, on_elected=scheduler.resume,
                                          on_deposed=deposed, stop=stop), name="leadership"))

    # Only the stop signal ends the process: pollers are supervised, the outbox retries on its own.
    await stop.wait()
    for task in tasks:
        if task.done() and not task.cancelled() and task.exception():
            log.error("%s stopped with an error", task.get_name(), exc_info=task.exception())
    log.info("shutting down")
    await shutdown(container, tasks, runner, scheduler)


async def seed(container: Container) -> None:
    settings = container.settings
    added, revoked = await container.services.seed_staff(settings.staff_seed())
    log.info("staff roles from env: %d added, %d revoked (ids no longer listed)", added, revoked)
    seeded = await container.services.faq.seed()
    log.info("FAQ knowledge base: %d starter entries added", seeded)
    if settings.offer_url:
        offer_id = await ensure_default_offer(container.deps, settings.offer_url, settings.offer_name)
        log.info("default offer #%s → %s", offer_id, settings.offer_url)


def add_update_routes(app: web.Application, container: Container) -> None:
    """Telegram webhook and VK Callback API on the web app, when configured."""
    settings = container.settings
    assert container.shared is not None
    if container.telegram is not None and settings.telegram_webhook_url:
        from bot.webhooks import add_telegram_webhook

        add_telegram_webhook(app, container.telegram.dispatcher, container.telegram.bot,
                             path=urlsplit(settings.telegram_webhook_url).path or "/tg/webhook",
                             secret=settings.telegram_webhook_secret, dedup=container.shared.dedup)
    if container.vk_bot is not None and settings.vk_callback_url:
        from bot.webhooks import add_vk_callback

        add_vk_callback(app, container.vk_bot, path=urlsplit(settings.vk_callback_url).path or "/vk/callback",
                        group_id=settings.vk_group_id, confirmation=settings.vk_callback_confirmation,
                        secret=settings.vk_callback_secret, dedup=container.shared.dedup)


async def shutdown(container: Container, tasks: list[asyncio.Task], runner: web.AppRunner, scheduler) -> None:
    # 1. Stop taking updates and let the updates already in flight finish.
    telegram = container.telegram
    for supervisor in container.pollers.values():
        supervisor.stop()  # no restart from here on; a backoff wait ends now
    pollers = [t for t in tasks if t.get_name() in ("telegram", "vk") and not t.done()]
    for task in pollers:
        if task.get_name() == "telegram":
            try:
                await telegram.dispatcher.stop_polling()  # type: ignore[union-attr]
            except RuntimeError:  # not polling (yet): still starting, nothing in flight to finish
                task.cancel()
        else:
            task.cancel()  # vkbottle's poller holds only the long-poll request; handlers run in their own tasks
    if pollers:
        await asyncio.wait(pollers, timeout=GRACE_SECONDS)
    # Neither library waits for its per-update tasks when polling stops: aiogram keeps them in
    # Dispatcher._handle_update_tasks, vkbottle in a local set (found by coroutine name).
    in_flight = [t for t in asyncio.all_tasks() if getattr(t.get_coro(), "__name__", "") == "process_event"]
    if telegram is not None:
        in_flight += list(getattr(telegram.dispatcher, "_handle_update_tasks", ()))
    if in_flight:
        await asyncio.wait(in_flight, timeout=GRACE_SECONDS)
    if telegram is not None:
        await telegram.bot.session.close()  # only now: handlers above were still sending
    # 2. Web: stop accepting, finish requests in flight. 3. Jobs and the outbox. 4. Connections.
    await runner.cleanup()
    scheduler.shutdown(wait=False)
    for task in tasks:
        if not task.done():
            task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    if container.vk_bot is not None:
        await container.vk_bot.api.http_client.close()
    await container.close()
    log.info("stopped")


def run() -> None:
    """uvloop where available: measured +30 % click-redirect throughput and lower p99 (bench/redirect.py)."""
    settings = load_settings()  # a bad setting ends here: one line on stderr, exit code 2
    if settings.web_workers > 1 and worker_index() is None:
        raise SystemExit(asyncio.run(run_workers(settings)))
    try:
        import uvloop
    except ImportError:
        asyncio.run(main(settings))
    else:
        uvloop.run(main(settings))


if __name__ == "__main__":
    run()
