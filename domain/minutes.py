"""Minutes (acta circunstanciada) of a held session: the record, its wording, its signatories.

R14: the minutes are drafted *from the session's record*, nothing typed again. This module
holds that record as plain data (:class:`MinutesRecord`, built by the storage layer from
what was stored), the formal Spanish sentences a Mexican municipal acta reads with ("En la
ciudad de Zamora, siendo las 10:05 horas del día…"), and the rules around versions and
signatures. Both files of a draft (the ``.docx`` and the ``.pdf``) are rendered from the
same record and the same sentences, so they can never say different things.

A version's *fingerprint* (:func:`fingerprint`) is the SHA-256 of the record it was
rendered from, in canonical JSON. A file cannot carry its own SHA-256 (writing it changes
it), so the footer of every page of a draft carries the fingerprint, shared by the draft's
two files; the version itself is identified by the SHA-256 of its exact PDF (R14), and the
signed file stamps every page of that PDF with it ("rubricada en cada hoja").
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, time, timedelta
from enum import StrEnum

from domain import file_types
from domain.calendar import MONTH_NAMES, WEEKDAY_NAMES
from domain.file_types import FileType

__all__ = [
    "MAX_NOTE",
    "MAX_UPLOAD_BYTES",
    "AgendaItem",
    "FileKind",
    "MinutesRecord",
    "SeatAttendance",
    "SeatBallotLine",
    "Signatories",
    "Signatory",
    "SignatureLine",
    "VoteRecord",
    "closing_sentence",
    "date_in_words",
    "fingerprint",
    "long_date",
    "missing_signatories",
    "number_words",
    "opening_sentence",
    "quorum_sentence",
    "retry_delay",
    "signatories",
    "time_in_words",
    "upload_kind",
    "vote_sentence",
]

#: The longest note ``/nota`` takes: a paragraph of narrative, not a document.
MAX_NOTE = 3500
#: Largest uploaded version: the Bot API lets a bot download files of up to 20 MB.
MAX_UPLOAD_BYTES = file_types.MAX_DOWNLOAD_BYTES


class Signatories(StrEnum):
    """Setting ``firmantes_acta`` (R14)."""

    PRESENTES = "presentes"  # the facilitator and whoever represented each present seat
    TODOS = "todos"  # the facilitator and every seat's titular


@dataclass(frozen=True)
class SeatAttendance:
    """One seat at the roll call: who represented it (titular or substitute), or absent."""

    seat: str
    present: bool
    person: str | None = None
    role: str | None = None  # "titular" | "suplente"


@dataclass(frozen=True)
class SeatBallotLine:
    """One seat's counted ballot in a vote, and who cast it (R3, R21: public acts)."""

    seat: str
    choice: str | None  # "A favor" | "En contra" | "Abstención" | None (did not vote)
    voter: str | None = None
    voter_role: str | None = None


@dataclass(frozen=True)
class VoteRecord:
    """A vote of the session, closed or not, with its R12 wording."""

    number: int  # the vote's id, as chat shows it ("Votación #3")
    text: str
    outcome: str | None  # R12 wording; None while it was never closed
    a_favor: int
    en_contra: int
    abstencion: int
    seats: tuple[SeatBallotLine, ...] = ()
    agenda: bool = False  # R10: the approval of the agenda


@dataclass(frozen=True)
class AgendaItem:
    """An item of the agenda with the facilitator's notes on it (``/nota``)."""

    number: int
    text: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Signatory:
    """Someone whose signature the minutes need (R14), frozen when they are circulated."""

    member_id: int
    name: str
    role: str  # "facilitador" | "titular" | "suplente"
    seat: str | None = None


@dataclass(frozen=True)
class SignatureLine:
    """One signature as the signature page prints it (R14)."""

    name: str
    role: str
    seat: str | None
    signed_at: str  # local "AAAA-MM-DD HH:MM" with the zone's name


@dataclass(frozen=True)
class MinutesRecord:
    """Everything the minutes say, as stored; rendered into ``.docx`` and ``.pdf``."""

    secretariat: str  # the municipality, as /nuevo_stm named it
    title: str  # "Primera Sesión Ordinaria 2026"
    number: int  # the session's running number (#n)
    kind: str  # ordinaria | extraordinaria
    place: str
    day: date  # local date held
    installed_at: time  # local
    concluded_at: time | None  # local; None when /concluir was never sent
    time_zone: str
    seats_present: int
    seats_total: int
    quorum_required: int
    attendance: tuple[SeatAttendance, ...]
    facilitator: str | None
    facilitator_present: bool
    observers: tuple[str, ...]  # observers present at the roll call
    agenda: tuple[AgendaItem, ...]
    agenda_vote: VoteRecord | None
    votes: tuple[VoteRecord, ...]  # every other vote of the session, in order
    agreements: tuple[str, ...]  # until R16's register: the approved votes' texts
    signatories: tuple[Signatory, ...]
    garante: str
    convened_on: date | None = None
    general_notes: tuple[str, ...] = field(default=())  # notes not tied to an item


def fingerprint(record: MinutesRecord) -> str:
    """SHA-256 of the record in canonical JSON: what the draft's footers carry."""
    canonical = json.dumps(asdict(record), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- Spanish words

_UNITS = (
    "cero",
    "uno",
    "dos",
    "tres",
    "cuatro",
    "cinco",
    "seis",
    "siete",
    "ocho",
    "nueve",
    "diez",
    "once",
    "doce",
    "trece",
    "catorce",
    "quince",
    "dieciséis",
    "diecisiete",
    "dieciocho",
    "diecinueve",
    "veinte",
    "veintiuno",
    "veintidós",
    "veintitrés",
    "veinticuatro",
    "veinticinco",
    "veintiséis",
    "veintisiete",
    "veintiocho",
    "veintinueve",
)
_TENS = (
    "",
    "",
    "",
    "treinta",
    "cuarenta",
    "cincuenta",
    "sesenta",
    "setenta",
    "ochenta",
    "noventa",
)
_HUNDREDS = (
    "",
    "ciento",
    "doscientos",
    "trescientos",
    "cuatrocientos",
    "quinientos",
    "seiscientos",
    "setecientos",
    "ochocientos",
    "novecientos",
)


def number_words(n: int) -> str:
    """Cardinal in Spanish words, 0–999 999: 27 "veintisiete", 2026 "dos mil veintiséis".

    Raises:
        ValueError: outside ``0..999_999`` (no date or count of minutes needs more).
    """
    if not 0 <= n <= 999_999:
        raise ValueError(f"number out of range: {n}")
    if n < 30:
        return _UNITS[n]
    if n < 100:
        tens, units = divmod(n, 10)
        return _TENS[tens] if units == 0 else f"{_TENS[tens]} y {_UNITS[units]}"
    if n < 1000:
        if n == 100:
            return "cien"
        hundreds, rest = divmod(n, 100)
        return _HUNDREDS[hundreds] if rest == 0 else f"{_HUNDREDS[hundreds]} {number_words(rest)}"
    thousands, rest = divmod(n, 1000)
    count = number_words(thousands)  # apocope before "mil": veintiún, treinta y un
    count = count.replace("veintiuno", "veintiún").removesuffix(" uno") + (
        " un" if count.endswith(" uno") else ""
    )
    head = "mil" if thousands == 1 else f"{count} mil"
    return head if rest == 0 else f"{head} {number_words(rest)}"


def time_in_words(moment: time) -> str:
    """ "las 10:05 horas" reads "las diez horas con cinco minutos" (an acta writes both)."""
    hours = "una hora" if moment.hour == 1 else f"{number_words(moment.hour)} horas"
    if moment.minute == 0:
        return hours
    minutes = "un minuto" if moment.minute == 1 else f"{number_words(moment.minute)} minutos"
    return f"{hours} con {minutes}"


def date_in_words(day: date) -> str:
    """ "viernes veintisiete de noviembre de dos mil veintiséis"."""
    return (
        f"{WEEKDAY_NAMES[day.weekday()]} {number_words(day.day)} de {MONTH_NAMES[day.month - 1]} "
        f"de {number_words(day.year)}"
    )


def long_date(day: date) -> str:
    """ "7 de diciembre de 2026": how an acta's header dates a session."""
    return f"{day.day} de {MONTH_NAMES[day.month - 1]} de {day.year}"


def _hhmm(moment: time) -> str:
    return moment.strftime("%H:%M")


def opening_sentence(record: MinutesRecord) -> str:
    """The acta's first paragraph: where, when, who and why (R14, seed III)."""
    return (
        f"En la ciudad de {record.secretariat}, siendo las {_hhmm(record.installed_at)} "
        f"({time_in_words(record.installed_at)}) del día {date_in_words(record.day)}, "
        f"en {record.place}, se reunieron las personas integrantes del Secretariado Técnico "
        f"Municipal de Gobierno Abierto de {record.secretariat}, con el objeto de celebrar su "
        f"{record.title} (sesión número {record.number}), "
        + (f"convocada el {long_date(record.convened_on)}, " if record.convened_on else "")
        + "conforme al orden del día que se transcribe más adelante."
    )


def quorum_sentence(record: MinutesRecord) -> str:
    """Roll call and installation: present X of N, required Q (R9)."""
    seats = "asiento" if record.seats_total == 1 else "asientos"
    return (
        f"Pasada la lista de asistencia, se registró la presencia de {record.seats_present} "
        f"de los {record.seats_total} {seats} con derecho a voto, siendo {record.quorum_required} "
        f"el quórum requerido, por lo que, existiendo quórum legal, se declaró instalada la "
        f"sesión a las {_hhmm(record.installed_at)} horas."
    )


def _votes(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


def vote_sentence(vote: VoteRecord) -> str:
    """One vote in the acta's words: the question, the tally, R12's result."""
    what = "el orden del día" if vote.agenda else f"«{vote.text}»"
    if vote.outcome is None:
        return (
            f"Se sometió a votación {what}; la votación no se cerró durante la sesión y no "
            f"consta resultado."
        )
    return (
        f"Se sometió a votación {what}, con el resultado siguiente: "
        f"{_votes(vote.a_favor, 'voto a favor', 'votos a favor')}, "
        f"{_votes(vote.en_contra, 'voto en contra', 'votos en contra')} y "
        f"{_votes(vote.abstencion, 'abstención', 'abstenciones')}. "
        f"Resultado: {vote.outcome}."
    )


def closing_sentence(record: MinutesRecord) -> str:
    """The closing paragraph and the signature formula."""
    if record.concluded_at is None:
        when = "en la misma fecha"
    else:
        when = (
            f"siendo las {_hhmm(record.concluded_at)} ({time_in_words(record.concluded_at)}) "
            f"del mismo día"
        )
    return (
        f"No habiendo otro asunto que tratar, se dio por concluida la sesión {when}, "
        f"levantándose la presente acta circunstanciada, que firman electrónicamente quienes "
        f"en ella intervinieron, para los efectos legales a que haya lugar."
    )


# ---------------------------------------------------------------- signatures


def signatories(
    rule: Signatories,
    *,
    facilitator: Signatory | None,
    representatives: Iterable[Signatory],
    titulars: Iterable[Signatory],
) -> tuple[Signatory, ...]:
    """R14: the facilitator, then the seats' people per ``firmantes_acta``, no one twice."""
    people = [facilitator] if facilitator else []
    people += list(representatives if rule is Signatories.PRESENTES else titulars)
    seen: set[int] = set()
    out = []
    for person in people:
        if person.member_id not in seen:
            seen.add(person.member_id)
            out.append(person)
    return tuple(out)


def missing_signatories(
    expected: Sequence[Signatory], signed: Iterable[int]
) -> tuple[Signatory, ...]:
    """Who still has to sign the current version."""
    done = set(signed)
    return tuple(s for s in expected if s.member_id not in done)


# ---------------------------------------------------------------- uploads


class FileKind(StrEnum):
    """What a minutes version may be (commands.md "Minutes")."""

    PDF = "pdf"
    DOCX = "docx"

    @property
    def media_type(self) -> str:
        """MIME type for sending and storing."""
        return FileType(self.value).media_type


_UPLOAD_TYPES = (FileType.PDF, FileType.DOCX)


def upload_kind(filename: str | None, data: bytes) -> FileKind | None:
    """The kind of an uploaded version by its name *and* its content, else ``None``.

    A ``.pdf`` starts with ``%PDF-`` and ends with an ``%%EOF`` marker (within its last
    kilobyte: some writers append a little after it); a ``.docx`` is a ZIP archive holding
    ``word/document.xml``. The extension and the content must agree: a renamed or truncated
    file is refused, not stored as the record (the checks live in ``domain.file_types``,
    shared with proposals and session evidence).
    """
    found = file_types.identify(filename, data, _UPLOAD_TYPES)
    return FileKind(found.value) if found is not None else None


# ---------------------------------------------------------------- delivery to the garante

#: Retry delays after a failed e-mail (R15a): quick first, then hourly, then every 6 h.
_RETRY = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=1))
MAX_RETRY_DELAY = timedelta(hours=6)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt (1-based)."""
    if attempts < 1:
        raise ValueError("attempts is 1-based")
    if attempts <= len(_RETRY):
        return _RETRY[attempts - 1]
    return min(MAX_RETRY_DELAY, _RETRY[-1] * 2 ** (attempts - len(_RETRY)))
