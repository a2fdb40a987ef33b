"""The demo page's endpoints over HTTP (demo/page.py), against the real fake Bot API.

No bot runs here: the test plays the bot by calling the fake's Bot API itself, so each
endpoint's effect (an update queued from the right user in the right chat) and each
refusal (unknown persona, a message or button of another chat, a cross-site request,
bad input) is checked exactly, and the refusals are shown to change nothing.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Any

import httpx
import pytest

from bot.clock import system_clock
from demo import cast
from demo.page import World, build_page
from demo.seeding import HeldSession, add_people
from tests.fakebot import FakeBotAPI

DEMO = {"X-Demo": "1"}
GOBIERNO, GARANTE = cast.BY_KEY["gobierno"], cast.BY_KEY["garante"]


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    """The fake Bot API with the demo's people (nobody has started the bot yet)."""
    with FakeBotAPI(bot_username=cast.BOT_USERNAME) as running:
        add_people(running)
        yield running
    running.assert_no_internal_errors()


@pytest.fixture
async def page(fake: FakeBotAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The demo's app, as the browser reaches it (Host 127.0.0.1)."""
    world = World(
        fake=fake,
        microsite_url="http://127.0.0.1:8091/zamora/",
        held=HeldSession(convened=date(2026, 11, 9), day=date(2026, 11, 20)),
        clock=system_clock,
        bot_alive=lambda: True,
    )
    transport = httpx.ASGITransport(app=build_page(world))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        yield client


async def bot(fake: FakeBotAPI, method: str, **params: Any) -> Any:
    """The test plays the bot: one Bot API call to the fake."""
    fields = {k: json.dumps(v) if isinstance(v, dict) else str(v) for k, v in params.items()}
    async with httpx.AsyncClient(base_url=f"{fake.bot_base_url}{fake.token}/") as client:
        answer = (await client.post(method, data=fields)).json()
    assert answer["ok"], answer
    return answer["result"]


async def drain(fake: FakeBotAPI) -> None:
    """The bot has read every update so far (getUpdates confirms them)."""
    await bot(fake, "getUpdates", offset=10**9, timeout=0)


def keyboard(*labels: str) -> dict[str, Any]:
    return {"inline_keyboard": [[{"text": t, "callback_data": f"x:{t}"} for t in labels]]}


def queued(fake: FakeBotAPI) -> list[dict[str, Any]]:
    return fake.pending_updates()


async def test_page_and_chat_view(fake: FakeBotAPI, page: httpx.AsyncClient) -> None:
    index = await page.get("/")
    assert index.status_code == 200
    assert '<html lang="es-MX">' in index.text
    assert "Guía rápida" in index.text
    assert "/convocar ordinaria 20" in index.text
    assert "20/11/2026" in index.text  # the seeded session's day, for "sign"
    assert (await page.get("/static/demo.js")).status_code == 200

    fake.send_text(GOBIERNO.chat_id, "/start")
    await bot(
        fake,
        "sendMessage",
        chat_id=GOBIERNO.chat_id,
        text="<b>Hola</b> &lt;script&gt; http://127.0.0.1:8091/zamora/",
        parse_mode="HTML",
        reply_markup=keyboard("Asistiré", "No asistiré"),
    )
    view = (await page.get("/api/chats/gobierno")).json()
    mine, from_bot = view["messages"]
    assert (mine["mine"], mine["from_bot"], mine["html"]) == (True, False, "/start")
    assert mine["sender"] == GOBIERNO.name
    assert from_bot["from_bot"]
    assert from_bot["sender"] == cast.BOT_NAME
    assert from_bot["html"].startswith("<b>Hola</b> &lt;script&gt; <a href=")
    assert [[b["text"] for b in row] for row in from_bot["buttons"]] == [
        ["Asistiré", "No asistiré"]
    ]
    assert (view["counts"]["gobierno"], view["counts"]["garante"]) == (1, 0)
    assert view["bot"] is True
    again = (await page.get(f"/api/chats/gobierno?v={view['version']}")).json()
    assert "messages" not in again  # nothing new: the page keeps what it drew
    # R21: no Telegram id ever reaches the page.
    for persona in cast.PERSONAS:
        assert str(persona.chat_id) not in json.dumps(view) + index.text


async def test_writing_as_a_persona_and_in_the_group(
    fake: FakeBotAPI, page: httpx.AsyncClient
) -> None:
    sent = await page.post(
        "/api/chats/facilitador/messages", json={"text": "/ayuda"}, headers=DEMO
    )
    assert sent.json() == {"ok": True}
    in_group = await page.post(
        "/api/chats/grupo/messages", json={"text": "/sesiones", "as": "gobierno"}, headers=DEMO
    )
    assert in_group.status_code == 200
    private, group = (u["message"] for u in queued(fake))
    assert (private["from"]["id"], private["chat"]["id"], private["text"]) == (
        cast.FACILITATOR.chat_id,
        cast.FACILITATOR.chat_id,
        "/ayuda",
    )
    assert private["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert (group["from"]["id"], group["chat"]["id"]) == (GOBIERNO.chat_id, cast.GROUP.chat_id)


@pytest.mark.parametrize(
    ("path", "body", "headers", "status", "error"),
    [
        ("/api/chats/nadie/messages", {"text": "/ayuda"}, DEMO, 404, "No existe esa persona"),
        ("/api/chats/2101/messages", {"text": "/ayuda"}, DEMO, 404, "No existe esa persona"),
        ("/api/chats/gobierno/messages", {"text": "/ayuda"}, {}, 403, "Petición no válida"),
        ("/api/chats/gobierno/messages", {"text": "  "}, DEMO, 400, "Escribe un mensaje"),
        ("/api/chats/gobierno/messages", {"text": "x" * 4097}, DEMO, 400, "4096"),
        ("/api/chats/gobierno/messages", {"text": 5}, DEMO, 400, "Escribe un mensaje"),
        (
            "/api/chats/gobierno/messages",
            {"text": "/ayuda", "as": "garante"},
            DEMO,
            400,
            "solo escribe su titular",
        ),
        ("/api/chats/grupo/messages", {"text": "/ayuda"}, DEMO, 400, "Elige quién escribe"),
        (
            "/api/chats/grupo/messages",
            {"text": "/ayuda", "as": "admin"},
            DEMO,
            400,
            "Elige quién escribe",
        ),
        ("/api/chats/gobierno/buttons", {"message_id": "1", "index": 0}, DEMO, 400, "Falta"),
    ],
)
async def test_bad_messages_are_refused_and_change_nothing(
    fake: FakeBotAPI,
    page: httpx.AsyncClient,
    path: str,
    body: dict[str, Any],
    headers: dict[str, str],
    status: int,
    error: str,
) -> None:
    answer = await page.post(path, json=body, headers=headers)
    assert answer.status_code == status
    assert error in answer.json()["error"]
    assert queued(fake) == []


async def test_not_json_another_host_and_unknown_chat(
    fake: FakeBotAPI, page: httpx.AsyncClient
) -> None:
    bad = await page.post("/api/chats/gobierno/messages", content=b"{no", headers=DEMO)
    assert (bad.status_code, bad.json()["error"]) == (400, "La petición no es JSON válido.")
    rebinding = await page.get("/", headers={"Host": "demo.evil.example"})
    assert rebinding.status_code == 400
    assert (await page.get("/api/chats/nadie")).status_code == 404
    assert queued(fake) == []


async def test_buttons_only_on_the_personas_own_messages(
    fake: FakeBotAPI, page: httpx.AsyncClient
) -> None:
    fake.send_text(GOBIERNO.chat_id, "/start")
    fake.send_text(GARANTE.chat_id, "/start")
    await drain(fake)  # the bot has read the /start messages
    ballot = await bot(
        fake,
        "sendMessage",
        chat_id=GOBIERNO.chat_id,
        text="¿Voto?",
        reply_markup=keyboard("A favor"),
    )
    link = {"inline_keyboard": [[{"text": "Sitio", "url": "http://127.0.0.1:8091/zamora/"}]]}
    await bot(fake, "sendMessage", chat_id=GOBIERNO.chat_id, text="Sitio", reply_markup=link)
    refusals = [
        # a message of gobierno's chat, pressed in garante's chat (where it does not exist)
        ("garante", {"message_id": ballot["message_id"], "index": 0}, 404, "no está en este chat"),
        ("gobierno", {"message_id": 1, "index": 0}, 404, "no está en este chat"),  # its own text
        ("gobierno", {"message_id": ballot["message_id"], "index": 1}, 400, "Ese botón no está"),
        ("gobierno", {"message_id": ballot["message_id"], "index": -1}, 400, "Ese botón no está"),
        ("gobierno", {"message_id": 3, "index": 0}, 400, "Ese botón no está"),  # a link
        (
            "gobierno",
            {"message_id": ballot["message_id"], "index": 0, "as": "garante"},
            400,
            "solo",
        ),
    ]
    for key, body, status, error in refusals:
        answer = await page.post(f"/api/chats/{key}/buttons", json=body, headers=DEMO)
        assert (answer.status_code, error in answer.json()["error"]) == (status, True), body
    assert queued(fake) == []
    unsigned = await page.post(
        "/api/chats/gobierno/buttons", json={"message_id": ballot["message_id"], "index": 0}
    )
    assert unsigned.status_code == 403

    pressing = asyncio.create_task(
        page.post(
            "/api/chats/gobierno/buttons",
            json={"message_id": ballot["message_id"], "index": 0},
            headers=DEMO,
        )
    )
    for _ in range(500):
        if queued(fake):
            break
        await asyncio.sleep(0.01)
    query = queued(fake)[0]["callback_query"]
    assert (query["from"]["id"], query["data"]) == (GOBIERNO.chat_id, "x:A favor")
    await bot(fake, "answerCallbackQuery", callback_query_id=query["id"], text="Tu voto: A favor")
    assert (await pressing).json() == {"ok": True, "answer": "Tu voto: A favor", "alert": False}


async def test_files_down_and_up(fake: FakeBotAPI, page: httpx.AsyncClient) -> None:
    fake.send_text(GOBIERNO.chat_id, "/start")
    async with httpx.AsyncClient(base_url=f"{fake.bot_base_url}{fake.token}/") as client:
        sent = await client.post(
            "sendDocument",
            data={"chat_id": str(GOBIERNO.chat_id), "caption": "Acta"},
            files={"document": ("acta-sesión-1.pdf", b"%PDF-1.7 demo", "application/pdf")},
        )
    message_id = sent.json()["result"]["message_id"]
    await drain(fake)
    view = (await page.get("/api/chats/gobierno")).json()
    document = view["messages"][-1]["document"]
    assert document["name"] == "acta-sesión-1.pdf"
    got = await page.get(document["url"])
    assert (got.status_code, got.content) == (200, b"%PDF-1.7 demo")
    assert got.headers["content-disposition"] == (
        "attachment; filename*=UTF-8''acta-sesi%C3%B3n-1.pdf"
    )
    assert (await page.get(f"/api/chats/garante/files/{message_id}")).status_code == 404
    assert (await page.get("/api/chats/gobierno/files/1")).status_code == 404  # no file

    files = {"file": ("corregida.docx", b"PK demo", "application/octet-stream")}
    form = {"caption": "/acta 1", "as": ""}
    unsigned = await page.post("/api/chats/facilitador/documents", files=files, data=form)
    assert unsigned.status_code == 403
    no_file = await page.post("/api/chats/facilitador/documents", data=form, headers=DEMO)
    assert no_file.status_code == 400
    assert queued(fake) == []
    uploaded = await page.post(
        "/api/chats/facilitador/documents", files=files, data=form, headers=DEMO
    )
    assert uploaded.json() == {"ok": True}
    (update,) = queued(fake)
    message = update["message"]
    assert (message["from"]["id"], message["caption"]) == (cast.FACILITATOR.chat_id, "/acta 1")
    assert message["document"]["file_name"] == "corregida.docx"
    assert fake.file(message["document"]["file_id"]).data == b"PK demo"
