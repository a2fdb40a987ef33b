"""Minutes, evidence, action plan, agenda and attendance pages (R19 a, b), the files they
link and the agenda's calendar feed.

Routes stay thin like handlers: the secretariat of the address, one read-only unit of
work (``storage.services.public_record`` and ``public_attendance``, a few queries per
page), one template. Files are served only when they are this secretariat's signed
minutes or session evidence, read through the file store, which checks their SHA-256
again: a file altered on disk is an error page (and a log line), never served as the
record.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re

from markupsafe import Markup
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.ics import FeedEvent, agenda_feed, session_uid
from bot.report_files import LEVEL_COLOURS
from domain import public_record as rules
from domain import report_chart
from domain.follow_up_report import percent
from domain.notice import local_date
from storage.files import CorruptFile
from storage.services import public_attendance, public_record
from web.site import Site, error_page, etag_matches, place_of, site_of

log = logging.getLogger(__name__)

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
#: A file is named by its hash: its bytes never change, so caches may keep it for ever.
IMMUTABLE = "public, max-age=31536000, immutable"
#: The feed changes when a session is convened or cancelled: cached briefly, revalidated.
FEED_CACHE = "public, max-age=300, must-revalidate"

EVIDENCE_LABELS = {
    "foto": "Fotografía",
    "video": "Video",
    "audio": "Audio",
    "documento": "Documento",
}


def _public_base(request: Request, site: Site) -> str:
    """``PUBLIC_URL`` when set (what people use behind a proxy), else this request's."""
    configured = site.application.stm_settings.public_url
    return configured or str(request.base_url).rstrip("/")


def _uid_domain(site: Site) -> str:
    """The bot's username: the convocation's ``.ics`` names the session with it."""
    try:
        return site.application.bot.username
    except RuntimeError:  # not initialised: only a site built without the bot (benchmarks)
        return "stm-bot"


async def actas(request: Request) -> Response:
    """``/<slug>/actas`` (R19 a): held sessions, their signed minutes and SHA-256, the
    sending to the garante, votes, agreements, evidence; the communiqués."""
    site = site_of(request)
    place = await place_of(request)
    async with site.db() as session:
        record = await public_record.minutes(session, place.id, now=site.now())
    return site.render(
        request,
        "actas.html.j2",
        place=place,
        section="actas",
        record=record,
        evidence_labels=EVIDENCE_LABELS,
        size_text=rules.human_size,
    )


async def archivo(request: Request) -> Response:
    """``/<slug>/archivos/<sha256>[/<nombre>]`` (R19 a): a signed minutes or evidence file.

    Anything else — another secretariat's file, a draft version of the minutes, a hash
    nobody stored — is the Spanish 404 page, so the address reveals nothing. The name in
    the address is cosmetic; the stored one goes in ``Content-Disposition``.
    """
    site = site_of(request)
    place = await place_of(request)
    sha256 = request.path_params["sha256"]
    if not _SHA256.match(sha256):
        raise HTTPException(404)
    async with site.db() as session:
        found = await public_record.download(session, place.id, sha256)
    if found is None:
        raise HTTPException(404)
    etag = f'"{sha256}"'
    headers = {
        "Cache-Control": IMMUTABLE,
        "ETag": etag,
        "Content-Disposition": rules.attachment_disposition(found.filename),
    }
    if etag_matches(request, etag):
        return Response(status_code=304, headers=headers)
    try:
        # Read and re-hashed in a thread: a large video never holds up the event loop.
        data = await asyncio.to_thread(site.application.files.get, sha256)
    except CorruptFile as exc:
        log.error("web: stored file of %s is corrupt or missing: %s", place.slug, exc)
        return error_page(request, 500)
    return Response(data, media_type=rules.safe_media_type(found.media_type), headers=headers)


def _chart_svg(site: Site, plan: public_record.Plan) -> Markup:
    """The progress chart (``domain.report_chart``'s geometry, as the /reporte PDF): one
    SVG for the whole plan, every label escaped by the template."""
    rows = [(c.code, c.title, c.share, c.level) for c in plan.commitments]
    (chart,) = report_chart.progress_charts(rows, per_chart=max(1, len(rows)))
    svg = site.templates.get_template("grafica_avance.svg.j2").render(
        chart=chart,
        title="Avance ponderado de los compromisos del plan de acción",
        colours=LEVEL_COLOURS,
    )
    return Markup(svg)  # an autoescaped template's output: markup, not user text


async def compromisos(request: Request) -> Response:
    """``/<slug>/compromisos`` (R19 b, R16a): every commitment, its level and milestones,
    and a progress chart drawn here (SVG inline, the same figures in a table)."""
    site = site_of(request)
    place = await place_of(request)
    today = local_date(site.now(), place.time_zone)
    async with site.db() as session:
        plan = await public_record.plan(session, place.id, today=today)
    chart = _chart_svg(site, plan) if plan.commitments else Markup("")
    return site.render(
        request,
        "compromisos.html.j2",
        place=place,
        section="compromisos",
        plan=plan,
        chart=chart,
        percent=percent,
        today=today,
    )


async def agenda(request: Request) -> Response:
    """``/<slug>/agenda`` (R19 b): upcoming sessions, recent cancellations, the feed."""
    site = site_of(request)
    place = await place_of(request)
    async with site.db() as session:
        listing = await public_record.agenda(
            session, place.id, now=site.now(), time_zone=place.time_zone
        )
    feed_url = f"{_public_base(request, site)}/{place.slug}/agenda.ics"
    return site.render(
        request,
        "agenda.html.j2",
        place=place,
        section="agenda",
        agenda=listing,
        feed_url=feed_url,
        webcal=re.sub(r"^https?://", "webcal://", feed_url),
    )


async def agenda_ics(request: Request) -> Response:
    """``/<slug>/agenda.ics`` (R19 b): sessions from :data:`RECENT_DAYS` ago on, each with
    the convocation attachment's ``UID``; a cancelled one is ``STATUS:CANCELLED``."""
    site = site_of(request)
    place = await place_of(request)
    now = site.now()
    async with site.db() as session:
        rows = await public_record.feed(session, place.id, since=rules.since_recent(now))
    domain = _uid_domain(site)
    page = f"{_public_base(request, site)}/{place.slug}/agenda"
    events = [
        FeedEvent(
            uid=session_uid(row.id, domain),
            title=row.title,
            starts_at=row.starts_at,
            place=row.place,
            agenda=row.agenda,
            status=rules.feed_status(row.state),
            sequence=rules.feed_sequence(row.state),
            revised_at=row.revised_at,
            url=page,
        )
        for row in rows
    ]
    body = agenda_feed(
        secretariat_name=place.name,
        time_zone=place.time_zone,
        events=events,
        today=local_date(now, place.time_zone),
    )
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers = {
        "Cache-Control": FEED_CACHE,
        "ETag": etag,
        "Content-Disposition": f'inline; filename="agenda-{place.slug}.ics"',
    }
    if etag_matches(request, etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)


async def asistencia(request: Request) -> Response:
    """``/<slug>/asistencia``: per seat and session, who attended and how each seat voted
    (names, seats and per-seat ballots are public acts, R21)."""
    site = site_of(request)
    place = await place_of(request)
    async with site.db() as session:
        record = await public_attendance.attendance(session, place.id)
    return site.render(
        request, "asistencia.html.j2", place=place, section="asistencia", record=record
    )


ROUTES: list[BaseRoute] = [
    Route("/{slug}/actas", actas),
    Route("/{slug}/archivos/{sha256}", archivo),
    Route("/{slug}/archivos/{sha256}/{filename}", archivo),
    Route("/{slug}/compromisos", compromisos),
    Route("/{slug}/agenda", agenda),
    Route("/{slug}/agenda.ics", agenda_ics),
    Route("/{slug}/asistencia", asistencia),
]
