"""python -m bot: migrate, then run Telegram polling, VK long poll, the web app, the outbox and the scheduler in
one process until SIGTERM/SIGINT, and stop cleanly (in-flight updates finish, the database is closed)."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from dataclasses import replace

from aiohttp import web

from bot.config import Settings
from bot.container import Container, TelegramRuntime, build_container
from bot.scheduler import build_scheduler
from bot.web import build_web_app
from services.db.migrate import upgrade_async
from services.db.sqlite import ensure_parent_dir
from services.offers.service import ensure_default_offer

log = logging.getLogger("bot")
GRACE_SECONDS = 10.0


async def start_telegram(container: Container, tasks: list[asyncio.Task]) -> None:
    from bot.telegram import build_bot, build_dispatcher, register_commands
    from handlers.telegram.notifier import TelegramNotifier

    settings = container.settings
    bot = build_bot(settings.telegram_bot_token, settings.telegram_api_url)
    dispatcher = build_dispatcher(container.services)
    container.attach_notifier(TelegramNotifier(bot, container.services.translator))
    container.telegram = TelegramRuntime(bot, dispatcher)
    try:
        me = await bot.get_me()  # the username builds partners' recruit links t.me/<bot>?start=<code>
        container.deps.config = replace(container.deps.config, telegram_bot_username=me.username or "")
        await register_commands(bot, container.services)
    except Exception:
        log.exception("getMe/setMyCommands failed; the bot still runs")
    tasks.append(asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, close_bot_session=False), name="telegram"))
    log.info("Telegram long polling started via %s", settings.telegram_api_url)


async def start_vk(container: Container, tasks: list[asyncio.Task]) -> None:
    from bot.vk import build_vk_bot
    from handlers.vk.notifier import VkNotifier

    settings = container.settings
    vk_bot = build_vk_bot(settings.vk_token, settings.vk_group_id, settings.vk_api_url, container.services)
    files = {}
    if container.telegram is not None:  # staff answers with Telegram photos/documents reach VK partners
        from handlers.telegram.notifier import TelegramFiles

        files["telegram"] = TelegramFiles(container.telegram.bot)
    container.attach_notifier(VkNotifier(vk_bot.api, container.services.translator, files=files))
    container.vk_bot = vk_bot
    tasks.append(asyncio.create_task(vk_bot.run_polling(), name="vk"))
    log.info("VK Bots Long Poll started for group %s via %s", settings.vk_group_id, settings.vk_api_url)


async def main(settings: Settings | None = None, stop: asyncio.Event | None = None) -> None:
    settings = settings or Settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if settings.database_url.startswith("sqlite"):
        ensure_parent_dir(settings.database_url)
    await upgrade_async(settings.database_url)
    container = build_container(settings)
    added, revoked = await container.services.seed_staff(settings.staff_seed())
    log.info("staff roles from env: %d added, %d revoked (ids no longer listed)", added, revoked)
    seeded = await container.services.faq.seed()
    log.info("FAQ knowledge base: %d starter entries added", seeded)
    if settings.offer_url:
        offer_id = await ensure_default_offer(container.deps, settings.offer_url, settings.offer_name)
        log.info("default offer #%s → %s", offer_id, settings.offer_url)

    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)

    tasks: list[asyncio.Task] = []
    if settings.telegram_enabled:
        await start_telegram(container, tasks)
    else:
        log.warning("Telegram is off: set TELEGRAM_BOT_TOKEN (and ADMIN_IDS / MANAGER_IDS) to enable it")
    if settings.vk_enabled:
        await start_vk(container, tasks)
    else:
        log.warning("VK is off: set VK_TOKEN and VK_GROUP_ID (and VK_ADMIN_IDS) to enable it")

    outbox = container.start_outbox()
    tasks.append(asyncio.create_task(outbox.run(settings.outbox_poll_seconds), name="outbox"))

    runner = web.AppRunner(build_web_app(container, tracking=True))
    await runner.setup()
    await web.TCPSite(runner, settings.web_host, settings.web_port).start()
    log.info("web app listening on http://%s:%s (GET /healthz)", settings.web_host, settings.web_port)

    scheduler = build_scheduler(container)
    scheduler.start()

    waiter = asyncio.create_task(stop.wait())
    await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
    for task in tasks:
        if task.done() and not task.cancelled() and task.exception():
            log.error("%s stopped with an error", task.get_name(), exc_info=task.exception())
    log.info("shutting down")
    await shutdown(container, tasks, runner, scheduler)


async def shutdown(container: Container, tasks: list[asyncio.Task], runner: web.AppRunner, scheduler) -> None:
    # 1. Stop taking updates and let the updates already in flight finish.
    telegram = container.telegram
    if telegram is not None:
        with contextlib.suppress(RuntimeError):  # not polling any more
            await telegram.dispatcher.stop_polling()
    pollers = [t for t in tasks if t.get_name() in ("telegram", "vk") and not t.done()]
    for task in pollers:
        if task.get_name() == "vk":
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
    try:
        import uvloop
    except ImportError:
        asyncio.run(main())
    else:
        uvloop.run(main())


if __name__ == "__main__":
    run()
