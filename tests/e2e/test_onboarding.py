"""Onboarding end to end: create, invite, bind, menus, privacy (R1, R21)."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from storage.models import Invitation
from tests.clock import FakeClock
from tests.e2e.queries import audit_actions, member, snapshot
from tests.fakebot import FakeBotAPI
from tests.harness import (
    ADMIN_ID,
    GROUP_ID,
    TITULARS,
    Harness,
    bind,
    create_secretariat,
    setup_zamora,
    start_harness,
    token_in,
)

STRANGER = 7777


async def test_zamora_is_created_invited_bound_and_linked(harness: Harness) -> None:
    z = await setup_zamora(harness)
    roster = await harness.say(z.facilitator, "/integrantes")
    assert "Integrantes del STM de Zamora" in roster
    for _, first, last in TITULARS.values():
        assert f"{first} {last} ✅ vinculado" in roster
    assert "#1 Claudia Yanira Solís Cázares ✅ vinculado" in roster  # name from the profile
    assert "Canal oficial: STM Zamora" in roster
    assert await audit_actions(harness.db) == [
        "secretariat.created",
        "member.linked",
        *["member.added", "member.linked"] * 5,
        "group.linked",
    ]


def linking_notices(harness: Harness, chat_id: int) -> list[str]:
    return [
        c.text or ""
        for c in harness.fake.sent_to(chat_id)
        if "vinculó su cuenta" in (c.text or "") or "vincularon su cuenta" in (c.text or "")
    ]


async def test_facilitator_is_told_at_once_then_grouped_per_minute(harness: Harness) -> None:
    """commands.md "Roster in bulk": linkings within a minute give one message."""
    z = await setup_zamora(harness, link_group=False)
    notices = linking_notices(harness, z.facilitator)
    # The first linking after a quiet minute is told at once...
    assert len(notices) == 1
    assert "Felipe Armando Umaña Melo (#2, titular, Gobierno municipal)" in notices[0]
    # ...the four that followed within the minute wait for it to end, as one message.
    (job,) = harness.app.job_queue.get_jobs_by_name("link-notices:1")
    harness.clock.advance(minutes=1)
    job.schedule_removal()  # as the job queue does once a run_once job fired
    await job.run(harness.app)
    await harness.app.quiet()
    notices = linking_notices(harness, z.facilitator)
    assert len(notices) == 2
    assert "4 personas vincularon su cuenta al STM de Zamora" in notices[1]
    for seat in ("garante", "sociedad_civil", "academia", "ciudadania"):
        _uid, first, last = TITULARS[seat]
        assert f"{first} {last}" in notices[1]
    assert "Umaña" not in notices[1]  # nobody is named twice
    # After a quiet minute the next linking is told at once again.
    harness.clock.advance(minutes=2)
    harness.fake.add_user(2201, "Rosa", "Méndez")
    token = token_in(await harness.say(z.facilitator, "/alta observador Rosa Méndez"))
    await bind(harness, 2201, token)
    notices = linking_notices(harness, z.facilitator)
    assert len(notices) == 3
    assert "Rosa Méndez (#7, observador(a))" in notices[2]


async def test_linking_notices_owed_at_a_restart_are_sent_at_start_up(
    fake: FakeBotAPI, database_url: str, clock: FakeClock
) -> None:
    async with start_harness(fake, database_url, clock, admins={ADMIN_ID}) as h:
        z = await setup_zamora(h, link_group=False)
        assert len(linking_notices(h, z.facilitator)) == 1
    # Stopped before the minute ended: the four still owed go out when it starts again.
    clock.advance(minutes=5)
    async with start_harness(fake, database_url, clock, admins={ADMIN_ID}) as h:
        await h.app.quiet()
        notices = linking_notices(h, z.facilitator)
        assert len(notices) == 2
        assert "4 personas vincularon" in notices[1]


async def test_menus_per_scope(harness: Harness) -> None:
    z = await setup_zamora(harness)
    public = [c["command"] for c in harness.fake.commands_for({"type": "default"})]
    assert public == ["start", "ayuda", "privacidad", "verificar"]
    group = [c["command"] for c in harness.fake.commands_for({"type": "all_group_chats"})]
    assert "vincular" in group
    assert "alta" not in group
    admin = [
        c["command"] for c in harness.fake.commands_for({"type": "chat", "chat_id": ADMIN_ID})
    ]
    assert "nuevo_stm" in admin
    assert "alta" not in admin
    facilitator = [
        c["command"] for c in harness.fake.commands_for({"type": "chat", "chat_id": z.facilitator})
    ]
    assert {"alta", "baja", "ajustar", "integrantes"} <= set(facilitator)
    assert "vincular" not in facilitator  # group-only
    titular = [
        c["command"]
        for c in harness.fake.commands_for({"type": "chat", "chat_id": z.titulars["garante"]})
    ]
    assert set(titular) == {
        "start",
        "ayuda",
        "privacidad",
        "integrantes",
        "ajustes",
        "inhabiles",
        "sesiones",
        "quorum",
        "votaciones",
        "pendientes",
        "recordatorios",
        "actas",
        "firmas",
        "acta_firmada",
        "acuerdos",
        "seguimiento",
        "avance",
        "compromisos",
        "propuesta",  # R17: titulars and substitutes
        "propuestas",
        "remocion",  # R4: titulars and substitutes sponsor a removal
        "remociones",
        "micrositio",  # R19: members, in private and in the group
        "cumplimiento",  # R6, R15, R16: the garante seat's titular (its liaison)
        "verificar",
    }


async def test_start_for_a_stranger_and_for_a_member(harness: Harness) -> None:
    harness.fake.add_user(STRANGER, "Curioso")
    answer = await harness.say(STRANGER, "/start")
    assert "Aún no formas parte" in answer
    assert "/privacidad" in answer
    z = await setup_zamora(harness, link_group=False)
    answer = await harness.say(z.titulars["academia"], "/start")
    assert "Zamora: titular (academia), integrante #5" in answer


async def test_privacy_notice_is_complete(harness: Harness) -> None:
    harness.fake.add_user(STRANGER, "Curioso")
    notice = await harness.say(STRANGER, "/privacidad")
    for part in (
        "Responsable",
        "Finalidades",
        "Fundamento",
        "Ley General de Protección de Datos",
        "Quién lo ve",
        "Conservación",
        "ARCO",
        "rectificación",
        "cancelación",
        "oposición",
    ):
        assert part in notice


async def test_ayuda_shows_only_the_callers_commands(harness: Harness) -> None:
    z = await setup_zamora(harness, link_group=False)
    harness.fake.add_user(STRANGER, "Curioso")
    stranger = await harness.say(STRANGER, "/ayuda")
    assert "/privacidad" in stranger
    assert "/integrantes" not in stranger
    assert "/alta" not in stranger
    titular = await harness.say(z.titulars["gobierno"], "/ayuda")
    assert "/integrantes" in titular
    assert "/alta" not in titular
    assert "/nuevo_stm" not in titular
    facilitator = await harness.say(z.facilitator, "/ayuda")
    assert "/alta titular" in facilitator
    assert "/vincular" in facilitator
    assert "/nuevo_stm" not in facilitator
    admin = await harness.say(ADMIN_ID, "/ayuda")
    assert "/nuevo_stm" in admin
    assert "/alta" not in admin


async def test_tokens_are_stored_only_as_hashes(harness: Harness) -> None:
    token = await create_secretariat(harness)
    assert len(token) >= 22  # >= 128 bits of base64
    async with harness.db() as session:
        stored = list(await session.scalars(select(Invitation.token_hash)))
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]


async def test_a_token_is_single_use(harness: Harness) -> None:
    token = await create_secretariat(harness)
    harness.fake.add_user(2001, "Claudia")
    harness.fake.add_user(STRANGER, "Intruso")
    assert "Listo" in await bind(harness, 2001, token)
    before = await snapshot(harness.db)
    assert "ya se usó" in await bind(harness, STRANGER, token)
    assert "ya se usó" in await bind(harness, 2001, token)
    assert await snapshot(harness.db) == before


async def test_an_expired_token_binds_nothing(harness: Harness) -> None:
    token = await create_secretariat(harness)
    harness.fake.add_user(2001, "Claudia")
    harness.clock.advance(days=7, seconds=1)
    before = await snapshot(harness.db)
    assert "venció" in await bind(harness, 2001, token)
    assert await snapshot(harness.db) == before
    assert (await member(harness.db, 1)).telegram_user_id is None


async def test_unknown_and_malformed_tokens(harness: Harness) -> None:
    harness.fake.add_user(STRANGER, "Intruso")
    assert "no es válido" in await bind(harness, STRANGER, "A" * 32)
    assert "no es válido" in await bind(harness, STRANGER, "ab!cd")
    assert "no es válido" in await bind(harness, STRANGER, "x" * 65)


async def test_reinvite_replaces_the_old_link(harness: Harness) -> None:
    z = await setup_zamora(harness, link_group=False)
    old = token_in(await harness.say(z.facilitator, "/alta suplente gobierno Ana Pérez"))
    new = token_in(await harness.say(z.facilitator, "/invitar 7"))
    assert old != new
    harness.fake.add_user(3001, "Ana", "Pérez")
    assert "no es válido" in await bind(harness, 3001, old)
    assert "Listo, Ana Pérez" in await bind(harness, 3001, new)
    assert "ya vinculó su cuenta" in await harness.say(z.facilitator, "/invitar 7")


async def test_one_account_one_entry_per_secretariat(harness: Harness) -> None:
    z = await setup_zamora(harness, link_group=False)
    token = token_in(await harness.say(z.facilitator, "/alta observador Roberto García"))
    before = await snapshot(harness.db)
    answer = await bind(harness, z.titulars["garante"], token)
    assert "ya está vinculada a otra función en el STM de Zamora" in answer
    assert await snapshot(harness.db) == before


async def test_start_with_a_token_in_a_group_is_refused(harness: Harness) -> None:
    token = await create_secretariat(harness)
    harness.fake.add_user(2001, "Claudia")
    harness.fake.add_group(GROUP_ID, "STM Zamora")
    answer = await harness.say(2001, f"/start {token}", chat_id=GROUP_ID)
    assert "en privado" in answer
    assert (await member(harness.db, 1)).telegram_user_id is None


async def test_only_admins_create_secretariats(harness: Harness) -> None:
    harness.fake.add_user(STRANGER, "Curioso")
    before = await snapshot(harness.db)
    assert "Solo las personas que administran" in await harness.say(STRANGER, "/nuevo_stm Jacona")
    assert await snapshot(harness.db) == before


async def test_nuevo_stm_bad_input(harness: Harness) -> None:
    before = await snapshot(harness.db)
    assert "Falta el nombre" in await harness.say(ADMIN_ID, "/nuevo_stm")
    assert "demasiado largo" in await harness.say(ADMIN_ID, "/nuevo_stm " + "Z" * 121)
    assert await snapshot(harness.db) == before
    old = await create_secretariat(harness)
    again = await harness.say(ADMIN_ID, "/nuevo_stm zamora")  # facilitator not bound yet
    assert "ya existía" in again
    harness.fake.add_user(2001, "Claudia")
    assert "no es válido" in await bind(harness, 2001, old)  # the old link stopped working
    assert "Listo" in await bind(harness, 2001, token_in(again))
    assert "Ya existe un secretariado" in await harness.say(ADMIN_ID, "/nuevo_stm ZAMORA")


async def test_unknown_command_in_private_points_to_help(harness: Harness) -> None:
    harness.fake.add_user(STRANGER, "Curioso")
    assert "/ayuda" in await harness.say(STRANGER, "/convocatoria_falsa")
    assert "/ayuda" in await harness.say(STRANGER, "hola")
