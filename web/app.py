"""The microsite's ASGI application (Starlette), built on the bot's application.

One ``Starlette`` app per process, sharing the bot's engine, clock, file store and
outbox (``web.site.Site``). Routes come from one module per part of the site; the
operations work will mount the Telegram webhook here too (``extra_routes``), on a path
no secretariat can take (``domain.microsite.RESERVED_SLUGS``).
"""

from __future__ import annotations

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
from web import forms, open_data, pages, records
from web.site import SECURITY_HEADERS, STATIC, Site, error_page

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


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    response = error_page(request, exc.status_code, None)
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
    web.add_middleware(SecurityHeaders)
    return web
