"""What every page needs: the application's engine and clock, templates, the secretariat
named in the address, Spanish dates, security headers and error pages.

Pages are rendered on the server with Jinja2 (autoescape on: every string people typed —
names, agreements, communiqués — is escaped), in es-MX, without JavaScript. The
Content-Security-Policy forbids scripts outright and allows only our own stylesheet and
images, so even a template mistake cannot turn a stored string into running code.
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from bot.context import StmApplication
from domain.calendar import MONTH_NAMES, WEEKDAY_NAMES
from domain.microsite import DEFAULT_LICENCE
from storage.models import Secretariat

log = logging.getLogger(__name__)
#: ``/healthz``: how long a ``getMe`` may take, and how long a good one is trusted (s).
BOT_API_TIMEOUT = 5.0
BOT_API_FRESH = 30.0

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")

#: Sent with every response (pages, files, data): no scripts, no framing, no sniffing.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

#: R19's sections a–g plus the attendance record, in the order the navigation lists them.
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("actas", "Actas y evidencias", "a"),
    ("compromisos", "Plan de acción", "b"),
    ("agenda", "Agenda", "b"),
    ("contacto", "Contacto", "c"),
    ("datos", "Datos abiertos", "d"),
    ("enlaces", "Enlaces de interés", "e"),
    ("buzon", "Buzón", "f"),
    ("participa", "Participa", "g"),
    ("asistencia", "Asistencia y votaciones", ""),
)


def long_date(day: date | datetime) -> str:
    """``jueves 3 de diciembre de 2026``."""
    return (
        f"{WEEKDAY_NAMES[day.weekday()]} {day.day} de {MONTH_NAMES[day.month - 1]} de {day.year}"
    )


def short_date(day: date | datetime) -> str:
    """``3 dic 2026``."""
    return f"{day.day} {MONTH_NAMES[day.month - 1][:3]} {day.year}"


@dataclass(frozen=True)
class Place:
    """The secretariat a page is about (what its templates may show)."""

    id: int
    slug: str
    name: str
    time_zone: str
    contact: str
    links: str
    licence: str

    def local(self, moment: datetime) -> datetime:
        """``moment`` in the secretariat's time zone."""
        return moment.astimezone(ZoneInfo(self.time_zone))


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(("html", "j2", "svg")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        enable_async=False,
    )
    env.filters["fecha_larga"] = long_date
    env.filters["fecha"] = short_date
    env.filters["hora"] = lambda moment: moment.strftime("%H:%M")
    env.filters["miles"] = lambda n: f"{n:,}".replace(",", " ")
    env.globals["SECTIONS"] = SECTIONS
    env.globals["DEFAULT_LICENCE"] = DEFAULT_LICENCE
    return env


class Site:
    """The microsite's state: the bot's application (engine, clock, files, outbox)."""

    def __init__(self, application: StmApplication) -> None:
        self.application = application
        self.templates = _environment()
        self._bot_api_ok_at = -math.inf

    @property
    def db(self):  # type: ignore[no-untyped-def]  # the application's session factory
        """The bot's session factory."""
        return self.application.db

    def now(self) -> datetime:
        """The bot's clock (tests move it)."""
        return self.application.clock()

    async def bot_api_answers(self) -> bool:
        """``getMe`` answered within ``BOT_API_TIMEOUT``; a good answer is trusted for
        ``BOT_API_FRESH`` seconds, so a monitor polling ``/healthz`` every few seconds
        does not become traffic to Telegram."""
        loop = asyncio.get_running_loop()
        if loop.time() - self._bot_api_ok_at < BOT_API_FRESH:
            return True
        try:
            await asyncio.wait_for(self.application.bot.get_me(), BOT_API_TIMEOUT)
        except Exception:  # unreachable, refused, timed out: not healthy
            log.warning("healthz: the Bot API does not answer", exc_info=True)
            return False
        self._bot_api_ok_at = loop.time()
        return True

    def render(
        self,
        request: Request,
        template: str,
        *,
        status: int = 200,
        place: Place | None = None,
        section: str = "",
        **context: Any,
    ) -> HTMLResponse:
        """One page: ``template`` inside the site's layout."""
        html = self.templates.get_template(template).render(
            place=place,
            section=section,
            base=request.scope.get("root_path", ""),
            **context,
        )
        return HTMLResponse(html, status_code=status)


def etag_matches(request: Request, etag: str) -> bool:
    """``If-None-Match`` names these bytes (then the answer is ``304``): the weak comparison
    RFC 9110 asks for here, so a proxy that compresses and marks the tag ``W/`` still
    gets its ``304``."""
    given = request.headers.get("if-none-match", "")
    tags = {tag.strip().removeprefix("W/") for tag in given.split(",")}
    return given.strip() == "*" or etag in tags


def site_of(request: Request) -> Site:
    """The ``Site`` the application was built with."""
    site: Site = request.app.state.site
    return site


async def place_of(request: Request) -> Place:
    """The secretariat of ``/<slug>/…``; an unknown slug is the Spanish 404 page."""
    site = site_of(request)
    slug = request.path_params["slug"]
    async with site.db() as session:
        row = await session.scalar(select(Secretariat).where(Secretariat.slug == slug))
    if row is None:
        raise HTTPException(404)
    return _place(row)


def _place(row: Secretariat) -> Place:
    return Place(row.id, row.slug, row.name, row.time_zone, row.contact, row.links, row.licence)


_ERRORS = {
    400: ("Solicitud no válida", "La solicitud no se pudo entender."),
    403: ("Acceso no permitido", "No es posible hacer esto desde aquí."),
    404: (
        "Página no encontrada",
        "La dirección no corresponde a ninguna página de este sitio. Revise que esté bien "
        "escrita o vuelva a la página de inicio.",
    ),
    405: ("Método no permitido", "Esta página no acepta esa forma de envío."),
    413: ("Envío demasiado grande", "Lo enviado excede el tamaño permitido."),
    429: (
        "Demasiados envíos",
        "Se recibieron demasiados envíos desde su conexión. Espere unos minutos e intente "
        "de nuevo.",
    ),
    500: (
        "Error del sitio",
        "Ocurrió un error al preparar la página. Intente más tarde; el error quedó registrado.",
    ),
}


def error_page(
    request: Request, status: int, detail: str | None = None, *, place: Place | None = None
) -> Response:
    """A Spanish error page in the site's layout (the secretariat's, when there is one)."""
    title, text = _ERRORS.get(status, _ERRORS[500 if status >= 500 else 400])
    return site_of(request).render(
        request, "error.html.j2", status=status, place=place, title=title, text=detail or text
    )


async def place_or_none(request: Request) -> Place | None:
    """The secretariat of the address (its first segment), if it names one that exists."""
    slug = request.path_params.get("slug") or request.url.path.strip("/").partition("/")[0]
    if not slug:
        return None
    site = site_of(request)
    async with site.db() as session:
        row = await session.scalar(select(Secretariat).where(Secretariat.slug == slug))
    return None if row is None else _place(row)
