"""The demo page: one HTML page, a script, and JSON endpoints over the fake's chats.

The visitor acts only through what a Telegram client offers: writing in a chat, sending
a file, pressing a button that is on a message of that chat. So the endpoints name a
persona by its key (never a Telegram id, R21) and a button by its message and position:
the page cannot invent ``callback_data`` or press another persona's buttons, and every
refusal is a short Spanish sentence that changes nothing.

Only this machine may drive it: the Host must be ``127.0.0.1``/``localhost`` (no DNS
rebinding) and every POST carries ``X-Demo: 1``, which a cross-site form cannot send.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.clock import Clock
from demo import cast
from demo.seeding import AGENDA, PLACE, TIME_ZONE, HeldSession
from demo.telegram_html import is_local_link, render
from domain.calendar import BusinessCalendar
from domain.notice import earliest_session_date
from tests.fakebot import FakeBotAPI, StoredMessage

HERE = Path(__file__).parent
#: Telegram's limits: 4096 characters a message, 20 MB a file the bot may download.
MAX_TEXT = 4096
MAX_FILE = 20 * 1024 * 1024
#: A chat shows its latest messages only (the seeded facilitator's chat is long).
SHOWN = 300
#: How long a press waits for the bot's answer (the toast) before saying it is late.
ANSWER_WAIT = 10.0


class Refusal(Exception):
    """A request the demo will not carry out; ``message`` is shown to the visitor."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class World:
    """What the page needs from the running demo."""

    fake: FakeBotAPI
    microsite_url: str
    held: HeldSession
    clock: Clock
    bot_alive: Callable[[], bool]


def _persona(key: str) -> cast.Persona:
    persona = cast.BY_KEY.get(key)
    if persona is None:
        raise Refusal(404, "No existe esa persona en la demostración.")
    return persona


def _writer(persona: cast.Persona, as_key: Any) -> cast.Persona:
    """Who writes: the persona itself, or in the group the member chosen with ``as``."""
    if not persona.is_group:
        if as_key not in (None, "", persona.key):
            raise Refusal(400, "En un chat privado solo escribe su titular.")
        return persona
    writer = cast.BY_KEY.get(as_key) if isinstance(as_key, str) else None
    if writer is None or writer not in cast.GROUP_MEMBERS:
        raise Refusal(400, "Elige quién escribe en el grupo: una persona del secretariado.")
    return writer


def _local_time(stamp: int) -> str:
    moment = datetime.fromtimestamp(stamp, UTC).astimezone(ZoneInfo(TIME_ZONE))
    return moment.strftime("%d/%m %H:%M")


def _sender(message: StoredMessage) -> str:
    if message.from_bot:
        return cast.BOT_NAME
    persona = next((p for p in cast.PERSONAS if p.chat_id == message.sender_id), None)
    return persona.name if persona is not None else "Alguien"


def _buttons(message: StoredMessage) -> list[list[dict[str, Any]]]:
    rows = (message.reply_markup or {}).get("inline_keyboard") or []
    shown: list[list[dict[str, Any]]] = []
    index = 0
    for row in rows:
        cells = []
        for button in row:
            url = button.get("url")
            cells.append(
                {
                    "index": index,
                    "text": str(button.get("text", "")),
                    "url": url if isinstance(url, str) and is_local_link(url) else None,
                    "pressable": button.get("callback_data") is not None,
                }
            )
            index += 1
        shown.append(cells)
    return shown


def _message_json(fake: FakeBotAPI, persona: cast.Persona, m: StoredMessage) -> dict[str, Any]:
    body = m.text if m.document is None else m.caption
    document = None
    if m.document is not None:
        document = {
            "name": m.document.filename,
            "size": m.document.size,
            "url": f"/api/chats/{persona.key}/files/{m.message_id}",
        }
    return {
        "id": m.message_id,
        "from_bot": m.from_bot,
        "mine": not m.from_bot and m.sender_id == persona.chat_id,
        "sender": _sender(m),
        "html": render(body, m.entities),
        "document": document,
        "buttons": _buttons(m),
        "time": _local_time(m.date),
        "edited": m.edit_date is not None,
    }


def chat_view(fake: FakeBotAPI, persona: cast.Persona) -> list[dict[str, Any]]:
    """The persona's chat as the page draws it (latest ``SHOWN`` messages)."""
    shown = [
        m for m in fake.history(persona.chat_id) if m.text or m.caption or m.document is not None
    ]
    return [_message_json(fake, persona, m) for m in shown[-SHOWN:]]


def example_convocation(world: World) -> str:
    """A one-line ``/convocar`` that R7 accepts today: the earliest business day with 5
    business days' notice, at 10:00, with the agenda."""
    calendar = BusinessCalendar()
    now = world.clock()
    earliest = earliest_session_date(5, now, calendar, TIME_ZONE)
    day = calendar.next_business_day(earliest)
    agenda = "\n".join(f"{n}. {item}" for n, item in enumerate(AGENDA[:2], 1))
    return f"/convocar ordinaria {day.isoformat()} {time(10, 0):%H:%M} {PLACE}\n{agenda}"


async def _json_body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body())
    except ValueError:
        raise Refusal(400, "La petición no es JSON válido.") from None
    if not isinstance(body, dict):
        raise Refusal(400, "La petición no es JSON válido.")
    return body


def _check_origin(request: Request) -> None:
    if request.headers.get("x-demo") != "1":
        raise Refusal(403, "Petición no válida: usa la página de la demostración.")


def build_page(world: World) -> Starlette:
    """The demo's Starlette app over ``world``."""
    templates = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    fake = world.fake

    async def index(request: Request) -> Response:
        html = templates.get_template("demo.html.j2").render(
            personas=cast.PERSONAS,
            members=cast.GROUP_MEMBERS,
            signatories=cast.SIGNATORIES,
            held=world.held,
            microsite_url=world.microsite_url,
            convocation=example_convocation(world),
            facilitator=cast.FACILITATOR,
            titulars=cast.TITULARS,
        )
        return HTMLResponse(html)

    async def chat(request: Request) -> Response:
        persona = _persona(request.path_params["key"])
        messages = chat_view(fake, persona)
        version = hashlib.sha256(json.dumps(messages).encode()).hexdigest()[:16]
        counts = {
            p.key: sum(1 for m in fake.history(p.chat_id) if m.from_bot) for p in cast.PERSONAS
        }
        answer: dict[str, Any] = {"version": version, "counts": counts, "bot": world.bot_alive()}
        if request.query_params.get("v") != version:
            answer["messages"] = messages
        return JSONResponse(answer)

    async def send(request: Request) -> Response:
        _check_origin(request)
        persona = _persona(request.path_params["key"])
        body = await _json_body(request)
        writer = _writer(persona, body.get("as"))
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise Refusal(400, "Escribe un mensaje o un comando, por ejemplo /ayuda.")
        if len(text) > MAX_TEXT:
            raise Refusal(400, f"Un mensaje tiene como máximo {MAX_TEXT} caracteres.")
        in_group = persona.chat_id if persona.is_group else None
        fake.send_text(writer.chat_id, text.strip(), chat_id=in_group)
        return JSONResponse({"ok": True})

    async def press(request: Request) -> Response:
        _check_origin(request)
        persona = _persona(request.path_params["key"])
        body = await _json_body(request)
        writer = _writer(persona, body.get("as"))
        message_id, index = body.get("message_id"), body.get("index")
        if not isinstance(message_id, int) or not isinstance(index, int):
            raise Refusal(400, "Falta el mensaje o el botón.")
        message = fake.message(persona.chat_id, message_id)
        if message is None or not message.from_bot:
            raise Refusal(404, "Ese mensaje no está en este chat.")
        buttons = message.buttons
        if not 0 <= index < len(buttons) or buttons[index][1] is None:
            raise Refusal(400, "Ese botón no está en el mensaje.")
        query = fake.press(
            writer.chat_id, chat_id=persona.chat_id, message_id=message_id, data=buttons[index][1]
        )
        for _ in range(int(ANSWER_WAIT / 0.05)):
            answered = fake.answer_for(query)
            if answered is not None:
                return JSONResponse(
                    {"ok": True, "answer": answered.text or "", "alert": answered.show_alert}
                )
            await asyncio.sleep(0.05)
        return JSONResponse({"ok": True, "answer": "El bot aún no responde a ese botón."})

    async def upload(request: Request) -> Response:
        _check_origin(request)
        persona = _persona(request.path_params["key"])
        async with request.form(max_files=1, max_fields=4) as form:
            writer = _writer(persona, form.get("as"))
            sent = form.get("file")
            if sent is None or isinstance(sent, str) or not sent.filename:
                raise Refusal(400, "Elige un archivo para enviar.")
            data = await sent.read()
            if len(data) > MAX_FILE:
                raise Refusal(413, "El archivo pasa de 20 MB, el límite de Telegram.")
            caption = form.get("caption")
            caption = caption.strip() if isinstance(caption, str) else ""
            fake.send_document(
                writer.chat_id,
                data,
                sent.filename,
                chat_id=persona.chat_id if persona.is_group else None,
                caption=caption or None,
                mime_type=sent.content_type,
            )
        return JSONResponse({"ok": True})

    async def download(request: Request) -> Response:
        persona = _persona(request.path_params["key"])
        message = fake.message(persona.chat_id, request.path_params["message_id"])
        if message is None or message.document is None:
            raise Refusal(404, "Ese archivo no está en este chat.")
        document = message.document
        disposition = f"attachment; filename*=UTF-8''{quote(document.filename)}"
        return Response(
            document.data,
            media_type=document.mime_type,
            headers={"Content-Disposition": disposition, "X-Content-Type-Options": "nosniff"},
        )

    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Refusal)
        return JSONResponse({"error": exc.message}, status_code=exc.status)

    return Starlette(
        routes=[
            Route("/", index),
            Route("/api/chats/{key}", chat),
            Route("/api/chats/{key}/messages", send, methods=["POST"]),
            Route("/api/chats/{key}/buttons", press, methods=["POST"]),
            Route("/api/chats/{key}/documents", upload, methods=["POST"]),
            Route("/api/chats/{key}/files/{message_id:int}", download),
            Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"),
        ],
        middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=["127.0.0.1", "localhost"])],
        exception_handlers={Refusal: refused},
    )
