"""``/metrics`` for the operator's Prometheus (issue 14).

Open when ``METRICS_TOKEN`` is unset (the site listens on 127.0.0.1 by default); with it,
only ``Authorization: Bearer <token>`` gets the figures (compared in constant time), so a
public reverse proxy may forward the path safely. Nothing in the metrics names a person or
a chat: labels are kinds of update, Bot API endpoints and outcomes.
"""

from __future__ import annotations

import hmac

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.metrics import CONTENT_TYPE
from web.site import site_of


async def metrics(request: Request) -> Response:
    """The application's metrics in Prometheus' text format."""
    site = site_of(request)
    token = site.application.stm_settings.metrics_token
    if token:
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return PlainTextResponse(
                "Se requiere el token de métricas (Authorization: Bearer …).",
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )
    return Response(
        site.application.metrics.render(),
        media_type=CONTENT_TYPE,
        headers={"Cache-Control": "no-store"},
    )


ROUTES: list[BaseRoute] = [Route("/metrics", metrics)]
