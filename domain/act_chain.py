"""The hash chain of recorded acts: proof against tampering (issue 15; R18, R19 d, R21).

Every recorded act (a convocation sent, an RSVP, a roll-call presence, a ballot, a vote's
result, a cancellation's request, answer and decision, a signature of the minutes, the
minutes sent to the garante, a change of an agreement) is appended to its secretariat's
chain as one entry. An entry is ``(position, kind, at, source, payload, prev_hash, hash)``:

- ``payload`` is the act's **canonical JSON** (:func:`canonical`): keys sorted, compact
  separators, UTF-8 without ASCII escaping, moments as ISO 8601 UTC with microseconds and
  ``Z``, dates as ``AAAA-MM-DD``; floats, NaN and non-string keys are refused (nothing we
  record is fractional, and a float's text is where two JSON libraries disagree).
- ``hash`` is the SHA-256 (hex) of the canonical JSON of the document
  ``{"acto": payload, "anterior": prev_hash, "fecha": at, "posicion": position,
  "tipo": kind}`` (:func:`entry_hash`). Canonical JSON is unambiguous by construction, so
  nobody can shift bytes from one field into another, and the entry's position, kind and
  time are covered as well as the act: an entry cannot be moved or retyped unnoticed.
  Anyone can recompute it with any JSON library that sorts keys.
- the first entry's ``prev_hash`` is 64 zeros (:data:`GENESIS`); each next entry's is the
  previous entry's ``hash``. The chain's head (last position and hash) is published.

The payloads carry internal numbers (member, seat, vote and session ids) and public
facts only — never a Telegram id, username, phone, e-mail or a citizen's identity
(R21): the chain is published. Free text that is not published elsewhere (a cancellation's
reason, a follow-up note) enters as its SHA-256, which still pins it.

:func:`verify` is the pure check: it re-links every entry, recomputes every hash and
compares each act as it is *now* in the database (``current``, derived by the caller with
the same builders) with the latest entry about it, and returns the first mismatch.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any

from domain.errors import Refusal

__all__ = [
    "GENESIS",
    "Act",
    "Claim",
    "Entry",
    "Exported",
    "Mismatch",
    "NotAChainEntry",
    "Reason",
    "canonical",
    "claims",
    "entry_hash",
    "head_post_due",
    "linked",
    "moment",
    "parse_exported",
    "text_digest",
    "verify",
]

#: The genesis entry's ``prev_hash``.
GENESIS = "0" * 64


class Act(StrEnum):
    """The kinds of recorded acts; the value is the entry's ``kind`` (published)."""

    CONVOCATORIA = "convocatoria"  # a session convened: sent to the members (R7)
    ASISTENCIA = "asistencia"  # an RSVP answer, titular or substitute (R3)
    PASE_DE_LISTA = "pase_de_lista"  # someone present at the roll call (R9)
    VOTO = "voto"  # a ballot pressed (R2, R3, R13)
    RESULTADO = "resultado"  # a vote closed with its outcome (R12)
    CANCELACION_SOLICITADA = "cancelacion_solicitada"  # R11
    CANCELACION_RESPUESTA = "cancelacion_respuesta"  # a seat's answer (R11)
    CANCELACION_DECIDIDA = "cancelacion_decidida"  # approved or rejected (R11)
    FIRMA = "firma"  # a signatory signed one exact version of the minutes (R14)
    ACTA_ENVIADA = "acta_enviada"  # minutes sent to the garante (R15, R15a)
    ACUERDO = "acuerdo"  # an agreement registered or changed (R16)

    @property
    def label(self) -> str:
        """Spanish name, for answers and the microsite."""
        return _LABELS[self]


_LABELS = {
    Act.CONVOCATORIA: "convocatoria enviada",
    Act.ASISTENCIA: "respuesta de asistencia",
    Act.PASE_DE_LISTA: "pase de lista",
    Act.VOTO: "voto",
    Act.RESULTADO: "resultado de votación",
    Act.CANCELACION_SOLICITADA: "solicitud de cancelación",
    Act.CANCELACION_RESPUESTA: "respuesta a una cancelación",
    Act.CANCELACION_DECIDIDA: "decisión de cancelación",
    Act.FIRMA: "firma del acta",
    Act.ACTA_ENVIADA: "acta enviada al garante",
    Act.ACUERDO: "cambio de acuerdo",
}


def moment(value: datetime) -> str:
    """A moment as canonical text: ISO 8601 in UTC with microseconds and ``Z``."""
    if value.tzinfo is None:
        raise ValueError("naive datetime in a chained act")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _plain(value: object) -> object:
    """``value`` as JSON-ready plain data, refusing what has no single canonical text."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, datetime):
        return moment(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        out: dict[str, object] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"non-string key in a chained act: {key!r}")
            out[key] = _plain(item)
        return out
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    raise TypeError(f"{type(value).__name__} has no canonical form in the chain")


def _dumps(plain: object) -> str:
    return json.dumps(
        plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def canonical(value: object) -> str:
    """The canonical JSON of ``value`` (see the module's docstring)."""
    return _dumps(_plain(value))


def _no_float(text: str) -> object:
    raise ValueError(f"no floats in a chained act: {text}")


def text_digest(text: str | None) -> str | None:
    """SHA-256 of free text that enters the chain without being published (R21)."""
    return None if text is None else hashlib.sha256(text.encode()).hexdigest()


def entry_hash(prev_hash: str, position: int, kind: str, at: str, payload: str) -> str:
    """The entry's hash: SHA-256 of the canonical document binding all its fields.

    ``payload`` is the act's canonical JSON text as stored (:func:`canonical`); ``at`` is
    :func:`moment`'s text. The document is ``canonical({"acto": …, "anterior": prev_hash,
    "fecha": at, "posicion": position, "tipo": kind})``, written here by concatenation
    (its keys are already in sorted order and the act's text is canonical), which is the
    same bytes without re-serialising the act: verification hashes 100,000 entries.
    """

    def text(value: str) -> str:
        if value.isascii() and value.isprintable() and '"' not in value and "\\" not in value:
            return f'"{value}"'  # what json.dumps writes for it, without the encoder
        return json.dumps(value, ensure_ascii=False)

    document = (
        f'{{"acto":{payload},"anterior":{text(prev_hash)},"fecha":{text(at)},'
        f'"posicion":{int(position)},"tipo":{text(kind)}}}'
    )
    return hashlib.sha256(document.encode()).hexdigest()


@dataclass(frozen=True)
class Entry:
    """One stored entry, as plain values."""

    position: int
    kind: str
    at: str
    source: str  # "<table>/<id>": the act's row
    payload: str
    prev_hash: str
    hash: str

    def exported(self, slug: str) -> dict[str, Any]:
        """The entry as published and as ``/verificar`` accepts it back."""
        return {
            "secretaria": slug,
            "posicion": self.position,
            "tipo": self.kind,
            "fecha": self.at,
            "acto": json.loads(self.payload),
            "hash_anterior": self.prev_hash,
            "hash": self.hash,
        }


@dataclass(frozen=True)
class Claim:
    """What an entry says a row of the database holds: ``key`` → ``expected``."""

    key: str
    expected: Mapping[str, object]


def claims(kind: str, source: str, payload: Mapping[str, Any]) -> list[Claim]:
    """The rows an entry vouches for, each with the values it must still hold.

    Every entry vouches for its own row (keyed by kind too, because one row can be the
    source of two kinds, e.g. a session convened and its minutes sent). A ballot also
    vouches for the seat's running tally row (``vote_seat_ballots``): its latest ballot
    entry per vote, seat and role must match it, so editing that row by hand is caught
    at that ballot's entry.
    """
    out = [Claim(f"{kind}:{source}", payload)]
    if kind == Act.VOTO:
        out.append(
            Claim(
                f"vigente:vote_seat_ballots/{payload['votacion']}:{payload['asiento']}"
                f":{payload['calidad']}",
                {k: payload[k] for k in TALLY_FIELDS},
            )
        )
    return out


#: The fields of a ballot that the seat's running tally row repeats.
TALLY_FIELDS = ("integrante", "sentido", "fecha")


class Reason(StrEnum):
    """Why an entry does not verify; the value is the Spanish sentence."""

    POSITION = "la posición no sigue a la anterior"
    LINK = "el hash anterior no es el hash de la entrada previa"
    NOT_CANONICAL = "el acto guardado no está en JSON canónico"
    HASH = "el hash no corresponde a la entrada"
    ACT_CHANGED = "el acto en la base de datos ya no es el registrado"
    ACT_MISSING = "el acto ya no está en la base de datos"
    HEAD = "la cabeza de la cadena no es la última entrada"


@dataclass(frozen=True)
class Mismatch:
    """The first entry that does not verify, and why."""

    position: int
    kind: str
    source: str
    reason: Reason


def _own_problem(entry: Entry, prev: Entry | None) -> tuple[Reason | None, dict[str, Any]]:
    """What is wrong with ``entry`` by itself and its link (None: nothing), and its act."""
    if entry.position != (1 if prev is None else prev.position + 1):
        return Reason.POSITION, {}
    if entry.prev_hash != (GENESIS if prev is None else prev.hash):
        return Reason.LINK, {}
    try:  # parsed JSON holds only plain values: floats refused, the rest dumped as is
        parsed = json.loads(entry.payload, parse_float=_no_float, parse_constant=_no_float)
        if not isinstance(parsed, dict) or _dumps(parsed) != entry.payload:
            return Reason.NOT_CANONICAL, {}
    except (ValueError, TypeError):
        return Reason.NOT_CANONICAL, {}
    if entry_hash(entry.prev_hash, entry.position, entry.kind, entry.at, entry.payload) != (
        entry.hash
    ):
        return Reason.HASH, {}
    return None, parsed


def verify(
    entries: Sequence[Entry],
    current: Mapping[str, Mapping[str, object] | None],
    head: tuple[int, str] | None = None,
) -> Mismatch | None:
    """The first entry (lowest position) that does not verify, or None when all do.

    ``entries`` in position order; ``current`` maps each :class:`Claim` key to the row's
    values as derived now from the database (None or absent: the row is gone). Each
    claim is checked against its **latest** entry only: a row that legitimately changes
    (none of ours do in place but the running tally) must equal the last thing recorded
    about it. ``head``, when given, must be the last entry's position and hash.
    """
    latest: dict[str, tuple[Entry, Mapping[str, object] | None]] = {}
    prev: Entry | None = None
    for entry in entries:
        problem, parsed = _own_problem(entry, prev)
        if problem is not None:
            return Mismatch(entry.position, entry.kind, entry.source, problem)
        own, *others = claims(entry.kind, entry.source, parsed)
        latest[own.key] = (entry, None)  # None: the entry's own (canonical) payload
        for claim in others:
            latest[claim.key] = (entry, claim.expected)
        prev = entry
    worst: Mismatch | None = None
    for key, (entry, expected) in latest.items():
        now = current.get(key)
        if now is None:
            reason = Reason.ACT_MISSING
        elif canonical(now) != (entry.payload if expected is None else canonical(expected)):
            reason = Reason.ACT_CHANGED
        else:
            continue
        if worst is None or entry.position < worst.position:
            worst = Mismatch(entry.position, entry.kind, entry.source, reason)
    if worst is not None:
        return worst
    if head is not None and head != ((prev.position, prev.hash) if prev else (0, GENESIS)):
        last = prev or Entry(0, "", "", "", "{}", GENESIS, GENESIS)
        return Mismatch(last.position, last.kind, last.source, Reason.HEAD)
    return None


def linked(entries: Sequence[Entry], prev_hash: str = GENESIS) -> list[Entry]:
    """Entries with their positions, links and hashes computed in order (tests, bench)."""
    out: list[Entry] = []
    for entry in entries:
        position = out[-1].position + 1 if out else 1
        prev = out[-1].hash if out else prev_hash
        out.append(
            Entry(
                position,
                entry.kind,
                entry.at,
                entry.source,
                entry.payload,
                prev,
                entry_hash(prev, position, entry.kind, entry.at, entry.payload),
            )
        )
    return out


# -- the per-kind payload builders, from plain values (the same on append and verify) --


def convocation(
    *,
    meeting_id: int,
    number: int | None,
    kind: str,
    title: str | None,
    starts_at: datetime,
    place: str,
    agenda: Sequence[str],
    convened_at: datetime | None,
) -> dict[str, object]:
    """A session convened (R7): what was announced, and when."""
    return {
        "sesion": meeting_id,
        "numero": number,
        "tipo_sesion": kind,
        "titulo": title,
        "inicio": starts_at,
        "lugar": place,
        "orden_del_dia": list(agenda),
        "convocada": convened_at,
    }


def rsvp(
    *, meeting_id: int, seat_id: int, member_id: int, role: str, answer: str, at: datetime
) -> dict[str, object]:
    """An RSVP answer (R3)."""
    return {
        "sesion": meeting_id,
        "asiento": seat_id,
        "integrante": member_id,
        "calidad": role,
        "respuesta": answer,
        "fecha": at,
    }


def presence(
    *, meeting_id: int, member_id: int, seat_id: int | None, at: datetime, marked_by: int | None
) -> dict[str, object]:
    """Someone present at the roll call (R9); ``marcado_por`` when the facilitator said so."""
    return {
        "sesion": meeting_id,
        "integrante": member_id,
        "asiento": seat_id,
        "fecha": at,
        "marcado_por": marked_by,
    }


def ballot(
    *, vote_id: int, seat_id: int, member_id: int, role: str, choice: str, at: datetime
) -> dict[str, object]:
    """One ballot pressed (R2, R3, R13)."""
    return {
        "votacion": vote_id,
        "asiento": seat_id,
        "integrante": member_id,
        "calidad": role,
        "sentido": choice,
        "fecha": at,
    }


def tally_row(*, member_id: int, choice: str, at: datetime) -> dict[str, object]:
    """A seat's running-tally row as the latest ballot entry must match it (R3)."""
    return {"integrante": member_id, "sentido": choice, "fecha": at}


def result(
    *,
    vote_id: int,
    meeting_id: int | None,
    kind: str,
    text: str,
    outcome: str | None,
    result: Mapping[str, Any],
    eligible_seats: Sequence[int],
    closed_at: datetime | None,
) -> dict[str, object]:
    """A vote closed with its outcome (R12): the frozen result and who could vote."""
    return {
        "votacion": vote_id,
        "sesion": meeting_id,
        "tipo_votacion": kind,
        "texto": text,
        "resultado": outcome,
        # The frozen tally and each seat's counted choice; never the voter's name (R21).
        "conteo": dict(result.get("tally", {})),
        "asientos": [
            {"asiento": s.get("seat"), "sentido": s.get("choice"), "calidad": s.get("role")}
            for s in result.get("seats", [])
        ],
        "asientos_con_voto": sorted(eligible_seats),
        "cerrada": closed_at,
    }


def cancellation_requested(
    *,
    cancellation_id: int,
    meeting_id: int,
    reason: str,
    requested_at: datetime,
    requested_by: int,
    closes_at: datetime,
) -> dict[str, object]:
    """A cancellation asked for (R11); the reason enters as its digest (R21)."""
    return {
        "cancelacion": cancellation_id,
        "sesion": meeting_id,
        "motivo_sha256": text_digest(reason),
        "solicitada": requested_at,
        "solicitante": requested_by,
        "cierra": closes_at,
    }


def cancellation_answer(
    *,
    cancellation_id: int,
    seat_id: int,
    member_id: int,
    role: str,
    approve: bool,
    at: datetime,
) -> dict[str, object]:
    """A seat's answer to a cancellation request (R11)."""
    return {
        "cancelacion": cancellation_id,
        "asiento": seat_id,
        "integrante": member_id,
        "calidad": role,
        "aprueba": approve,
        "fecha": at,
    }


def cancellation_decided(
    *, cancellation_id: int, meeting_id: int, state: str, decided_at: datetime | None
) -> dict[str, object]:
    """A cancellation request decided (R11)."""
    return {
        "cancelacion": cancellation_id,
        "sesion": meeting_id,
        "estado": state,
        "decidida": decided_at,
    }


def signature(
    *,
    version_id: int,
    meeting_id: int,
    member_id: int,
    sha256: str,
    signed_at: datetime,
    role: str,
) -> dict[str, object]:
    """A signatory signed one exact version of the minutes (R14)."""
    return {
        "version": version_id,
        "sesion": meeting_id,
        "integrante": member_id,
        "calidad": role,
        "sha256": sha256,
        "fecha": signed_at,
    }


def minutes_sent(
    *, meeting_id: int, sent_at: datetime | None, sent_by: int | None, via: str | None
) -> dict[str, object]:
    """The minutes sent to the garante (R15, R15a): when, by whom, how established."""
    return {"sesion": meeting_id, "enviada": sent_at, "registro": sent_by, "via": via}


def agreement_change(
    *,
    change_id: int,
    agreement_id: int,
    code: str,
    meeting_id: int,
    change: str,
    status: str | None,
    note: str | None,
    member_id: int,
    at: datetime,
) -> dict[str, object]:
    """An agreement registered or changed (R16); the note enters as its digest (R21)."""
    return {
        "cambio": change_id,
        "acuerdo": agreement_id,
        "codigo": code,
        "sesion": meeting_id,
        "cambio_tipo": change,
        "estado": status,
        "nota_sha256": text_digest(note),
        "integrante": member_id,
        "fecha": at,
    }


# -- an exported entry brought back (``/verificar``) --------------------------------------

#: An exported entry's fields, as :meth:`Entry.exported` writes them.
EXPORTED_FIELDS = ("secretaria", "posicion", "tipo", "fecha", "acto", "hash_anterior", "hash")

_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class Exported:
    """An exported entry as someone brought it back: not trusted, only read."""

    slug: str
    position: int
    kind: str
    at: str
    payload: str  # canonical JSON of its ``acto``
    prev_hash: str
    hash: str

    @property
    def consistent(self) -> bool:
        """Its own hash covers its fields (a forger who edited a field must also re-hash)."""
        return entry_hash(self.prev_hash, self.position, self.kind, self.at, self.payload) == (
            self.hash
        )

    @property
    def label(self) -> str:
        """The act's kind in Spanish (an unknown kind is shown as it came)."""
        try:
            return Act(self.kind).label
        except ValueError:
            return self.kind

    def differences(self, stored: Entry) -> list[str]:
        """The fields in which it differs from the stored entry at its position (Spanish)."""
        pairs = (
            ("tipo", self.kind, stored.kind),
            ("fecha", self.at, stored.at),
            ("acto", self.payload, stored.payload),
            ("hash anterior", self.prev_hash, stored.prev_hash),
            ("hash", self.hash, stored.hash),
        )
        return [name for name, mine, theirs in pairs if mine != theirs]


class NotAChainEntry(Refusal):
    """``/verificar`` with text (or a ``.json``) that is no exported entry of the chain."""


def _is_hash(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= _HEX


def parse_exported(text: str) -> Exported | None:
    """An exported entry from its JSON text; None when it is not one (wrong shape or types)."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or set(data) != set(EXPORTED_FIELDS):
        return None
    position, acto = data["posicion"], data["acto"]
    if (
        not isinstance(data["secretaria"], str)
        or not isinstance(position, int)
        or isinstance(position, bool)
        or position < 1
        or not isinstance(data["tipo"], str)
        or not isinstance(data["fecha"], str)
        or not isinstance(acto, dict)
        or not _is_hash(data["hash_anterior"])
        or not _is_hash(data["hash"])
    ):
        return None
    try:
        payload = canonical(acto)
    except (TypeError, ValueError):  # a float in the act: no entry of ours has one
        return None
    return Exported(
        data["secretaria"],
        position,
        data["tipo"],
        data["fecha"],
        payload,
        data["hash_anterior"],
        data["hash"],
    )


# -- the daily head post to the public channel (R18) --------------------------------------


def head_post_due(
    *,
    head_position: int,
    posted_position: int,
    posted_on: date | None,
    today: date,
    now_local: time,
    post_at: time,
) -> bool:
    """Whether to post the chain's head to the public channel now (R18, R22).

    Once a day, at or after the secretariat's ``hora_recordatorios`` (local), and only
    when the head moved since the last head posted: nothing when unchanged, never two on
    one day, and a day the bot was down is caught up at its next check.
    """
    return (
        head_position > posted_position
        and (posted_on is None or posted_on < today)
        and now_local >= post_at
    )
