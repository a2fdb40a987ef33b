"""The public record's pure rules (R19 a, b; R3; R21): what the record pages and the
calendar feed say about a session, a seat and a file.

* Attendance (R3, R9): a seat is represented by its titular when the titular was at the
  roll call, else by its substitute, else it was absent — as the minutes say it.
* Ballots (R3, R12): a seat's counted ballot in words, or "No votó".
* The agenda and its feed (R19 b): which sessions are upcoming (from the start of the
  secretariat's local day), which cancelled ones are still shown (:data:`RECENT_DAYS`),
  and each event's ``STATUS`` and ``SEQUENCE`` (a cancellation revises the event once).
* Downloads (R19 a): the file's name in ``Content-Disposition`` (an ASCII fallback plus
  RFC 5987's UTF-8 ``filename*``), its size in words, and a media type a browser may be
  told (never one that could run as a page: those are sent as plain bytes).

No database, clock or web framework here: every moment is a parameter.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from enum import StrEnum
from urllib.parse import quote
from zoneinfo import ZoneInfo

from domain.outcomes import Choice

__all__ = [
    "RECENT_DAYS",
    "Attendance",
    "attachment_disposition",
    "attendance_of",
    "ballot_label",
    "feed_sequence",
    "feed_status",
    "human_size",
    "in_agenda",
    "safe_media_type",
    "since_recent",
    "start_of_local_day",
]

#: The calendar feed carries sessions from this many days ago on, and the agenda page
#: shows sessions cancelled in that window (R19 b).
RECENT_DAYS = 30
#: States of a convened session that has not concluded (it may be under way today).
ON_THE_AGENDA = ("convocada", "en_curso", "instalada")


class Attendance(StrEnum):
    """How a seat was at a session's roll call (R3, R9)."""

    TITULAR = "titular"
    SUPLENTE = "suplente"
    AUSENTE = "ausente"

    @property
    def label(self) -> str:
        """The page's wording."""
        return {"titular": "Titular", "suplente": "Suplente", "ausente": "Ausente"}[self.value]


def attendance_of(roles_present: Iterable[str]) -> Attendance:
    """The seat's attendance from the roles of the people marked present for it.

    R3: the titular represents the seat when both are there, so a titular present is
    ``TITULAR`` whatever else; a substitute alone is ``SUPLENTE``; nobody is ``AUSENTE``.
    """
    roles = set(roles_present)
    if "titular" in roles:
        return Attendance.TITULAR
    if "suplente" in roles:
        return Attendance.SUPLENTE
    return Attendance.AUSENTE


NOT_VOTED = "No votó"


def ballot_label(choice: str | None) -> str:
    """``a_favor`` → ``A favor`` …; no counted ballot → ``No votó`` (R3: one per seat)."""
    return Choice(choice).label if choice is not None else NOT_VOTED


def start_of_local_day(now: datetime, time_zone: str) -> datetime:
    """Midnight of ``now``'s day in the secretariat's zone, as an aware UTC-comparable moment."""
    zone = ZoneInfo(time_zone)
    local = now.astimezone(zone)
    return datetime.combine(local.date(), time(0, 0), tzinfo=zone)


def in_agenda(state: str, starts_at: datetime, *, now: datetime, time_zone: str) -> bool:
    """Whether a session is on the agenda page as upcoming (R19 b).

    Convened sessions (and those under way) from the start of today, local time: a
    session at 10:00 is still on today's agenda at 11:00, while it is being held.
    """
    return state in ON_THE_AGENDA and starts_at >= start_of_local_day(now, time_zone)


def feed_status(state: str) -> str:
    """The event's ``STATUS`` (RFC 5545): cancelled sessions are ``CANCELLED``."""
    return "CANCELLED" if state == "cancelada" else "CONFIRMED"


def feed_sequence(state: str) -> int:
    """The event's ``SEQUENCE``: 0 as convened (the convocation's attachment), 1 once
    cancelled — the only revision a convened session gets (its date never changes)."""
    return 1 if state == "cancelada" else 0


def human_size(size: int) -> str:
    """``532 bytes``, ``12.4 KB``, ``3.1 MB`` (es-MX writes the decimal point)."""
    if size < 1024:
        return f"{size} bytes" if size != 1 else "1 byte"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


_TOKEN = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$")
#: Types a browser would render as a document that can run code or load things: a
#: download never goes out as one of them (defence in depth next to ``attachment``,
#: ``nosniff`` and the site's Content-Security-Policy).
_ACTIVE = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "image/svg+xml",
        "text/xml",
        "application/xml",
        "text/javascript",
        "application/javascript",
        "application/ecmascript",
        "text/ecmascript",
        "multipart/x-mixed-replace",
    }
)
OCTET_STREAM = "application/octet-stream"


def safe_media_type(media_type: str | None) -> str:
    """The stored media type when it is a plain ``type/subtype`` and not active content;
    else ``application/octet-stream``."""
    value = (media_type or "").split(";", 1)[0].strip().lower()
    if not _TOKEN.match(value) or value in _ACTIVE:
        return OCTET_STREAM
    return value


def _ascii_name(filename: str) -> str:
    folded = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    stem, dot, extension = folded.rpartition(".")
    if not dot:
        stem, extension = folded, ""
    stem = re.sub(r"[^A-Za-z0-9._ ()-]+", "_", stem).strip(" ._")[:140] or "archivo"
    extension = re.sub(r"[^A-Za-z0-9]+", "", extension)[:10]
    return f"{stem}.{extension}" if extension else stem


def attachment_disposition(filename: str) -> str:
    """``Content-Disposition`` of a download: ``attachment; filename="acta.pdf";
    filename*=UTF-8''acta.pdf``.

    The quoted ``filename`` is ASCII without quotes, backslashes or control characters
    (old clients read only it); ``filename*`` (RFC 5987/6266) carries the exact name in
    UTF-8, percent-encoded, for every current browser. Path separators never survive.
    """
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip() or "archivo"
    return f"attachment; filename=\"{_ascii_name(base)}\"; filename*=UTF-8''{quote(base, safe='')}"


def since_recent(now: datetime) -> datetime:
    """The feed's first moment: :data:`RECENT_DAYS` before ``now``."""
    return now - timedelta(days=RECENT_DAYS)
