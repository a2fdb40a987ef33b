"""The microsite's ASGI application (Starlette), built on the bot's application.

One ``Starlette`` app per process, sharing the bot's engine, clock, file store and
outbox (``web.site.Site``). Routes come from one module per part of the site; the
operations work will mount the Telegram webhook here too (``extra_routes``), on a path
no secretariat can take (``domain.microsite.RESERVED_SLUGS``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.context import StmApplication
from web import compliance, forms, open_data, operations, pages, records
from web.site import SECURITY_HEADERS, STATIC, Site, error_page, place_or_none

log = logging.getLogger(__name__)

_HEADERS = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]


class SecurityHeaders:
    """Adds ``SECURITY_HEADERS`` to every HTTP response (pages, data, files, errors)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + _HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BotFirst:
    """Telegram acts go first: a page waits while the bot has updates in hand.

    The site and the bot share one event loop (one process, one engine). Fifty readers
    refreshing pages must not slow down members voting or signing, which are legal acts
    with deadlines: while updates are being handled (or wait in PTB's queue) a request
    waits in steps of ``STEP`` seconds, at most ``MAX_WAIT``, before it is served; and
    at most ``RUNNING`` requests are prepared at once (until their response starts), so
    a crowd of readers queues instead of filling the loop. ``bench/web.py`` measures
    what the bot keeps.
    """

    STEP = 0.005
    MAX_WAIT = 2.0
    RUNNING = 4

    def __init__(self, app: ASGIApp, application: StmApplication) -> None:
        self.app = app
        self.application = application
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def bot_busy(self) -> bool:
        """Updates are being handled or are queued."""
        application = self.application
        return (
            application.update_processor.current_concurrent_updates > 0
            or application.update_queue.qsize() > 0
        )

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._slots is None or self._loop is not loop:
            self._slots = asyncio.Semaphore(self.RUNNING)
            self._loop = loop
        return self._slots

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _never_waits(scope["path"]):
            await self.app(scope, receive, send)
            return
        slots = self._semaphore()
        await slots.acquire()
        held = True

        async def send_and_release(message: Message) -> None:
            # The work is done once the response starts: a slow reader of a large file
            # must not hold a slot while its bytes trickle out.
            nonlocal held
            if held and message["type"] == "http.response.start":
                held = False
                slots.release()
            await send(message)

        try:
            waited = 0.0
            while waited < self.MAX_WAIT and self.bot_busy():
                await asyncio.sleep(self.STEP)
                waited += self.STEP
            await self.app(scope, receive, send_and_release)
        finally:
            if held:
                slots.release()


def _never_waits(path: str) -> bool:
    """``/healthz`` and ``/metrics`` answer at once; the webhook (``/telegram/…``, issue
    14) is the bot's own input: waiting while the bot is busy would hold back the very
    updates it is busy with."""
    return path in ("/healthz", "/readyz", "/metrics") or path.startswith("/telegram/")


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    place = await place_or_none(request) if exc.status_code == 404 else None
    response = error_page(request, exc.status_code, None, place=place)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def _server_error(request: Request, exc: Exception) -> Response:
    log.exception("web: %s %s failed", request.method, request.url.path, exc_info=exc)
    return error_page(request, 500)


def build_web(application: StmApplication, extra_routes: Sequence[BaseRoute] = ()) -> Starlette:
    """The site for ``application``'s database; ``extra_routes`` go first."""
    routes: list[BaseRoute] = [
        *extra_routes,
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
        *operations.ROUTES,
        *compliance.ROUTES,  # /cumplimiento and /<slug-of-state>/cumplimiento (R6, R15)
        *pages.ROUTES,
        *records.ROUTES,
        *open_data.ROUTES,
        *forms.ROUTES,
        *pages.LAST_ROUTES,
    ]
    web = Starlette(
        routes=routes,
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
    )
    web.state.site = Site(application)
    web.add_middleware(BotFirst, application=application)
    web.add_middleware(SecurityHeaders)
    return web
