"""``/cumplimiento`` end to end (R6, R15, R16; R1): oversight for the garante's liaison.

Everything is made through the bot as people would, with the clock placing each event.
Roberto García Escobar holds the garante seat in two secretariats, Zamora and Jacona:

* Zamora holds its ordinary session on 2026-12-07 and sends its minutes on 12-10 (on
  time), and holds the next one on 2027-01-14 but sends its minutes on 02-02 (late);
* Jacona holds its ordinary session on 2026-12-08 and never sends its minutes (overdue
  from January), registers an agreement due 2026-12-20 that stays open (past due), and
  holds no session in January;
* neither held one in November, the month both were created in.

On 2027-02-02 Roberto asks, and so does Jacona's garante substitute, who sits on Jacona
only. Refusals: a titular of another seat, the facilitator, a stranger, the group.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tests.e2e.queries import snapshot
from tests.e2e.test_sessions import CONVOCAR, _convene
from tests.harness import (
    ADMIN_ID,
    TITULARS,
    Harness,
    Zamora,
    bind,
    create_secretariat,
    setup_zamora,
    token_in,
)

ROBERTO = TITULARS["garante"][0]  # Zamora's garante titular, and Jacona's
JACONA_FACILITATOR = 2201
JACONA_GOBIERNO = 2202
JACONA_ACADEMIA = 2203
JACONA_GARANTE_SUPLENTE = 2204
JACONA_GROUP = -1009876543210
STRANGER = 7777
JACONA_SESSION = (
    "/convocar ordinaria 2026-12-08 10:00 Salón de Cabildo de Jacona\n"
    "1. Lista de asistencia y declaración de quórum\n2. Seguimiento del PAM"
)
ZAMORA_JANUARY = (
    "/convocar ordinaria 2027-01-14 10:00 Sala de Cabildo, Guerrero Ote. 82\n"
    "1. Lista de asistencia y declaración de quórum\n2. Seguimiento del PAM"
)


async def answers(h: Harness, uid: int, text: str, *, chat_id: int | None = None) -> str:
    """Send ``text`` and wait until it is handled; every text the bot answered, joined."""
    since = h.fake.mark()
    await h.settled(h.fake.send_text(uid, text, chat_id=chat_id), timeout=30)
    return "\n".join(c.text or "" for c in h.fake.sent_to(chat_id or uid, since) if c.text)


async def setup_jacona(h: Harness) -> Zamora:
    """Jacona: its facilitator, titulars of gobierno and academia, Roberto (already
    Zamora's garante titular) as the garante's titular, a garante substitute, a group."""
    h.fake.add_user(JACONA_FACILITATOR, "Julia", "Facilitadora")
    assert "Listo" in await bind(h, JACONA_FACILITATOR, await create_secretariat(h, "Jacona"))
    titulars = {}
    for uid, kind, seat, name in (
        (JACONA_GOBIERNO, "titular", "gobierno", "Gerardo Gómez"),
        (ROBERTO, "titular", "garante", "Roberto García Escobar"),
        (JACONA_ACADEMIA, "titular", "academia", "Ana Académica"),
        (JACONA_GARANTE_SUPLENTE, "suplente", "garante", "Sofía Suplente"),
    ):
        h.fake.add_user(uid, name)
        answer = await h.say(JACONA_FACILITATOR, f"/alta {kind} {seat} {name}")
        assert "Listo" in await bind(h, uid, token_in(answer)), answer
        if kind == "titular":
            titulars[seat] = uid
    h.fake.add_group(JACONA_GROUP, "STM Jacona")
    assert "canal oficial" in await h.say(JACONA_FACILITATOR, "/vincular", chat_id=JACONA_GROUP)
    return Zamora(JACONA_FACILITATOR, titulars, JACONA_GROUP)


async def hold(h: Harness, facilitator: int, present: tuple[int, ...], at: datetime) -> None:
    """The session of the day at ``at``: roll call, installation with quorum, conclusion."""
    h.clock.current = at
    await h.say(facilitator, "/iniciar")
    for number in present:
        await h.say(facilitator, f"/presente {number}")
    assert "Sesión instalada con quórum" in await h.say(facilitator, "/instalar")


async def conclude(h: Harness, facilitator: int) -> None:
    h.clock.advance(hours=2)
    await h.say(facilitator, "/concluir")


async def two_secretariats(h: Harness) -> tuple[Zamora, Zamora]:
    """The record described in the module's docstring; the clock ends on 2027-02-02."""
    z = await setup_zamora(h)
    j = await setup_jacona(h)
    await _convene(h, z, CONVOCAR)  # Monday 2026-12-07
    await _convene(h, j, JACONA_SESSION)  # Tuesday 2026-12-08
    # Zamora: gobierno, garante, sociedad civil present (#2, #3, #4): 3 of 5
    await hold(h, z.facilitator, (2, 3, 4), datetime(2026, 12, 7, 16, 5, tzinfo=UTC))
    await conclude(h, z.facilitator)
    # Jacona: gobierno, garante, academia (#2, #3, #4); an agreement due 2026-12-20
    await hold(h, j.facilitator, (2, 3, 4), datetime(2026, 12, 8, 16, 5, tzinfo=UTC))
    assert "ACU-2026-001" in await h.say(j.facilitator, "/acuerdo Publicar el padrón de obras")
    await h.say(j.facilitator, "/plazo ACU-2026-001 2026-12-20")
    await conclude(h, j.facilitator)
    # Zamora sends its minutes on time, and convenes January's session
    h.clock.current = datetime(2026, 12, 10, 16, 0, tzinfo=UTC)
    assert "enviada a tiempo" in await h.say(z.facilitator, "/acta_enviada 1 Oficio STM/101")
    await _convene(h, z, ZAMORA_JANUARY)
    await hold(h, z.facilitator, (2, 3, 4), datetime(2027, 1, 14, 16, 5, tzinfo=UTC))
    await conclude(h, z.facilitator)
    # ... and sends January's minutes on February 2nd: after the deadline (R15)
    h.clock.current = datetime(2027, 2, 2, 16, 0, tzinfo=UTC)
    assert "fuera de plazo" in await h.say(z.facilitator, "/acta_enviada 2 Oficio STM/102")
    return z, j


def block(text: str, name: str) -> str:
    """The part of the answer about one secretariat (up to the next one)."""
    start = text.index(f"STM de {name}")
    following = text.find("STM de ", start + 1)
    return text[start : following if following != -1 else len(text)]


async def test_the_liaison_sees_every_secretariat_of_the_garante_seat(harness: Harness) -> None:
    h = harness
    await two_secretariats(h)
    text = await answers(h, ROBERTO, "/cumplimiento")
    assert "Cumplimiento de 2 secretariados donde ocupas el asiento del garante" in text
    assert "¿En cuál" not in text  # it spans them all: it never asks which (commands.md)
    assert text.index("STM de Jacona") < text.index("STM de Zamora")  # by name
    zamora = block(text, "Zamora")
    for line in (
        "STM de Zamora (Michoacán) · plazo del acta: fin del mes de la sesión",
        "Resumen: 1 mes sin sesión ordinaria · actas: 1 a tiempo, 1 fuera de plazo, "
        "0 vencidas, 0 en plazo · acuerdos abiertos vencidos: 0",
        "• noviembre de 2026: ⚠️ sin sesión ordinaria",  # R6: created in November
        "• diciembre de 2026: 1 sesión ordinaria · actas: 1 a tiempo",
        "• enero de 2027: 1 sesión ordinaria · actas: 1 fuera de plazo",
        "• febrero de 2027 (en curso): aún sin sesión ordinaria",
    ):
        assert line in zamora, (line, zamora)
    jacona = block(text, "Jacona")
    for line in (
        "Resumen: 2 meses sin sesión ordinaria · actas: 0 a tiempo, 0 fuera de plazo, "
        "1 vencida, 0 en plazo · acuerdos abiertos vencidos: 1",
        "• diciembre de 2026: 1 sesión ordinaria · actas: 1 vencida · 1 acuerdo vencido",
        "• enero de 2027: ⚠️ sin sesión ordinaria",
    ):
        assert line in jacona, (line, jacona)
    # the public page's address, per state and for every state
    assert f"• Michoacán: {h.web_url}/michoacan/cumplimiento" in text
    assert f"• Todas las entidades: {h.web_url}/cumplimiento" in text
    assert "PUBLIC_URL no está configurada" in text  # the harness has none: said so
    # the garante substitute of Jacona oversees Jacona only
    text = await answers(h, JACONA_GARANTE_SUPLENTE, "/cumplimiento")
    assert "Cumplimiento de 1 secretariado donde ocupas el asiento del garante" in text
    assert "STM de Jacona" in text
    assert "STM de Zamora" not in text


async def test_the_state_setting_moves_the_public_page(harness: Harness) -> None:
    h = harness
    z = await setup_zamora(h, link_group=False)
    text = await answers(h, z.facilitator, "/ajustar estado jalisco")
    assert "Jalisco" in text, text
    assert "Entidad federativa" in await answers(h, z.facilitator, "/ajustes")
    text = await answers(h, ROBERTO, "/cumplimiento")
    assert "STM de Zamora (Jalisco)" in text
    assert "• Jalisco: http" in text
    assert "/jalisco/cumplimiento" in text
    # a state that does not exist is refused with the valid values, and nothing changes
    before = await snapshot(h.db)
    text = await answers(h, z.facilitator, "/ajustar estado Texas")
    assert "32 entidades federativas" in text, text
    assert await snapshot(h.db) == before
    assert "(Jalisco)" in await answers(h, ROBERTO, "/cumplimiento")


async def test_who_may_not_use_it_and_where(harness: Harness) -> None:
    h = harness
    z = await setup_zamora(h)
    h.fake.add_user(STRANGER, "Curioso")
    before = await snapshot(h.db)
    for uid in (z.titulars["academia"], z.facilitator, STRANGER, ADMIN_ID):
        text = await answers(h, uid, "/cumplimiento")
        assert (
            "/cumplimiento solo lo puede usar: la persona titular o suplente del asiento "
            "garante de un secretariado" in text
        ), text
        assert "Cumplimiento de" not in text
    # in the group, even the liaison is told to ask in private (the answer is his)
    text = await answers(h, ROBERTO, "/cumplimiento", chat_id=z.group)
    assert "se usa en el chat privado" in text, text
    assert "Cumplimiento de" not in text
    assert await snapshot(h.db) == before
    # an empty record: the month in progress, without a session yet
    text = await answers(h, ROBERTO, "/cumplimiento")
    assert "• noviembre de 2026 (en curso): aún sin sesión ordinaria" in text


async def test_the_menu_and_help_of_the_liaison(harness: Harness) -> None:
    h = harness
    z = await setup_zamora(h, link_group=False)
    garante = [c["command"] for c in h.fake.commands_for({"type": "chat", "chat_id": ROBERTO})]
    assert "cumplimiento" in garante
    academia = z.titulars["academia"]
    other = [c["command"] for c in h.fake.commands_for({"type": "chat", "chat_id": academia})]
    assert "cumplimiento" not in other
    assert "/cumplimiento" in await answers(h, ROBERTO, "/ayuda")
    assert "/cumplimiento" not in await answers(h, academia, "/ayuda")
