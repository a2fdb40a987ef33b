"""The public compliance pages (R6, R15, R16; R19 and the principle of maximum publicity).

``/cumplimiento`` lists the states that have secretariats on this deployment, each linked
to its page, and a one-line summary of every secretariat; ``/<slug-of-state>/cumplimiento``
shows, for every secretariat of that state, month by month: ordinary sessions held (a
month without one says so in words, not only in colour), minutes sent on time, late,
overdue or still within the deadline, and open agreements past due. ``cumplimiento`` is a
path no secretariat page uses (``/<slug>/actas``, ``/<slug>/datos``…) and a name no
secretariat may take (``domain.microsite.RESERVED_SLUGS``), so a state's address never
clashes with a secretariat's. An unknown state is the Spanish 404 page.

Thin like the other routes: one read-only unit of work (``storage.services.compliance``,
three queries whatever the number of secretariats), one template. Only dates and
statuses of public acts are shown: nothing of R21's list.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from domain.compliance import WINDOW_MONTHS
from domain.mexican_states import state_by_slug
from storage.services import compliance
from web.site import site_of


async def overview(request: Request) -> Response:
    """``/cumplimiento``: the states with secretariats, and every secretariat's summary."""
    site = site_of(request)
    async with site.db() as session:
        states = await compliance.states(session)
        views = await compliance.for_state(session, None, now=site.now())
    return site.render(
        request, "cumplimiento.html.j2", states=states, views=views, window=WINDOW_MONTHS
    )


async def state_page(request: Request) -> Response:
    """``/<slug-of-state>/cumplimiento``: every secretariat of the state, month by month."""
    site = site_of(request)
    state = state_by_slug(request.path_params["state"])
    if state is None:
        raise HTTPException(404)
    async with site.db() as session:
        views = await compliance.for_state(session, state, now=site.now())
    return site.render(
        request, "cumplimiento_estado.html.j2", state=state, views=views, window=WINDOW_MONTHS
    )


ROUTES: list[BaseRoute] = [
    Route("/cumplimiento", overview),
    Route("/{state}/cumplimiento", state_page),
]
