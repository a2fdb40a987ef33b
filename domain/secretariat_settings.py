"""Per-secretariat settings (commands.md "Settings"): defaults, validation and display.

Defaults are those of rules.md. The garante's name and e-mail are settings, never
constants (R1): IMAIP, named in the founding act, was dissolved. Notice periods may be
raised but never set below the act's minimums (R7: 5 and 2 business days).
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import date, time
from enum import StrEnum
from functools import cache

from domain.dissemination import parse_channel
from domain.errors import InvalidSettingValue, InvalidTerm, UnknownSetting
from domain.mexican_states import DEFAULT_STATE, parse_state
from domain.microsite import DEFAULT_LICENCE, parse_contact, parse_licence, parse_links
from domain.minutes import Signatories
from domain.numbers import ascii_number
from domain.quorum import QuorumBase, QuorumRule
from domain.reminders import (
    DAY_ONLY,
    DEFAULT_OVERDUE_EVERY,
    DEFAULTS,
    OVERDUE_EVERY_MAX,
    Kind,
    Offset,
    canonical,
    parse_offsets,
)

ACT_NOTICE_ORDINARY = 5  # R7, seed III.4
ACT_NOTICE_EXTRAORDINARY = 2  # R7, seed III.4
NOTICE_MAX = 30  # a month of business days; more would make monthly sessions impossible (R6)
DEFAULT_GARANTE = "Organismo garante local"  # R1
GARANTE_NAME_MAX = 200


class NonBusinessSessions(StrEnum):
    """Whether a session may fall on a non-business day (R7, R8)."""

    CONFIRMAR = "confirmar"  # allowed after an explicit second confirmation (default)
    NO = "no"
    SI = "si"


class MinutesDeadline(StrEnum):
    """When the minutes must reach the garante (R15)."""

    MISMO_MES = "mismo_mes"  # last calendar day of the session's month (default)
    MES_SIGUIENTE = "mes_siguiente"  # last calendar day of the following month


@dataclass(frozen=True)
class SecretariatSettings:
    """All settings of one secretariat; field names are the storage column names."""

    time_zone: str = "America/Mexico_City"
    quorum_rule: QuorumRule = QuorumRule.MAYORIA
    quorum_base: QuorumBase = QuorumBase.ASIENTOS
    notice_ordinary: int = ACT_NOTICE_ORDINARY
    notice_extraordinary: int = ACT_NOTICE_EXTRAORDINARY
    non_business_sessions: NonBusinessSessions = NonBusinessSessions.CONFIRMAR
    garante_name: str = DEFAULT_GARANTE
    garante_email: str = ""
    minutes_deadline: MinutesDeadline = MinutesDeadline.MISMO_MES
    reminder_time: time = time(9, 0)
    term_start: date | None = None
    term_end: date | None = None
    # Reminder offsets (domain.reminders): "3d,1d" = 3 and 1 business days before, at
    # reminder_time; "2h" = 2 hours before; "no" = never (R22).
    remind_rsvp: str = DEFAULTS[Kind.ASISTENCIA]
    remind_session: str = DEFAULTS[Kind.SESION]
    remind_quorum: str = DEFAULTS[Kind.QUORUM]
    remind_monthly: str = DEFAULTS[Kind.MENSUAL]
    remind_minutes: str = DEFAULTS[Kind.ACTA]
    minutes_overdue_every: int = DEFAULT_OVERDUE_EVERY
    remind_vote: str = DEFAULTS[Kind.VOTACION]
    remind_cancellation: str = DEFAULTS[Kind.CANCELACION]
    # R14: who signs the minutes; R22: when missing signatures are chased (after circulation).
    minutes_signatories: Signatories = Signatories.PRESENTES
    remind_signature: str = DEFAULTS[Kind.FIRMA]
    # R16: before an agreement's due date (then overdue notices like R15's).
    remind_agreement: str = DEFAULTS[Kind.ACUERDO]
    # R18: the public channel as typed (``@canal`` or a chat id; "" = none). The numeric
    # id Telegram resolved it to when it was checked is stored next to it, not here.
    public_channel: str = ""
    # R19 (c, d, e): the microsite's public office contact, links of interest (one
    # "título | url" per line) and the open data's licence.
    contact: str = ""
    links: str = ""
    licence: str = DEFAULT_LICENCE
    # R1, R19: the entidad federativa whose garante oversees it; groups the public
    # compliance pages (/<slug-of-state>/cumplimiento). Stored as the state's short name.
    state: str = DEFAULT_STATE

    def offsets(self, kind: Kind) -> tuple[Offset, ...]:
        """The offsets in force for one reminder series (stored already validated)."""
        return parse_offsets(getattr(self, REMINDER_ATTRIBUTES[kind]))


#: Which settings field holds each series' offsets.
REMINDER_ATTRIBUTES: dict[Kind, str] = {
    Kind.ASISTENCIA: "remind_rsvp",
    Kind.SESION: "remind_session",
    Kind.QUORUM: "remind_quorum",
    Kind.MENSUAL: "remind_monthly",
    Kind.ACTA: "remind_minutes",
    Kind.VOTACION: "remind_vote",
    Kind.CANCELACION: "remind_cancellation",
    Kind.FIRMA: "remind_signature",
    Kind.ACUERDO: "remind_agreement",
}


@dataclass(frozen=True)
class SettingSpec:
    """One ``/ajustar`` key: the field it sets, how to parse it, how to show it."""

    key: str
    attribute: str
    label: str
    rule: str
    expected: str
    parse: Callable[[str], object]


def _choice(enum: type[StrEnum]) -> Callable[[str], object]:
    def parse(raw: str) -> object:
        return enum(raw.lower())

    return parse


@cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _zone(raw: str) -> str:
    if raw not in _zones():
        raise ValueError(raw)
    return raw


def _days(minimum: int) -> Callable[[str], object]:
    def parse(raw: str) -> int:
        value = ascii_number(raw, max_digits=2)
        if value is None or not minimum <= value <= NOTICE_MAX:
            raise ValueError(raw)
        return value

    return parse


def _text(raw: str) -> str:
    text = " ".join(raw.split())
    if not text or len(text) > GARANTE_NAME_MAX:
        raise ValueError(raw)
    return text


_EMAIL = re.compile(r"[^@\s<>&\"']+@[^@\s<>&\"']+\.[A-Za-z]{2,}")


def _email(raw: str) -> str:
    if raw == "-":
        return ""
    if len(raw) > 254 or not _EMAIL.fullmatch(raw):
        raise ValueError(raw)
    return raw


def parse_hhmm(raw: str) -> time:
    """``HH:MM`` in 24 h, as commands.md writes times (ASCII digits only: ``٠٩:٠٠`` is
    refused, not read as 09:00; bad input gets a clear Spanish answer)."""
    match = re.fullmatch(r"([01][0-9]|2[0-3]):([0-5][0-9])", raw, re.ASCII)
    if not match:
        raise ValueError(raw)
    return time(int(match[1]), int(match[2]))


def parse_iso_date(raw: str) -> date:
    """``AAAA-MM-DD``, as commands.md writes dates (ASCII digits only)."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw, re.ASCII):
        raise ValueError(raw)
    return date.fromisoformat(raw)


def _optional_date(raw: str) -> date | None:
    return None if raw == "-" else parse_iso_date(raw)


def _offsets(kind: Kind) -> Callable[[str], object]:
    def parse(raw: str) -> str:
        return canonical(raw, days_only=kind in DAY_ONLY)

    return parse


def _every(raw: str) -> int:
    value = ascii_number(raw, max_digits=2)
    if value is None or not 1 <= value <= OVERDUE_EVERY_MAX:
        raise ValueError(raw)
    return value


_OFFSETS_HELP = (
    "lista separada por comas de Nd (N días hábiles antes, a la hora de los "
    "recordatorios) y Nh (N horas antes), p. ej. {example}; o no para desactivarlo"
)
_DAYS_HELP = (
    "lista separada por comas de Nd (N días hábiles antes; 0d es el mismo día), "
    "p. ej. {example}; o no para desactivarlo"
)


SETTINGS: dict[str, SettingSpec] = {
    spec.key: spec
    for spec in (
        SettingSpec(
            "zona_horaria",
            "time_zone",
            "Zona horaria",
            "R8",
            "un nombre IANA, p. ej. America/Mexico_City",
            _zone,
        ),
        SettingSpec(
            "quorum",
            "quorum_rule",
            "Regla de quórum",
            "R9",
            "mayoria (mitad de los asientos, sin decimales, más 1) o estricto (mitad más 1, "
            "redondeado hacia arriba)",
            _choice(QuorumRule),
        ),
        SettingSpec(
            "quorum_base",
            "quorum_base",
            "Base del quórum",
            "R9",
            "asientos (asientos establecidos) u ocupados (asientos con titular)",
            _choice(QuorumBase),
        ),
        SettingSpec(
            "aviso_ordinaria",
            "notice_ordinary",
            "Aviso mínimo, sesión ordinaria",
            "R7",
            f"días hábiles, de {ACT_NOTICE_ORDINARY} a {NOTICE_MAX}",
            _days(ACT_NOTICE_ORDINARY),
        ),
        SettingSpec(
            "aviso_extraordinaria",
            "notice_extraordinary",
            "Aviso mínimo, sesión extraordinaria",
            "R7",
            f"días hábiles, de {ACT_NOTICE_EXTRAORDINARY} a {NOTICE_MAX}",
            _days(ACT_NOTICE_EXTRAORDINARY),
        ),
        SettingSpec(
            "sesion_en_inhabil",
            "non_business_sessions",
            "Sesiones en día inhábil",
            "R7, R8",
            "confirmar (se permite tras una segunda confirmación), no o si",
            _choice(NonBusinessSessions),
        ),
        SettingSpec(
            "garante_nombre",
            "garante_name",
            "Organismo garante",
            "R1, R15",
            f"texto de 1 a {GARANTE_NAME_MAX} caracteres",
            _text,
        ),
        SettingSpec(
            "garante_correo",
            "garante_email",
            "Correo del organismo garante",
            "R1, R15",
            "una dirección de correo, o - para dejarlo vacío",
            _email,
        ),
        SettingSpec(
            "plazo_acta",
            "minutes_deadline",
            "Plazo para enviar el acta al garante",
            "R15",
            "mismo_mes (último día del mes de la sesión) o mes_siguiente (último día del "
            "mes siguiente)",
            _choice(MinutesDeadline),
        ),
        SettingSpec(
            "hora_recordatorios",
            "reminder_time",
            "Hora de los recordatorios",
            "R22",
            "HH:MM en 24 horas, p. ej. 09:00",
            parse_hhmm,
        ),
        SettingSpec(
            "periodo_inicio",
            "term_start",
            "Inicio del periodo",
            "R5",
            "una fecha AAAA-MM-DD, o - para dejarla sin definir",
            _optional_date,
        ),
        SettingSpec(
            "periodo_fin",
            "term_end",
            "Fin del periodo",
            "R5",
            "una fecha AAAA-MM-DD, o - para dejarla sin definir",
            _optional_date,
        ),
        SettingSpec(
            "recordar_asistencia",
            "remind_rsvp",
            "Recordatorio de confirmar asistencia",
            "R22",
            _OFFSETS_HELP.format(example=DEFAULTS[Kind.ASISTENCIA]),
            _offsets(Kind.ASISTENCIA),
        ),
        SettingSpec(
            "recordar_sesion",
            "remind_session",
            "Recordatorio del día de la sesión",
            "R22",
            _OFFSETS_HELP.format(example=DEFAULTS[Kind.SESION]),
            _offsets(Kind.SESION),
        ),
        SettingSpec(
            "recordar_quorum",
            "remind_quorum",
            "Aviso de quórum en riesgo",
            "R9, R22",
            _OFFSETS_HELP.format(example=DEFAULTS[Kind.QUORUM]),
            _offsets(Kind.QUORUM),
        ),
        SettingSpec(
            "recordar_mensual",
            "remind_monthly",
            "Recordatorio de convocar la sesión ordinaria del mes",
            "R6, R7",
            _DAYS_HELP.format(example=DEFAULTS[Kind.MENSUAL]),
            _offsets(Kind.MENSUAL),
        ),
        SettingSpec(
            "recordar_acta",
            "remind_minutes",
            "Recordatorio de enviar el acta al garante",
            "R15",
            _DAYS_HELP.format(example=DEFAULTS[Kind.ACTA]),
            _offsets(Kind.ACTA),
        ),
        SettingSpec(
            "acta_vencida_cada",
            "minutes_overdue_every",
            "Aviso de acta vencida cada",
            "R15, R22",
            f"días hábiles, de 1 a {OVERDUE_EVERY_MAX}",
            _every,
        ),
        SettingSpec(
            "recordar_votacion",
            "remind_vote",
            "Recordatorio de votar",
            "R13",
            _OFFSETS_HELP.format(example=DEFAULTS[Kind.VOTACION]),
            _offsets(Kind.VOTACION),
        ),
        SettingSpec(
            "recordar_cancelacion",
            "remind_cancellation",
            "Recordatorio de aprobar una cancelación",
            "R11",
            _OFFSETS_HELP.format(example=DEFAULTS[Kind.CANCELACION]),
            _offsets(Kind.CANCELACION),
        ),
        SettingSpec(
            "firmantes_acta",
            "minutes_signatories",
            "Quiénes firman el acta",
            "R14",
            "presentes (facilitación y quien representó cada asiento presente) o todos "
            "(facilitación y la persona titular de cada asiento)",
            _choice(Signatories),
        ),
        SettingSpec(
            "recordar_firma",
            "remind_signature",
            "Recordatorio de firmar el acta",
            "R14, R22",
            "lista separada por comas de Nd (N días hábiles después de circular el acta; 0d "
            f"es el mismo día), p. ej. {DEFAULTS[Kind.FIRMA]}; o no para desactivarlo",
            _offsets(Kind.FIRMA),
        ),
        SettingSpec(
            "recordar_acuerdo",
            "remind_agreement",
            "Recordatorio del plazo de un acuerdo",
            "R16, R22",
            _DAYS_HELP.format(example=DEFAULTS[Kind.ACUERDO]),
            _offsets(Kind.ACUERDO),
        ),
        SettingSpec(
            "canal_publico",
            "public_channel",
            "Canal público",
            "R18",
            "el @usuario de un canal de Telegram (o su id numérico, p. ej. -1001234567890) "
            "donde el bot sea administrador con permiso de publicar; o - para quitarlo",
            parse_channel,
        ),
        SettingSpec(
            "contacto",
            "contact",
            "Contacto público del micrositio",
            "R19",
            "los datos de contacto de la oficina (no personales), en líneas separadas por |, "
            "p. ej. Oficina del STM, Palacio Municipal | Tel. 351 000 0000 | "
            "stm@municipio.gob.mx; o - para quitarlo",
            parse_contact,
        ),
        SettingSpec(
            "enlaces",
            "links",
            "Enlaces de interés del micrositio",
            "R19",
            "entradas Título | https://dirección separadas por ;, p. ej. "
            "Portal municipal | https://zamora.gob.mx; Alianza para el Gobierno Abierto | "
            "https://www.opengovpartnership.org; o - para quitarlas",
            parse_links,
        ),
        SettingSpec(
            "licencia",
            "licence",
            "Licencia de los datos abiertos",
            "R19",
            f"el nombre de la licencia (hasta 200 caracteres); - vuelve a {DEFAULT_LICENCE}",
            parse_licence,
        ),
        SettingSpec(
            "estado",
            "state",
            "Entidad federativa",
            "R1, R19",
            "el nombre de una de las 32 entidades federativas, con o sin acentos, p. ej. "
            "Michoacán, Jalisco o Ciudad de México",
            parse_state,
        ),
    )
}

assert {s.attribute for s in SETTINGS.values()} == {f.name for f in fields(SecretariatSettings)}, (
    "every setting has exactly one /ajustar key"
)


def change(current: SecretariatSettings, key: str, raw: str) -> SecretariatSettings:
    """The settings after ``/ajustar key raw``, or a refusal naming the valid values."""
    spec = SETTINGS.get(key.lower())
    if spec is None:
        raise UnknownSetting(key, list(SETTINGS))
    updated = replace(current, **{spec.attribute: parse_value(spec.key, raw)})
    if (
        updated.term_start is not None
        and updated.term_end is not None
        and updated.term_start >= updated.term_end
    ):
        raise InvalidTerm(str(updated.term_start), str(updated.term_end))
    return updated


def parse_value(key: str, raw: str) -> object:
    """One setting's value from its text (syntax only), or a refusal naming the valid
    values. ``canal_publico`` is also checked with Telegram before it is stored (R18)."""
    spec = SETTINGS.get(key.lower())
    if spec is None:
        raise UnknownSetting(key, list(SETTINGS))
    value_text = raw.strip()
    try:
        return spec.parse(value_text)
    except ValueError:
        raise InvalidSettingValue(spec.key, value_text, spec.expected) from None


def display_value(value: object) -> str:
    """How a setting's value reads in ``/ajustes``."""
    if value is None or value == "":
        return "sin definir"
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    return str(value)


def describe(current: SecretariatSettings) -> list[tuple[SettingSpec, str]]:
    """Each setting with its displayed value, in contract order."""
    return [(spec, display_value(getattr(current, spec.attribute))) for spec in SETTINGS.values()]
