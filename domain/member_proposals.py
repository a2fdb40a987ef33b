"""Members' projects and proposals and their forwarding to the garante (R17; seed VI.10).

Titulars and substitutes submit proposals (a text, optionally one document); each gets a
running number ``P-n`` per secretariat, never reused. Before a convocation is sent, every
proposal received since the previous one (none forwarded yet) goes to the garante: by
e-mail to ``garante_correo`` when it is set and the bot can send mail, else in Telegram
to the garante seat's titular. This module holds what that needs without I/O: what a
proposal's text and document may be, the numbers, how a proposal reads on an agenda and
in a file name, which channel applies, and what status a member reads in ``/propuestas``.
"""

from __future__ import annotations

from enum import StrEnum

from domain import file_types
from domain.errors import ProposalTooLong, Usage
from domain.file_types import FileType
from domain.text import visible

__all__ = [
    "AGENDA_TEXT",
    "GARANTE_SEAT",
    "MAX_FILE_BYTES",
    "MAX_TEXT",
    "Channel",
    "DocumentKind",
    "State",
    "Status",
    "agenda_item",
    "attachment_name",
    "channel_for",
    "clean_text",
    "document_kind",
    "format_number",
    "kind_by_name",
    "next_number",
    "shorten",
    "status_of",
]

#: A proposal is a page or two; longer work travels as its document (R17).
MAX_TEXT = 2000
#: The Bot API lets a bot download files of up to 20 MB: the minutes' upload limit too.
MAX_FILE_BYTES = file_types.MAX_DOWNLOAD_BYTES
#: Characters of a proposal's text on its agenda item ("Propuesta P-3: …").
AGENDA_TEXT = 120
#: The seat whose titular receives the proposals in Telegram (R1's second seat).
GARANTE_SEAT = "garante"
PREFIX = "P"


class DocumentKind(StrEnum):
    """The documents a proposal may carry: office files, PDF and pictures."""

    PDF = "pdf"
    DOCX = "docx"
    ODT = "odt"
    XLSX = "xlsx"
    JPEG = "jpeg"
    PNG = "png"

    @property
    def media_type(self) -> str:
        """MIME type for storing, mailing and sending."""
        return FileType(self.value).media_type


_DOCUMENT_TYPES = tuple(FileType(kind.value) for kind in DocumentKind)


def kind_by_name(filename: str | None) -> DocumentKind | None:
    """What the file's extension claims (checked before downloading anything)."""
    found = file_types.by_name(filename, _DOCUMENT_TYPES)
    return DocumentKind(found.value) if found is not None else None


def document_kind(filename: str | None, data: bytes) -> DocumentKind | None:
    """The document's kind by its name *and* its content, else ``None``.

    As with minutes uploads (``domain.minutes.upload_kind``), the extension and the
    bytes must agree (``domain.file_types`` holds the one copy of those checks), so a
    renamed or truncated file is refused rather than forwarded to the garante as a
    proposal's document.
    """
    found = file_types.identify(filename, data, _DOCUMENT_TYPES)
    return DocumentKind(found.value) if found is not None else None


def clean_text(raw: str) -> str:
    """A proposal's text as stored and forwarded, or the refusal.

    Line breaks are kept (a proposal has paragraphs) but runs of blank lines collapse to
    one, spaces within a line to one, and control or format characters are dropped, so no
    invisible text travels to the garante. Empty is the usage; over :data:`MAX_TEXT`
    characters is refused, not cut: the author decides what to leave out.
    """
    lines = [" ".join(line.split()) for line in visible(raw).split("\n")]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    cleaned = "\n".join(kept).strip()
    if not cleaned:
        raise Usage("propuesta")
    if len(cleaned) > MAX_TEXT:
        raise ProposalTooLong(MAX_TEXT, len(cleaned))
    return cleaned


def format_number(number: int) -> str:
    """``format_number(3) == "P-3"``."""
    if number < 1:
        raise ValueError("proposals are numbered from 1")
    return f"{PREFIX}-{number}"


def next_number(used: list[int] | tuple[int, ...] | set[int]) -> int:
    """One past the highest number ever given in the secretariat: never reused."""
    return max(used, default=0) + 1


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut at a word boundary with "…" when longer than ``limit``."""
    if limit < 2:
        raise ValueError("limit must leave room for the ellipsis")
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.") + "…"


def agenda_item(number: int, text: str) -> str:
    """The agenda item a proposal becomes: ``"Propuesta P-3: <text shortened>"``."""
    return f"Propuesta {format_number(number)}: {shorten(text, AGENDA_TEXT)}"


def attachment_name(number: int, filename: str) -> str:
    """The name a proposal's document travels under: its number first, so two proposals'
    ``propuesta.pdf`` stay apart in the garante's mail (``P-3-propuesta.pdf``)."""
    base = "".join(ch for ch in filename if ch not in '/\\:*?"<>|' and ch.isprintable())
    return f"{format_number(number)}-{base.strip() or 'documento'}"[:255]


class Channel(StrEnum):
    """How the proposals reach the garante (R17)."""

    CORREO = "correo"
    TELEGRAM = "telegram"


def channel_for(*, garante_email: str, mail_configured: bool) -> Channel:
    """E-mail when the secretariat has ``garante_correo`` and the bot can send mail;
    otherwise the garante seat's titular in Telegram (R17)."""
    return Channel.CORREO if garante_email.strip() and mail_configured else Channel.TELEGRAM


class State(StrEnum):
    """A forwarding's delivery: retried while ``pendiente`` (e-mail), then settled."""

    PENDIENTE = "pendiente"
    ENVIADA = "enviada"
    FALLIDA = "fallida"


class Status(StrEnum):
    """What ``/propuestas`` says of a proposal."""

    RECIBIDA = "recibida"
    EN_ENVIO = "en envío al garante"
    REMITIDA = "remitida al garante"
    NO_REMITIDA = "no se pudo remitir al garante"


def status_of(forwarding: State | None) -> Status:
    """A proposal not forwarded yet is ``recibida``; then its forwarding decides."""
    if forwarding is None:
        return Status.RECIBIDA
    return {
        State.PENDIENTE: Status.EN_ENVIO,
        State.ENVIADA: Status.REMITIDA,
        State.FALLIDA: Status.NO_REMITIDA,
    }[forwarding]
