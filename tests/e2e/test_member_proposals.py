"""Members' proposals end to end (R17; seed VI.10): submitted by titulars and substitutes
(text, or a document with the caption), the facilitator told, listed with their status,
counted on the convocation preview and put on its agenda with a button, and forwarded to
the garante when the convocation is sent — by e-mail to a real SMTP server on 127.0.0.1
(retried when refused, resumed after a restart) or in Telegram to the garante seat's
titular — once each, with the forwarding recorded with that convocation.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from bot.mail import parse_mail_config
from bot.proposal_forwarding import job_name
from storage.files import sha256_hex
from storage.models import Meeting, Proposal, ProposalForwarding, Secretariat, StoredFile
from tests.clock import FakeClock
from tests.e2e.test_sessions import AGENDA, CONVOCAR, SUPLENTE, _with_substitute
from tests.fakebot import FakeBotAPI
from tests.fakebot.models import Call
from tests.harness import (
    ADMIN_ID,
    Harness,
    Zamora,
    bind,
    setup_zamora,
    start_harness,
    token_in,
)
from tests.smtp import LocalSMTP

GARANTE_MAIL = "propuestas@garante.example.mx"
OBSERVER = 3009
STRANGER = 7777
GARANTE_TITULAR = "Roberto García Escobar"
#: A later ordinary session: the second convocation of a test.
CONVOCAR_2 = "/convocar ordinaria 2026-12-21 10:00 Sala de Cabildo" + AGENDA


def pdf(text: str) -> bytes:
    """The smallest file our check takes for a PDF: its header and its end marker."""
    return f"%PDF-1.4\n% {text}\n%%EOF\n".encode()


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


async def count(h: Harness, model: type) -> int:
    async with h.db() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def send_file(
    h: Harness, uid: int, data: bytes, name: str, caption: str, chat_id: int | None = None
) -> str:
    """A member sends a document with a caption; the bot's answer in that chat."""
    mark = h.fake.mark()
    await h.settled(h.fake.send_document(uid, data, name, chat_id=chat_id, caption=caption))
    reply = await h.fake.wait_for("sendMessage", since=mark, chat_id=chat_id or uid)
    return reply.text or ""


def texts(h: Harness, chat: int, since: int) -> list[str]:
    return [c.text or "" for c in h.fake.sent_to(chat, since) if c.method == "sendMessage"]


def documents(h: Harness, chat: int, since: int) -> list[Call]:
    return [c for c in h.fake.sent_to(chat, since) if c.method == "sendDocument" and c.ok]


def data_of(h: Harness, call: Call) -> bytes:
    return h.fake.file(call.result["document"]["file_id"]).data


async def with_proposals(h: Harness) -> Zamora:
    """Zamora with the academia substitute and an observer; P-1 typed by a titular and
    P-2 with a document by the substitute."""
    z = await _with_substitute(h)
    h.fake.add_user(OBSERVER, "Olga", "Observadora")
    await bind(h, OBSERVER, token_in(await h.say(z.facilitator, "/alta observador Olga Ramírez")))
    answer = await h.say(
        z.titulars["gobierno"], "/propuesta Crear un portal municipal de datos abiertos"
    )
    assert "Recibí tu propuesta P-1" in answer
    answer = await send_file(
        h,
        SUPLENTE,
        pdf("diagnostico"),
        "diagnóstico.pdf",
        "/propuesta Diagnóstico de transparencia\nproactiva de las dependencias",
    )
    assert "Recibí tu propuesta P-2 con el documento «diagnóstico.pdf»" in answer
    return z


def button(h: Harness, chat: int, message_id: int, label: str) -> str:
    data = dict(h.fake.buttons(chat, message_id)).get(label)
    assert data is not None, h.fake.buttons(chat, message_id)
    return data


def labels(h: Harness, chat: int, message_id: int) -> list[str]:
    return [label for label, _ in h.fake.buttons(chat, message_id)]


async def alert(h: Harness, uid: int, message_id: int, data: str) -> str:
    query = await h.press(uid, uid, message_id, data, forge=True)
    answer = h.fake.answer_for(query)
    assert answer is not None
    return answer.text or ""


async def convene(h: Harness, z: Zamora, text: str = CONVOCAR) -> int:
    """Preview and send; the mark before the press."""
    preview = await h.send(z.facilitator, text)
    message_id = preview.result["message_id"]
    send = next(d for label, d in h.fake.buttons(z.facilitator, message_id) if "Enviar" in label)
    mark = h.fake.mark()
    await h.press(z.facilitator, z.facilitator, message_id, send)
    return mark


async def report(h: Harness, z: Zamora, since: int) -> str:
    return next(t for t in texts(h, z.facilitator, since) if "Convocatoria enviada" in t)


async def test_titulars_and_substitutes_submit_and_everyone_lists(harness: Harness) -> None:
    h = harness
    mark = h.fake.mark()
    z = await with_proposals(h)
    # R17: the facilitator receives each proposal, the document after its text
    notices = [t for t in texts(h, z.facilitator, mark) if "Nueva propuesta" in t]
    assert len(notices) == 2
    assert "Nueva propuesta P-1 de Felipe Armando Umaña Melo (titular, Gobierno" in notices[0]
    assert "Crear un portal municipal de datos abiertos" in notices[0]
    assert "Nueva propuesta P-2 de Marta Ruiz (suplente, Academia)" in notices[1]
    assert "Diagnóstico de transparencia\nproactiva de las dependencias" in notices[1]
    (copy,) = documents(h, z.facilitator, mark)
    assert copy.result["document"]["file_name"] == "diagnóstico.pdf"
    assert data_of(h, copy) == pdf("diagnostico")
    # the document is kept by its SHA-256 (R14's file store)
    async with h.db() as session:
        rows = list(await session.scalars(select(Proposal).order_by(Proposal.number)))
        stored = list(await session.scalars(select(StoredFile)))
    assert [(p.number, p.file_name) for p in rows] == [(1, None), (2, "diagnóstico.pdf")]
    assert [f.sha256 for f in stored] == [sha256_hex(pdf("diagnostico"))]
    assert stored[0].media_type == "application/pdf"
    assert h.app.files.get(stored[0].sha256) == pdf("diagnostico")
    # a picture and a titular's document are fine too
    assert "P-3 con el documento «plano.png»" in await send_file(
        h, z.titulars["academia"], PNG, "plano.png", "/propuesta Rehabilitar el parque"
    )
    # /propuestas: any member, any chat
    listing = await h.say(OBSERVER, "/propuestas")
    assert "P-1 · 2026-11-27 · Felipe Armando Umaña Melo (titular, Gobierno" in listing
    assert "P-2 · 2026-11-27 · Marta Ruiz (suplente, Academia) · 📎 diagnóstico.pdf" in listing
    assert listing.count("recibida") == 3
    assert "P-3" in await h.say(z.titulars["ciudadania"], "/propuestas", chat_id=z.group)
    assert "P-2" in await h.say(z.facilitator, "/propuestas")


async def test_who_may_not_propose_and_bad_input_store_nothing(harness: Harness) -> None:
    h = harness
    z = await _with_substitute(h)
    h.fake.add_user(OBSERVER, "Olga", "Observadora")
    await bind(h, OBSERVER, token_in(await h.say(z.facilitator, "/alta observador Olga Ramírez")))
    h.fake.add_user(STRANGER, "Curioso")
    mark = h.fake.mark()
    # R17: titulars and substitutes only, in private
    assert "solo lo puede usar" in await h.say(OBSERVER, "/propuesta Una idea")
    assert "solo lo puede usar" in await h.say(z.facilitator, "/propuesta Una idea")
    assert "no encuentro tu cuenta" in await h.say(STRANGER, "/propuesta Una idea")
    assert "se usa en el chat privado" in await h.say(
        z.titulars["gobierno"], "/propuesta Una idea", chat_id=z.group
    )
    assert "solo lo puede usar" in await send_file(
        h, OBSERVER, pdf("x"), "idea.pdf", "/propuesta Una idea"
    )
    assert "se usa en el chat privado" in await send_file(
        h, SUPLENTE, pdf("x"), "idea.pdf", "/propuesta Una idea", chat_id=z.group
    )
    # bad input: one clear refusal each
    assert "Se usa así" in await h.say(z.titulars["gobierno"], "/propuesta")
    assert "Se usa así" in await send_file(h, SUPLENTE, pdf("x"), "idea.pdf", "/propuesta")
    long = await h.say(z.titulars["gobierno"], "/propuesta " + "a" * 2001)
    assert "tiene 2001 caracteres y el límite es 2000" in long
    assert "No guardé nada" in long
    for data, name in ((b"MZ\x90\x00", "programa.exe"), (b"no soy un pdf", "falso.pdf")):
        refused = await send_file(h, SUPLENTE, data, name, "/propuesta Con archivo")
        assert f"«{name}» no es un documento que pueda recibir" in refused
    big = b"%PDF-1.4\n" + b"0" * (20 * 1024 * 1024) + b"\n%%EOF\n"
    before_big = h.fake.mark()
    refused = await send_file(h, SUPLENTE, big, "grande.pdf", "/propuesta Con archivo")
    assert "demasiado grande" in refused
    assert "20 MB" in refused
    assert not h.fake.calls_to("getFile", since=before_big)  # refused by its size alone
    assert await count(h, Proposal) == 0
    assert await count(h, StoredFile) == 0
    assert not (h.app.files.root / "files").exists() or not any(
        (h.app.files.root / "files").rglob("*")
    )
    assert not [t for t in texts(h, z.facilitator, mark) if "Nueva propuesta" in t]
    assert "Aún no hay propuestas" in await h.say(OBSERVER, "/propuestas")


async def test_preview_counts_them_and_puts_them_on_the_agenda(harness: Harness) -> None:
    h = harness
    z = await with_proposals(h)
    preview = await h.send(z.facilitator, CONVOCAR)
    message_id = preview.result["message_id"]
    text = preview.text or ""
    assert "se remitirán al garante 2 propuestas recibidas desde la convocatoria anterior" in text
    assert f"por Telegram a {GARANTE_TITULAR}, titular del asiento del garante" in text
    assert "• P-1: Crear un portal municipal de datos abiertos" in text
    assert labels(h, z.facilitator, message_id) == [
        "Agregar P-1 al orden del día",
        "Agregar P-2 al orden del día",
        "Enviar convocatoria",
        "Descartar",
    ]
    add_p2 = button(h, z.facilitator, message_id, "Agregar P-2 al orden del día")
    query = await h.press(z.facilitator, z.facilitator, message_id, add_p2)
    assert "P-2 quedó en el orden del día" in (h.fake.answer_for(query).text or "")  # type: ignore[union-attr]
    redrawn = h.fake.message(z.facilitator, message_id)
    assert redrawn is not None
    item = "3. Propuesta P-2: Diagnóstico de transparencia proactiva de las dependencias"
    assert item in redrawn.text
    assert "P-2: Diagnóstico de transparencia proactiva de las dependencias (en el orden" in (
        redrawn.text
    )
    assert labels(h, z.facilitator, message_id) == [
        "Agregar P-1 al orden del día",
        "Enviar convocatoria",
        "Descartar",
    ]
    # stale and forged presses are refused with an alert and change nothing
    async with h.db() as session:
        draft = await session.scalar(select(Meeting).where(Meeting.state == "borrador"))
        assert draft is not None
        agenda = list(draft.agenda)
    assert "P-2 ya está en el orden del día" in await alert(h, z.facilitator, message_id, add_p2)
    assert "ya no es válido" in await alert(h, z.facilitator, message_id, f"pa:{draft.id}:999")
    query = await h.press(z.titulars["gobierno"], z.facilitator, message_id, add_p2, forge=True)
    assert "no es para ti" in (h.fake.answer_for(query).text or "")  # type: ignore[union-attr]
    async with h.db() as session:
        assert (await session.get_one(Meeting, draft.id)).agenda == agenda
    # Enviar: the agenda with the proposal goes out; the proposals go to the garante
    send = button(h, z.facilitator, message_id, "Enviar convocatoria")
    mark = h.fake.mark()
    await h.press(z.facilitator, z.facilitator, message_id, send)
    await h.app.quiet()
    garante = z.titulars["garante"]
    (forwarded,) = [t for t in texts(h, garante, mark) if "Propuestas de integrantes" in t]
    assert "P-1 · 2026-11-27 10:00 · Felipe Armando Umaña Melo (titular, Gobierno" in forwarded
    assert "Crear un portal municipal de datos abiertos" in forwarded
    assert "P-2 · 2026-11-27 10:00 · Marta Ruiz (suplente, Academia)" in forwarded
    assert "Primera Sesión Ordinaria 2026 (sesión #1)" in forwarded
    file_copy, calendar = documents(h, garante, mark)  # the proposals come before the notice
    assert file_copy.result["document"]["file_name"] == "P-2-diagnóstico.pdf"
    assert calendar.result["document"]["file_name"] == "sesion-1.ics"
    assert data_of(h, file_copy) == pdf("diagnostico")
    convocation = next(t for t in texts(h, z.titulars["ciudadania"], mark) if "Orden" in t)
    assert item in convocation
    assert "Agregar" not in " ".join(labels(h, z.facilitator, message_id))  # buttons gone
    assert "ya no es válido" in await alert(h, z.facilitator, message_id, f"pa:{draft.id}:1")
    told = await report(h, z, mark)
    assert f"Propuestas al garante (R17): 2 (P-1, P-2), por Telegram a {GARANTE_TITULAR}" in told
    async with h.db() as session:
        (row,) = list(await session.scalars(select(ProposalForwarding)))
        proposals = list(await session.scalars(select(Proposal).order_by(Proposal.number)))
    assert (row.meeting_id, row.via, row.state, row.recipient) == (
        draft.id,
        "telegram",
        "enviada",
        GARANTE_TITULAR,
    )
    assert row.evidence is not None
    assert row.evidence.startswith("Telegram, mensajes ")
    assert {p.forwarding_id for p in proposals} == {row.id}
    assert [p.agenda_meeting_id for p in proposals] == [None, draft.id]
    listing = await h.say(z.titulars["academia"], "/propuestas")
    assert listing.count("remitida al garante el 2026-11-27 (por Telegram)") == 2
    assert "en el orden del día de la sesión #1" in listing


async def test_each_proposal_is_forwarded_once(harness: Harness) -> None:
    """A second convocation forwards only what arrived after the first (R17)."""
    h = harness
    z = await with_proposals(h)
    mark = await convene(h, z)
    await h.app.quiet()
    assert any("P-1" in t and "P-2" in t for t in texts(h, z.titulars["garante"], mark))
    # nothing pending: the next preview says nothing of proposals and adds no buttons
    preview = await h.send(z.facilitator, CONVOCAR_2)
    assert "Propuestas de integrantes" not in (preview.text or "")
    assert labels(h, z.facilitator, preview.result["message_id"]) == [
        "Enviar convocatoria",
        "Descartar",
    ]
    discard = button(h, z.facilitator, preview.result["message_id"], "Descartar")
    await h.press(z.facilitator, z.facilitator, preview.result["message_id"], discard)
    assert "P-3" in await h.say(z.titulars["ciudadania"], "/propuesta Presupuesto participativo")
    # put on a draft that is then discarded, it can go on the next draft's agenda
    preview = await h.send(z.facilitator, CONVOCAR_2)
    message_id = preview.result["message_id"]
    add = button(h, z.facilitator, message_id, "Agregar P-3 al orden del día")
    await h.press(z.facilitator, z.facilitator, message_id, add)
    discard = button(h, z.facilitator, message_id, "Descartar")
    await h.press(z.facilitator, z.facilitator, message_id, discard)
    assert "ya no es válido" in await alert(h, z.facilitator, message_id, add)
    preview = await h.send(z.facilitator, CONVOCAR_2)
    assert "se remitirá al garante 1 propuesta recibida" in (preview.text or "")
    assert "(en el orden del día)" not in (preview.text or "")
    assert "Agregar P-3 al orden del día" in labels(h, z.facilitator, preview.result["message_id"])
    mark = h.fake.mark()
    send = button(h, z.facilitator, preview.result["message_id"], "Enviar convocatoria")
    await h.press(z.facilitator, z.facilitator, preview.result["message_id"], send)
    await h.app.quiet()
    (forwarded,) = [t for t in texts(h, z.titulars["garante"], mark) if "Propuestas de" in t]
    assert "P-3" in forwarded
    assert "P-1" not in forwarded
    assert "P-2" not in forwarded
    assert documents(h, z.titulars["garante"], mark)[-1].result["document"]["file_name"] == (
        "sesion-2.ics"
    )  # no proposal document this time: the convocation's calendar only
    assert "Propuestas al garante (R17): 1 (P-3)" in await report(h, z, mark)
    async with h.db() as session:
        rows = list(await session.scalars(select(ProposalForwarding).order_by("id")))
        numbers = {
            meeting: list(
                await session.scalars(
                    select(Proposal.number)
                    .join(ProposalForwarding, ProposalForwarding.id == Proposal.forwarding_id)
                    .where(ProposalForwarding.meeting_id == meeting)
                    .order_by(Proposal.number)
                )
            )
            for meeting in [r.meeting_id for r in rows]
        }
        sent = {
            m.number: m.id
            for m in await session.scalars(select(Meeting).where(Meeting.number.is_not(None)))
        }
    assert numbers == {sent[1]: [1, 2], sent[2]: [3]}  # each with its own convocation
    # a convocation with nothing pending records no forwarding
    await convene(h, z, "/convocar extraordinaria 2026-12-22 10:00 Sala" + AGENDA)
    assert await count(h, ProposalForwarding) == 2


async def test_nobody_to_write_to_in_telegram(harness: Harness) -> None:
    """The garante seat's titular unlinked: recorded fallida, the facilitator told; blocked:
    Telegram refuses, recorded fallida too."""
    h = harness
    z = await with_proposals(h)
    assert f"Baja registrada: #3 {GARANTE_TITULAR}" in await h.say(z.facilitator, "/baja 3")
    assert "#9" in await h.say(z.facilitator, "/alta titular garante Gabriela Nueva Titular")
    preview = await h.send(z.facilitator, CONVOCAR)
    assert "Gabriela Nueva Titular, pero no ha vinculado su cuenta" in (preview.text or "")
    mark = await convene(h, z)
    await h.app.quiet()
    told = await report(h, z, mark)
    assert "no se pudieron remitir por Telegram: Gabriela Nueva Titular" in told
    assert "no ha vinculado su cuenta" in told
    assert "Irán de nuevo con la próxima convocatoria" in told
    listing = await h.say(z.titulars["gobierno"], "/propuestas")
    assert listing.count("no se pudo remitir al garante (su titular no ha vinculado") == 2
    assert listing.count("irá con la próxima convocatoria") == 2
    # a linked titular who blocked the bot: Telegram refuses, the facilitator hears of it
    h.fake.add_user(3100, "Gabriela", "Nueva")
    token = token_in(await h.say(z.facilitator, "/invitar 9"))
    assert "Listo" in await bind(h, 3100, token)
    assert "P-3" in await h.say(z.titulars["ciudadania"], "/propuesta Presupuesto participativo")
    h.fake.block(3100)
    mark = await convene(h, z, CONVOCAR_2)
    await h.app.quiet()
    (failed,) = [t for t in texts(h, z.facilitator, mark) if "No pude remitir" in t]
    assert (  # R17: what failed with the first convocation goes again with this one
        "las propuestas P-1, P-2, P-3 por Telegram: Gabriela Nueva Titular, titular del "
        "asiento del garante, bloqueó al bot." in failed
    )
    assert "Irán de nuevo con la próxima convocatoria" in failed
    async with h.db() as session:
        states = list(
            await session.scalars(select(ProposalForwarding.state).order_by(ProposalForwarding.id))
        )
    assert states == ["fallida", "fallida"]
    # unblocked: the third convocation's preview counts all three, and they reach her
    h.fake.unblock(3100)
    preview = await h.send(
        z.facilitator, "/convocar extraordinaria 2026-12-22 10:00 Sala" + AGENDA
    )
    assert "P-1" in (preview.text or "")
    assert "P-3" in (preview.text or "")
    mark = await convene(h, z, "/convocar extraordinaria 2026-12-22 10:00 Sala" + AGENDA)
    await h.app.quiet()
    garante = [t for t in texts(h, 3100, mark) if "P-1" in t]
    assert garante
    assert "P-3" in garante[0]
    listing = await h.say(z.titulars["gobierno"], "/propuestas")
    assert listing.count("remitida al garante el") == 3
    async with h.db() as session:
        states = list(
            await session.scalars(select(ProposalForwarding.state).order_by(ProposalForwarding.id))
        )
    assert states[:2] == ["fallida", "fallida"]
    assert states[-1] == "enviada"


async def test_by_mail_with_the_document_and_a_retry(mailing: Harness, smtp: LocalSMTP) -> None:
    h = mailing
    z = await with_proposals(h)
    assert GARANTE_MAIL in await h.say(z.facilitator, f"/ajustar garante_correo {GARANTE_MAIL}")
    preview = await h.send(z.facilitator, CONVOCAR)
    assert f"por correo a {GARANTE_MAIL}" in (preview.text or "")
    smtp.refuse_next(1, "451 4.3.0 Try again later")
    mark = await convene(h, z)
    await h.app.quiet()
    assert f"Propuestas al garante (R17): 2 (P-1, P-2), por correo a {GARANTE_MAIL}" in (
        await report(h, z, mark)
    )
    (failed,) = [t for t in texts(h, z.facilitator, mark) if "No pude remitir" in t]
    assert f"las propuestas P-1, P-2 por correo a {GARANTE_MAIL}" in failed
    assert "Lo reintentaré automáticamente" in failed
    assert not [t for t in texts(h, z.titulars["garante"], mark) if "Propuestas de" in t]
    assert "en envío al garante por correo (se reintenta: 1 intento fallido)" in await h.say(
        z.facilitator, "/propuestas"
    )
    assert smtp.messages == []
    (job,) = h.app.job_queue.get_jobs_by_name(job_name(1))  # type: ignore[union-attr]
    job.schedule_removal()
    h.clock.advance(minutes=1)
    mark = h.fake.mark()
    await job.run(h.app)
    await h.app.quiet()
    (received,) = await smtp.wait_for_messages(1)
    assert received.rcpt_tos == (GARANTE_MAIL,)
    message = received.message
    assert message["To"] == GARANTE_MAIL
    assert "Propuestas de integrantes P-1, P-2" in message["Subject"]
    assert "Primera Sesión Ordinaria 2026" in message["Subject"]
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content().replace("\r\n", "\n")
    for expected in (
        "Organismo garante local:",
        "P-1 — recibida el 2026-11-27 10:00",
        "Asiento o sector: Gobierno municipal",
        "Presenta: Felipe Armando Umaña Melo (titular)",
        "Crear un portal municipal de datos abiertos",
        "P-2 — recibida el 2026-11-27 10:00",
        "Asiento o sector: Academia",
        "Presenta: Marta Ruiz (suplente)",
        "Diagnóstico de transparencia\nproactiva de las dependencias",
        "Documento adjunto: P-2-diagnóstico.pdf",
    ):
        assert expected in text, expected
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "P-2-diagnóstico.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == pdf("diagnostico")
    ok = await h.fake.wait_for("sendMessage", since=mark, chat_id=z.facilitator)
    assert message["Message-ID"] in (ok.text or "")
    assert "aceptó las propuestas P-1, P-2" in (ok.text or "")
    listing = await h.say(z.titulars["gobierno"], "/propuestas")
    assert listing.count("remitida al garante el 2026-11-27 (por correo)") == 2
    async with h.db() as session:
        row = await session.scalar(select(ProposalForwarding))
    assert row is not None
    assert (row.via, row.state, row.attempts, row.evidence) == (
        "correo",
        "enviada",
        2,
        message["Message-ID"],
    )
    assert not [t for t in texts(h, z.titulars["garante"], 0) if "Propuestas de" in t]


async def test_a_pending_mail_resumes_after_a_restart(
    fake: FakeBotAPI, database_url: str, clock: FakeClock, tmp_path: Path, smtp: LocalSMTP
) -> None:
    config = parse_mail_config(smtp.url(), "STM Zamora <stm@zamora.example.mx>")
    data_dir = tmp_path / "data"
    async with start_harness(
        fake, database_url, clock, admins={ADMIN_ID}, data_dir=data_dir, mail=config
    ) as h:
        z = await with_proposals(h)
        await h.say(z.facilitator, f"/ajustar garante_correo {GARANTE_MAIL}")
        smtp.refuse_next(1, "451 4.3.0 Try again later")
        await convene(h, z)
        await h.app.quiet()
        assert "se reintenta" in await h.say(z.facilitator, "/propuestas")
    clock.advance(minutes=5)
    async with start_harness(
        fake, database_url, clock, admins={ADMIN_ID}, data_dir=data_dir, mail=config
    ) as h:
        (job,) = h.app.job_queue.get_jobs_by_name(job_name(1))  # type: ignore[union-attr]
        job.schedule_removal()
        await job.run(h.app)
        await h.app.quiet()
        (received,) = await smtp.wait_for_messages(1)
        assert received.message.get_filename() is None
        assert [a.get_filename() for a in received.message.iter_attachments()] == [
            "P-2-diagnóstico.pdf"
        ]
        assert "remitida al garante el 2026-11-27 (por correo)" in await h.say(
            z.facilitator, "/propuestas"
        )
        assert await count(h, ProposalForwarding) == 1


async def test_a_member_of_two_secretariats_chooses_and_keeps_the_document(
    harness: Harness,
) -> None:
    """The garante's liaison sits on several secretariats: the document waits for the
    choice of secretariat and goes with the proposal to that one only."""
    h = harness
    z = await setup_zamora(h)
    h.fake.add_user(5001, "Facilitadora", "Jacona")
    await bind(h, 5001, token_in(await h.say(ADMIN_ID, "/nuevo_stm Jacona")))
    uid = z.titulars["garante"]
    invitation = await h.say(5001, f"/alta titular garante {GARANTE_TITULAR}")
    assert "Listo" in await bind(h, uid, token_in(invitation))
    mark = h.fake.mark()
    ask = await send_file(h, uid, pdf("jacona"), "jacona.pdf", "/propuesta Para Jacona")
    assert "¿En cuál quieres usar /propuesta?" in ask
    question = [c for c in h.fake.sent_to(uid, mark) if c.method == "sendMessage"][-1]
    jacona = button(h, uid, question.result["message_id"], "Jacona")
    mark = h.fake.mark()
    await h.press(uid, uid, question.result["message_id"], jacona)
    assert any(
        "Recibí tu propuesta P-1 con el documento «jacona.pdf»" in t for t in texts(h, uid, mark)
    )
    assert [data_of(h, c) for c in documents(h, 5001, mark)] == [pdf("jacona")]
    assert not [t for t in texts(h, z.facilitator, mark) if "Nueva propuesta" in t]
    async with h.db() as session:
        (row,) = list(await session.scalars(select(Proposal)))
        owner = await session.get_one(Secretariat, row.secretariat_id)
    assert (owner.name, row.text, row.file_sha256) == (
        "Jacona",
        "Para Jacona",
        sha256_hex(pdf("jacona")),
    )
    assert "Aún no hay propuestas" in await h.say(z.facilitator, "/propuestas")


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


async def test_a_photo_with_the_caption_is_taken_as_a_picture(harness: Harness) -> None:
    """Telegram sends pictures compressed, as photos: the largest size is the document."""
    h = harness
    z = await setup_zamora(h)
    uid = z.titulars["ciudadania"]
    with h.fake.state.lock:
        small = h.fake.state.add_file(JPEG[:40], "small.jpg", "image/jpeg")
        large = h.fake.state.add_file(JPEG, "large.jpg", "image/jpeg")
    sizes = [
        {
            "file_id": f.file_id,
            "file_unique_id": f.file_unique_id,
            "width": w,
            "height": w,
            "file_size": f.size,
        }
        for f, w in ((small, 90), (large, 1280))
    ]
    mark = h.fake.mark()
    update = h.fake.send_raw_message(
        uid, None, {"photo": sizes, "caption": "/propuesta Bache en la calle Hidalgo"}
    )
    await h.settled(update)
    answer = await h.fake.wait_for("sendMessage", since=mark, chat_id=uid)
    assert "Recibí tu propuesta P-1 con el documento «foto.jpg»" in (answer.text or "")
    assert [data_of(h, c) for c in documents(h, z.facilitator, mark)] == [JPEG]
    async with h.db() as session:
        stored = await session.get_one(StoredFile, sha256_hex(JPEG))
    assert stored.media_type == "image/jpeg"


async def test_the_buttons_survive_a_non_business_confirmation(harness: Harness) -> None:
    """A day declared non-business after the preview: ``Enviar`` asks to confirm (R8) and
    the preview keeps its proposal buttons; adding one redraws the warning too."""
    h = harness
    z = await with_proposals(h)
    preview = await h.send(z.facilitator, CONVOCAR)
    message_id = preview.result["message_id"]
    assert "Declarado inhábil: 2026-12-07" in await h.say(
        z.facilitator, "/inhabil 2026-12-07 Feria regional"
    )
    send = button(h, z.facilitator, message_id, "Enviar convocatoria")
    await h.press(z.facilitator, z.facilitator, message_id, send)
    assert labels(h, z.facilitator, message_id) == [
        "Agregar P-1 al orden del día",
        "Agregar P-2 al orden del día",
        "Enviar aunque sea día inhábil",
        "Descartar",
    ]
    add = button(h, z.facilitator, message_id, "Agregar P-1 al orden del día")
    await h.press(z.facilitator, z.facilitator, message_id, add)
    redrawn = h.fake.message(z.facilitator, message_id)
    assert redrawn is not None
    assert "El 2026-12-07 no es día hábil (día inhábil declarado)" in redrawn.text
    assert "3. Propuesta P-1: Crear un portal municipal de datos abiertos" in redrawn.text
    assert labels(h, z.facilitator, message_id) == [
        "Agregar P-2 al orden del día",
        "Enviar aunque sea día inhábil",
        "Descartar",
    ]
    assert await count(h, ProposalForwarding) == 0  # nothing sent yet


async def test_a_proposal_moved_to_another_draft_leaves_the_first(harness: Harness) -> None:
    """R17: added on one draft, then on a second one, the item is on the second only, so
    the first draft (if ever sent) does not carry it and cannot add it twice."""
    h = harness
    z = await with_proposals(h)
    first = await h.send(z.facilitator, CONVOCAR)
    first_id = first.result["message_id"]
    add = button(h, z.facilitator, first_id, "Agregar P-1 al orden del día")
    await h.press(z.facilitator, z.facilitator, first_id, add)
    second = await h.send(z.facilitator, CONVOCAR_2)
    second_id = second.result["message_id"]
    add = button(h, z.facilitator, second_id, "Agregar P-1 al orden del día")
    await h.press(z.facilitator, z.facilitator, second_id, add)
    async with h.db() as session:
        drafts = list(
            await session.scalars(
                select(Meeting).where(Meeting.state == "borrador").order_by(Meeting.id)
            )
        )
    carrying = [m.id for m in drafts if any(i.startswith("Propuesta P-1:") for i in m.agenda)]
    assert carrying == [drafts[-1].id]
