"""A realistic public record for the microsite's tests, made through chat like people do.

The browser tests (tests/browser) and the privacy crawl (tests/web/test_privacy.py) need a
secretariat with something on every page: settings for contact and links, a held session
with roll call, votes per seat and notes, agreements with a responsible seat and a due
date, a commitment with weighted milestones (one done), and a convened session ahead. It
is all typed into the real bot through the fake Bot API; nothing is written to the
database directly, so the pages show what the bot really stores.

``Cast`` says who plays each part, so the privacy test can give every person distinctive
Telegram ids, profile names and @usernames that must never reach a public response (R21)
while their roster names (public acts) may.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.e2e.test_minutes import circulate, draft, sign
from tests.e2e.test_votes import _vote
from tests.harness import FACILITATOR, TITULARS, Harness, Zamora, token_in

SEATS = ("gobierno", "garante", "sociedad_civil", "academia", "ciudadania")


@dataclass(frozen=True)
class Person:
    """A Telegram user and the name the facilitator typed for them in the roster.

    ``roster_name`` is public (members' names are public acts, R21); the Telegram profile
    (``first``, ``last``, ``username``) and ``id`` are not.
    """

    id: int
    roster_name: str
    first: str
    last: str | None = None
    username: str | None = None


@dataclass(frozen=True)
class Cast:
    """Everyone in the seeded secretariat."""

    admin: int
    facilitator: Person  # the roster takes the facilitator's name from the profile (/start)
    titulars: dict[str, Person]
    substitute: Person  # academia's
    group_id: int
    group_title: str = "STM Zamora"
    name: str = "Zamora"

    @property
    def slug(self) -> str:
        """The secretariat's address on the site."""
        return self.name.lower()


def _same(uid: int, first: str, last: str) -> Person:
    return Person(uid, f"{first} {last}", first, last)


#: Zamora's roster as tests/harness.py knows it (profile names equal roster names).
ZAMORA = Cast(
    admin=9001,
    facilitator=_same(*FACILITATOR),
    titulars={seat: _same(*TITULARS[seat]) for seat in SEATS},
    substitute=_same(3001, "Marta", "Ruiz"),
    group_id=-1001234567890,
)

CONTACTO = (
    "Oficina del Secretariado Técnico Municipal | Palacio Municipal, Morelos Sur 76, "
    "Centro, Zamora, Mich. | Lunes a viernes de 9:00 a 15:00 h | Tel. 351 512 0000"
)
ENLACES = (
    "Portal del Ayuntamiento de Zamora | https://zamora.gob.mx; "
    "Plataforma Nacional de Transparencia | https://www.plataformadetransparencia.org.mx; "
    "Alianza para el Gobierno Abierto | https://www.opengovpartnership.org"
)
CONVOCAR_1 = (
    "/convocar ordinaria 2026-12-07 10:00 Sala de Cabildo, Palacio Municipal\n"
    "1. Lista de asistencia y declaración de quórum\n"
    "2. Calendario de sesiones 2027\n"
    "3. Seguimiento del plan de acción"
)
CONVOCAR_2 = (
    "/convocar ordinaria 2026-12-21 10:00 Sala de Cabildo, Palacio Municipal\n"
    "1. Lista de asistencia y declaración de quórum\n"
    "2. Informe de avance del plan de acción\n"
    "3. Asuntos generales"
)
COMPROMISO = (
    "/compromiso Presupuesto abierto y participativo\n"
    "problema: La ciudadanía no sabe en qué se gasta el presupuesto municipal\n"
    "objetivo: Publicar el gasto cada mes en datos abiertos\n"
    "responsable: academia\n"
    "apoyo: Colectivo Zamora Abierta\n"
    "inicio: 2027-01-01\n"
    "fin: 2027-12-31\n"
    "valores: Transparencia, rendicion de cuentas"
)


EVIDENCE_PDF = b"%PDF-1.4\n% lista de asistencia\n1 0 obj<<>>endobj\n%%EOF\n"


@dataclass(frozen=True)
class Seeded:
    """What the tests need to find again."""

    cast: Cast
    agreement_codes: tuple[str, ...]


async def _say_ok(h: Harness, uid: int, text: str, expected: str, **kw: int) -> str:
    answer = await h.say(uid, text, **kw)
    assert expected in answer, f"{text!r} → {answer!r}"
    return answer


async def _convene(h: Harness, fid: int, text: str) -> None:
    """Preview and press «Enviar» (as tests/e2e/test_sessions.py does)."""
    preview = await h.send(fid, text)
    assert "Vista previa" in (preview.text or ""), preview.text
    message_id = preview.result["message_id"]
    send = next(d for label, d in h.fake.buttons(fid, message_id) if label.startswith("Enviar"))
    await h.press(fid, fid, message_id, send)


async def seed_public_record(h: Harness, cast: Cast = ZAMORA, *, signed: bool = True) -> Seeded:
    """The whole public record of ``cast``'s secretariat, through chat (see module doc).

    Moves the fake clock from Friday 2026-11-27 to Monday 2026-12-07 ~12:10 (after the
    first session); the second session (2026-12-21) is still ahead. ``signed``: the
    first session's minutes drafted, circulated and signed by everyone present (R15), so
    ``/actas`` has a signed file to download.
    """
    f = cast.facilitator
    h.fake.add_user(cast.admin, "Operación", "Central")
    token = token_in(await h.say(cast.admin, f"/nuevo_stm {cast.name}"))
    h.fake.add_user(f.id, f.first, f.last, username=f.username)
    await _say_ok(h, f.id, f"/start {token}", "Listo")
    for seat in SEATS:
        p = cast.titulars[seat]
        h.fake.add_user(p.id, p.first, p.last, username=p.username)
        answer = await h.say(f.id, f"/alta titular {seat} {p.roster_name}")
        await _say_ok(h, p.id, f"/start {token_in(answer)}", "Listo")
    s = cast.substitute
    h.fake.add_user(s.id, s.first, s.last, username=s.username)
    answer = await h.say(f.id, f"/alta suplente academia {s.roster_name}")
    await _say_ok(h, s.id, f"/start {token_in(answer)}", "Listo")
    h.fake.add_group(cast.group_id, cast.group_title)
    await _say_ok(h, f.id, "/vincular", "canal oficial", chat_id=cast.group_id)
    # R19 (c, e): the office's contact and the links of interest are settings.
    await h.say(f.id, f"/ajustar contacto {CONTACTO}")
    await h.say(f.id, f"/ajustar enlaces {ENLACES}")

    # Session 1: convened, held with 4 of 5 seats, agenda and one proposal voted, notes.
    await _convene(h, f.id, CONVOCAR_1)
    h.clock.advance(days=10, minutes=5)  # Monday 2026-12-07 10:05 in Zamora
    await h.say(f.id, "/iniciar")
    for number in (2, 3, 4, 7):  # gobierno, garante, sociedad civil; academia's substitute
        await h.say(f.id, f"/presente {number}")
    since = h.fake.mark()
    await _say_ok(h, f.id, "/instalar", "Sesión instalada con quórum")
    t = cast.titulars
    for uid in (t["gobierno"].id, t["garante"].id, t["sociedad_civil"].id, s.id):
        await _vote(h, uid, since, "A favor")
    await h.say(f.id, "/cerrar")
    since = h.fake.mark()
    await h.say(f.id, "/votar Aprobar el calendario de sesiones ordinarias 2027")
    await _vote(h, t["gobierno"].id, since, "A favor")
    await _vote(h, t["garante"].id, since, "En contra")
    await _vote(h, t["sociedad_civil"].id, since, "A favor")
    await _vote(h, s.id, since, "Abstención")
    await h.say(f.id, "/cerrar")
    await h.say(f.id, "/nota 1 Se pasó lista; la representación ciudadana no asistió.")
    await h.say(f.id, "/nota 3 La academia presentó el avance del plan de acción: 40 %.")
    h.clock.advance(hours=2)
    await h.say(f.id, "/concluir")

    # R19 (a): a document the facilitator attaches to the held session as evidence.
    mark = h.fake.mark()
    await h.settled(
        h.fake.send_document(
            f.id, EVIDENCE_PDF, "lista-de-asistencia.pdf", caption="/evidencia 1 Lista firmada"
        )
    )
    told = await h.fake.wait_for("sendMessage", since=mark, chat_id=f.id)
    assert "Evidencia núm. 1" in (told.text or ""), told.text
    if signed:
        await sign_minutes(h, cast)

    # Agreements (R16) with a responsible seat, a due date and a follow-up.
    first = await _say_ok(h, f.id, "/acuerdo Publicar el calendario 2027 en el micrositio", "ACU")
    second = await _say_ok(h, f.id, "/acuerdo Instalar la mesa de presupuesto abierto", "ACU")
    codes = tuple(_code(a) for a in (first, second))
    await h.say(f.id, f"/responsable {codes[0]} gobierno")
    await h.say(f.id, f"/plazo {codes[0]} 2027-01-29")
    await h.say(t["gobierno"].id, f"/seguimiento {codes[0]} en_proceso Oficio STM/003")
    await h.say(f.id, f"/responsable {codes[1]} academia")

    # The action plan (R16a): one commitment, three weighted milestones, one done.
    await _say_ok(h, f.id, COMPROMISO, "Compromiso registrado")
    await h.say(f.id, "/hito C-1 2026-12-15 Publicar el presupuesto 2027")
    await h.say(f.id, "/hito C-1 2027-01-31 2 Tablero de gasto mensual")
    await h.say(f.id, "/hito C-1 2027-03-31 Informe trimestral")
    await h.say(
        t["academia"].id, "/avance C-1.1 hecho evidencia: https://zamora.gob.mx/presupuesto"
    )

    # Session 2 ahead: the home page's «Próxima sesión» and the agenda feed.
    await _convene(h, f.id, CONVOCAR_2)
    return Seeded(cast, codes)


async def sign_minutes(h: Harness, cast: Cast) -> None:
    """``/acta 1``, «Circular para firma», and every signatory presses «Firmo el acta»."""
    t = cast.titulars
    z = Zamora(cast.facilitator.id, {seat: t[seat].id for seat in SEATS}, cast.group_id)
    _, _, answer = await draft(h, z)
    since = await circulate(h, z, answer)
    signers = [cast.facilitator, t["gobierno"], t["garante"], t["sociedad_civil"]]
    for person in [*signers, cast.substitute]:
        assert "firma quedó registrada" in await sign(h, person.id, since)


def _code(answer: str) -> str:
    """``ACU-2026-001`` in the bot's answer to ``/acuerdo``."""
    start = answer.index("ACU-")
    return answer[start : start + len("ACU-2026-001")]
