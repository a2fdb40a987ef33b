"""The command matrix (commands.md "Roles") and secretariat resolution (R2)."""

from __future__ import annotations

import pytest

from domain.errors import GroupNotLinked, NotAdmin, NotAMember, NotYourRole, WrongChat
from domain.roles import (
    COMMANDS,
    MEMBERS,
    Actor,
    Membership,
    Role,
    Target,
    Where,
    commands_for,
    resolve,
)

ANYONE_ONLY = {"start", "ayuda", "privacidad", "verificar"}
FACILITATOR_ONLY = {
    "vincular",
    "asiento",
    "alta",
    "importar",
    "invitar",
    "baja",
    "ajustar",
    "convocar",
    "cancelar_convocatoria",
    "votar",
    "cancelar",
    "cerrar",
    "inhabil",
    "habil",
    "iniciar",
    "presente",
    "instalar",
    "concluir",
    "acta_enviada",
    "nota",
    "acta",
    "acuerdo",
    "responsable",
    "plazo",
    "compromiso",  # R16a
    "hito",
    "nivel",
    "reporte",  # R16a, II.6: the follow-up report
    "informe",  # R5: the end-of-term report
    "entrega",  # R5, I.6: the handover package
    "comunicado",  # R18: the facilitator's communiqués
    "evidencia",  # R19 a: session evidence on the microsite
}
#: R16: the responsible seat's titular or substitute follow their agreements up too.
SEATS_AND_FACILITATOR = {"seguimiento", "avance"}  # R16a: the commitment's responsible seat
#: R6, R15, R16: only the garante seat's titular or substitute (its liaison) oversees.
GARANTE_ONLY = {"cumplimiento"}
#: R17: only titulars and substitutes submit proposals.
SEATS_ONLY = {"propuesta", "remocion"}  # R4: a seat sponsors a removal
MEMBERS_ONLY = {
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
    "compromisos",
    "propuestas",  # R17
    "remociones",  # R4
    "micrositio",  # R19: the public site's address
}


def m(secretariat: int, role: Role, name: str = "Zamora", member: int = 1) -> Membership:
    return Membership(secretariat, name, member, member, role)


def test_contract_table_is_complete() -> None:
    assert set(COMMANDS) == (
        ANYONE_ONLY
        | FACILITATOR_ONLY
        | MEMBERS_ONLY
        | SEATS_AND_FACILITATOR
        | SEATS_ONLY
        | GARANTE_ONLY
        | {"nuevo_stm"}
    )
    for name in COMMANDS:
        assert 1 <= len(name) <= 32
        assert name.replace("_", "").isalnum()
        assert name.islower()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.ANYONE, ANYONE_ONLY),
        (Role.ADMIN, ANYONE_ONLY | {"nuevo_stm"}),
        (
            Role.FACILITADOR,
            ANYONE_ONLY | FACILITATOR_ONLY | MEMBERS_ONLY | SEATS_AND_FACILITATOR,
        ),
        (Role.TITULAR, ANYONE_ONLY | MEMBERS_ONLY | SEATS_AND_FACILITATOR | SEATS_ONLY),
        (Role.SUPLENTE, ANYONE_ONLY | MEMBERS_ONLY | SEATS_AND_FACILITATOR | SEATS_ONLY),
        (Role.OBSERVADOR, ANYONE_ONLY | MEMBERS_ONLY),
        (Role.ENLACE_GARANTE, ANYONE_ONLY | GARANTE_ONLY),
    ],
)
def test_each_role_sees_exactly_its_commands(role: Role, expected: set[str]) -> None:
    assert {spec.name for spec in commands_for({role, Role.ANYONE})} == expected


def test_private_menu_has_no_group_only_commands() -> None:
    names = {spec.name for spec in commands_for({Role.FACILITADOR}, private=True)}
    assert "vincular" not in names
    assert "alta" in names


@pytest.mark.parametrize("name", sorted(COMMANDS))
@pytest.mark.parametrize("role", [*sorted(MEMBERS), Role.ADMIN, None])
@pytest.mark.parametrize("private", [True, False])
def test_authorization_matrix(name: str, role: Role | None, private: bool) -> None:
    """Every command x every role x chat kind: allowed exactly as the contract says."""
    spec = COMMANDS[name]
    memberships = (m(7, role),) if role in MEMBERS else ()
    actor = Actor(1, is_admin=role is Role.ADMIN, memberships=memberships)
    allowed_role = bool(spec.roles & {role, Role.ANYONE})
    allowed_chat = spec.where is Where.ANY or (spec.where is Where.PRIVATE) == private
    if not allowed_chat:
        with pytest.raises(WrongChat):
            resolve(spec, actor, chat_is_private=private, group_secretariat_id=7)
        return
    if not allowed_role:
        with pytest.raises((NotAdmin, NotAMember, NotYourRole)):
            resolve(spec, actor, chat_is_private=private, group_secretariat_id=7)
        return
    outcome = resolve(spec, actor, chat_is_private=private, group_secretariat_id=7)
    if spec.name in ANYONE_ONLY or spec.name in ("nuevo_stm", "pendientes", "cumplimiento"):
        assert outcome is None  # /pendientes spans every secretariat of the caller
    else:
        assert isinstance(outcome, Target)
        assert outcome.secretariat_id == 7


def test_stranger_gets_not_a_member_and_admin_only_gets_not_admin() -> None:
    stranger = Actor(5, is_admin=False)
    with pytest.raises(NotAMember):
        resolve(COMMANDS["integrantes"], stranger, chat_is_private=True, group_secretariat_id=None)
    with pytest.raises(NotAdmin):
        resolve(COMMANDS["nuevo_stm"], stranger, chat_is_private=True, group_secretariat_id=None)
    titular = Actor(5, is_admin=False, memberships=(m(1, Role.TITULAR),))
    with pytest.raises(NotYourRole) as refused:
        resolve(COMMANDS["alta"], titular, chat_is_private=True, group_secretariat_id=None)
    assert refused.value.allowed == ["facilitador"]


def test_several_secretariats_ask_instead_of_guessing() -> None:
    liaison = Actor(
        5,
        is_admin=False,
        memberships=(m(2, Role.TITULAR, "Zamora", 3), m(1, Role.TITULAR, "Jacona", 4)),
    )
    outcome = resolve(
        COMMANDS["integrantes"], liaison, chat_is_private=True, group_secretariat_id=None
    )
    assert isinstance(outcome, list)
    assert [o.secretariat_name for o in outcome] == ["Jacona", "Zamora"]
    chosen = resolve(
        COMMANDS["integrantes"], liaison, chat_is_private=True, group_secretariat_id=None, chosen=2
    )
    assert isinstance(chosen, Target)
    assert chosen.secretariat_id == 2


def test_a_forged_choice_is_refused() -> None:
    liaison = Actor(5, False, (m(2, Role.TITULAR), m(1, Role.TITULAR)))
    with pytest.raises(NotAMember):
        resolve(
            COMMANDS["integrantes"],
            liaison,
            chat_is_private=True,
            group_secretariat_id=None,
            chosen=99,
        )


def test_in_a_group_the_group_decides() -> None:
    liaison = Actor(5, False, (m(2, Role.TITULAR), m(1, Role.TITULAR)))
    outcome = resolve(
        COMMANDS["integrantes"], liaison, chat_is_private=False, group_secretariat_id=1
    )
    assert isinstance(outcome, Target)
    assert outcome.secretariat_id == 1
    with pytest.raises(GroupNotLinked):
        resolve(COMMANDS["integrantes"], liaison, chat_is_private=False, group_secretariat_id=None)
    with pytest.raises(NotAMember):
        resolve(COMMANDS["integrantes"], liaison, chat_is_private=False, group_secretariat_id=3)


def test_a_member_without_the_role_in_the_group_is_refused() -> None:
    titular = Actor(5, False, (m(1, Role.TITULAR), m(2, Role.FACILITADOR)))
    with pytest.raises(NotYourRole):
        resolve(
            COMMANDS["vincular"],
            Actor(5, False, (m(1, Role.TITULAR),)),
            chat_is_private=False,
            group_secretariat_id=None,
        )
    outcome = resolve(COMMANDS["vincular"], titular, chat_is_private=False, group_secretariat_id=1)
    assert isinstance(outcome, Target)
    assert outcome.secretariat_id == 2


def test_the_garante_seat_makes_the_liaison() -> None:
    """R1: titular or substitute of the garante seat, in any secretariat, may use
    /cumplimiento, which spans all of them at once and never asks which (Scope.NONE)."""
    spec = COMMANDS["cumplimiento"]

    def seat(secretariat: int, role: Role, key: str | None) -> Membership:
        return Membership(secretariat, f"STM {secretariat}", secretariat, 1, role, key)

    liaison = Actor(
        5,
        is_admin=False,
        memberships=(
            seat(2, Role.TITULAR, "garante"),
            seat(1, Role.SUPLENTE, "garante"),
            seat(3, Role.TITULAR, "academia"),  # another seat elsewhere: not overseen
        ),
    )
    assert Role.ENLACE_GARANTE in liaison.roles()
    assert liaison.liaison_secretariats() == (2, 1)
    assert resolve(spec, liaison, chat_is_private=True, group_secretariat_id=None) is None
    with pytest.raises(WrongChat):
        resolve(spec, liaison, chat_is_private=False, group_secretariat_id=2)
    for other in (
        Actor(6, False, (seat(2, Role.TITULAR, "academia"), seat(2, Role.FACILITADOR, None))),
        Actor(7, False, (seat(2, Role.OBSERVADOR, None),)),
        Actor(8, True),  # an admin is no liaison
        Actor(9, False),  # a stranger
    ):
        assert Role.ENLACE_GARANTE not in other.roles()
        assert other.liaison_secretariats() == ()
        with pytest.raises(NotYourRole) as refused:
            resolve(spec, other, chat_is_private=True, group_secretariat_id=None)
        assert refused.value.allowed == ["enlace_garante"]
