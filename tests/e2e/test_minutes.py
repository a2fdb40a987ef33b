"""Minutes with legal weight end to end (R14, R15, R15a, R20): draft from the record,
corrected versions, signatures, the signed file, copies, and the garante's e-mail.

Everything goes through the real application and the fake Bot API; the mail goes to a
real SMTP server on 127.0.0.1 (aiosmtpd); PDFs are read back with pypdf.
"""

from __future__ import annotations

import asyncio
import io
import json
from datetime import UTC, datetime
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import func, select

from scheduler import planner as scheduler
from storage.files import sha256_hex
from storage.models import (
    Delivery,
    GaranteMailing,
    Meeting,
    MinutesSignature,
    MinutesVersion,
    SignedMinutes,
)
from tests.bot.test_minutes_files import make_p12, validate
from tests.clock import FakeClock
from tests.e2e.test_sessions import SUPLENTE, _convene, _with_substitute
from tests.e2e.test_votes import _vote
from tests.fakebot import FakeBotAPI
from tests.fakebot.models import Call
from tests.harness import ADMIN_ID, Harness, Zamora, bind, start_harness, token_in
from tests.smtp import LocalSMTP

GARANTE = "actas@garante.example.mx"
OBSERVER = 3009


def docs(h: Harness, chat: int, since: int) -> list[Call]:
    return [c for c in h.fake.sent_to(chat, since) if c.method == "sendDocument" and c.ok]


def data_of(h: Harness, call: Call) -> bytes:
    return h.fake.file(call.result["document"]["file_id"]).data


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def flat(text: str) -> str:
    return " ".join(text.split())


async def held_session(h: Harness) -> Zamora:
    """Session #1 convened, installed with 4 of 5 seats, agenda approved, one vote, notes."""
    z = await _with_substitute(h)
    h.fake.add_user(OBSERVER, "Olga", "Observadora")
    await bind(h, OBSERVER, token_in(await h.say(z.facilitator, "/alta observador Olga Ramírez")))
    await _convene(h, z)
    h.clock.advance(days=10, minutes=5)  # Monday 2026-12-07 10:05 in Zamora
    await h.say(z.facilitator, "/iniciar")
    for number in (2, 3, 4, 7, 8):  # gobierno, garante, sociedad civil; academia's substitute
        await h.say(z.facilitator, f"/presente {number}")
    since = h.fake.mark()
    assert "Sesión instalada con quórum: 4 de 5" in await h.say(z.facilitator, "/instalar")
    for uid in (z.titulars["gobierno"], z.titulars["garante"], z.titulars["sociedad_civil"]):
        await _vote(h, uid, since, "A favor")
    await _vote(h, SUPLENTE, since, "A favor")
    await h.say(z.facilitator, "/cerrar")
    since = h.fake.mark()
    await h.say(z.facilitator, "/votar Aprobar el calendario de sesiones 2027")
    await _vote(h, z.titulars["gobierno"], since, "A favor")
    await _vote(h, z.titulars["garante"], since, "En contra")
    await _vote(h, z.titulars["sociedad_civil"], since, "A favor")
    await _vote(h, SUPLENTE, since, "Abstención")
    await h.say(z.facilitator, "/cerrar")
    answer = await h.say(z.facilitator, "/nota 1 Se pasó lista; la ciudadanía no asistió.")
    assert "Nota agregada al punto 1" in answer
    await h.say(z.facilitator, "/nota 2 La academia presentó el avance del PAM: 40 %.")
    await h.say(z.facilitator, "/nota 2 Se acordó revisar el compromiso C-3 en enero.")
    h.clock.advance(hours=2)
    await h.say(z.facilitator, "/concluir")
    return z


async def draft(h: Harness, z: Zamora, number: int = 1) -> tuple[bytes, bytes, Call]:
    """``/acta n``: the PDF, the DOCX and the message with the buttons."""
    since = h.fake.mark()
    answer = await h.send(z.facilitator, f"/acta {number}")
    files = docs(h, z.facilitator, since)
    names = [f.result["document"]["file_name"] for f in files]
    assert [n.rsplit(".", 1)[1] for n in names] == ["pdf", "docx"], names
    return data_of(h, files[0]), data_of(h, files[1]), answer


def press_label(h: Harness, chat: int, message_id: int, label: str) -> str:
    return dict(h.fake.buttons(chat, message_id))[label]


async def circulate(h: Harness, z: Zamora, answer: Call) -> int:
    since = h.fake.mark()
    message_id = answer.result["message_id"]
    data = press_label(h, z.facilitator, message_id, "Circular para firma")
    await h.press(z.facilitator, z.facilitator, message_id, data)
    return since


def signature_message(h: Harness, uid: int, since: int) -> tuple[int, dict[str, str]]:
    call = [c for c in docs(h, uid, since) if c.params.get("reply_markup")][-1]  # the latest
    message_id = call.result["message_id"]
    return message_id, dict(h.fake.buttons(uid, message_id))


async def sign(h: Harness, uid: int, since: int, label: str = "Firmo el acta") -> str:
    message_id, buttons = signature_message(h, uid, since)
    query = await h.press(uid, uid, message_id, buttons[label])
    answer = h.fake.answer_for(query)
    assert answer is not None
    return answer.text or ""


async def count(h: Harness, model: type) -> int:
    async with h.db() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


SIGNERS = ("facilitator", "gobierno", "garante", "sociedad_civil", "suplente")


def signer_ids(z: Zamora) -> dict[str, int]:
    return {
        "facilitator": z.facilitator,
        "gobierno": z.titulars["gobierno"],
        "garante": z.titulars["garante"],
        "sociedad_civil": z.titulars["sociedad_civil"],
        "suplente": SUPLENTE,
    }


async def circulated_session(h: Harness) -> tuple[Zamora, int, dict[str, int]]:
    """A held session whose draft was circulated: (ids, the circulation's mark, signers)."""
    z = await held_session(h)
    _, _, answer = await draft(h, z)
    since = await circulate(h, z, answer)
    return z, since, signer_ids(z)


async def test_the_whole_path_to_the_garante(mailing: Harness, smtp: LocalSMTP) -> None:
    h = mailing
    z = await held_session(h)
    assert GARANTE in await h.say(z.facilitator, f"/ajustar garante_correo {GARANTE}")
    pdf, docx, answer = await draft(h, z)
    text = flat(pdf_text(pdf))
    # R14: everything comes from the record, nothing typed again
    assert "En la ciudad de Zamora, siendo las 10:05" in text
    for name in (
        "Felipe Armando Umaña Melo",
        "Roberto García Escobar",
        "José de Jesús Michel Sahagún",
        "Marta Ruiz",
        "Claudia Yanira Solís Cázares",
        "Olga Ramírez",
    ):
        assert name in text, name
    assert "Claudia Yanira Solís Cázares (presente)" in text  # she presided
    assert "Aprobado por consenso" in text  # the agenda (R10)
    assert "Aprobado por mayoría" in text  # the calendar (R12: an abstention)
    assert "Aprobar el calendario de sesiones 2027" in text
    assert "la ciudadanía no asistió" in text
    assert "revisar el compromiso C-3 en enero" in text
    assert "Página 1 de" in text
    assert docx.startswith(b"PK")
    assert "Circular para firma" in dict(
        h.fake.buttons(z.facilitator, answer.result["message_id"])
    )

    since = await circulate(h, z, answer)
    people = signer_ids(z)
    for uid in people.values():
        message_id, buttons = signature_message(h, uid, since)
        assert set(buttons) == {"Firmo el acta", "Pido cambios"}
    assert not docs(h, z.titulars["ciudadania"], since)  # absent: not a signatory (presentes)
    # refusals: a seat that was absent, the observer, a stranger; nothing changes
    message_id, buttons = signature_message(h, people["gobierno"], since)
    h.fake.add_user(7777, "Extraño", started=True)
    for intruder in (z.titulars["ciudadania"], OBSERVER, 7777):
        query = await h.press(
            intruder, people["gobierno"], message_id, buttons["Firmo el acta"], forge=True
        )
        assert "no es para ti" in (h.fake.answer_for(query).text or "")  # type: ignore[union-attr]
    assert await count(h, MinutesSignature) == 0

    for key in SIGNERS[:-1]:
        assert "firma quedó registrada" in await sign(h, people[key], since)
    assert "ya estaba registrada" in await sign(h, people["gobierno"], since)  # double press
    assert await count(h, SignedMinutes) == 0
    missing = await h.say(z.titulars["academia"], "/firmas 1")
    assert "Marta Ruiz" in missing
    assert "falta" in missing
    # a pending signatory asking /firmas gets the version and the buttons again
    mark = h.fake.mark()
    await h.settled(h.fake.send_text(SUPLENTE, "/firmas 1"))
    (again,) = docs(h, SUPLENTE, mark)
    assert set(dict(h.fake.buttons(SUPLENTE, again.result["message_id"]))) == {
        "Firmo el acta",
        "Pido cambios",
    }
    assert data_of(h, again) == pdf
    mark = h.fake.mark()
    await h.settled(h.fake.send_text(people["gobierno"], "/firmas 1"))  # signed already
    assert not docs(h, people["gobierno"], mark)

    mark = h.fake.mark()
    assert "firma quedó registrada" in await sign(h, people["suplente"], since)  # the last
    # R20: the signed file to the facilitator, every titular and substitute, and the group
    copies = {
        uid: docs(h, uid, mark) for uid in [z.facilitator, *z.titulars.values(), SUPLENTE, z.group]
    }
    for uid, calls in copies.items():
        assert len(calls) == 1, uid
        assert calls[0].result["document"]["file_name"] == "acta-sesion-1-firmada.pdf"
    assert not docs(h, OBSERVER, mark)  # observers are not R20's recipients
    signed = data_of(h, copies[z.facilitator][0])
    signed_text = flat(pdf_text(signed))
    for name in ("Felipe Armando Umaña Melo", "Marta Ruiz", "Claudia Yanira Solís Cázares"):
        assert name in signed_text.split("Hoja")[-1] or name in signed_text
    assert len(PdfReader(io.BytesIO(signed)).pages) == len(PdfReader(io.BytesIO(pdf)).pages) + 1

    # R15a: the garante's e-mail, with the signed PDF and the JSON summary
    (received,) = await smtp.wait_for_messages(1)
    assert received.rcpt_tos == (GARANTE,)
    attachments = {a.get_filename(): a.get_content() for a in received.message.iter_attachments()}
    assert attachments["acta-sesion-1-firmada.pdf"] == signed
    summary = json.loads(attachments["acta-sesion-1.json"])
    assert summary["sesion"]["title"] == "Primera Sesión Ordinaria 2026"
    assert "telegram" not in json.dumps(summary).lower()  # R21
    await h.app.quiet()
    async with h.db() as session:
        meeting = await session.scalar(select(Meeting))
        row = await session.scalar(select(GaranteMailing))
        deliveries = await session.scalar(
            select(func.count()).select_from(Delivery).where(Delivery.purpose == "acta_firmada")
        )
    assert meeting is not None
    assert row is not None
    assert row.state == "aceptado"
    assert row.message_id == received.message["Message-ID"]
    assert meeting.minutes_sent_at is not None
    assert meeting.minutes_sent_via == "correo"
    assert deliveries == 8  # 7 people and the group, every attempt recorded
    actas = await h.say(z.facilitator, "/actas")
    assert "firmada" in actas
    assert "enviada a tiempo" in actas
    # /acta_firmada and /verificar
    mark = h.fake.mark()
    await h.settled(h.fake.send_text(z.titulars["ciudadania"], "/acta_firmada 1"))
    (again,) = docs(h, z.titulars["ciudadania"], mark)
    assert data_of(h, again) == signed
    since = h.fake.mark()
    update = h.fake.send_document(7777, signed, "acta.pdf", caption="/verificar")
    await h.settled(update)
    verdict = await h.fake.wait_for("sendMessage", since=since, chat_id=7777)
    assert "acta firmada" in (verdict.text or "")
    assert "Primera Sesión Ordinaria 2026" in (verdict.text or "")
    # a signed acta takes no notes and no new versions
    assert "ya está firmada" in await h.say(z.facilitator, "/nota 1 Tarde.")


async def test_a_new_version_voids_signatures(harness: Harness) -> None:
    h = harness
    z = await held_session(h)
    _, _, answer = await draft(h, z)
    since = await circulate(h, z, answer)
    people = signer_ids(z)
    await sign(h, people["gobierno"], since)
    # Pido cambios: the next message is the comment, forwarded to the facilitator
    prompt = await sign(h, people["garante"], since, "Pido cambios")
    assert prompt == ""
    mark = h.fake.mark()
    assert "Envié tu comentario" in await h.say(
        people["garante"], "Falta mencionar el voto en contra."
    )
    forwarded = await h.fake.wait_for("sendMessage", since=mark, chat_id=z.facilitator)
    assert "Roberto García Escobar pide cambios" in (forwarded.text or "")
    assert "Falta mencionar el voto en contra." in (forwarded.text or "")
    # the corrected version, uploaded with the caption /acta 1
    corrected = _small_pdf("Acta corregida de la sesión 1")
    mark = h.fake.mark()
    update = h.fake.send_document(
        z.facilitator, corrected, "acta-corregida.pdf", caption="/acta 1"
    )
    await h.settled(update)
    reply = await h.fake.wait_for("sendMessage", since=mark, chat_id=z.facilitator)
    assert "versión 2" in (reply.text or "")
    assert sha256_hex(corrected) in (reply.text or "")
    told = await h.fake.wait_for("sendMessage", since=mark, chat_id=people["gobierno"])
    assert "quedaron sin efecto" in (told.text or "")
    # the old version's button: an alert, nothing changes
    alert = await sign(h, people["sociedad_civil"], since)
    assert "reemplazada por la versión 2" in alert
    async with h.db() as session:
        versions = list(await session.scalars(select(MinutesVersion).order_by(MinutesVersion.id)))
    assert [v.voided_at is not None for v in versions] == [True, False]
    assert versions[1].sha256 == sha256_hex(corrected)
    # circulate v2 and everyone signs it: the signed file embeds v2's hash
    v2 = await h.fake.wait_for("sendMessage", since=mark, chat_id=z.facilitator)
    since = await circulate(h, z, v2)
    mark = h.fake.mark()
    for key in SIGNERS:
        assert "firma quedó registrada" in await sign(h, people[key], since)
    (copy,) = docs(h, z.facilitator, mark)
    signed_text = flat(pdf_text(data_of(h, copy)))
    assert sha256_hex(corrected) in signed_text.replace(" ", "")
    assert "Acta corregida de la sesión 1" in signed_text
    # without e-mail configured the facilitator forwards it and marks it by hand
    report = "\n".join(c.text or "" for c in h.fake.sent_to(z.facilitator, mark))
    assert "/acta_enviada 1" in report


def _small_pdf(text: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<p>{text}</p>").write_pdf()  # type: ignore[no-any-return]


REFUSALS = (
    ("/acta", "/acta <n>"),
    ("/acta 9", "No hay una sesión #9"),
    ("/nota 9 Texto", "no hay punto 9"),
    ("/nota 1", "/nota <n de punto> <texto>"),
    ("/firmas 1", "todavía no tiene acta"),
    ("/acta_firmada 1", "todavía no está firmada"),
)


async def test_refusals_change_nothing(harness: Harness) -> None:
    """One held session takes every refusal in turn: none of them may leave a draft."""
    h = harness
    z = await held_session(h)
    for command, expected in REFUSALS:
        answer = await h.say(z.facilitator, command)
        assert expected in answer.replace("&lt;", "<").replace("&gt;", ">"), command
        assert await count(h, MinutesVersion) == 0, command


async def test_uploads_are_checked(harness: Harness) -> None:
    h = harness
    z = await held_session(h)
    cases = [
        (b"MZ not a pdf", "acta.pdf", "no es un acta que pueda registrar"),
        (b"%PDF-1.4 fake", "acta.exe", "no es un acta que pueda registrar"),
    ]
    for data, name, expected in cases:
        mark = h.fake.mark()
        update = h.fake.send_document(z.facilitator, data, name, caption="/acta 1")
        await h.settled(update)
        reply = await h.fake.wait_for("sendMessage", since=mark, chat_id=z.facilitator)
        assert expected in (reply.text or "")
    # a titular may not upload a version, nor draft one
    mark = h.fake.mark()
    update = h.fake.send_document(
        z.titulars["gobierno"], _small_pdf("x"), "acta.pdf", caption="/acta 1"
    )
    await h.settled(update)
    reply = await h.fake.wait_for("sendMessage", since=mark, chat_id=z.titulars["gobierno"])
    assert "facilita" in (reply.text or "")
    assert await count(h, MinutesVersion) == 0


async def test_restart_mid_signature_loses_nothing(
    fake: FakeBotAPI, database_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    async with start_harness(fake, database_url, clock, admins={ADMIN_ID}, data_dir=data_dir) as h:
        z, since, people = await circulated_session(h)
        for key in SIGNERS[:3]:
            await sign(h, people[key], since)
    async with start_harness(fake, database_url, clock, admins={ADMIN_ID}, data_dir=data_dir) as h:
        mark = h.fake.mark()
        for key in SIGNERS[3:]:  # the old buttons still work after the restart
            assert "firma quedó registrada" in await sign(h, people[key], since)
        (copy,) = docs(h, z.facilitator, mark)
        assert copy.result["document"]["file_name"] == "acta-sesion-1-firmada.pdf"
        assert await count(h, MinutesSignature) == 5


async def signed_session(h: Harness, *, last: bool = True) -> tuple[Zamora, int]:
    """A held session whose draft was circulated and signed (all but the last if not last)."""
    z = await held_session(h)
    assert GARANTE in await h.say(z.facilitator, f"/ajustar garante_correo {GARANTE}")
    _, _, answer = await draft(h, z)
    since = await circulate(h, z, answer)
    people = signer_ids(z)
    for key in SIGNERS if last else SIGNERS[:-1]:
        assert "firma quedó registrada" in await sign(h, people[key], since)
    return z, since


async def test_signature_reminders_chase_missing_signers(harness: Harness) -> None:
    """R14 + R22: ``recordar_firma`` 2d,0d, business days after circulation."""
    h = harness
    z = await held_session(h)
    _, _, answer = await draft(h, z)
    since = await circulate(h, z, answer)  # Monday 2026-12-07 after 12:05 local
    people = signer_ids(z)
    for key in SIGNERS[:3]:
        await sign(h, people[key], since)
    assert "Firmar el acta de la Primera Sesión Ordinaria 2026" in await h.say(
        SUPLENTE, "/pendientes"
    )
    # 0d (the same day, 09:00) was before the circulation: only 2d, Wednesday 12-09 09:00
    h.clock.current = datetime(2026, 12, 9, 15, 0, tzinfo=UTC)
    mark = h.fake.mark()
    await scheduler.run(h.app, None)
    chased = {
        uid
        for uid in people.values()
        if any("Falta tu firma" in (c.text or "") for c in h.fake.sent_to(uid, mark))
    }
    assert chased == {people["sociedad_civil"], SUPLENTE}
    reminder = next(
        c for c in h.fake.sent_to(SUPLENTE, mark) if "Falta tu firma" in (c.text or "")
    )
    buttons = dict(h.fake.buttons(SUPLENTE, reminder.result["message_id"]))
    query = await h.press(
        SUPLENTE, SUPLENTE, reminder.result["message_id"], buttons["Firmo el acta"]
    )
    assert "firma quedó registrada" in (h.fake.answer_for(query).text or "")  # type: ignore[union-attr]
    mark = h.fake.mark()
    await scheduler.run(h.app, None)  # R23: sent once
    assert not [c for c in h.fake.sent_to(SUPLENTE, mark) if "Falta tu firma" in (c.text or "")]


async def test_a_refused_mail_is_retried_until_accepted(mailing: Harness, smtp: LocalSMTP) -> None:
    h = mailing
    smtp.refuse_next(1, "451 4.3.0 Try again later")
    z, _ = await signed_session(h)
    told = next(
        c.text or ""
        for c in h.fake.sent_to(z.facilitator)
        if "No pude enviar por correo" in (c.text or "")
    )
    assert "Lo reintentaré automáticamente" in told
    assert "pendiente" in await h.say(z.facilitator, "/actas")  # nothing marked sent
    (job,) = h.app.job_queue.get_jobs_by_name("garante-mail:1")  # type: ignore[union-attr]
    job.schedule_removal()
    h.clock.advance(minutes=1)
    mark = h.fake.mark()
    await job.run(h.app)
    await h.app.quiet()
    (received,) = await smtp.wait_for_messages(1)
    ok = await h.fake.wait_for("sendMessage", since=mark, chat_id=z.facilitator)
    assert received.message["Message-ID"] in (ok.text or "")
    assert "enviada a tiempo" in await h.say(z.facilitator, "/actas")
    async with h.db() as session:
        row = await session.scalar(select(GaranteMailing))
    assert row is not None
    assert (row.state, row.attempts) == ("aceptado", 2)


async def test_a_permanent_refusal_is_not_retried(mailing: Harness, smtp: LocalSMTP) -> None:
    h = mailing
    smtp.refuse_next(1, "550 5.1.1 Mailbox unavailable", at="rcpt")
    z, _ = await signed_session(h)
    told = next(
        c.text or ""
        for c in h.fake.sent_to(z.facilitator)
        if "No pude enviar por correo" in (c.text or "")
    )
    assert "No lo reintentaré" in told
    assert "/acta_enviada 1" in told
    assert not h.app.job_queue.get_jobs_by_name("garante-mail:1")  # type: ignore[union-attr]
    actas = await h.say(z.facilitator, "/actas")
    assert "pendiente" in actas
    assert "rechazado" in actas
    assert smtp.messages == []
    # the facilitator may still send it by hand (R15)
    assert "enviada a tiempo" in await h.say(z.facilitator, "/acta_enviada 1 Oficio 12")


async def test_the_signed_file_carries_the_seal_when_configured(
    fake: FakeBotAPI, database_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    """FIRMA_P12: the signed minutes are also a PAdES signature by the deployment's seal."""
    path, ca = make_p12(tmp_path, b"clave")
    async with start_harness(
        fake,
        database_url,
        clock,
        admins={ADMIN_ID},
        data_dir=tmp_path / "data",
        seal_p12=path,
        seal_password="clave",
    ) as h:
        z, since, people = await circulated_session(h)
        mark = h.fake.mark()
        for key in SIGNERS:
            await sign(h, people[key], since)
        (copy,) = docs(h, z.facilitator, mark)
        # pyHanko's synchronous validator runs its own event loop: off this one
        intact, valid, trusted = await asyncio.to_thread(validate, data_of(h, copy), ca)
        assert (intact, valid, trusted) == (True, True, True)
        async with h.db() as session:
            done = await session.scalar(select(SignedMinutes))
        assert done is not None
        assert done.sealed
        assert done.sha256 == sha256_hex(data_of(h, copy))


async def test_a_session_not_held_has_no_minutes(harness: Harness) -> None:
    h = harness
    z = await _with_substitute(h)
    await _convene(h, z)  # convened, never installed
    assert "no se instaló" in await h.say(z.facilitator, "/acta 1")
    assert "Todavía no hay una sesión instalada" in await h.say(z.facilitator, "/nota 1 Texto")
    assert "no se instaló" in await h.say(z.titulars["gobierno"], "/firmas 1")
    assert await count(h, MinutesVersion) == 0


async def test_an_oversized_upload_is_refused_before_downloading(harness: Harness) -> None:
    h = harness
    z = await held_session(h)
    big = b"%PDF-1.4\n" + b"0" * (20 * 1024 * 1024) + b"\n%%EOF\n"
    mark = h.fake.mark()
    await h.settled(h.fake.send_document(z.facilitator, big, "acta.pdf", caption="/acta 1"))
    reply = await h.fake.wait_for("sendMessage", since=mark, chat_id=z.facilitator)
    assert "demasiado grande" in (reply.text or "")
    assert not h.fake.calls_to("getFile", since=mark)  # refused by its size alone
    assert await count(h, MinutesVersion) == 0


async def test_another_secretariat_and_forged_buttons_change_nothing(harness: Harness) -> None:
    h = harness
    z = await held_session(h)
    _, _, answer = await draft(h, z)
    h.fake.add_user(5001, "Facilitadora", "Jacona")
    await bind(h, 5001, token_in(await h.say(ADMIN_ID, "/nuevo_stm Jacona")))
    assert "No hay una sesión #1" in await h.say(5001, "/acta 1")  # Zamora's #1 is not hers
    message_id = answer.result["message_id"]
    circulate_data = press_label(h, z.facilitator, message_id, "Circular para firma")
    for presser, data in (
        (5001, circulate_data),  # another secretariat's facilitator
        (z.titulars["gobierno"], circulate_data),  # a titular is not the facilitator
    ):
        query = await h.press(presser, z.facilitator, message_id, data, forge=True)
        assert "no es para ti" in (h.fake.answer_for(query).text or "")  # type: ignore[union-attr]
    for forged in ("m:999:1", "m:1:7", "f:999:1", "f:1:3", "f:1"):
        query = await h.press(z.facilitator, z.facilitator, message_id, forged, forge=True)
        assert "ya no es válido" in (h.fake.answer_for(query).text or "")  # type: ignore[union-attr]
    async with h.db() as session:
        version = await session.scalar(select(MinutesVersion))
    assert version is not None
    assert version.circulated_at is None
    assert await count(h, MinutesSignature) == 0


async def test_firmantes_todos_asks_every_seats_titular(harness: Harness) -> None:
    """R14 ``firmantes_acta todos``: the facilitator and every seat's titular, present or not."""
    h = harness
    z = await held_session(h)
    assert "todos" in await h.say(z.facilitator, "/ajustar firmantes_acta todos")
    _, _, answer = await draft(h, z)
    since = await circulate(h, z, answer)
    asked = {uid for uid in [z.facilitator, *z.titulars.values(), SUPLENTE] if docs(h, uid, since)}
    assert asked == {z.facilitator, *z.titulars.values()}  # the absent ciudadanía too
    assert "Leonardo Francisco Vallejo Gaytán" in await h.say(z.facilitator, "/firmas 1")


async def test_copies_interrupted_by_a_crash_resume_without_repeating(
    fake: FakeBotAPI, database_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    """Each copy is recorded as it is delivered: after a crash only the rest go out (R20)."""
    data_dir = tmp_path / "data"
    async with start_harness(fake, database_url, clock, admins={ADMIN_ID}, data_dir=data_dir) as h:
        z, since, people = await circulated_session(h)
        for key in SIGNERS:
            await sign(h, people[key], since)
        # The state a crash leaves after some copies went out: the fan-out not closed and
        # two titulars' (and the group's) copies never delivered.
        missing = [z.titulars["academia"], z.titulars["ciudadania"]]
        async with h.db.begin() as session:
            done = await session.scalar(select(SignedMinutes))
            assert done is not None
            done.copies_sent_at = None
            rows = await session.scalars(
                select(Delivery).where(Delivery.purpose == "acta_firmada")
            )
            for row in rows:
                if row.chat_id in [*missing, z.group]:
                    await session.delete(row)
    mark = fake.mark()
    async with start_harness(fake, database_url, clock, admins={ADMIN_ID}, data_dir=data_dir) as h:
        await h.app.quiet()
        got = {
            uid
            for uid in [z.facilitator, *z.titulars.values(), SUPLENTE, z.group]
            if docs(h, uid, mark)
        }
        assert got == {*missing, z.group}
        report = [
            c.text or ""
            for c in h.fake.sent_to(z.facilitator, mark)
            if "entregada a" in (c.text or "")
        ]
        assert len(report) == 1
        assert "entregada a 7 de 7" in report[0]
        async with h.db() as session:
            ok = await session.scalar(
                select(func.count())
                .select_from(Delivery)
                .where(Delivery.purpose == "acta_firmada", Delivery.ok)
            )
        assert ok == 8
