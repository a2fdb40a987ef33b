"""Webhook mode (issue 14): the Bot API posts updates to the microsite's own server.

One route, at the path of ``TELEGRAM_WEBHOOK_URL`` (always under ``/telegram/``, a slug
no secretariat can take: ``domain.microsite.RESERVED_SLUGS``), POST only. Every request
must carry the secret given to ``setWebhook`` in ``X-Telegram-Bot-Api-Secret-Token``: the
URL may leak (proxy logs, a screenshot), the secret is what proves the Bot API sent it.
A wrong or missing one is answered 403 before the body is read, logged without the
secret, and nothing reaches the bot. Accepted updates are only queued: the answer goes
back at once, so Telegram never waits for a handler (and never retries a slow one).
"""

from __future__ import annotations

import hmac
import json
import logging

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from telegram import Update

from bot.context import StmApplication

log = logging.getLogger(__name__)

#: The header the Bot API sends with ``setWebhook``'s ``secret_token``.
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: An update is a few kilobytes (a 4,096-character message with its entities); anything
#: much larger is not from Telegram and is refused before it fills memory.
MAX_BODY = 1024 * 1024


def routes(application: StmApplication) -> list[BaseRoute]:
    """The webhook's route for ``build_web(..., extra_routes=...)``; none when polling."""
    settings = application.stm_settings
    if not settings.webhook_url:
        return []
    secret = settings.webhook_secret.encode()

    async def receive_update(request: Request) -> Response:
        # Starlette decodes headers as latin-1: encoding back gives the bytes received.
        given = request.headers.get(SECRET_HEADER, "").encode("latin-1")
        if not hmac.compare_digest(given, secret):
            log.warning(
                "webhook: request from %s refused (%s secret token)",
                request.client.host if request.client else "?",
                "wrong" if given else "missing",
            )
            return Response(status_code=403)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY:
            return Response(status_code=413)
        body = bytearray()
        try:
            async for chunk in request.stream():
                body += chunk
                if len(body) > MAX_BODY:
                    return Response(status_code=413)
        except ClientDisconnect:
            return Response(status_code=400)
        try:
            data = json.loads(body)
            update = Update.de_json(data, application.bot) if isinstance(data, dict) else None
        except (ValueError, TypeError, KeyError) as exc:
            log.warning("webhook: unreadable update refused (%s)", type(exc).__name__)
            return Response(status_code=400)
        if update is None:
            return Response(status_code=400)
        await application.update_queue.put(update)
        return Response(status_code=200)

    return [
        Route(settings.webhook_path, receive_update, methods=["POST"], name="telegram_webhook")
    ]
