"""Who may use which command, where (commands.md "Roles"; R2).

The matrix feeds three things that must never disagree: the server-side guard of every
command, ``/ayuda`` (only the caller's own commands) and the per-scope Telegram menus.
``resolve`` picks the secretariat a command acts on; it never guesses (commands.md):
several candidates mean the bot asks with buttons.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from domain.errors import GroupNotLinked, NotAdmin, NotAMember, NotYourRole, WrongChat


class Role(StrEnum):
    """Roles of commands.md; ``ANYONE`` is any Telegram user."""

    ADMIN = "admin"
    FACILITADOR = "facilitador"
    TITULAR = "titular"
    SUPLENTE = "suplente"
    OBSERVADOR = "observador"
    ANYONE = "cualquiera"
    # Not a roster role: held by whoever is titular or substitute of a secretariat's
    # garante seat (R1), the state transparency agency's liaison (/cumplimiento).
    ENLACE_GARANTE = "enlace_garante"


#: Roster roles, in the order the roster shows them.
ROSTER_ROLES = (Role.FACILITADOR, Role.TITULAR, Role.SUPLENTE, Role.OBSERVADOR)
MEMBERS = frozenset(ROSTER_ROLES)
#: R2: only seats vote; the facilitator and observers have voice without vote.
VOTING_ROLES = frozenset({Role.TITULAR, Role.SUPLENTE})
#: R1: the seat of the state transparency agency; its titular and substitute are its liaison.
GARANTE_SEAT = "garante"


class Where(StrEnum):
    """Chats a command is accepted in."""

    PRIVATE = "privado"
    GROUP = "grupo"
    ANY = "cualquiera"


class Scope(StrEnum):
    """What a command acts on."""

    NONE = "none"  # public or admin: no secretariat
    SECRETARIAT = "secretariat"  # one secretariat the caller holds an allowed role in


@dataclass(frozen=True)
class CommandSpec:
    """One row of the contract table."""

    name: str
    where: Where
    roles: frozenset[Role]
    scope: Scope
    usage: str
    summary: str

    def accepts(self, chat_is_private: bool) -> bool:
        """Whether the command may be used in this kind of chat."""
        if self.where is Where.ANY:
            return True
        return (self.where is Where.PRIVATE) == chat_is_private


_F = frozenset({Role.FACILITADOR})
_EVERYONE = frozenset({Role.ANYONE})

COMMANDS: dict[str, CommandSpec] = {
    spec.name: spec
    for spec in (
        CommandSpec(
            "start",
            Where.PRIVATE,
            _EVERYONE,
            Scope.NONE,
            "/start",
            "Bienvenida, tus funciones y el aviso de privacidad",
        ),
        CommandSpec(
            "ayuda",
            Where.ANY,
            _EVERYONE,
            Scope.NONE,
            "/ayuda",
            "Los comandos que puedes usar",
        ),
        CommandSpec(
            "privacidad",
            Where.ANY,
            _EVERYONE,
            Scope.NONE,
            "/privacidad",
            "Aviso de privacidad completo",
        ),
        CommandSpec(
            "nuevo_stm",
            Where.PRIVATE,
            frozenset({Role.ADMIN}),
            Scope.NONE,
            "/nuevo_stm <nombre del municipio>",
            "Crear un secretariado y obtener la invitación del facilitador",
        ),
        CommandSpec(
            "vincular",
            Where.GROUP,
            _F,
            Scope.SECRETARIAT,
            "/vincular",
            "Hacer de este grupo el canal oficial del STM",
        ),
        CommandSpec(
            "asiento",
            Where.PRIVATE,
            _F,
            Scope.SECRETARIAT,
            "/asiento <clave> <nombre del sector>",
            "Agregar un asiento con voto además de los cinco",
        ),
        CommandSpec(
            "alta",
            Where.PRIVATE,
            _F,
            Scope.SECRETARIAT,
            "/alta titular <sector> <nombre completo>\n"
            "/alta suplente <sector> <nombre completo>\n"
            "/alta observador <nombre completo>",
            "Registrar a un integrante y obtener su invitación",
        ),
        CommandSpec(
            "importar",
            Where.PRIVATE,
            _F,
            Scope.SECRETARIAT,
            "/importar + archivo CSV o XLSX (columnas tipo, sector, nombre)",
            "Registrar a muchos integrantes desde un archivo CSV o XLSX",
        ),
        CommandSpec(
            "invitar",
            Where.PRIVATE,
            _F,
            Scope.SECRETARIAT,
            "/invitar <n>",
            "Nueva invitación para el integrante n (anula la anterior)",
        ),
        CommandSpec(
            "baja",
            Where.PRIVATE,
            _F,
            Scope.SECRETARIAT,
            "/baja <n>",
            "Dar de baja al integrante n (se conserva el historial)",
        ),
        CommandSpec(
            "integrantes",
            Where.ANY,
            MEMBERS,
            Scope.SECRETARIAT,
            "/integrantes",
            "Integrantes por asiento y quién ya vinculó su cuenta",
        ),
        CommandSpec(
            "ajustes",
            Where.ANY,
            MEMBERS,
            Scope.SECRETARIAT,
            "/ajustes",
            "Ajustes del secretariado",
        ),
        CommandSpec(
            "ajustar",
            Where.PRIVATE,
            _F,
            Scope.SECRETARIAT,
            "/ajustar <clave> <valor>",
            "Cambiar un ajuste",
        ),
        CommandSpec(
            "convocar",
            Where.ANY,
            _F,
            Scope.SECRETARIAT,
            "/convocar <ordinaria|extraordinaria> <AAAA-MM-DD> <HH:MM> <lugar>\n"
            "<un punto del orden del día por línea>",
            "Convocar a sesión (solo /convocar: paso a paso)",
        ),
        CommandSpec(
            "cancelar_convocatoria",
            Where.PRIVATE,
            _F,
            Scope.SECRETARIAT,
            "/cancelar_convocatoria",
            "Salir de la convocatoria paso a paso",
        ),
        CommandSpec(
            "inhabil",
            Where.PRIVATE,
            _F,
            Scope.SECRETARIAT,
            "/inhabil <AAAA-MM-DD> [hasta <AAAA-MM-DD>] <motivo o fuente>",
            "Declarar día(s) inhábil(es)",
        ),
        CommandSpec(
            "inhabiles",
            Where.ANY,
            MEMBERS,
            Scope.SECRETARIAT,
            "/inhabiles",
            "Días inhábiles declarados y días de descanso oficiales próximos",
        ),
        CommandSpec(
            "habil",
            Where.PRIVATE,
            _F,
            Scope.SECRETARIAT,
            "/habil <AAAA-MM-DD>",
            "Quitar un día inhábil declarado",
        ),
        CommandSpec(
            "sesiones",
            Where.ANY,
            MEMBERS,
            Scope.SECRETARIAT,
            "/sesiones",
            "Sesiones próximas y recientes",
        ),
        CommandSpec(
            "quorum",
            Where.ANY,
            MEMBERS,
            Scope.SECRETARIAT,
            "/quorum [n]",
            "Confirmaciones de asistencia y quórum de la sesión n",
        ),
        CommandSpec(
            "iniciar",
            Where.ANY,
            _F,
            Scope.SECRETARIAT,
            "/iniciar [n]",
            "Abrir el pase de lista de la sesión de hoy",
        ),
        CommandSpec(
            "presente",
            Where.ANY,
            _F,
            Scope.SECRETARIAT,
            "/presente <n de integrante>",
            "Marcar presente a quien asiste sin teléfono",
        ),
        CommandSpec(
            "instalar",
            Where.ANY,
            _F,
            Scope.SECRETARIAT,
            "/instalar",
            "Instalar la sesión si hay quórum",
        ),
        CommandSpec(
            "concluir",
            Where.ANY,
            _F,
            Scope.SECRETARIAT,
            "/concluir",
            "Concluir la sesión en curso",
        ),
        CommandSpec(
            "cancelar",
            Where.ANY,
            _F,
            Scope.SECRETARIAT,
            "/cancelar <n> <motivo>",
            "Pedir a todos los asientos aprobar la cancelación de la sesión n",
        ),
        CommandSpec(
            "votar",
            Where.ANY,
            _F,
            Scope.SECRETARIAT,
            "/votar <texto>",
            "Abrir una votación (en sesión instalada, o electrónica)",
        ),
        CommandSpec(
            "cerrar",
            Where.ANY,
            _F,
            Scope.SECRETARIAT,
            "/cerrar",
            "Cerrar la votación abierta y publicar el resultado",
        ),
        CommandSpec(
            "votaciones",
            Where.ANY,
            MEMBERS,
            Scope.SECRETARIAT,
            "/votaciones",
            "Votaciones abiertas y recientes",
        ),
        CommandSpec(
            "pendientes",
            Where.PRIVATE,
            MEMBERS,
            Scope.NONE,
            "/pendientes",
            "Tus pendientes: asistencias, votos, firmas, acuerdos, remociones por respaldar; "
            "sesiones, actas y fin del periodo si facilitas",
        ),
        CommandSpec(
            "recordatorios",
            Where.ANY,
            MEMBERS,
            Scope.SECRETARIAT,
            "/recordatorios",
            "Los recordatorios en vigor y los próximos envíos",
        ),
        CommandSpec(
            "actas",
            Where.ANY,
            MEMBERS,
            Scope.SECRETARIAT,
            "/actas",
            "Sesiones celebradas con su plazo de envío del acta al garante y su estado",
        ),
        CommandSpec(
            "acta_enviada",
            Where.PRIVATE,
            _F,
            Scope.SECRETARIAT,
            "/acta_enviada <n> [nota]",
            "Registrar que el acta de la sesión n se envió al organismo garante",
        ),
        CommandSpec(
            "nota",
            Where.ANY,
            _F,
            Scope.SECRETARIAT,
            "/nota <n de punto> <texto>",
            "Agregar tu nota a un punto del orden del día de la última sesión celebrada",
        ),
        CommandSpec(
            "acta",
            Where.PRIVATE,
            _F,
            Scope.SECRETARIAT,
            "/acta <n>",
            "Generar el borrador del acta de la sesión n (o, como pie de un archivo, "
            "registrar una versión corregida)",
        ),
        CommandSpec(
            "firmas",
            Where.ANY,
            MEMBERS,
            Scope.SECRETARIAT,
            "/firmas <n>",
            "Quién firmó el acta de la sesión n y quién falta",
        ),
        CommandSpec(
            "acta_firmada",
            Where.ANY,
            MEMBERS,
            Scope.SECRETARIAT,
            "/acta_firmada <n>",
            "El archivo firmado del acta de la sesión n",
        ),
        CommandSpec(  # R19 a: published on the microsite's minutes page
            "evidencia",
            Where.PRIVATE,
            _F,
            Scope.SECRETARIAT,
            "/evidencia <n> [descripción]\n"
            "(como pie de una foto, video, audio, nota de voz o documento, o en respuesta "
            "al mensaje que lo trae)",
            "Agregar una foto, video, audio o documento como evidencia de la sesión n "
            "celebrada; se publica en el micrositio",
        ),
        CommandSpec(
            "acuerdo",
            Where.ANY,
            _F,
            Scope.SECRETARIAT,
            "/acuerdo <texto>",
            "Registrar un acuerdo de la sesión en curso o de la última celebrada",
        ),
        CommandSpec(
            "responsable",
            Where.ANY,
            _F,
            Scope.SECRETARIAT,
            "/responsable <código> <clave de asiento o nombre>",
            "Asignar quién es responsable de un acuerdo",
        ),
        CommandSpec(
            "plazo",
            Where.ANY,
            _F,
            Scope.SECRETARIAT,
            "/plazo <código> <AAAA-MM-DD>",
            "Fijar la fecha límite de un acuerdo",
        ),
        CommandSpec(
            "seguimiento",
            Where.ANY,
            frozenset({Role.FACILITADOR, Role.TITULAR, Role.SUPLENTE}),
            Scope.SECRETARIAT,
            "/seguimiento <código> <pendiente|en_proceso|cumplido|cancelado> [nota o enlace]",
            "Cambiar el estado de un acuerdo (facilitación o el asiento responsable)",
        ),
        CommandSpec(
            "acuerdos",
            Where.ANY,
            MEMBERS,
            Scope.SECRETARIAT,
            "/acuerdos [todos]",
            "Acuerdos abiertos (o todos) con responsable, plazo y estado",
        ),
        CommandSpec(
            "compromiso",
            Where.PRIVATE,
            _F,
            Scope.SECRETARIAT,
            "/compromiso <título>\n"
            "problema: <problema público>\n"
            "objetivo: <qué hace el compromiso>\n"
            "responsable: <clave de asiento o institución>\n"
            "apoyo: <actores que apoyan>\n"
            "inicio: AAAA-MM-DD\n"
            "fin: AAAA-MM-DD\n"
            "valores: transparencia, participación ciudadana, rendición de cuentas",
            "Registrar un compromiso del Plan de Acción (C-n); cada campo es opcional",
        ),
        CommandSpec(
            "hito",
            Where.PRIVATE,
            _F,
            Scope.SECRETARIAT,
            "/hito <C-n> <AAAA-MM-DD> [peso] <texto>",
            "Agregar un hito a un compromiso (peso de 1 a 100; 1 si no lo indicas)",
        ),
        CommandSpec(
            "avance",
            Where.ANY,
            frozenset({Role.FACILITADOR, Role.TITULAR, Role.SUPLENTE}),
            Scope.SECRETARIAT,
            "/avance <C-n.m> <hecho|pendiente> [evidencia: enlace o nota]",
            "Marcar un hito; el nivel del compromiso lo sigue (facilitación o el asiento "
            "responsable)",
        ),
        CommandSpec(
            "nivel",
            Where.PRIVATE,
            _F,
            Scope.SECRETARIAT,
            "/nivel <C-n> <no_iniciado|limitado|sustancial|completo> <motivo>\n/nivel <C-n> auto",
            "Fijar a mano el nivel de un compromiso, con su motivo (auto: volver a los hitos)",
        ),
        CommandSpec(
            "compromisos",
            Where.ANY,
            MEMBERS,
            Scope.SECRETARIAT,
            "/compromisos [C-n]",
            "Compromisos del Plan de Acción con su nivel, avance y siguiente hito (o el "
            "detalle de uno)",
        ),
        CommandSpec(
            "reporte",
            Where.PRIVATE,
            _F,
            Scope.SECRETARIAT,
            "/reporte [AAAA-MM]",
            "Informe de seguimiento en PDF de un mes (el anterior si no lo indicas): "
            "niveles y cambios de los compromisos, acuerdos y sesiones",
        ),
        CommandSpec(  # R5: the end-of-term activity report
            "informe",
            Where.PRIVATE,
            _F,
            Scope.SECRETARIAT,
            "/informe",
            "Informe de actividades del periodo (PDF y Word) desde el registro: sesiones, "
            "asistencia, votaciones, acuerdos, compromisos y actas",
        ),
        CommandSpec(  # R5, I.6: the handover package
            "entrega",
            Where.PRIVATE,
            _F,
            Scope.SECRETARIAT,
            "/entrega",
            "Paquete de entrega del periodo (ZIP): actas firmadas, informes y datos "
            "abiertos, con manifiesto SHA-256",
        ),
        CommandSpec(
            "propuesta",
            Where.PRIVATE,
            VOTING_ROLES,
            Scope.SECRETARIAT,
            "/propuesta <texto de la propuesta>\n"
            "(o envía un archivo PDF, Word, ODT, Excel o imagen con el pie /propuesta <texto>)",
            "Presentar un proyecto o propuesta; se remite al garante antes de la convocatoria",
        ),
        CommandSpec(
            "propuestas",
            Where.ANY,
            MEMBERS,
            Scope.SECRETARIAT,
            "/propuestas",
            "Propuestas de integrantes con su estado (recibida, remitida al garante)",
        ),
        CommandSpec(  # R4: sponsored by a seat, backed by another, voted in session
            "remocion",
            Where.PRIVATE,
            VOTING_ROLES,
            Scope.SECRETARIAT,
            "/remocion <n de integrante> <motivo>",
            "Solicitar la remoción de un integrante; otro asiento la respalda y se vota en "
            "la próxima sesión",
        ),
        CommandSpec(
            "remociones",
            Where.ANY,
            MEMBERS,
            Scope.SECRETARIAT,
            "/remociones",
            "Solicitudes de remoción con su estado y respaldos",
        ),
        CommandSpec(
            "comunicado",
            Where.PRIVATE,
            _F,
            Scope.SECRETARIAT,
            "/comunicado <texto del comunicado>",
            "Publicar un comunicado en el grupo oficial y en el canal público",
        ),
        CommandSpec(  # R19: the secretariat's public site
            "micrositio",
            Where.ANY,
            MEMBERS,
            Scope.SECRETARIAT,
            "/micrositio",
            "La dirección del micrositio público del secretariado y de sus secciones",
        ),
        CommandSpec(  # R6, R15, R16: every secretariat where the caller sits on the garante seat
            "cumplimiento",
            Where.PRIVATE,
            frozenset({Role.ENLACE_GARANTE}),
            Scope.NONE,
            "/cumplimiento",
            "Cumplimiento de cada secretariado donde ocupas el asiento del garante: "
            "sesiones ordinarias por mes, actas a tiempo, tardías o vencidas, acuerdos vencidos",
        ),
        CommandSpec(
            "verificar",
            Where.PRIVATE,
            _EVERYONE,
            Scope.NONE,
            "/verificar",
            "Comprobar por su SHA-256 si un documento es un acta (o una versión) registrada, "
            "o si una entrada exportada de la cadena de actos es auténtica",
        ),
    )
}


@dataclass(frozen=True)
class Membership:
    """One active roster entry of the caller, as authorization sees it."""

    secretariat_id: int
    secretariat_name: str
    member_id: int
    number: int
    role: Role
    seat_key: str | None = None


@dataclass(frozen=True)
class Actor:
    """The Telegram user behind an update, with every role they hold."""

    telegram_user_id: int
    is_admin: bool
    memberships: tuple[Membership, ...] = ()

    def roles(self) -> frozenset[Role]:
        """Every role held anywhere, plus ADMIN and ANYONE as they apply."""
        held = {m.role for m in self.memberships} | {Role.ANYONE}
        if self.is_admin:
            held.add(Role.ADMIN)
        if self.liaison_secretariats():
            held.add(Role.ENLACE_GARANTE)
        return frozenset(held)

    def liaison_secretariats(self) -> tuple[int, ...]:
        """Secretariats where the caller is titular or substitute of the garante seat (R1),
        in the order of the memberships: what ``/cumplimiento`` reports on."""
        found: dict[int, None] = {}
        for m in self.memberships:
            if m.role in VOTING_ROLES and m.seat_key == GARANTE_SEAT:
                found.setdefault(m.secretariat_id)
        return tuple(found)

    def roles_in(self, secretariat_id: int) -> frozenset[Role]:
        """Roles held in one secretariat."""
        return frozenset(m.role for m in self.memberships if m.secretariat_id == secretariat_id)


def may_use(spec: CommandSpec, roles: Iterable[Role]) -> bool:
    """Whether any of ``roles`` is allowed the command."""
    held = set(roles) | {Role.ANYONE}
    return bool(held & spec.roles)


def commands_for(roles: Iterable[Role], *, private: bool | None = None) -> list[CommandSpec]:
    """The commands a set of roles may use, in contract order (feeds /ayuda and menus)."""
    held = set(roles)
    return [
        spec
        for spec in COMMANDS.values()
        if may_use(spec, held) and (private is None or spec.accepts(private))
    ]


@dataclass(frozen=True)
class Target:
    """The secretariat a command acts on, and the caller's membership there."""

    secretariat_id: int
    secretariat_name: str
    membership: Membership


def resolve(
    spec: CommandSpec,
    actor: Actor,
    *,
    chat_is_private: bool,
    group_secretariat_id: int | None,
    chosen: int | None = None,
) -> Target | list[Membership] | None:
    """Authorize ``actor`` for ``spec`` and find the secretariat it acts on.

    Returns ``None`` for commands without a secretariat, a ``Target`` when exactly one
    secretariat fits (or ``chosen`` is one of the fitting ones), and the list of fitting
    memberships when the caller must choose. Raises the matching refusal otherwise;
    a ``chosen`` id that does not fit is refused like any other unauthorized attempt.
    """
    if not spec.accepts(chat_is_private):
        raise WrongChat(spec.name, spec.where.value)
    if spec.scope is Scope.NONE:
        if not may_use(spec, actor.roles()):
            if Role.ADMIN in spec.roles:
                raise NotAdmin(spec.name)
            raise NotYourRole(spec.name, sorted(r.value for r in spec.roles))
        return None
    fitting = [m for m in actor.memberships if m.role in spec.roles]
    # In a linked group the group decides; /vincular is the one command that acts on an
    # unlinked (or another) group, so it chooses among the caller's own secretariats.
    if not chat_is_private and spec.name != "vincular":
        if group_secretariat_id is None:
            raise GroupNotLinked()
        fitting = [m for m in fitting if m.secretariat_id == group_secretariat_id]
        if not fitting:
            _refuse_role(spec, actor.roles_in(group_secretariat_id))
    elif not fitting:
        _refuse_role(spec, {m.role for m in actor.memberships})
    if chosen is not None:
        fitting = [m for m in fitting if m.secretariat_id == chosen]
        if not fitting:
            _refuse_role(spec, actor.roles_in(chosen))
    by_secretariat: dict[int, Membership] = {}
    for m in sorted(fitting, key=lambda m: ROSTER_ROLES.index(m.role)):
        by_secretariat.setdefault(m.secretariat_id, m)
    if len(by_secretariat) > 1:
        return sorted(by_secretariat.values(), key=lambda m: m.secretariat_name)
    (membership,) = by_secretariat.values()
    return Target(membership.secretariat_id, membership.secretariat_name, membership)


def _refuse_role(spec: CommandSpec, held: Iterable[Role]) -> None:
    if not set(held) & MEMBERS:
        raise NotAMember(spec.name)
    raise NotYourRole(spec.name, sorted(r.value for r in spec.roles))
