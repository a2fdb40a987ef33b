"""Assemble and run the application; the only place that wires everything together."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
import sys
from datetime import timedelta
from pathlib import Path

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, BaseRateLimiter, ContextTypes, Defaults

from bot import (
    cancelling,
    chain_posts,
    inbox_notices,
    linking,
    maintenance,
    menus,
    minutes_files,
    minutes_flow,
    proposal_forwarding,
    public_channel,
    voting,
)
from bot.clock import Clock, system_clock
from bot.context import StmApplication, StmContext
from bot.errors import on_error
from bot.logs import configure_logging, install_redaction
from bot.ratelimit import DeliveryRateLimiter
from bot.settings import Settings, SettingsError
from bot.updates import PerChatUpdateProcessor
from handlers import (
    action_plan,
    agreements,
    attendance,
    calendar,
    cancellations,
    choices,
    compliance,
    convocations,
    dissemination,
    evidence,
    importing,
    inbox,
    member_proposals,
    microsite,
    minutes,
    onboarding,
    reminders,
    removals,
    report,
    roster,
    secretariats,
    term,
    votes,
)
from handlers import settings as settings_handlers
from scheduler import jobs, planner
from storage import migrate
from storage.db import Database, engine_of, make_engine, make_sessionmaker
from storage.services import access, send_budget
from web import webhook
from web.app import build_web
from web.server import WebError, WebServer

log = logging.getLogger(__name__)

#: Edited messages are not asked for: editing "/alta …" must not register someone twice.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]


def build_application(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    db: Database | None = None,
    rate_limiter: BaseRateLimiter[int] | None = None,
) -> StmApplication:
    """The bot, ready to ``initialize``; tests build it exactly like production does.

    ``db`` defaults to an engine on ``settings.database_url``; the schema is migrated in
    ``post_init`` before the first update is handled. ``rate_limiter`` defaults to
    Telegram's limits (``DeliveryRateLimiter``); end-to-end tests pass the same limiter
    with tighter spacing so a chat's replies are not a second apart.
    """
    # The webhook secret is in setWebhook's body, which DEBUG logs show.
    install_redaction(settings.token, settings.webhook_secret, settings.metrics_token)
    database = db or make_sessionmaker(make_engine(settings.database_url))
    limiter = rate_limiter or DeliveryRateLimiter()
    engine = engine_of(database)
    if (
        isinstance(limiter, DeliveryRateLimiter)
        and limiter.share_overall
        and limiter.shared_budget is None
        and engine.dialect.name == "postgresql"
    ):  # issue 14: replicas on one token share Telegram's ~30/s through the database
        limiter.shared_budget = send_budget.SendBudget(engine.url)
    processor = PerChatUpdateProcessor()
    application = (
        ApplicationBuilder()
        .application_class(
            StmApplication, kwargs={"db": database, "clock": clock, "stm_settings": settings}
        )
        .token(settings.token)
        .base_url(f"{settings.api_url}/bot")
        .base_file_url(f"{settings.api_url}/file/bot")
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .context_types(ContextTypes(context=StmContext))
        .rate_limiter(limiter)
        # Different chats concurrently, one chat in order (bot/updates.py).
        .concurrent_updates(processor)
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
        .build()
    )
    assert isinstance(application, StmApplication)
    # Issue 14: what /metrics reports (counted where it happens, read when scraped).
    processor.metrics = application.metrics
    if isinstance(limiter, DeliveryRateLimiter):
        limiter.metrics = application.metrics
    application.metrics.watch(
        queue=application.update_queue.qsize,
        running=lambda: processor.current_concurrent_updates,
        background=lambda: application.background.busy,
    )
    application.add_handlers(convocations.GUIDED_HANDLERS, group=-1)
    application.add_handlers(votes.TYPED_HANDLERS, group=-2)
    application.add_handlers(minutes.EARLY_HANDLERS, group=-3)
    for module in (
        onboarding,
        secretariats,
        roster,
        importing,
        settings_handlers,
        calendar,
        convocations,
        attendance,
        votes,
        cancellations,
        reminders,
        minutes,
        agreements,
        member_proposals,
        removals,  # R4: /remocion, its backing and its session vote
        dissemination,
        action_plan,
        report,
        term,  # R5: /informe and /entrega
        inbox,
        evidence,  # R19 a: /evidencia as a file's caption or as a reply to one
        microsite,
        compliance,  # R6, R15, R16: /cumplimiento for the garante's liaison
    ):
        application.add_handlers(module.HANDLERS)
    # The catch-alls (choice buttons, stale buttons, unknown commands) go last.
    application.add_handlers(choices.HANDLERS)
    # After the handler that changed state: re-derive that secretariat's reminders (R23).
    application.add_handler(planner.AFTER_UPDATE, group=planner.AFTER_UPDATE_GROUP)
    application.add_error_handler(on_error)  # type: ignore[arg-type]
    return application


async def _post_init(application: StmApplication) -> None:  # type: ignore[override]
    engine = engine_of(application.db)
    await migrate.upgrade(engine)
    # Issue 14: the scheduler's duties run in the one replica holding the lock (always
    # this process on SQLite); a follower takes them over when the leader dies.
    leadership = application.leadership
    leadership.on_elected = lambda: _lead(application)
    leadership.on_deposed = lambda: _step_down(application)
    leadership.on_change = lambda leading: application.metrics.leader.set(int(leading))
    _route_to_leader(application)
    await leadership.start()
    # Menus last, and only those that changed since the last start-up.
    await menus.publish_defaults(application.bot)
    async with application.db() as session:
        desired = await access.linked_accounts(session)
    for admin in application.stm_settings.admins:
        desired[admin] = desired.get(admin, set()) | {menus.Role.ADMIN}
    published = await menus.publish_changed(
        application.bot, application.db, desired, now=application.clock()
    )
    log.info("menus: %d of %d private menus published", published, len(desired))
    # R19: the microsite, on the same engine and clock, once the schema is at head.
    settings = application.stm_settings
    if settings.web_port is not None:
        server = WebServer(
            build_web(application, extra_routes=webhook.routes(application)),
            host=settings.web_host,
            port=settings.web_port,
            forwarded_allow_ips=settings.forwarded_allow_ips,
        )
        await server.start()
        application.web = server
    if settings.webhook_url:  # issue 14: the site now receives; tell the Bot API where
        await application.bot.set_webhook(
            settings.webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=False,
        )
        log.info("webhook set: updates arrive at %s", settings.webhook_path)
    # What start-up made lives as long as the process: out of the collector's sight, a
    # full collection during a burst of ballots walks only what updates and pages
    # allocate (bench/web.py: 0.2–0.7 s pauses became 0.05–0.19 s).
    gc.collect()
    gc.freeze()
    log.info("ready as @%s", application.bot.username)


async def _lead(application: StmApplication) -> None:
    """The scheduler's duties, at start-up or take-over: re-derive everything owed.

    Whatever a dead leader (or this process, before a restart) armed in memory is
    derived again from the rows: every step here is a re-derivation that a second run
    leaves unchanged, which is what makes a take-over safe.
    """
    assert application.job_queue is not None
    application.job_queue.run_repeating(
        jobs.proponer_dias_acostumbrados,
        interval=timedelta(hours=12),
        first=timedelta(hours=1),
        name=CUSTOMARY_JOB,
    )
    await cancelling.schedule_pending(application)  # R11 windows that closed while down
    await voting.schedule_open_deadlines(application)  # deadlines passed while down: now
    await linking.flush_owed(application)  # linking notices owed when the bot stopped
    await minutes_flow.resume(application)  # signed files, copies and mail owed (R14, R15a)
    await public_channel.resume(application)  # channel posts owed and not accepted (R18)
    chain_posts.arm(application)  # issue 15: the chain's head, daily when it moved (R18)
    await proposal_forwarding.resume(application)  # proposals owed to the garante (R17)
    await inbox_notices.resume(application)  # citizens' messages owed to facilitators (R19 f)
    # R23: missed reminders sent or dropped, then one job armed at the next moment
    await planner.start(
        application, wake=jobs.enviar_recordatorios, sweep=jobs.revisar_recordatorios
    )


#: The customary-days job's name (the leader's, removed when it steps down).
CUSTOMARY_JOB = "customary-days"
#: Job names (or their prefixes) that only the leader arms.
LEADER_JOBS = (
    CUSTOMARY_JOB,
    planner.JOB_NAME,
    planner.SWEEP_NAME,
    voting.JOB_PREFIX,
    cancelling.JOB_PREFIX,
    chain_posts.JOB_NAME,
    linking.JOB_PREFIX,
)


def _step_down(application: StmApplication) -> None:
    """The lock's session broke: disarm the leader's jobs; the new leader re-derives."""
    assert application.job_queue is not None
    for job in application.job_queue.jobs():
        if job.name and job.name.startswith(LEADER_JOBS):
            job.schedule_removal()
    planner.forget(application)


def _route_to_leader(application: StmApplication) -> None:
    """What a follower's updates make due, re-derived by the leader (``bot.leadership``)."""
    leadership = application.leadership

    async def votes(_payload: str) -> None:
        await voting.schedule_open_deadlines(application)

    async def cancellations(_payload: str) -> None:
        await cancelling.schedule_pending(application)

    async def linked(payload: str) -> None:
        linking.linked(application, int(payload))

    async def count(payload: str) -> None:
        voting.refresh_later(application, int(payload))

    async def touched(payload: str) -> None:
        for pair in payload.split():
            user_id, _, chat_id = pair.partition(":")
            planner.request(application, int(user_id), int(chat_id))

    leadership.handle("votes", votes)
    leadership.handle("cancellations", cancellations)
    leadership.handle("linked", linked)
    leadership.handle("count", count)
    leadership.handle("touched", touched)


#: Seconds ``stop`` waits for background deliveries before cancelling them.
DRAIN_SECONDS = 15.0


async def _post_stop(application: StmApplication) -> None:  # type: ignore[override]
    """Stop the microsite, hand the scheduler over, let queued notices go out (the bot is
    still connected), then cancel the rest."""
    if application.web is not None:
        await application.web.stop()
        application.web = None
    try:
        await asyncio.wait_for(application.quiet(), DRAIN_SECONDS)
    except TimeoutError:
        log.warning("stopping with %d background task(s) unfinished", application.background.busy)
        await application.background.cancel_all()
    # Only now: a follower taking over must not find reminders this process is still
    # delivering (it would send again what it takes for a dead leader's claims).
    await application.leadership.stop()


async def _post_shutdown(application: StmApplication) -> None:  # type: ignore[override]
    await application.leadership.stop()  # a no-op after post_stop; else the lock goes here
    await engine_of(application.db).dispose()


def _stop_rendering() -> None:
    """The minutes' rendering process ends with the bot (``bot.minutes_flow.render``)."""
    minutes_flow.stop_rendering()


def run_webhook_mode(
    application: StmApplication,
    stop_signals: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGTERM, signal.SIGABRT),
) -> None:
    """Run until a stop signal with updates arriving by webhook (issue 14).

    PTB's ``run_polling`` starts the Updater's polling, which a webhook forbids (409), and
    its ``run_webhook`` serves its own tornado server, not the microsite's: this mirrors
    ``Application.__run`` (PTB 22) without the Updater. ``_post_init`` starts the site,
    whose ``/telegram/…`` route queues the updates, and calls ``setWebhook``.
    """
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    stopped = asyncio.Event()
    for sig in stop_signals:
        loop.add_signal_handler(sig, stopped.set)
    try:
        loop.run_until_complete(application.initialize())
        if application.post_init:
            loop.run_until_complete(application.post_init(application))
        loop.run_until_complete(application.start())
        loop.run_until_complete(stopped.wait())
        log.debug("stop signal received; shutting down")
    except (KeyboardInterrupt, SystemExit):
        log.debug("stop requested; shutting down")
    finally:
        try:
            if application.web is not None:
                # Nothing is accepted (200) that stop() would no longer handle: Telegram
                # keeps what the closed site refuses and sends it to the next start.
                loop.run_until_complete(application.web.stop())
                application.web = None
            if application.running:
                loop.run_until_complete(application.stop())
                if application.post_stop:  # only after stop, as in run_polling
                    loop.run_until_complete(application.post_stop(application))
            loop.run_until_complete(application.shutdown())
            if application.post_shutdown:
                loop.run_until_complete(application.post_shutdown(application))
        finally:
            loop.close()


def main() -> None:
    """``python -m bot`` / ``stm-bot``: polling (or webhook mode) until interrupted; with an
    argument, one of the data commands (``backup``, ``restore``,
    ``migrate-sqlite-to-postgres``, ``bot.maintenance``)."""
    if len(sys.argv) > 1:
        raise SystemExit(maintenance.run(sys.argv[1:]))
    try:
        settings = Settings.from_env(os.environ, env_file=Path(".env"))
        if settings.seal_p12 is not None:  # a wrong password is told now, not at signing
            minutes_files.load_seal(settings.seal_p12, settings.seal_password.encode() or None)
    except (SettingsError, minutes_files.SealError) as exc:
        print(f"stm-bot: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    configure_logging(settings)
    application = build_application(settings)
    try:
        if settings.webhook_url:
            run_webhook_mode(application)
        else:
            application.run_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)
    except WebError as exc:
        print(f"stm-bot: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    finally:
        _stop_rendering()
