"""The action plan end to end (R16a): commitments, weighted milestones, levels that follow
them or are set by hand, the responsible seat's marks, the overview, and every refusal."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from storage.models import Commitment, CommitmentChange, CommitmentMilestone
from tests.clock import FakeClock
from tests.e2e.test_sessions import SUPLENTE, _with_substitute
from tests.fakebot import FakeBotAPI
from tests.harness import ADMIN_ID, Harness, Zamora, bind, start_harness, token_in

OBSERVER = 3009

PRESUPUESTO = (
    "/compromiso Presupuesto abierto\n"
    "problema: La ciudadanía no sabe en qué se gasta\n"
    "objetivo: Publicar el gasto cada mes\n"
    "responsable: academia\n"
    "apoyo: Colectivo Zamora Abierta\n"
    "inicio: 2027-01-01\n"
    "fin: 2027-12-31\n"
    "valores: Transparencia, rendicion de cuentas"
)


async def _counts(h: Harness) -> tuple[int, int, int]:
    async with h.db() as session:
        return (
            int(await session.scalar(select(func.count()).select_from(Commitment)) or 0),
            int(await session.scalar(select(func.count()).select_from(CommitmentMilestone)) or 0),
            int(await session.scalar(select(func.count()).select_from(CommitmentChange)) or 0),
        )


async def _history(h: Harness) -> list[tuple[str, str, str | None]]:
    async with h.db() as session:
        rows = await session.execute(
            select(CommitmentChange.kind, CommitmentChange.level, CommitmentChange.note).order_by(
                CommitmentChange.id
            )
        )
        return [tuple(r) for r in rows.tuples()]  # type: ignore[misc]


async def _plan(h: Harness) -> Zamora:
    """Zamora with academia's substitute and an observer; C-1 (academia responsible) with
    milestones of weights 1, 2, 1 and C-2 (an institution, no seat)."""
    z = await _with_substitute(h)
    h.fake.add_user(OBSERVER, "Olga", "Observadora")
    await bind(h, OBSERVER, token_in(await h.say(z.facilitator, "/alta observador Olga Ramírez")))
    answer = await h.say(z.facilitator, PRESUPUESTO)
    assert "Compromiso registrado" in answer
    assert "C-1 Presupuesto abierto" in answer
    assert "Responsable: Academia (asiento del STM)" in answer
    assert "Periodo: 2027-01-01 a 2027-12-31" in answer
    assert "Valores: transparencia, rendición de cuentas" in answer
    assert "Nivel: no iniciado" in answer
    answer = await h.say(
        z.facilitator, "/compromiso Mercado <limpio>\nresponsable: Dirección de Servicios"
    )
    assert "C-2 Mercado <limpio>" in answer  # escaped on the way out, shown as typed
    assert "Responsable: Dirección de Servicios\n" in answer
    answer = await h.say(z.facilitator, "/hito C-1 2026-12-15 Publicar el presupuesto 2027")
    assert "C-1.1 Publicar el presupuesto 2027 · 2026-12-15 · peso 1" in answer
    assert "no iniciado · ▱▱▱▱▱▱▱▱▱▱ 0 %" in answer
    assert "peso 2" in await h.say(z.facilitator, "/hito c-1 2027-01-31 2 Tablero de gasto")
    assert "C-1.3" in await h.say(z.facilitator, "/hito C-1 2027-03-31 Informe trimestral")
    return z


async def test_levels_follow_weighted_milestones_marked_by_the_responsible_seat(
    harness: Harness,
) -> None:
    """R16a: 1 of 4 → limitado, 3 of 4 → sustancial, 4 of 4 → completo; the seat's titular
    and substitute mark, the facilitator is told once per level change."""
    h = harness
    z = await _plan(h)
    academia = z.titulars["academia"]
    # the titular of the responsible seat: 1/4 → limitado, the facilitator is told
    mark = h.fake.mark()
    answer = await h.say(
        academia, "/avance C-1.1 hecho evidencia: https://zamora.gob.mx/p?a=1&b=2"
    )
    assert "Hito C-1.1 marcado como hecho (evidencia: https://zamora.gob.mx/p?a=1&b=2)" in answer
    assert "▰▰▱▱▱▱▱▱▱▱ 25 %" in answer
    assert "Nivel: limitado (antes: no iniciado)" in answer
    (told,) = h.fake.sent_to(z.facilitator, mark)
    assert "Zamora: el nivel de C-1 Presupuesto abierto pasó de no iniciado a limitado" in (
        told.text or ""
    )
    assert "Lorenza Capiz Hernández marcó C-1.1" in (told.text or "")
    # the substitute, in the group: weight 2 → 3/4 → sustancial
    mark = h.fake.mark()
    answer = await h.say(SUPLENTE, "/avance c-1.2 HECHO Oficio STM/014", chat_id=z.group)
    assert "Nivel: sustancial (antes: limitado)" in answer
    (told,) = h.fake.sent_to(z.facilitator, mark)
    assert "pasó de limitado a sustancial" in (told.text or "")
    assert "Marta Ruiz marcó C-1.2" in (told.text or "")
    # the facilitator's own mark: nobody else to tell
    mark = h.fake.mark()
    answer = await h.say(z.facilitator, "/avance C-1.3 hecho")
    assert "▰▰▰▰▰▰▰▰▰▰ 100 %" in answer
    assert "Nivel: completo (antes: sustancial)" in answer
    assert len(h.fake.sent_to(z.facilitator, mark)) == 1  # only the answer
    # a second "hecho" is answered and adds no history
    before = await _counts(h)
    assert "ya estaba marcado como hecho: no cambié nada" in await h.say(
        academia, "/avance C-1.3 hecho"
    )
    assert await _counts(h) == before
    # back to pending: the level follows down, the facilitator is told
    mark = h.fake.mark()
    answer = await h.say(academia, "/avance C-1.3 pendiente faltó la firma")
    assert "marcado como pendiente" in answer
    assert "Nivel: sustancial (antes: completo)" in answer
    (told,) = h.fake.sent_to(z.facilitator, mark)
    assert "pasó de completo a sustancial" in (told.text or "")
    assert "ya estaba marcado como pendiente" in await h.say(academia, "/avance C-1.3 pendiente")
    # a mark that does not change the level: no notice
    await h.say(z.facilitator, "/hito C-1 2027-04-30 1 Evaluación")  # 3/5: still sustancial
    mark = h.fake.mark()
    answer = await h.say(academia, "/avance C-1.3 hecho")
    assert "Nivel: sustancial\n" in answer + "\n"  # no "(antes: …)"
    assert len(h.fake.sent_to(z.facilitator, mark)) == 0
    async with h.db() as session:
        milestone = await session.scalar(
            select(CommitmentMilestone).where(CommitmentMilestone.number == 1)
        )
        assert milestone is not None
        assert milestone.done
        assert milestone.evidence == "https://zamora.gob.mx/p?a=1&b=2"
        assert milestone.done_at == h.clock()
    history = await _history(h)
    assert history == [
        ("registro", "no_iniciado", None),
        ("registro", "no_iniciado", None),
        ("hito", "no_iniciado", "Publicar el presupuesto 2027"),
        ("hito", "no_iniciado", "Tablero de gasto"),
        ("hito", "no_iniciado", "Informe trimestral"),
        ("avance", "limitado", "https://zamora.gob.mx/p?a=1&b=2"),
        ("avance", "sustancial", "Oficio STM/014"),
        ("avance", "completo", None),
        ("avance", "sustancial", "pendiente: faltó la firma"),
        ("hito", "sustancial", "Evaluación"),  # 3/5 = 60 %
        ("avance", "sustancial", None),  # 4/5
    ]


async def test_a_level_set_by_hand_then_given_back_to_the_milestones(harness: Harness) -> None:
    h = harness
    z = await _plan(h)
    assert "escribe también el motivo" in await h.say(z.facilitator, "/nivel C-2 limitado")
    answer = await h.say(z.facilitator, "/nivel c-2 limitado Arrancó antes de registrar hitos")
    assert "Nivel de C-2 fijado a mano: limitado. Motivo: Arrancó antes de registrar hitos" in (
        answer
    )
    assert "/nivel C-2 auto" in answer
    # milestones added and done do not move a level set by hand
    answer = await h.say(z.facilitator, "/hito C-2 2027-02-01 Limpieza semanal")
    assert "C-2 Mercado <limpio>: limitado (fijado a mano)" in answer
    answer = await h.say(z.facilitator, "/avance C-2.1 hecho")
    assert "100 %" in answer
    assert "Nivel: limitado (fijado a mano: no sigue los hitos)" in answer
    listing = await h.say(z.titulars["ciudadania"], "/compromisos")
    assert "▰▰▰▰▰▰▰▰▰▰ 100 % · limitado (fijado a mano)" in listing
    detail = await h.say(z.titulars["ciudadania"], "/compromisos C-2")
    assert "Nivel: limitado (fijado a mano: Arrancó antes de registrar hitos)" in detail
    # back to the rule: 100 % → completo
    answer = await h.say(z.facilitator, "/nivel C-2 auto")
    assert "El nivel de C-2 vuelve a seguir sus hitos: completo." in answer
    assert "ya sigue sus hitos: no cambié nada" in await h.say(z.facilitator, "/nivel C-2 auto")
    assert "Nivel: completo" in await h.say(z.facilitator, "/compromisos c-2")
    history = [row for row in await _history(h) if row[0] == "nivel"]
    assert history == [
        ("nivel", "limitado", "Arrancó antes de registrar hitos"),
        ("nivel", "completo", "automático"),
    ]
    async with h.db() as session:
        c2 = await session.scalar(select(Commitment).where(Commitment.number == 2))
        assert c2 is not None
        assert (c2.level, c2.level_manual, c2.level_reason) == ("completo", False, None)


async def test_compromisos_shows_levels_bars_and_next_milestones(harness: Harness) -> None:
    h = harness
    z = await _plan(h)
    await h.say(z.titulars["academia"], "/avance C-1.1 hecho")
    h.clock.advance(days=30)  # 2026-12-27: C-1.2 (2027-01-31) is next, not yet due
    for uid, chat in ((OBSERVER, None), (z.titulars["gobierno"], z.group)):
        listing = await h.say(uid, "/compromisos", chat_id=chat)
        assert "Plan de Acción Municipal" in listing
        assert "C-1 Presupuesto abierto\n▰▰▱▱▱▱▱▱▱▱ 25 % · limitado" in listing
        assert "Siguiente: C-1.2 Tablero de gasto · 2027-01-31\n" in listing
        assert "C-2 Mercado <limpio>\n▱▱▱▱▱▱▱▱▱▱ 0 % · no iniciado\nSin hitos todavía." in listing
    # past its due date in Zamora's time zone: vencido (2027-02-01 05:00 UTC is still
    # January 31 in Mexico City, so not yet)
    h.clock.current = h.clock.current.replace(year=2027, month=2, day=1, hour=5)
    assert "Siguiente: C-1.2 Tablero de gasto · 2027-01-31\n" in await h.say(
        OBSERVER, "/compromisos"
    )
    h.clock.current = h.clock.current.replace(hour=7)
    assert "Siguiente: C-1.2 Tablero de gasto · 2027-01-31 · vencido" in await h.say(
        OBSERVER, "/compromisos"
    )
    detail = await h.say(OBSERVER, "/compromisos C-1")
    assert "Problema: La ciudadanía no sabe en qué se gasta" in detail
    assert "Apoyo: Colectivo Zamora Abierta" in detail
    assert "✅ C-1.1 Publicar el presupuesto 2027 · 2026-12-15 · peso 1" in detail
    assert "⬜ C-1.2 Tablero de gasto · 2027-01-31 · peso 2 · vencido" in detail
    await h.say(z.facilitator, "/avance C-1.2 hecho")
    await h.say(z.facilitator, "/avance C-1.3 hecho")
    assert "Todos sus hitos están hechos." in await h.say(OBSERVER, "/compromisos")


async def test_a_long_plan_is_split_within_telegrams_limit(harness: Harness) -> None:
    h = harness
    z = await _with_substitute(h)
    assert "Aún no hay compromisos" in await h.say(z.titulars["garante"], "/compromisos")
    title = "Compromiso con un título largo de verdad " * 7  # ~280 characters
    for _ in range(30):
        await h.say(z.facilitator, f"/compromiso {title}")
    mark = h.fake.mark()
    await h.say(z.titulars["garante"], "/compromisos")
    parts = [c.params["text"] for c in h.fake.sent_to(z.titulars["garante"], mark)]
    assert len(parts) >= 3
    assert all(len(p) <= 4096 for p in parts)
    shown = "\n".join(parts)
    assert all(f"<b>C-{n}</b>" in shown for n in range(1, 31))


async def test_every_refusal_changes_nothing(harness: Harness) -> None:
    h = harness
    z = await _plan(h)
    await h.say(z.facilitator, "/nivel C-1 sustancial Revisado en sesión")
    before, history = await _counts(h), await _history(h)
    gobierno, f = z.titulars["gobierno"], z.facilitator
    refusals = [
        # syntax
        (f, "/compromiso", "Se usa así"),
        (f, "/compromiso problema: sin título", "Se usa así"),
        (f, "/hito C-1", "Se usa así"),
        (f, "/hito C-1 2027-01-31", "Se usa así"),
        (f, "/avance C-1.1", "Se usa así"),
        (f, "/avance C-1.1 listo", "Se usa así"),
        (f, "/nivel C-1", "Se usa así"),
        (f, "/nivel C-1 avanzado porque sí", "Se usa así"),
        # the fields of /compromiso
        (f, "/compromiso T\npresupuesto: 10", "«presupuesto» no es un campo de /compromiso"),
        (f, "/compromiso T\napoyo: a\nApoyo: b", "El campo «apoyo» aparece más de una vez"),
        (f, "/compromiso T\nsin dos puntos", "No entendí la línea «sin dos puntos»"),
        (f, "/compromiso T\nvalores: innovación", "«innovación» no es un valor de Gobierno"),
        (f, "/compromiso T\ninicio: 2027-02-30", "«inicio: 2027-02-30» no es una fecha válida"),
        (
            f,
            "/compromiso T\ninicio: 2027-03-01\nfin: 2027-02-01",
            "La fecha de fin es anterior a la de inicio",
        ),
        (f, "/compromiso T\nfin: mañana", "valores: transparencia, participación ciudadana"),
        # bad date, bad weight
        (f, "/hito C-1 31/01/2027 Texto", "«31/01/2027» no es una fecha válida"),
        (f, "/hito C-1 2027-01-31 0 Texto", "«0» no es un peso válido"),
        (f, "/hito C-1 2027-01-31 101 Texto", "número entero de 1 a 100"),
        (f, "/hito C-1 2027-01-31 1.5 Texto", "«1.5» no es un peso válido"),
        # unknown codes, named
        (f, "/hito C-9 2027-01-31 Texto", "No hay un compromiso C-9"),
        (f, "/hito C-1.1 2027-01-31 Texto", "No hay un compromiso C-1.1"),
        (f, "/avance C-1.9 hecho", "No hay un hito C-1.9"),
        (f, "/avance C-9.1 hecho", "No hay un hito C-9.1"),
        (f, "/avance C-1 hecho", "No hay un hito C-1 "),
        (f, "/nivel C-9 completo Listo", "No hay un compromiso C-9"),
        (f, "/nivel C-9 auto", "No hay un compromiso C-9"),
        (gobierno, "/compromisos C-7", "No hay un compromiso C-7"),
        # manual level without reason
        (f, "/nivel C-2 completo", "escribe también el motivo"),
        # not responsible: another seat, or a commitment without a seat
        (gobierno, "/avance C-1.1 hecho", "Solo la facilitación y las personas del asiento"),
        # role
        (gobierno, "/compromiso Otro", "solo lo puede usar: facilitador(a)"),
        (gobierno, "/hito C-1 2027-01-31 Texto", "solo lo puede usar: facilitador(a)"),
        (gobierno, "/nivel C-1 completo Listo", "solo lo puede usar: facilitador(a)"),
        (OBSERVER, "/avance C-1.1 hecho", "solo lo puede usar"),
    ]
    for uid, text, expected in refusals:
        answer = await h.say(uid, text)
        assert expected in answer, (text, answer)
    assert await _counts(h) == before
    assert await _history(h) == history
    # wrong chat: the facilitator's private commands in the group
    for text in ("/compromiso Otro", "/hito C-1 2027-01-31 Texto", "/nivel C-1 auto"):
        answer = await h.say(f, text, chat_id=z.group)
        assert "se usa en el chat privado conmigo" in answer, (text, answer)
    assert await _counts(h) == before
    # a commitment with no seat: nobody but the facilitator marks it
    await h.say(f, "/hito C-2 2027-02-01 Limpieza")
    before, history = await _counts(h), await _history(h)
    for uid in (z.titulars["academia"], SUPLENTE, gobierno):
        assert "Solo la facilitación" in await h.say(uid, "/avance C-2.1 hecho")
    assert await _counts(h) == before
    assert await _history(h) == history


async def test_a_restart_keeps_the_plan(
    fake: FakeBotAPI, database_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    async with start_harness(fake, database_url, clock, admins={ADMIN_ID}, data_dir=data_dir) as h:
        z = await _plan(h)
        await h.say(z.titulars["academia"], "/avance C-1.1 hecho Acta 3")
        await h.say(z.facilitator, "/nivel C-2 sustancial Avance sin hitos")
    async with start_harness(fake, database_url, clock, admins={ADMIN_ID}, data_dir=data_dir) as h:
        listing = await h.say(z.titulars["ciudadania"], "/compromisos")
        assert "25 % · limitado" in listing
        assert "0 % · sustancial (fijado a mano)" in listing
        # the responsible seat still marks; numbers go on where they were
        mark = h.fake.mark()
        assert "Nivel: sustancial (antes: limitado)" in await h.say(
            SUPLENTE, "/avance C-1.2 hecho"
        )
        assert h.fake.sent_to(z.facilitator, mark)  # told, after the restart too
        assert "C-1.4" in await h.say(z.facilitator, "/hito C-1 2027-06-30 Cierre")
        assert "C-3" in await h.say(z.facilitator, "/compromiso Tercero")
        assert (
            "✅ C-1.1 Publicar el presupuesto 2027 · 2026-12-15 · peso 1 · evidencia: Acta 3"
            in await h.say(z.facilitator, "/compromisos C-1")
        )
