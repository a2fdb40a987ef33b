"""Session evidence end to end (R19 a): ``/evidencia <n> [descripción]`` as the caption of
a photo, video, voice note or document (or as a reply to the message carrying it), through
the fake Bot API, kept by SHA-256 in the file store with its rows, refused — unread where
possible, and with nothing stored — for every kind of bad input.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from storage.files import sha256_hex
from storage.models import AuditEntry, Meeting, Member, SessionEvidence, StoredFile
from tests.e2e.test_sessions import _convene
from tests.fakebot.models import Call
from tests.harness import ADMIN_ID, Harness, Zamora, bind, setup_zamora, token_in

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n% orden del dia\n1 0 obj<<>>endobj\n%%EOF\n"
OGG = b"OggS\x00\x02" + b"\x00" * 80 + b"OpusHead"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
STRANGER = 7777
LIMIT = 20 * 1024 * 1024


async def held(h: Harness) -> Zamora:
    """Zamora's session #1, convened and installed with 3 of 5 seats (a held session)."""
    z = await setup_zamora(h)
    await _convene(h, z)
    h.clock.advance(days=10, minutes=5)  # Monday 2026-12-07 10:05 in Zamora
    await h.say(z.facilitator, "/iniciar")
    for number in (2, 3, 4):
        await h.say(z.facilitator, f"/presente {number}")
    assert "Sesión instalada con quórum" in await h.say(z.facilitator, "/instalar")
    return z


#: The fields the Bot API always sends with each kind of file.
REQUIRED: dict[str, dict[str, int]] = {
    "video": {"width": 1280, "height": 720, "duration": 30},
    "video_note": {"length": 240, "duration": 10},
    "audio": {"duration": 60},
    "voice": {"duration": 12},
}


def _descriptor(h: Harness, data: bytes, name: str, mime: str | None, size: int | None) -> dict:
    with h.fake.state.lock:
        stored = h.fake.state.add_file(data, name, mime)
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size if size is None else size,
    }


def media_fields(
    h: Harness,
    carrier: str,
    data: bytes,
    *,
    name: str = "archivo",
    mime: str | None = None,
    claimed_size: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A message's Bot API fields for a file the user's client uploaded (a photo comes in
    two sizes, as Telegram sends it)."""
    described = _descriptor(h, data, name, mime, claimed_size)
    if carrier == "photo":
        thumbnail = _descriptor(h, data[:40], "thumb.jpg", "image/jpeg", None)
        return {
            "photo": [
                {**thumbnail, "width": 90, "height": 68},
                {**described, "width": 1280, "height": 960},
            ]
        }
    return {carrier: {**described, **REQUIRED.get(carrier, {}), **extra}}


async def send_media(
    h: Harness, uid: int, fields: dict[str, Any], caption: str | None, chat_id: int | None = None
) -> Call:
    """The user sends the file (with ``caption``); the bot's answer in that chat."""
    mark = h.fake.mark()
    content = dict(fields) if caption is None else {**fields, "caption": caption}
    await h.settled(h.fake.send_raw_message(uid, chat_id, content))
    return await h.fake.wait_for("sendMessage", since=mark, chat_id=chat_id or uid)


async def send_document(h: Harness, uid: int, data: bytes, name: str, caption: str) -> Call:
    mark = h.fake.mark()
    await h.settled(h.fake.send_document(uid, data, name, caption=caption))
    return await h.fake.wait_for("sendMessage", since=mark, chat_id=uid)


async def count(h: Harness, model: type) -> int:
    async with h.db() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def stored_files(h: Harness) -> list[Path]:
    root = h.app.files.root / "files"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


async def evidence_rows(h: Harness) -> list[SessionEvidence]:
    async with h.db() as session:
        return list(await session.scalars(select(SessionEvidence).order_by(SessionEvidence.id)))


async def test_a_photo_and_a_pdf_become_the_sessions_evidence(harness: Harness) -> None:
    """R19 a: each file kept by SHA-256 with its rows and audit entry; the reply names the
    number, kind, SHA-256 and the session's public page; the caption is shown escaped."""
    h = harness
    z = await held(h)
    caption = "/evidencia 1 Pase de lista <b>en</b> la Sala & público"
    answer = await send_media(h, z.facilitator, media_fields(h, "photo", JPEG), caption)
    text, source = answer.text or "", answer.params["text"]
    assert "Evidencia núm. 1 de la sesión #1 (Primera Sesión Ordinaria 2026)" in text
    assert "foto «foto.jpg»" in text
    assert "Descripción: Pase de lista <b>en</b> la Sala & público" in text  # as typed
    assert "&lt;b&gt;en&lt;/b&gt; la Sala &amp; público" in source  # escaped, not markup
    assert f"SHA-256: {sha256_hex(JPEG)}" in text
    assert f"{h.web_url}/zamora/actas" in text
    assert "PUBLIC_URL" in text  # the local address, said to be one
    # the largest size of the photo was downloaded, not the thumbnail
    assert h.app.files.get(sha256_hex(JPEG)) == JPEG

    answer = await send_document(h, z.facilitator, PDF, "orden del día.pdf", "/evidencia 1")
    assert "Evidencia núm. 2 de la sesión #1" in (answer.text or "")
    assert "documento «orden del día.pdf»" in (answer.text or "")
    assert "Descripción" not in (answer.text or "")

    rows = await evidence_rows(h)
    async with h.db() as session:
        facilitator = await session.scalar(
            select(Member.id).where(Member.telegram_user_id == z.facilitator)
        )
        meeting = await session.scalar(select(Meeting.id).where(Meeting.number == 1))
        files = {f.sha256: f for f in await session.scalars(select(StoredFile))}
        audited = list(
            await session.scalars(
                select(AuditEntry).where(AuditEntry.action == "evidence.attached")
            )
        )
    assert [
        (r.meeting_id, r.number, r.kind, r.filename, r.media_type, r.size, r.caption, r.sha256)
        for r in rows
    ] == [
        (
            meeting,
            1,
            "foto",
            "foto.jpg",
            "image/jpeg",
            len(JPEG),
            "Pase de lista <b>en</b> la Sala & público",
            sha256_hex(JPEG),
        ),
        (
            meeting,
            2,
            "documento",
            "orden del día.pdf",
            "application/pdf",
            len(PDF),
            "",
            sha256_hex(PDF),
        ),
    ]
    assert {r.created_by for r in rows} == {facilitator}
    assert {r.created_at for r in rows} == {h.clock()}
    assert files[sha256_hex(PDF)].media_type == "application/pdf"
    assert files[sha256_hex(JPEG)].size == len(JPEG)
    assert [(a.detail["evidence"], a.detail["kind"], a.actor_member_id) for a in audited] == [
        (1, "foto", facilitator),
        (2, "documento", facilitator),
    ]
    assert len(stored_files(h)) == 2

    # The same file twice for the same session: a clear answer, nothing new stored.
    mark = h.fake.mark()
    answer = await send_document(h, z.facilitator, PDF, "copia.pdf", "/evidencia 1 Otra vez")
    assert "ya es la evidencia núm. 2 de la sesión #1" in (answer.text or "")
    assert await count(h, SessionEvidence) == 2
    assert await count(h, StoredFile) == 2
    assert len(stored_files(h)) == 2
    assert not [c for c in h.fake.sent_to(z.group, mark) if c.method == "sendMessage"]


async def test_a_reply_to_a_voice_note_and_a_video_are_audio_and_video(
    harness: Harness,
) -> None:
    """Replying ``/evidencia n`` to the message that carries the file attaches that file;
    voice notes come without a name (stored as ``nota-de-voz.ogg``)."""
    h = harness
    z = await held(h)
    voice = media_fields(h, "voice", OGG, mime="audio/ogg")
    update_id = h.fake.send_raw_message(z.facilitator, None, voice)
    await h.settled(update_id)
    with h.fake.state.lock:
        sent = [m for m in h.fake.state.chats[z.facilitator].values() if not m.from_bot]
    voice_message = sent[-1].message_id
    mark = h.fake.mark()
    await h.settled(
        h.fake.send_text(
            z.facilitator,
            "/evidencia 1 Intervención de la ciudadanía",
            reply_to_message_id=voice_message,
        )
    )
    answer = await h.fake.wait_for("sendMessage", since=mark, chat_id=z.facilitator)
    assert "Evidencia núm. 1 de la sesión #1" in (answer.text or "")
    assert "audio «nota-de-voz.ogg»" in (answer.text or "")

    video = media_fields(
        h, "video", MP4, name="recorrido.mp4", mime="video/mp4", file_name="recorrido.mp4"
    )
    answer = await send_media(h, z.facilitator, video, "/evidencia 1 Recorrido")
    assert "video «recorrido.mp4»" in (answer.text or "")
    assert [(r.number, r.kind, r.media_type, r.caption) for r in await evidence_rows(h)] == [
        (1, "audio", "audio/ogg", "Intervención de la ciudadanía"),
        (2, "video", "video/mp4", "Recorrido"),
    ]


async def test_an_oversized_file_is_refused_without_downloading(harness: Harness) -> None:
    """Telegram says the size before ``getFile``: over 20 MB nothing is fetched."""
    h = harness
    z = await held(h)
    mark = h.fake.mark()
    for carrier, fields in (
        ("photo", media_fields(h, "photo", JPEG, claimed_size=LIMIT + 1)),
        (
            "document",
            media_fields(h, "document", PDF, claimed_size=LIMIT + 1, file_name="grabación.pdf"),
        ),
        ("video", media_fields(h, "video", MP4, claimed_size=LIMIT * 3)),
    ):
        answer = await send_media(h, z.facilitator, fields, "/evidencia 1")
        assert "demasiado grande" in (answer.text or ""), carrier
        assert "20 MB" in (answer.text or "")
    assert not h.fake.calls_to("getFile", since=mark)
    assert await count(h, SessionEvidence) == 0
    assert stored_files(h) == []


BAD_CAPTIONS = [
    ("/evidencia", "Se usa así"),
    ("/evidencia uno Foto", "Se usa así"),
    ("/evidencia 0", "Se usa así"),
    ("/evidencia 9 Foto", "No hay una sesión #9"),
    ("/evidencia 1 " + "x" * 501, "La descripción tiene 501 caracteres; el máximo es 500"),
]


@pytest.mark.parametrize(("caption", "expected"), BAD_CAPTIONS)
async def test_bad_captions_are_refused_before_downloading(
    harness: Harness, caption: str, expected: str
) -> None:
    h = harness
    z = await held(h)
    mark = h.fake.mark()
    answer = await send_media(h, z.facilitator, media_fields(h, "photo", JPEG), caption)
    assert expected in (answer.text or "")
    assert not h.fake.calls_to("getFile", since=mark)
    assert await count(h, SessionEvidence) == 0
    assert stored_files(h) == []


async def test_no_file_and_unsupported_files_change_nothing(harness: Harness) -> None:
    h = harness
    z = await held(h)
    f = z.facilitator
    assert "No recibí ninguna foto, video, audio" in await h.say(f, "/evidencia 1 Foto")
    # a reply to a message without a file
    text = h.fake.send_text(f, "Hola")
    await h.settled(text)
    with h.fake.state.lock:
        mine = [m for m in h.fake.state.chats[f].values() if not m.from_bot]
    mark = h.fake.mark()
    await h.settled(h.fake.send_text(f, "/evidencia 1", reply_to_message_id=mine[-1].message_id))
    reply = await h.fake.wait_for("sendMessage", since=mark, chat_id=f)
    assert "El mensaje al que respondiste no trae" in (reply.text or "")
    # a document of no accepted type: refused by its name, unread
    mark = h.fake.mark()
    answer = await send_document(h, f, b"MZ\x90\x00", "programa.exe", "/evidencia 1")
    assert "«programa.exe» no es un archivo que pueda guardar como evidencia" in (
        answer.text or ""
    )
    assert not h.fake.calls_to("getFile", since=mark)
    # names and bytes that disagree: refused once read
    answer = await send_document(h, f, JPEG, "acta.pdf", "/evidencia 1")
    assert "«acta.pdf» no es un archivo" in (answer.text or "")
    answer = await send_document(h, f, PDF[:20], "truncado.pdf", "/evidencia 1")
    assert "«truncado.pdf» no es un archivo" in (answer.text or "")
    answer = await send_media(h, f, media_fields(h, "photo", PDF), "/evidencia 1")
    assert "«foto» no es un archivo" in (answer.text or "")
    answer = await send_media(h, f, media_fields(h, "voice", JPEG), "/evidencia 1")
    assert "no es un archivo" in (answer.text or "")
    # a caption on something that is no file at all (a location)
    answer = await send_media(
        h, f, {"location": {"latitude": 19.98, "longitude": -102.28}}, "/evidencia 1"
    )
    assert "No recibí ninguna foto" in (answer.text or "")
    assert await count(h, SessionEvidence) == 0
    assert await count(h, StoredFile) == 0
    assert stored_files(h) == []


async def test_only_the_facilitator_in_private(harness: Harness) -> None:
    """commands.md: ``/evidencia`` is the facilitator's, in the private chat (R19 a)."""
    h = harness
    z = await held(h)
    h.fake.add_user(STRANGER, "Curioso")
    mark = h.fake.mark()
    for uid, chat, expected in (
        (z.titulars["gobierno"], None, "solo lo puede usar: facilitador(a)"),
        (STRANGER, None, "no encuentro tu cuenta"),
        (z.facilitator, z.group, "se usa en el chat privado"),
        (z.titulars["academia"], z.group, "se usa en el chat privado"),
    ):
        answer = await send_media(h, uid, media_fields(h, "photo", JPEG), "/evidencia 1", chat)
        assert expected in (answer.text or ""), (uid, chat)
    assert "solo lo puede usar" in await h.say(z.titulars["garante"], "/evidencia 1")
    assert not h.fake.calls_to("getFile", since=mark)
    assert await count(h, SessionEvidence) == 0
    assert stored_files(h) == []


async def test_a_session_not_held_takes_no_evidence(harness: Harness) -> None:
    """Convened or cancelled: nothing to show on the minutes page, nothing downloaded."""
    h = harness
    z = await setup_zamora(h)
    await _convene(h, z)  # session #1, convened, never installed
    mark = h.fake.mark()
    answer = await send_media(h, z.facilitator, media_fields(h, "photo", JPEG), "/evidencia 1")
    assert "La sesión #1 está convocada: solo las sesiones celebradas llevan evidencias" in (
        answer.text or ""
    )
    async with h.db.begin() as session:  # as if R11's approvals had cancelled it
        await session.execute(update(Meeting).where(Meeting.number == 1).values(state="cancelada"))
    answer = await send_document(h, z.facilitator, PDF, "acta.pdf", "/evidencia 1")
    assert "La sesión #1 está cancelada" in (answer.text or "")
    assert not h.fake.calls_to("getFile", since=mark)
    assert await count(h, SessionEvidence) == 0
    assert stored_files(h) == []


async def test_a_facilitator_of_two_secretariats_chooses_and_keeps_the_file(
    harness: Harness,
) -> None:
    """The guard asks which secretariat; the photo waits in the database for the choice."""
    h = harness
    z = await held(h)
    assert "Listo" in await bind(
        h, z.facilitator, token_in(await h.say(ADMIN_ID, "/nuevo_stm Jacona"))
    )
    answer = await send_media(h, z.facilitator, media_fields(h, "photo", JPEG), "/evidencia 1")
    assert "¿En cuál quieres usar /evidencia?" in (answer.text or "")
    zamora = dict(h.fake.buttons(z.facilitator, answer.result["message_id"]))["Zamora"]
    assert zamora is not None
    mark = h.fake.mark()
    await h.press(z.facilitator, z.facilitator, answer.result["message_id"], zamora)
    done = await h.fake.wait_for("sendMessage", since=mark, chat_id=z.facilitator)
    assert "Evidencia núm. 1 de la sesión #1" in (done.text or "")
    assert [r.sha256 for r in await evidence_rows(h)] == [sha256_hex(JPEG)]
