"""The index, each secretariat's home, contact and links pages, and ``/healthz`` (R19 c, e)."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from domain.microsite import links_of
from storage.services import microsite
from web.site import place_of, site_of

log = logging.getLogger(__name__)


async def index(request: Request) -> Response:
    """``/``: every secretariat with a link to its site."""
    site = site_of(request)
    async with site.db() as session:
        secretariats = await microsite.listed(session)
    return site.render(request, "index.html.j2", secretariats=secretariats)


async def home(request: Request) -> Response:
    """``/<slug>/``: sections a–g, next session, latest agreements."""
    site = site_of(request)
    place = await place_of(request)
    async with site.db() as session:
        overview = await microsite.home(session, place.id, now=site.now())
    return site.render(request, "home.html.j2", place=place, section="", home=overview)


async def contact(request: Request) -> Response:
    """``/<slug>/contacto`` (R19 c): the office's public contact, a setting."""
    site = site_of(request)
    place = await place_of(request)
    lines = place.contact.splitlines()
    return site.render(request, "contacto.html.j2", place=place, section="contacto", lines=lines)


async def links(request: Request) -> Response:
    """``/<slug>/enlaces`` (R19 e): links of interest, a setting."""
    site = site_of(request)
    place = await place_of(request)
    return site.render(
        request, "enlaces.html.j2", place=place, section="enlaces", links=links_of(place.links)
    )


async def healthz(request: Request) -> Response:
    """``ok`` when the database and the Bot API answer (the operator's monitor, the proxy,
    a load balancer); else 503 saying which does not."""
    site = site_of(request)
    try:
        async with site.db() as session:
            ok = await microsite.database_answers(session)
    except Exception:  # any failure of the database is "not ok", with its reason logged
        log.warning("healthz: the database does not answer", exc_info=True)
        ok = False
    if not ok:
        return PlainTextResponse("sin base de datos", status_code=503)
    if not await site.bot_api_answers():
        return PlainTextResponse("sin Bot API", status_code=503)
    return PlainTextResponse("ok", headers={"Cache-Control": "no-store"})


async def readyz(request: Request) -> Response:
    """``ok`` when this replica can serve: its database answers (the reverse proxy's check).

    Not the Bot API: when Telegram is unreachable every replica would fail ``/healthz``
    at once and the proxy would take the microsite down with it, although the site and
    the citizen inbox work without Telegram (issue 14). The operator's monitor asks
    ``/healthz``, which says so.
    """
    site = site_of(request)
    try:
        async with site.db() as session:
            ok = await microsite.database_answers(session)
    except Exception:
        log.warning("readyz: the database does not answer", exc_info=True)
        ok = False
    if not ok:
        return PlainTextResponse("sin base de datos", status_code=503)
    return PlainTextResponse("ok", headers={"Cache-Control": "no-store"})


async def add_slash(request: Request) -> Response:
    """``/<slug>`` → ``/<slug>/`` (relative links in the pages need the slash)."""
    return RedirectResponse(f"/{request.path_params['slug']}/", status_code=308)


ROUTES: list[BaseRoute] = [
    Route("/", index),
    Route("/healthz", healthz),
    Route("/readyz", readyz),
    Route("/{slug}/", home),
    Route("/{slug}/contacto", contact),
    Route("/{slug}/enlaces", links),
]
#: After every other module's routes: ``/<slug>`` alone.
LAST_ROUTES: list[BaseRoute] = [Route("/{slug}", add_slash)]
