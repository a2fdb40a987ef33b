"""Removal of a member end to end (R4; seed I.3), on SQLite and PostgreSQL.

A titular or substitute requests it with ``/remocion <n> <motivo>``; the other seats'
members get ``Respaldo la solicitud``; once a second seat backs it the next convocation's
preview and agenda carry ``Propuesta de remoción de …``; in that session, installed, the
facilitator opens its vote with one button; the seats present vote (R13), R12 decides,
and an approved removal deactivates the roster entry (R21: the Telegram id erased, the
history kept). Every refusal R4 names is driven through the real application.
"""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from storage.models import (
    AuditEntry,
    Ballot,
    Meeting,
    Member,
    RemovalRequest,
    RemovalSponsor,
    Vote,
)
from tests.e2e.test_sessions import AGENDA, SUPLENTE, _with_substitute
from tests.harness import Harness, Zamora, bind, token_in

OBSERVER = 3009
STRANGER = 7777
CONCERNED = "José de Jesús Michel Sahagún"  # sociedad_civil's titular, roster entry #4
CONVOCAR = "/convocar ordinaria 2026-12-07 10:00 Sala de Cabildo" + AGENDA
ITEM = f"Propuesta de remoción de {CONCERNED}"
REQUEST = "/remocion 4 Omisiones reiteradas: faltó a cuatro sesiones sin aviso ni suplencia"


@pytest.fixture
def h(harness: Harness) -> Harness:
    """The running bot (short name: these tests drive it a lot)."""
    return harness


async def count(h: Harness, model: type) -> int:
    async with h.db() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def texts(h: Harness, chat: int, since: int) -> list[str]:
    return [c.text or "" for c in h.fake.sent_to(chat, since) if c.method == "sendMessage"]


def message_with(h: Harness, chat: int, since: int, needle: str) -> tuple[int, dict[str, str]]:
    """The bot's message in ``chat`` containing ``needle``: its id and its buttons."""
    call = next(
        c
        for c in h.fake.sent_to(chat, since)
        if c.method == "sendMessage" and c.ok and needle in (c.text or "")
    )
    message_id = call.result["message_id"]
    return message_id, {label: data or "" for label, data in h.fake.buttons(chat, message_id)}


async def press(h: Harness, uid: int, chat: int, message_id: int, data: str) -> str:
    """A press (forged when the button is not on that message); the answer's text."""
    query = await h.press(uid, chat, message_id, data, forge=True)
    answer = h.fake.answer_for(query)
    assert answer is not None
    return answer.text or ""


async def with_observer(h: Harness) -> Zamora:
    """Zamora, the academia substitute (#7, Marta Ruiz) and an observer (#8)."""
    z = await _with_substitute(h)
    h.fake.add_user(OBSERVER, "Olga", "Observadora")
    await bind(h, OBSERVER, token_in(await h.say(z.facilitator, "/alta observador Olga Ramírez")))
    h.fake.add_user(STRANGER, "Curioso", started=True)
    return z


async def requested(h: Harness, z: Zamora) -> tuple[int, str, int]:
    """Academia's titular (#5) requests #4's removal: the mark, the backing button's data
    and the message it is on in gobierno's chat."""
    mark = h.fake.mark()
    answer = await h.say(z.titulars["academia"], REQUEST)
    assert "Registré tu solicitud" in answer
    assert f"Solicitud de remoción #1: {CONCERNED} (integrante #4, titular" in answer
    message_id, buttons = message_with(h, z.titulars["gobierno"], mark, "Solicitud de remoción")
    return mark, buttons["Respaldo la solicitud"], message_id


async def test_request_backing_agenda_session_vote_and_approved_removal(h: Harness) -> None:
    z = await with_observer(h)
    mark, back, message_id = await requested(h, z)
    gobierno = z.titulars["gobierno"]
    # the other seats' titulars and substitutes are asked; not the requester's seat (the
    # academia substitute), nor the person concerned, nor observers
    asked = [
        uid
        for uid in (*z.titulars.values(), SUPLENTE, OBSERVER)
        if any(
            "Respaldo la solicitud" in label
            for call in h.fake.sent_to(uid, mark)
            if call.method == "sendMessage"
            for label, _ in h.fake.buttons(uid, call.result["message_id"])
        )
    ]
    assert sorted(asked) == sorted(z.titulars[s] for s in ("gobierno", "garante", "ciudadania"))
    notice = next(t for t in texts(h, z.facilitator, mark) if "Nueva solicitud de remoción" in t)
    assert "Omisiones reiteradas" in notice
    assert "Respaldos: Lorenza Capiz Hernández (titular, Academia)" in notice
    # R4: the second sponsor must be of another seat (academia's substitute is not)
    assert "ya respalda la solicitud" in await press(h, SUPLENTE, gobierno, message_id, back)
    # the garante seat backs it: respaldada, the facilitator and the requester are told
    garante = z.titulars["garante"]
    garante_msg, garante_buttons = message_with(h, garante, mark, "Solicitud de remoción")
    before = h.fake.mark()
    assert "Tu respaldo quedó registrado" in await press(
        h, garante, garante, garante_msg, garante_buttons["Respaldo la solicitud"]
    )
    assert any("ya tiene el respaldo de dos asientos" in t for t in texts(h, garante, before))
    assert h.fake.buttons(garante, garante_msg) == []  # the pressed copy loses its button
    for chat in (z.facilitator, z.titulars["academia"]):
        assert any("ya está respaldada por dos asientos" in t for t in texts(h, chat, before))
    # a second press, and a third seat, change nothing
    assert "ya estaba registrada" in await press(
        h, garante, garante, garante_msg, garante_buttons["Respaldo la solicitud"]
    )
    assert "ya tiene el respaldo de dos asientos" in await press(
        h, gobierno, gobierno, message_id, back
    )
    assert await count(h, RemovalSponsor) == 2
    assert "respaldada, va a la próxima sesión" in await h.say(OBSERVER, "/remociones")
    assert "solicitud de remoción" not in await h.say(gobierno, "/pendientes")  # backed

    # R4: the next convocation carries the item, in the preview and in what is sent
    preview = await h.send(z.facilitator, CONVOCAR)
    assert ITEM in (preview.text or "")
    send = next(
        d
        for label, d in h.fake.buttons(z.facilitator, preview.result["message_id"])
        if label.startswith("Enviar")
    )
    sent = h.fake.mark()
    await h.press(z.facilitator, z.facilitator, preview.result["message_id"], send)
    assert any(ITEM in t for t in texts(h, z.titulars["ciudadania"], sent))
    async with h.db() as session:
        meeting = await session.scalar(select(Meeting).where(Meeting.number == 1))
        request = await session.scalar(select(RemovalRequest))
    assert meeting is not None
    assert request is not None
    assert meeting.agenda[-1] == ITEM
    assert (request.state, request.meeting_id) == ("en_agenda", meeting.id)

    # the session: not before it is installed
    h.clock.advance(days=10)
    early = await press(h, z.facilitator, z.facilitator, 1, f"rv:{request.id}")
    assert "se abre en la sesión #1, una vez instalada" in early
    await h.say(z.facilitator, "/iniciar")
    for number in (2, 3, 4, 5, 6):
        await h.say(z.facilitator, f"/presente {number}")
    installed = h.fake.mark()
    assert "Sesión instalada" in await h.say(z.facilitator, "/instalar")
    offer, offer_buttons = message_with(h, z.facilitator, installed, "propuesta de remoción")
    assert any(ITEM in t for t in texts(h, z.facilitator, installed) if "#1:" in t)
    open_data = offer_buttons["Abrir votación de remoción"]
    # only the facilitator opens it
    assert "no es para ti" in await press(h, gobierno, z.facilitator, offer, open_data)
    opened = h.fake.mark()
    assert "Votación abierta" in await press(h, z.facilitator, z.facilitator, offer, open_data)
    assert "ya está abierta" in await press(h, z.facilitator, z.facilitator, offer, open_data)
    # R13: the seats present vote; R12 decides (3 for, 2 against: by majority)
    for seat, label in (
        ("gobierno", "A favor"),
        ("garante", "A favor"),
        ("academia", "A favor"),
        ("ciudadania", "En contra"),
        ("sociedad_civil", "En contra"),
    ):
        uid = z.titulars[seat]
        ballot, ballot_buttons = message_with(h, uid, opened, "Remoción de")
        assert "Tu voto quedó registrado" in await press(
            h, uid, uid, ballot, ballot_buttons[label]
        )
    picker = await h.send(z.facilitator, "/cerrar")  # the agenda's vote is open too (R10)
    choice = next(
        d
        for label, d in h.fake.buttons(z.facilitator, picker.result["message_id"])
        if label.startswith("Remoción de")
    )
    closed = h.fake.mark()
    await h.press(z.facilitator, z.facilitator, picker.result["message_id"], choice)
    group = texts(h, z.group, closed)
    assert any("Aprobado por mayoría" in t for t in group)
    decision = next(t for t in group if "Solicitud de remoción #1: aprobada" in t)
    assert f"{CONCERNED} deja de ser titular de Sociedad civil" in decision
    assert any("Solicitud de remoción #1: aprobada" in t for t in texts(h, z.facilitator, closed))
    removed = z.titulars["sociedad_civil"]
    assert any("aprobó tu remoción" in t for t in texts(h, removed, closed))

    # R21: the entry is deactivated, its Telegram id erased, its history kept
    async with h.db() as session:
        member = await session.scalar(select(Member).where(Member.number == 4))
        request = await session.scalar(select(RemovalRequest))
        vote = await session.get(Vote, request.vote_id if request else 0)
        their_ballots = await session.scalar(
            select(func.count())
            .select_from(Ballot)
            .where(Ballot.member_id == (member.id if member else 0))
        )
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert member is not None
    assert (member.active, member.telegram_user_id, member.full_name) == (False, None, CONCERNED)
    assert member.deactivated_at is not None
    assert request is not None
    assert request.state == "aprobada"
    assert vote is not None
    assert (vote.purpose, vote.outcome) == ("remocion", "Aprobado por mayoría")
    assert their_ballots == 1  # their own ballot stays in the record
    for action in (
        "removal.requested",
        "removal.backed",
        "removal.on_agenda",
        "removal.vote_opened",
        "removal.aprobada",
        "member.deactivated",
    ):
        assert action in actions
    assert CONCERNED not in await h.say(z.facilitator, "/integrantes")
    assert "no encuentro tu cuenta" in await h.say(removed, "/remociones")
    listing = await h.say(z.facilitator, "/remociones")
    assert "Estado: aprobada · sesión #1 · votación #" in listing
    # R19, R21: the vote is open data like any other, and no Telegram id is published
    async with httpx.AsyncClient(base_url=h.web_url) as web:
        published = (await web.get("/zamora/datos/votaciones.csv")).text
    assert "remocion" in published
    assert f"Remoción de {CONCERNED}" in published
    assert str(removed) not in published


async def test_refusals_of_the_request_store_nothing(h: Harness) -> None:
    z = await with_observer(h)
    academia = z.titulars["academia"]
    before = await count(h, AuditEntry)
    # R4: titulars and substitutes only, in private
    assert "solo lo puede usar" in await h.say(z.facilitator, REQUEST)  # the facilitator
    assert "solo lo puede usar" in await h.say(OBSERVER, REQUEST)
    assert "no encuentro tu cuenta" in await h.say(STRANGER, REQUEST)
    assert "se usa en el chat privado" in await h.say(academia, REQUEST, chat_id=z.group)
    # the person concerned may not sponsor the request against them
    own = await h.say(z.titulars["sociedad_civil"], REQUEST)
    assert "no puede solicitar ni respaldar su propia remoción" in own
    # bad input: the member's number and the reasons are required
    assert "No hay integrante #99" in await h.say(academia, "/remocion 99 Omisiones")
    for bad in (
        "/remocion",
        "/remocion 4",
        "/remocion 4   ",
        "/remocion x Omisiones",
        "/remocion ٤ Omisiones",
    ):
        assert "Se usa así" in await h.say(academia, bad), bad
    long = await h.say(academia, "/remocion 4 " + "a" * 1001)
    assert "tiene 1001 caracteres y el límite es 1000" in long
    # only a seat's titular or substitute is removed
    assert "es facilitador(a)" in await h.say(academia, "/remocion 1 Omisiones")
    assert "es observador(a)" in await h.say(academia, "/remocion 8 Omisiones")
    assert await count(h, RemovalRequest) == 0
    assert await count(h, AuditEntry) == before
    # one open request per member: the second names the first
    await requested(h, z)
    again = await h.say(z.titulars["gobierno"], "/remocion 4 Otro motivo")
    assert f"Ya hay una solicitud de remoción abierta contra {CONCERNED}: la #1" in again
    assert await count(h, RemovalRequest) == 1
    # an entry that left the roster is no longer removable
    await h.say(z.facilitator, "/baja 6")
    assert "#6" in await h.say(academia, "/remocion 6 Omisiones")
    assert await count(h, RemovalRequest) == 1


async def test_who_may_not_back_and_forged_buttons(h: Harness) -> None:
    z = await with_observer(h)
    _, back, message_id = await requested(h, z)
    gobierno = z.titulars["gobierno"]
    refusals = {
        z.facilitator: "La facilitación no puede solicitar ni respaldar",
        OBSERVER: "Solo un titular o suplente de un asiento",
        z.titulars["sociedad_civil"]: "no puede solicitar ni respaldar su propia remoción",
        z.titulars["academia"]: "ya estaba registrada",  # the requester is its first sponsor
        SUPLENTE: "El asiento Academia ya respalda la solicitud",
        STRANGER: "no es para ti",
    }
    for uid, expected in refusals.items():
        assert expected in await press(h, uid, gobierno, message_id, back), uid
    # /pendientes lists the request for exactly those the button would accept (R4)
    to_back = f"respaldas la solicitud de remoción #1 de {CONCERNED}"
    for uid in (gobierno, z.titulars["garante"], z.titulars["ciudadania"]):
        assert to_back in await h.say(uid, "/pendientes"), uid
    for uid in (*refusals, z.titulars["academia"]):
        if uid != STRANGER:
            assert to_back not in await h.say(uid, "/pendientes"), uid
    for forged in ("rb:999", "rb:1:2", "rb:x", "rb:"):
        assert "ya no es válido" in await press(h, gobierno, gobierno, message_id, forged)
    assert await count(h, RemovalSponsor) == 1
    async with h.db() as session:
        request = await session.scalar(select(RemovalRequest))
    assert request is not None
    assert request.state == "solicitada"
    # the vote's button is the facilitator's, and only for a request on a session's agenda
    vote = f"rv:{request.id}"
    assert "no es para ti" in await press(h, gobierno, gobierno, message_id, vote)
    assert "una vez instalada" in await press(h, z.facilitator, z.facilitator, 1, vote)
    assert "ya no es válido" in await press(h, z.facilitator, z.facilitator, 1, "rv:999")


async def test_rejected_removal_keeps_the_member(h: Harness) -> None:
    z = await with_observer(h)
    _, back, message_id = await requested(h, z)
    await press(h, z.titulars["gobierno"], z.titulars["gobierno"], message_id, back)
    preview = await h.send(z.facilitator, CONVOCAR)
    send = next(
        d
        for label, d in h.fake.buttons(z.facilitator, preview.result["message_id"])
        if label.startswith("Enviar")
    )
    await h.press(z.facilitator, z.facilitator, preview.result["message_id"], send)
    h.clock.advance(days=10)
    await h.say(z.facilitator, "/iniciar")
    for number in (2, 3, 5):
        await h.say(z.facilitator, f"/presente {number}")
    await h.say(z.facilitator, "/instalar")
    # the button again, from /remociones (the facilitator, in the installed session)
    listing = await h.send(z.facilitator, "/remociones")
    (data,) = [d for _, d in h.fake.buttons(z.facilitator, listing.result["message_id"])]
    opened = h.fake.mark()
    await press(h, z.facilitator, z.facilitator, listing.result["message_id"], data or "")
    for seat, label in (("gobierno", "A favor"), ("garante", "En contra")):
        uid = z.titulars[seat]
        ballot, buttons = message_with(h, uid, opened, "Remoción de")
        await press(h, uid, uid, ballot, buttons[label])
    # academia (present) does not vote: one for, one against is a tie (R12)
    picker = await h.send(z.facilitator, "/cerrar")
    choice = next(
        d
        for label, d in h.fake.buttons(z.facilitator, picker.result["message_id"])
        if label.startswith("Remoción de")
    )
    closed = h.fake.mark()
    await h.press(z.facilitator, z.facilitator, picker.result["message_id"], choice)
    decision = next(t for t in texts(h, z.group, closed) if "Solicitud de remoción #1" in t)
    assert "rechazada (Empate: no aprobado" in decision
    assert f"{CONCERNED} conserva su designación" in decision
    async with h.db() as session:
        member = await session.scalar(select(Member).where(Member.number == 4))
        request = await session.scalar(select(RemovalRequest))
    assert member is not None
    assert member.active
    assert member.telegram_user_id == z.titulars["sociedad_civil"]
    assert request is not None
    assert request.state == "rechazada"
    # a closed request takes no backing: a fresh one may be started
    assert "ya está rechazada" in await press(
        h, z.titulars["ciudadania"], z.titulars["gobierno"], message_id, back
    )
    assert "Registré tu solicitud" in await h.say(z.titulars["ciudadania"], REQUEST)


async def test_request_lapses_when_the_member_leaves_the_roster(h: Harness) -> None:
    z = await with_observer(h)
    _, back, message_id = await requested(h, z)
    await h.say(z.facilitator, "/baja 4")
    async with h.db() as session:
        request = await session.scalar(select(RemovalRequest))
    assert request is not None
    assert request.state == "caducada"
    assert "ya está caducada" in await press(
        h, z.titulars["gobierno"], z.titulars["gobierno"], message_id, back
    )
    # the requester leaving withdraws a request no other seat backed yet
    await h.say(z.titulars["academia"], "/remocion 2 Omisiones reiteradas")
    await h.say(z.facilitator, "/baja 5")
    async with h.db() as session:
        states = list(
            await session.scalars(select(RemovalRequest.state).order_by(RemovalRequest.number))
        )
    assert states == ["caducada", "retirada"]
    preview = await h.send(z.facilitator, CONVOCAR)
    assert "Propuesta de remoción" not in (preview.text or "")


async def test_a_session_without_quorum_passes_the_item_to_the_next(h: Harness) -> None:
    z = await with_observer(h)
    _, back, message_id = await requested(h, z)
    await press(h, z.titulars["gobierno"], z.titulars["gobierno"], message_id, back)
    first = await h.send(z.facilitator, CONVOCAR)
    send = next(
        d
        for label, d in h.fake.buttons(z.facilitator, first.result["message_id"])
        if label.startswith("Enviar")
    )
    await h.press(z.facilitator, z.facilitator, first.result["message_id"], send)
    h.clock.advance(days=10)
    await h.say(z.facilitator, "/iniciar")
    await h.say(z.facilitator, "/presente 2")
    assert "sin quórum" in (await h.say(z.facilitator, "/instalar")).lower()
    # R4: voted at a session; this one could not vote, so the next convocation carries it
    second = await h.send(
        z.facilitator, "/convocar ordinaria 2026-12-21 10:00 Sala de Cabildo" + AGENDA
    )
    assert ITEM in (second.text or "")
    async with h.db() as session:
        request = await session.scalar(select(RemovalRequest))
        draft = await session.scalar(select(Meeting).where(Meeting.state == "borrador"))
    assert request is not None
    assert draft is not None
    assert (request.state, request.meeting_id) == ("en_agenda", draft.id)
