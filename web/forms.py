"""The inbox and participation forms (R19 f, g): ``/<slug>/buzon`` and ``/<slug>/participa``.

``GET`` shows the form with a fresh signed token (``web.csrf``), never cached: two
visitors never share a token. ``POST`` goes through, in this order, and the first
failure answers alone, with NOTHING stored and nothing sent to Telegram:

1. the body's size (``MAX_BODY``, before anything is parsed) → 413; only an URL-encoded
   body of at most ``MAX_FIELDS`` fields, valid UTF-8 → else 400;
2. a form posted from another site (``Sec-Fetch-Site: cross-site``) → 403;
3. the token: ours, for this secretariat and this form, not expired → else the form again
   with the visitor's values, a fresh token and the reason (403);
4. the honeypot field (``HONEYPOT``, hidden from people): filled → a neutral page;
5. the token's nonce already stored (a double click, a reload) → that message's folio;
6. the address over its limit (``web.flood``) → 429 with ``Retry-After``;
7. the fields (``domain.inbox.validate``) → the form again with the values, a summary
   of the errors and each error next to its field (400);
8. stored with its folio in one unit of work (``storage.services.inbox``); the
   facilitator's notice goes in the background (``bot.inbox_notices``), never awaited
   here; the visitor is sent (303) to the folio page, so a reload resubmits nothing.

``/<slug>/folio/<folio>`` shows a folio's category, date and status — nothing of who
wrote (R21) — so the citizen can come back to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

from sqlalchemy.exc import IntegrityError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot import inbox_notices
from domain import inbox as rules
from domain.inbox import FieldError, Form, Invalid
from storage.services import inbox
from web import csrf
from web.flood import FloodGate, client_key
from web.site import Place, Site, error_page, place_of, site_of

#: Largest body a form may send: 2 000 characters of message, percent-encoded (up to
#: 9 bytes each for three-byte characters), would not fit; people write far less.
MAX_BODY = 16 * 1024
#: Fields a form body may hold (ours have at most six).
MAX_FIELDS = 20
#: The hidden field only programs fill in.
HONEYPOT = "sitio_web"
TOKEN = "token"

_TEMPLATES = {Form.BUZON: "buzon.html.j2", Form.PARTICIPA: "participa.html.j2"}
_NO_STORE = {"Cache-Control": "no-store"}

_TOKEN_PROBLEMS = {
    csrf.Problem.EXPIRED: (
        "El formulario estuvo abierto más de dos horas y caducó. Revise sus datos y "
        "envíelo de nuevo."
    ),
    csrf.Problem.INVALID: (
        "No pudimos verificar que el formulario se haya llenado en esta página. Revise sus "
        "datos y envíelo de nuevo desde aquí."
    ),
}


def _gate(request: Request) -> FloodGate:
    """The application's one flood gate (in memory, per process)."""
    state = request.app.state
    gate: FloodGate | None = getattr(state, "inbox_flood", None)
    if gate is None:
        gate = state.inbox_flood = FloodGate()
    return gate


def _key(site: Site) -> bytes:
    return csrf.derive_key(site.application.stm_settings.token)


def _page(
    request: Request,
    site: Site,
    place: Place,
    form: Form,
    *,
    values: Mapping[str, str] | None = None,
    errors: Sequence[FieldError] = (),
    status: int = 200,
) -> Response:
    """The form, with a fresh token, the visitor's values and the errors (if any)."""
    token = csrf.issue(_key(site), slug=place.slug, form=form.value, now=site.now())
    response = site.render(
        request,
        _TEMPLATES[form],
        place=place,
        section=form.value,
        status=status,
        token=token,
        values=dict(values or {}),
        errors=list(errors),
        error_of={e.field: e.message for e in errors if e.field},
        categories=rules.CATEGORIES,
        limits={
            "mensaje": rules.MESSAGE_MAX,
            "nombre": rules.NAME_MAX,
            "sector": rules.SECTOR_MAX,
            "contacto": rules.CONTACT_MAX,
        },
        honeypot=HONEYPOT,
    )
    response.headers.update(_NO_STORE)
    return response


async def _read_form(request: Request) -> dict[str, str] | Response:
    """The URL-encoded fields (the first value of each name), or the error page."""
    length = request.headers.get("content-length")
    too_big = (
        "Lo enviado excede el tamaño que admite el formulario. Vuelva a la página del "
        f"formulario y acorte su mensaje (hasta {rules.MESSAGE_MAX:,} caracteres)."
    ).replace(",", " ")
    if length is not None and (not length.isdecimal() or int(length) > MAX_BODY):
        return error_page(request, 413, too_big)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return error_page(request, 413, too_big)
    kind = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        return error_page(request, 400, "Envíe el formulario desde su página en este sitio.")
    try:
        pairs = parse_qsl(
            bytes(body).decode("ascii"),
            keep_blank_values=True,
            max_num_fields=MAX_FIELDS,
            encoding="utf-8",
            errors="strict",
        )
    except (UnicodeDecodeError, ValueError):
        return error_page(request, 400, "El formulario llegó incompleto o dañado.")
    fields: dict[str, str] = {}
    for name, value in pairs:
        fields.setdefault(name, value)
    return fields


def _too_many(request: Request, wait: int) -> Response:
    minutes = max(1, -(-wait // 60))
    detail = (
        "Se recibieron demasiados mensajes desde su conexión. Espere "
        f"{minutes} minuto{'s' if minutes != 1 else ''} e intente de nuevo; lo que escribió "
        "no se registró."
    )
    response = error_page(request, 429, detail)
    response.headers["Retry-After"] = str(wait)
    return response


def _to_folio(place: Place, receipt: inbox.Receipt) -> Response:
    suffix = "?repetido=1" if receipt.repeated else ""
    return RedirectResponse(f"/{place.slug}/folio/{receipt.folio}{suffix}", status_code=303)


async def _submit(request: Request, site: Site, place: Place, form: Form) -> Response:
    raw = await _read_form(request)
    if isinstance(raw, Response):
        return raw
    if csrf.cross_site(request.headers):
        return error_page(
            request, 403, "Este formulario solo puede enviarse desde su página en este sitio."
        )
    now = site.now()
    verified = csrf.verify(_key(site), raw.get(TOKEN), slug=place.slug, form=form.value, now=now)
    if isinstance(verified, csrf.Problem):
        problem = FieldError("", _TOKEN_PROBLEMS[verified])
        return _page(
            request, site, place, form, values=rules.clean(form, raw), errors=[problem], status=403
        )
    if raw.get(HONEYPOT, "").strip():
        return _neutral(request, site, place)
    async with site.db() as session:
        earlier = await inbox.by_nonce(session, verified.nonce)
    if earlier is not None and earlier.secretariat_id == place.id:
        return _to_folio(place, earlier)
    gate, address = _gate(request), client_key(request.client.host if request.client else None)
    wait = gate.retry_after(address, place.id, now)
    if wait is not None:
        return _too_many(request, wait)
    checked = rules.validate(form, raw)
    if isinstance(checked, Invalid):
        return _page(
            request, site, place, form, values=checked.values, errors=checked.errors, status=400
        )
    wait = gate.admit(address, place.id, now)
    if wait is not None:
        return _too_many(request, wait)
    receipt = await _store(site, place, checked, verified.nonce)
    if not receipt.repeated:
        inbox_notices.notify(site.application, place.id)  # background: never awaited here
    return _to_folio(place, receipt)


async def _store(
    site: Site, place: Place, submission: rules.Submission, nonce: str
) -> inbox.Receipt:
    """One unit of work; a unique-constraint race (two processes on one folio) retries once."""
    for attempt in range(2):
        try:
            async with site.db.begin() as session:
                return await inbox.store(
                    session,
                    now=site.now(),
                    secretariat_id=place.id,
                    submission=submission,
                    nonce=nonce,
                )
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def _neutral(request: Request, site: Site, place: Place) -> Response:
    """What a program that filled the honeypot sees: thanks, and nothing stored."""
    response = site.render(
        request, "folio.html.j2", place=place, section="", receipt=None, repeated=False
    )
    response.headers.update(_NO_STORE)
    return response


async def _form(request: Request, form: Form) -> Response:
    site = site_of(request)
    place = await place_of(request)
    if request.method == "POST":
        return await _submit(request, site, place, form)
    return _page(request, site, place, form)


async def buzon(request: Request) -> Response:
    """``/<slug>/buzon`` (R19 f): a duda, queja or sugerencia, answered with a folio."""
    return await _form(request, Form.BUZON)


async def participa(request: Request) -> Response:
    """``/<slug>/participa`` (R19 g): interest in joining the open-government exercises."""
    return await _form(request, Form.PARTICIPA)


async def folio(request: Request) -> Response:
    """``/<slug>/folio/<folio>``: a message's category, date and status (not who wrote)."""
    site = site_of(request)
    place = await place_of(request)
    async with site.db() as session:
        receipt = await inbox.by_folio(session, place.id, request.path_params["folio"])
    if receipt is None:
        return error_page(
            request, 404, "No hay ningún mensaje con ese folio en este Secretariado."
        )
    context: dict[str, Any] = {
        "receipt": receipt,
        "repeated": request.query_params.get("repetido") == "1",
        "received": place.local(receipt.received_at),
        "answered": place.local(receipt.answered_at) if receipt.answered_at else None,
        "category": rules.CATEGORIES.get(receipt.category, "Participación"),
    }
    response = site.render(
        request, "folio.html.j2", place=place, section=receipt.form.value, **context
    )
    response.headers.update(_NO_STORE)
    return response


ROUTES: list[BaseRoute] = [
    Route("/{slug}/buzon", buzon, methods=["GET", "POST"]),
    Route("/{slug}/participa", participa, methods=["GET", "POST"]),
    Route("/{slug}/folio/{folio}", folio),
]
