"""The official group (seed III.11) and per-secretariat settings (commands.md)."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Secretariat
from tests.e2e.queries import audit_actions, snapshot
from tests.harness import ADMIN_ID, Harness, bind, setup_zamora, token_in


async def test_vincular_refusals(harness: Harness) -> None:
    z = await setup_zamora(harness, link_group=False)
    harness.fake.add_group(-1005, "STM Zamora")
    harness.fake.add_user(7777, "Extraño")
    before = await snapshot(harness.db)
    assert "dentro del grupo" in await harness.say(z.facilitator, "/vincular")
    assert "solo lo puede usar" in await harness.say(
        z.titulars["gobierno"], "/vincular", chat_id=-1005
    )
    assert "no encuentro tu cuenta" in await harness.say(7777, "/vincular", chat_id=-1005)
    assert await snapshot(harness.db) == before


async def test_a_group_serves_one_secretariat(harness: Harness) -> None:
    z = await setup_zamora(harness)
    token = token_in(await harness.say(ADMIN_ID, "/nuevo_stm Jacona"))
    harness.fake.add_user(5001, "Otra", "Facilitadora")
    await bind(harness, 5001, token)
    answer = await harness.say(5001, "/vincular", chat_id=z.group)
    assert "ya es el canal oficial del STM de Zamora" in answer
    again = await harness.say(z.facilitator, "/vincular", chat_id=z.group)
    assert "ya es el canal oficial" in again


async def test_relinking_moves_the_channel(harness: Harness) -> None:
    z = await setup_zamora(harness)
    harness.fake.add_group(-1006, "STM Zamora nuevo")
    answer = await harness.say(z.facilitator, "/vincular", chat_id=-1006)
    assert "El grupo anterior, «STM Zamora», dejó de serlo." in answer
    assert "no es el canal oficial" in await harness.say(
        z.facilitator, "/integrantes", chat_id=z.group
    )


async def test_group_migration_to_supergroup_is_followed(harness: Harness) -> None:
    z = await setup_zamora(harness)
    harness.fake.add_group(-1007001, "STM Zamora", type="supergroup")
    harness.fake.send_raw_message(z.facilitator, z.group, {"migrate_to_chat_id": -1007001})

    async def linked() -> int | None:
        async with harness.db() as session:
            return await session.scalar(select(Secretariat.group_chat_id))

    for _ in range(100):
        if await linked() == -1007001:
            break
        await harness.fake.sleep(0.02)
    assert await linked() == -1007001
    assert "group.migrated" in await audit_actions(harness.db)


async def test_removing_the_bot_from_the_official_group_unlinks_it(harness: Harness) -> None:
    z = await setup_zamora(harness)
    harness.fake.add_group(-1007002, "Otro grupo")
    mark = harness.fake.mark()
    # a group that is not the official channel: nothing changes, nobody is told
    await harness.settled(harness.fake.remove_bot(-1007002, z.titulars["gobierno"]))
    async with harness.db() as session:
        assert await session.scalar(select(Secretariat.group_chat_id)) == z.group
    # the official group: unlinked, audited, and the facilitator is told what to do
    await harness.settled(harness.fake.remove_bot(z.group, z.titulars["gobierno"]))
    told = await harness.fake.wait_for("sendMessage", since=mark, chat_id=z.facilitator)
    assert "El bot ya no está en el grupo oficial «STM Zamora» del STM de Zamora" in (
        told.text or ""
    )
    assert "/vincular" in (told.text or "")
    async with harness.db() as session:
        row = await session.scalar(select(Secretariat))
    assert row is not None
    assert (row.group_chat_id, row.group_title) == (None, None)
    assert "group.lost" in await audit_actions(harness.db)
    assert harness.fake.sent_to(z.group, mark) == []
    # convening now asks for a group first; a new group links as usual
    refused = await harness.say(
        z.facilitator, "/convocar ordinaria 2026-12-07 10:00 Sala de Cabildo\nPunto"
    )
    assert "/vincular" in refused
    harness.fake.add_group(-1007003, "STM Zamora 2027")
    assert "canal oficial" in await harness.say(z.facilitator, "/vincular", chat_id=-1007003)


async def test_ajustes_shows_the_defaults(harness: Harness) -> None:
    z = await setup_zamora(harness)
    shown = await harness.say(z.titulars["garante"], "/ajustes", chat_id=z.group)
    for line in (
        "Zona horaria (zona_horaria): America/Mexico_City",
        "Regla de quórum (quorum): mayoria",
        "Aviso mínimo, sesión ordinaria (aviso_ordinaria): 5",
        "Aviso mínimo, sesión extraordinaria (aviso_extraordinaria): 2",
        "Organismo garante (garante_nombre): Organismo garante local",
        "Correo del organismo garante (garante_correo): sin definir",
        "Plazo para enviar el acta al garante (plazo_acta): mismo_mes",
        "Hora de los recordatorios (hora_recordatorios): 09:00",
        "Quórum hoy: 3 de 5 asientos",
    ):
        assert line in shown, line


async def test_ajustar_changes_validates_and_audits(harness: Harness) -> None:
    z = await setup_zamora(harness)
    answer = await harness.say(z.facilitator, "/ajustar quorum estricto")
    assert "mayoria → estricto" in answer
    assert "Quórum hoy: 4 de 5" in await harness.say(z.facilitator, "/ajustes")
    answer = await harness.say(
        z.facilitator, "/ajustar garante_nombre Secretaría de Contraloría & Transparencia"
    )
    assert "Secretaría de Contraloría & Transparencia" in answer
    assert (await audit_actions(harness.db))[-2:] == ["setting.changed", "setting.changed"]
    before = await snapshot(harness.db)
    unknown = await harness.say(z.facilitator, "/ajustar imaip si")
    assert "No existe el ajuste «imaip»" in unknown
    assert "zona_horaria" in unknown
    bad = await harness.say(z.facilitator, "/ajustar aviso_ordinaria 3")
    assert "no es un valor válido" in bad
    assert "de 5 a 30" in bad
    assert "Se usa así" in await harness.say(z.facilitator, "/ajustar quorum")
    assert "solo lo puede usar" in await harness.say(
        z.titulars["gobierno"], "/ajustar quorum mayoria"
    )
    assert "en el chat privado" in await harness.say(
        z.facilitator, "/ajustar quorum mayoria", chat_id=z.group
    )
    await harness.say(z.facilitator, "/ajustar periodo_fin 2024-08-31")
    assert "no es válido" in await harness.say(z.facilitator, "/ajustar periodo_inicio 2024-09-01")
    assert await snapshot(harness.db) != before  # periodo_fin was stored
