"""Session evidence (R19 a): what the facilitator may attach to a held session, and how.

``/evidencia <n> [descripción]`` goes as the caption of a photo, video, audio, voice note
or document (or as a reply to the message that carries one). The evidence is published
on the microsite's minutes page with its session, so the rules here keep it a public
record: only a held session takes evidence, each file is checked by its bytes
(``domain.file_types``, the checks minutes and proposals use), and what the facilitator
typed is cleaned of invisible characters and length-limited before it is stored.

The kind shown on the page (foto, video, audio, documento) follows the file's real type,
not how Telegram carried it: a picture sent "as a file" is still a photo.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from domain import file_types
from domain.errors import (
    EvidenceCaptionTooLong,
    EvidenceFileTooLarge,
    NotAnEvidenceFile,
    Usage,
)
from domain.file_types import FileType
from domain.text import one_line

__all__ = [
    "COMMAND",
    "FILENAME_MAX",
    "MAX_CAPTION",
    "MAX_FILE_BYTES",
    "Carrier",
    "EvidenceKind",
    "Identified",
    "Request",
    "accepted_types",
    "check_before_download",
    "clean_filename",
    "identify",
    "kind_of",
    "next_number",
    "parse",
]

COMMAND = "evidencia"
#: The Bot API lets a bot download files of up to 20 MB: larger ones are refused unread.
MAX_FILE_BYTES = file_types.MAX_DOWNLOAD_BYTES
#: A description is a line under the file on the public page, not a document.
MAX_CAPTION = 500
#: ``session_evidence.filename`` is 200 characters.
FILENAME_MAX = 200


class EvidenceKind(StrEnum):
    """What the minutes page says an evidence is (``session_evidence.kind``)."""

    FOTO = "foto"
    VIDEO = "video"
    AUDIO = "audio"
    DOCUMENTO = "documento"


class Carrier(StrEnum):
    """How the file reached the bot: the Bot API's message field that holds it."""

    PHOTO = "photo"
    VIDEO = "video"
    VIDEO_NOTE = "video_note"
    AUDIO = "audio"
    VOICE = "voice"
    DOCUMENT = "document"


_KINDS = {
    FileType.PDF: EvidenceKind.DOCUMENTO,
    FileType.DOCX: EvidenceKind.DOCUMENTO,
    FileType.ODT: EvidenceKind.DOCUMENTO,
    FileType.XLSX: EvidenceKind.DOCUMENTO,
    FileType.JPEG: EvidenceKind.FOTO,
    FileType.PNG: EvidenceKind.FOTO,
    FileType.MP4: EvidenceKind.VIDEO,
    FileType.MOV: EvidenceKind.VIDEO,
    FileType.WEBM: EvidenceKind.VIDEO,
    FileType.MP3: EvidenceKind.AUDIO,
    FileType.M4A: EvidenceKind.AUDIO,
    FileType.OGG: EvidenceKind.AUDIO,
    FileType.WAV: EvidenceKind.AUDIO,
}
#: What each carrier may hold. Telegram re-encodes photos as JPEG and voice notes as Ogg
#: Opus; a document may be any type the table knows (its name says which).
_ACCEPTED = {
    Carrier.PHOTO: (FileType.JPEG, FileType.PNG),
    Carrier.VIDEO: (FileType.MP4, FileType.MOV, FileType.WEBM),
    Carrier.VIDEO_NOTE: (FileType.MP4,),
    Carrier.AUDIO: (FileType.MP3, FileType.M4A, FileType.OGG, FileType.WAV),
    Carrier.VOICE: (FileType.OGG, FileType.MP3, FileType.M4A),
    Carrier.DOCUMENT: tuple(_KINDS),
}
#: The name a file sent without one is stored under (``foto.jpg``, ``nota-de-voz.ogg``).
_DEFAULT_STEMS = {
    Carrier.PHOTO: "foto",
    Carrier.VIDEO: "video",
    Carrier.VIDEO_NOTE: "video",
    Carrier.AUDIO: "audio",
    Carrier.VOICE: "nota-de-voz",
    Carrier.DOCUMENT: "documento",
}


@dataclass(frozen=True)
class Request:
    """``/evidencia <n> [descripción]``, parsed."""

    number: int
    caption: str


def parse(args: str) -> Request:
    """``"3 Foto de la instalación"`` → ``Request(3, "Foto de la instalación")``.

    The session's number is the ``n`` of ``/quorum n`` and ``/acta n``; anything else is
    the usage. The description goes on one line with invisible characters dropped, and
    one over :data:`MAX_CAPTION` characters is refused rather than cut: the facilitator
    chooses what to leave out of a public page.
    """
    parts = args.split(maxsplit=1)
    first = parts[0] if parts else ""
    rest = parts[1] if len(parts) > 1 else ""
    if len(first) > 9 or not first.isascii() or not first.isdigit() or int(first) < 1:
        raise Usage(COMMAND)
    caption = one_line(rest)
    if len(caption) > MAX_CAPTION:
        raise EvidenceCaptionTooLong(MAX_CAPTION, len(caption))
    return Request(int(first), caption)


def accepted_types(carrier: Carrier) -> tuple[FileType, ...]:
    """The file types ``carrier`` may bring as evidence."""
    return _ACCEPTED[carrier]


def kind_of(file_type: FileType) -> EvidenceKind:
    """foto, video, audio or documento, by the file's real type."""
    return _KINDS[file_type]


def check_before_download(carrier: Carrier, filename: str | None, size: int | None) -> None:
    """Refuse what can be refused unread: over the download limit (Telegram says the size
    before ``getFile``), or a document whose name is of no accepted type."""
    if (size or 0) > MAX_FILE_BYTES:
        raise EvidenceFileTooLarge(MAX_FILE_BYTES // (1024 * 1024))
    if carrier is Carrier.DOCUMENT and file_types.by_name(filename, _ACCEPTED[carrier]) is None:
        raise NotAnEvidenceFile(clean_filename(filename) or "documento")


def clean_filename(filename: str | None) -> str:
    """The sender's file name as it may be stored and offered for download: no path
    separators, quotes or control characters, at most :data:`FILENAME_MAX` characters
    (the extension kept), ``""`` when nothing is left."""
    kept = "".join(ch for ch in one_line(filename or "") if ch not in '/\\:*?"<>|')
    kept = kept.strip(" .")
    if len(kept) <= FILENAME_MAX:
        return kept
    stem, dot, extension = kept.rpartition(".")
    if dot and stem and len(extension) <= 8:
        return f"{stem[: FILENAME_MAX - len(extension) - 1].rstrip()}.{extension}"
    return kept[:FILENAME_MAX].rstrip()


@dataclass(frozen=True)
class Identified:
    """An evidence file whose bytes were checked: what to store and show."""

    kind: EvidenceKind
    file_type: FileType
    filename: str
    media_type: str
    size: int


def identify(carrier: Carrier, filename: str | None, data: bytes) -> Identified:
    """The evidence's type by its bytes, or the refusal.

    A document's name and bytes must agree (``file_types.identify``); a photo, video,
    audio or voice note has no trustworthy name, so its bytes alone decide among what
    that carrier may hold (``file_types.sniff``). A file without a usable name is stored
    as ``foto.jpg``, ``video.mp4``, ``nota-de-voz.ogg``…
    """
    if len(data) > MAX_FILE_BYTES:
        raise EvidenceFileTooLarge(MAX_FILE_BYTES // (1024 * 1024))
    accepted = _ACCEPTED[carrier]
    if carrier is Carrier.DOCUMENT:
        found = file_types.identify(filename, data, accepted)
    else:
        found = file_types.sniff(data, accepted)
    name = clean_filename(filename)
    if found is None:
        raise NotAnEvidenceFile(name or _DEFAULT_STEMS[carrier])
    if file_types.by_name(name, (found,)) is None:
        name = f"{_DEFAULT_STEMS[carrier]}.{found.extension}"
    return Identified(kind_of(found), found, name, found.media_type, len(data))


def next_number(used: Sequence[int]) -> int:
    """One past the session's highest evidence number: 1, 2, … never reused."""
    return max(used, default=0) + 1
