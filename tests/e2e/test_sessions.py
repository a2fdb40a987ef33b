"""Sessions end to end: convocation (R6, R7, R8), delivery evidence, RSVPs with
substitutes (R3), quorum (R9), roll call and installation (R9)."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.models import AttendanceAnswer, Delivery, Meeting, NonWorkingDay
from tests.e2e.queries import snapshot
from tests.harness import Harness, Zamora, bind, setup_zamora, token_in

AGENDA = "\n1. Lista de asistencia y declaración de quórum\n2. Seguimiento del PAM"
# The fake clock starts on Friday 2026-11-27 10:00 in Mexico City: the earliest ordinary
# session (R7: 5 business days strictly between) is Saturday 2026-12-05 -> Monday 12-07.
CONVOCAR = "/convocar ordinaria 2026-12-07 10:00 Sala de Cabildo, Guerrero Ote. 82" + AGENDA
SUPLENTE = 3001  # the academia seat's substitute


async def _with_substitute(harness: Harness) -> Zamora:
    z = await setup_zamora(harness)
    harness.fake.add_user(SUPLENTE, "Marta", "Ruiz")
    answer = await harness.say(z.facilitator, "/alta suplente academia Marta Ruiz")
    assert "Listo" in await bind(harness, SUPLENTE, token_in(answer))
    return z


async def _count(harness: Harness, model: type) -> int:
    async with harness.db() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _convene(harness: Harness, z: Zamora, text: str = CONVOCAR) -> int:
    """Preview and send; returns the index of the first call of the delivery."""
    preview = await harness.send(z.facilitator, text)
    assert "Vista previa" in (preview.text or ""), preview.text
    send = next(
        data
        for label, data in harness.fake.buttons(z.facilitator, preview.result["message_id"])
        if label.startswith("Enviar")
    )
    since = harness.fake.mark()
    await harness.press(z.facilitator, z.facilitator, preview.result["message_id"], send)
    return since


async def test_convocation_is_previewed_sent_delivered_and_evidenced(harness: Harness) -> None:
    z = await _with_substitute(harness)
    unlinked = await harness.say(z.facilitator, "/alta observador Ofelia Sin Cuenta")
    assert "#8" in unlinked
    harness.fake.block(z.titulars["ciudadania"])
    preview = await harness.send(z.facilitator, CONVOCAR)
    assert "Sesión Ordinaria (se numerará al enviarse)" in (preview.text or "")
    assert await _count(harness, Delivery) == 0  # nothing is sent before "Enviar"
    since = await _convene(harness, z)
    # every titular gets the convocation with RSVP buttons and the .ics file
    for seat, uid in z.titulars.items():
        if seat == "ciudadania":
            continue
        sent = [c for c in harness.fake.sent_to(uid, since) if c.method == "sendMessage"]
        assert "Primera Sesión Ordinaria 2026" in (sent[0].text or "")
        assert "1. Lista de asistencia" in (sent[0].text or "")
        labels = [label for label, _ in harness.fake.buttons(uid, sent[0].result["message_id"])]
        assert labels == ["Asistiré", "Asistirá mi suplente", "No asistiré"]
        documents = [c for c in harness.fake.sent_to(uid, since) if c.method == "sendDocument"]
        assert len(documents) == 1
        ics = harness.fake.file(documents[0].result["document"]["file_id"]).data.decode()
        assert "DTSTART;TZID=America/Mexico_City:20261207T100000" in ics
    # substitutes and observers get it without RSVP buttons
    to_substitute = [c for c in harness.fake.sent_to(SUPLENTE, since) if c.method == "sendMessage"]
    assert harness.fake.buttons(SUPLENTE, to_substitute[0].result["message_id"]) == []
    post = await harness.fake.wait_for("sendMessage", since=since, chat_id=z.group)
    assert "Convocatoria: Primera Sesión Ordinaria 2026" in (post.text or "")
    report = await harness.fake.wait_for(
        "sendMessage", since=since, chat_id=z.facilitator, ok=True
    )
    while "Convocatoria enviada" not in (report.text or ""):
        report = await harness.fake.wait_for(
            "sendMessage", since=report.index + 1, chat_id=z.facilitator, ok=True
        )
    assert "Leonardo Francisco Vallejo Gaytán (titular): bloqueó al bot" in report.text
    assert "Ofelia Sin Cuenta (observador(a)): no ha vinculado su cuenta" in report.text
    async with harness.db() as session:
        rows = list(await session.scalars(select(Delivery)))
        meeting = await session.scalar(select(Meeting).where(Meeting.number.is_not(None)))
    assert meeting is not None
    assert meeting.state == "convocada"
    assert meeting.number == 1
    assert meeting.title == "Primera Sesión Ordinaria 2026"
    failures = sorted(r.failure for r in rows if not r.ok)
    assert failures == ["bloqueado", "sin_vincular"]
    assert all(r.delivered_at is not None and r.message_ids for r in rows if r.ok)
    assert sum(1 for r in rows if r.ok) == 7  # 6 members reachable + the group
    assert "Entregada a 6 de 8 integrantes" in report.text


async def test_convocation_refusals_save_nothing(harness: Harness) -> None:
    z = await setup_zamora(harness)
    before = await snapshot(harness.db)
    cases = {
        "/convocar": "paso a paso",
        "/cancelar_convocatoria": "cancelada",
        "/convocar mensual 2026-12-07 10:00 Sala" + AGENDA: "Se usa así",
        "/convocar ordinaria 07/12/2026 10:00 Sala" + AGENDA: "no es una fecha válida",
        "/convocar ordinaria 2026-02-30 10:00 Sala" + AGENDA: "no es una fecha válida",
        "/convocar ordinaria 2026-12-07 25:00 Sala" + AGENDA: "no es una hora válida",
        "/convocar ordinaria 2026-11-20 10:00 Sala" + AGENDA: "ya pasó",
        "/convocar ordinaria 2026-12-07 10:00" + AGENDA: "Falta el lugar",
        "/convocar ordinaria 2026-12-07 10:00 Sala": "Falta el orden del día",
    }
    for text, expected in cases.items():
        assert expected in await harness.say(z.facilitator, text), text
    short = await harness.say(z.facilitator, "/convocar ordinaria 2026-12-04 10:00 Sala" + AGENDA)
    assert "al menos 5 días hábiles" in short
    assert "La fecha más próxima válida es 2026-12-05" in short  # R7, a Saturday…
    assert "el siguiente día hábil es 2026-12-07" in short  # …so the next business day
    extra = await harness.say(
        z.facilitator, "/convocar extraordinaria 2026-12-01 10:00 Sala" + AGENDA
    )
    assert "La fecha más próxima válida es 2026-12-02" in extra  # R7: 2 business days
    assert "solo lo puede usar" in await harness.say(z.titulars["gobierno"], CONVOCAR)
    assert await snapshot(harness.db) == before
    assert await _count(harness, Meeting) == 0


async def test_convocation_needs_the_official_group(harness: Harness) -> None:
    z = await setup_zamora(harness, link_group=False)
    assert "vincula el grupo oficial" in await harness.say(z.facilitator, CONVOCAR)


async def test_non_business_day_needs_a_second_confirmation(harness: Harness) -> None:
    z = await setup_zamora(harness)
    preview = await harness.send(
        z.facilitator, "/convocar ordinaria 2027-01-01 10:00 Sala" + AGENDA
    )
    assert "no es día hábil (Año Nuevo)" in (preview.text or "")
    assert "El siguiente día hábil es 2027-01-04" in (preview.text or "")
    labels = [b for b, _ in harness.fake.buttons(z.facilitator, preview.result["message_id"])]
    assert labels == ["Enviar aunque sea día inhábil", "Descartar"]
    await harness.say(z.facilitator, "/ajustar sesion_en_inhabil no")
    refused = await harness.say(
        z.facilitator, "/convocar ordinaria 2027-01-01 10:00 Sala" + AGENDA
    )
    assert "no sesiona en días inhábiles" in refused
    assert "2027-01-04" in refused


async def test_discard_and_double_press(harness: Harness) -> None:
    z = await setup_zamora(harness)
    preview = await harness.send(z.facilitator, CONVOCAR)
    buttons = dict(harness.fake.buttons(z.facilitator, preview.result["message_id"]))
    await harness.press(
        z.facilitator, z.facilitator, preview.result["message_id"], buttons["Descartar"]
    )
    assert await _count(harness, Delivery) == 0
    query = await harness.press(
        z.facilitator,
        z.facilitator,
        preview.result["message_id"],
        buttons["Enviar convocatoria"],
        forge=True,
    )
    answer = harness.fake.answer_for(query)
    assert answer is not None
    assert "ya no es válido" in (answer.text or "")
    assert await _count(harness, Delivery) == 0
    # sending twice: the second press finds no draft
    await _convene(harness, z)
    deliveries = await _count(harness, Delivery)
    async with harness.db() as session:
        meeting_id = await session.scalar(select(Meeting.id).where(Meeting.number == 1))
    query = await harness.press(z.facilitator, z.facilitator, 0, f"c:{meeting_id}:1", forge=True)
    assert "ya no es válido" in (harness.fake.answer_for(query).text or "")
    assert await _count(harness, Delivery) == deliveries


async def test_only_the_facilitator_may_send_a_preview(harness: Harness) -> None:
    z = await setup_zamora(harness)
    preview = await harness.send(z.facilitator, CONVOCAR)
    send = dict(harness.fake.buttons(z.facilitator, preview.result["message_id"]))[
        "Enviar convocatoria"
    ]
    query = await harness.press(
        z.titulars["gobierno"], z.facilitator, preview.result["message_id"], send, forge=True
    )
    assert "no es para ti" in (harness.fake.answer_for(query).text or "")
    assert await _count(harness, Delivery) == 0


async def _rsvp(harness: Harness, uid: str | int, since: int, label: str, z: Zamora) -> str:
    user = z.titulars[uid] if isinstance(uid, str) else uid
    message = next(
        c
        for c in harness.fake.sent_to(user, since)
        if c.method == "sendMessage" and harness.fake.buttons(user, c.result["message_id"])
    )
    data = dict(harness.fake.buttons(user, message.result["message_id"]))[label]
    query = await harness.press(user, user, message.result["message_id"], data)
    answer = harness.fake.answer_for(query)
    assert answer is not None
    return answer.text or ""


async def test_rsvp_substitute_and_quorum(harness: Harness) -> None:
    z = await _with_substitute(harness)
    since = await _convene(harness, z)
    assert "registrada: Asistiré" in await _rsvp(harness, "gobierno", since, "Asistiré", z)
    again = await _rsvp(harness, "gobierno", since, "Asistiré", z)
    assert "ya estaba registrada" in again  # double press changes nothing
    await _rsvp(harness, "garante", since, "Asistiré", z)
    await _rsvp(harness, "sociedad_civil", since, "No asistiré", z)
    quorum = await harness.say(z.facilitator, "/quorum")
    assert "Asientos confirmados: 2 de 5" in quorum
    assert "Quórum en riesgo: faltan 1 confirmación" in quorum
    # the academia titular delegates; the substitute is asked privately
    mark = harness.fake.mark()
    await _rsvp(harness, "academia", since, "Asistirá mi suplente", z)
    ask = await harness.fake.wait_for("sendMessage", since=mark, chat_id=SUPLENTE)
    assert "¿Asistirás en su representación" in (ask.text or "")
    assert "esperando respuesta del suplente" in await harness.say(z.facilitator, "/quorum 1")
    mark = harness.fake.mark()
    data = dict(harness.fake.buttons(SUPLENTE, ask.result["message_id"]))[
        "Asistiré en representación"
    ]
    await harness.press(SUPLENTE, SUPLENTE, ask.result["message_id"], data)
    told = await harness.fake.wait_for("sendMessage", since=mark, chat_id=z.titulars["academia"])
    assert "Asistiré en representación" in (told.text or "")
    quorum = await harness.say(z.titulars["garante"], "/quorum", chat_id=z.group)
    assert "✅ confirma Marta Ruiz (suplente)" in quorum
    assert "Asientos confirmados: 3 de 5" in quorum
    assert "Quórum asegurado" in quorum
    await harness.say(z.facilitator, "/ajustar quorum estricto")  # R9 strict: 4 of 5
    assert "Quórum en riesgo: faltan 1 confirmación" in await harness.say(z.facilitator, "/quorum")
    async with harness.db() as session:
        history = await session.scalar(select(func.count()).select_from(AttendanceAnswer))
    assert history == 5  # every change kept with its time


async def test_rsvp_buttons_are_for_the_seats_titular_only(harness: Harness) -> None:
    z = await _with_substitute(harness)
    since = await _convene(harness, z)
    uid = z.titulars["gobierno"]
    message = next(c for c in harness.fake.sent_to(uid, since) if c.method == "sendMessage")
    data = dict(harness.fake.buttons(uid, message.result["message_id"]))["Asistiré"]
    harness.fake.add_user(3009, "Olga", "Observadora")
    answer = await harness.say(z.facilitator, "/alta observador Olga Observadora")
    await bind(harness, 3009, token_in(answer))
    harness.fake.add_user(7777, "Extraño", started=True)
    for intruder in (z.facilitator, SUPLENTE, 3009, 7777):
        query = await harness.press(intruder, uid, message.result["message_id"], data, forge=True)
        assert "no es para ti" in (harness.fake.answer_for(query).text or "")
    # pressing one's own button sets one's own seat, never another's
    await harness.press(z.titulars["garante"], uid, message.result["message_id"], data, forge=True)
    quorum = await harness.say(z.facilitator, "/quorum")
    assert "✅ confirma Roberto García Escobar (titular)" in quorum
    assert "Felipe Armando Umaña Melo" in quorum
    assert "Asientos confirmados: 1 de 5" in quorum
    # after the session starts, RSVP buttons are stale
    harness.clock.advance(days=11)
    query = await harness.press(uid, uid, message.result["message_id"], data)
    assert "ya no es válido" in (harness.fake.answer_for(query).text or "")


async def test_roll_call_installs_with_quorum_and_concludes(harness: Harness) -> None:
    z = await _with_substitute(harness)
    await _convene(harness, z)
    assert "el pase de lista se abre ese día" in await harness.say(z.facilitator, "/iniciar")
    harness.clock.advance(days=10, hours=-1)  # Monday 2026-12-07 09:00 local
    since = harness.fake.mark()
    assert "Pase de lista abierto" in await harness.say(z.facilitator, "/iniciar 1")
    roll = await harness.fake.wait_for("sendMessage", since=since, chat_id=z.group)
    data = harness.fake.buttons(z.group, roll.result["message_id"])[0][1]
    for seat in ("gobierno", "garante"):
        query = await harness.press(z.titulars[seat], z.group, roll.result["message_id"], data)
        assert "Asistencia registrada" in (harness.fake.answer_for(query).text or "")
    query = await harness.press(z.titulars["gobierno"], z.group, roll.result["message_id"], data)
    assert "ya estaba registrada" in (harness.fake.answer_for(query).text or "")
    query = await harness.press(z.facilitator, z.group, roll.result["message_id"], data)
    assert "no es para ti" in (harness.fake.answer_for(query).text or "")  # no seat (R2)
    # the substitute covers academia in person: the facilitator marks them
    assert "Asientos presentes: 3" in await harness.say(z.facilitator, "/presente 7")
    installed = await harness.say(z.facilitator, "/instalar", chat_id=z.group)
    assert "Sesión instalada con quórum: 3 de 5" in installed
    sessions = await harness.say(z.titulars["garante"], "/sesiones")
    assert "#1 Primera Sesión Ordinaria 2026 — 2026-12-07 10:00, instalada" in sessions
    assert "Sesión concluida" in await harness.say(z.facilitator, "/concluir")
    assert "concluida" in await harness.say(z.titulars["garante"], "/sesiones")


async def test_roll_call_without_quorum(harness: Harness) -> None:
    z = await setup_zamora(harness)
    await _convene(harness, z)
    harness.clock.advance(days=10)
    await harness.say(z.facilitator, "/iniciar")
    await harness.say(z.facilitator, "/presente 2")
    answer = await harness.say(z.facilitator, "/instalar")
    assert "Sin quórum: 1 de 5" in answer
    assert "ya se instaló o se cerró" in await harness.say(z.facilitator, "/instalar")


async def test_declared_days_move_the_notice(harness: Harness) -> None:
    z = await setup_zamora(harness)
    answer = await harness.say(
        z.facilitator, "/inhabil 2026-11-30 hasta 2026-12-02 Acuerdo de Cabildo 45/2026"
    )
    assert "2026-11-30, 2026-12-01, 2026-12-02" in answer
    listing = await harness.say(z.titulars["garante"], "/inhabiles")
    assert "2026-12-01 — Acuerdo de Cabildo 45/2026" in listing
    assert "Natalicio de Benito Juárez" in listing  # official holidays ahead
    refused = await harness.say(z.facilitator, CONVOCAR)
    assert "La fecha más próxima válida es 2026-12-10" in refused  # R7 with R8 days
    assert "ya estaba declarado" in await harness.say(
        z.facilitator, "/inhabil 2026-12-01 Otro motivo"
    )
    assert "vuelve a ser hábil" in await harness.say(z.facilitator, "/habil 2026-12-01")
    assert "no se puede habilitar" in await harness.say(z.facilitator, "/habil 2027-01-01")
    assert "no estaba declarado" in await harness.say(z.facilitator, "/habil 2027-01-05")
    assert "no es válido" in await harness.say(
        z.facilitator, "/inhabil 2026-12-10 hasta 2026-12-01 x"
    )


async def test_customary_days_are_proposed_and_apply_only_once_confirmed(
    harness: Harness,
) -> None:
    z = await setup_zamora(harness)
    proposals = [
        c for c in harness.fake.sent_to(z.facilitator) if "acostumbrado" in (c.text or "")
    ]
    days = [c.text.split("el ")[1][:10] for c in proposals]  # type: ignore[union-attr]
    # R8 (12 December falls on a weekend in 2026 and 2027; 5 May is offered as a choice)
    assert days == ["2027-03-25", "2027-03-26", "2027-05-05", "2027-11-02"]
    message_id = proposals[0].result["message_id"]
    data = dict(harness.fake.buttons(z.facilitator, message_id))["Declarar inhábil"]
    query = await harness.press(
        z.titulars["gobierno"], z.facilitator, message_id, data, forge=True
    )
    assert "no es para ti" in (harness.fake.answer_for(query).text or "")
    assert await _count(harness, NonWorkingDay) == 0  # nothing applies unconfirmed
    await harness.press(z.facilitator, z.facilitator, message_id, data)
    assert await _count(harness, NonWorkingDay) == 1
    query = await harness.press(z.facilitator, z.facilitator, message_id, data, forge=True)
    assert "ya no es válido" in (harness.fake.answer_for(query).text or "")
    assert "2027-03-25 — Jueves Santo" in await harness.say(z.facilitator, "/inhabiles")


async def test_guided_convocation(harness: Harness) -> None:
    z = await setup_zamora(harness)
    assert "paso a paso" in await harness.say(z.facilitator, "/convocar")
    assert "ordinaria" in await harness.say(z.facilitator, "mensual")  # asked again
    assert "AAAA-MM-DD" in await harness.say(z.facilitator, "Ordinaria")
    assert "no es una fecha válida" in await harness.say(z.facilitator, "7 de diciembre")
    assert "HH:MM" in await harness.say(z.facilitator, "2026-12-04")
    assert "lugar" in await harness.say(z.facilitator, "10:00")
    assert "orden del día" in await harness.say(z.facilitator, "Sala de Cabildo")
    # too short notice: the refusal names the earliest date and the date is asked again
    refused = await harness.say(z.facilitator, "Lista de asistencia\nSeguimiento del PAM")
    assert "La fecha más próxima válida es 2026-12-05" in refused
    await harness.say(z.facilitator, "2026-12-07")
    await harness.say(z.facilitator, "10:00")
    preview = await harness.send(z.facilitator, "Lista de asistencia\nSeguimiento del PAM")
    assert "Vista previa" in (preview.text or "")
    assert "2. Seguimiento del PAM" in (preview.text or "")
    assert harness.fake.buttons(z.facilitator, preview.result["message_id"])
    # the conversation is over: free text is free text again
    assert "/ayuda" in await harness.say(z.facilitator, "hola")


async def test_guided_convocation_can_be_cancelled(harness: Harness) -> None:
    z = await setup_zamora(harness)
    await harness.say(z.facilitator, "/convocar")
    await harness.say(z.facilitator, "extraordinaria")
    assert "cancelada" in await harness.say(z.facilitator, "/cancelar_convocatoria")
    assert "/ayuda" in await harness.say(z.facilitator, "2026-12-07")
    assert "No había" in await harness.say(z.facilitator, "/cancelar_convocatoria")
    assert await _count(harness, Meeting) == 0


async def test_a_member_the_bot_may_not_write_to_is_reported(harness: Harness) -> None:
    """403 "bot can't initiate conversation": the others still get it; the report names it."""
    z = await setup_zamora(harness)
    harness.fake.add_user(z.titulars["academia"], "Lorenza", "Capiz Hernández", started=False)
    since = await _convene(harness, z)
    report = next(
        c
        for c in harness.fake.sent_to(z.facilitator, since)
        if "Convocatoria enviada" in (c.text or "")
    )
    assert "Lorenza Capiz Hernández (titular): nunca abrió el chat con el bot" in (
        report.text or ""
    )
    assert "Entregada a 5 de 6 integrantes" in (report.text or "")
    async with harness.db() as session:
        failures = list(
            await session.scalars(select(Delivery.failure).where(Delivery.ok.is_(False)))
        )
    assert failures == ["no_iniciado"]


async def test_next_years_customary_days_are_proposed_once_by_the_daily_job(
    harness: Harness,
) -> None:
    z = await setup_zamora(harness)
    (job,) = harness.app.job_queue.get_jobs_by_name("customary-days")  # type: ignore[union-attr]
    harness.clock.advance(days=310)  # 2027-10-03
    since = harness.fake.mark()
    await job.run(harness.app)
    await job.run(harness.app)  # a second run proposes nothing new
    await harness.app.quiet()  # the proposals go out through the outbox
    proposed = [
        (c.text or "").split("el ")[1][:10]
        for c in harness.fake.sent_to(z.facilitator, since)
        if "acostumbrado" in (c.text or "")
    ]
    assert proposed == ["2028-04-13", "2028-04-14", "2028-05-05", "2028-11-02", "2028-12-12"]
