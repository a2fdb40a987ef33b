"""What a file someone sent is, by its name and by its bytes (R14, R17, R19 a).

Minutes versions (R14), proposals' documents (R17) and session evidence (R19 a) all
arrive as Telegram files whose name a person chose; the name alone proves nothing. This
table says which bytes each type must start with (and, for the ZIP-based office files,
what the archive must hold), so every upload path refuses a renamed or truncated file
the same way instead of keeping copies of the checks that drift apart:

* a PDF starts with ``%PDF-`` and has its ``%%EOF`` marker within the last kilobyte
  (some writers append a little after it);
* a ``.docx`` / ``.xlsx`` is a ZIP holding ``word/document.xml`` / ``xl/workbook.xml``;
  an ``.odt`` a ZIP whose ``mimetype`` entry says so;
* pictures carry their JPEG or PNG signature;
* MP4, QuickTime and M4A are ISO media files (an ``ftyp`` box first); WebM is an EBML
  document; MP3 starts with an ID3 tag or an MPEG frame sync; Ogg (Vorbis, Opus: voice
  notes) with ``OggS``; WAV is a RIFF ``WAVE`` file.

Pure: bytes in, a type or ``None`` out; nothing here raises on hostile input.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterable
from enum import StrEnum

__all__ = [
    "ALL_TYPES",
    "MAX_DOWNLOAD_BYTES",
    "FileType",
    "by_name",
    "content_matches",
    "identify",
    "sniff",
]

#: The Bot API lets a bot download files of up to 20 MB (``getFile``).
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024


class FileType(StrEnum):
    """The file types any upload path of the bot may take."""

    PDF = "pdf"
    DOCX = "docx"
    ODT = "odt"
    XLSX = "xlsx"
    JPEG = "jpeg"
    PNG = "png"
    MP4 = "mp4"
    MOV = "mov"
    WEBM = "webm"
    MP3 = "mp3"
    M4A = "m4a"
    OGG = "ogg"
    WAV = "wav"

    @property
    def media_type(self) -> str:
        """MIME type for storing, mailing, sending and serving."""
        return _MEDIA_TYPES[self]

    @property
    def extension(self) -> str:
        """The usual file name extension, without the dot (``jpeg`` → ``jpg``)."""
        return _USUAL_EXTENSION.get(self, self.value)


ALL_TYPES: tuple[FileType, ...] = tuple(FileType)

_MEDIA_TYPES = {
    FileType.PDF: "application/pdf",
    FileType.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileType.ODT: "application/vnd.oasis.opendocument.text",
    FileType.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileType.JPEG: "image/jpeg",
    FileType.PNG: "image/png",
    FileType.MP4: "video/mp4",
    FileType.MOV: "video/quicktime",
    FileType.WEBM: "video/webm",
    FileType.MP3: "audio/mpeg",
    FileType.M4A: "audio/mp4",
    FileType.OGG: "audio/ogg",
    FileType.WAV: "audio/wav",
}
_USUAL_EXTENSION = {FileType.JPEG: "jpg"}
_EXTENSIONS = {
    "pdf": FileType.PDF,
    "docx": FileType.DOCX,
    "odt": FileType.ODT,
    "xlsx": FileType.XLSX,
    "jpg": FileType.JPEG,
    "jpeg": FileType.JPEG,
    "png": FileType.PNG,
    "mp4": FileType.MP4,
    "m4v": FileType.MP4,
    "mov": FileType.MOV,
    "webm": FileType.WEBM,
    "mp3": FileType.MP3,
    "m4a": FileType.M4A,
    "ogg": FileType.OGG,
    "oga": FileType.OGG,
    "opus": FileType.OGG,
    "wav": FileType.WAV,
}
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
_ZIP = b"PK\x03\x04"
#: ISO media brands of QuickTime and of audio-only MPEG-4 (``sniff`` tells them apart).
_QUICKTIME_BRANDS = (b"qt  ",)
_AUDIO_BRANDS = (b"M4A ", b"M4B ", b"M4P ")


def by_name(filename: str | None, allowed: Iterable[FileType] = ALL_TYPES) -> FileType | None:
    """What the file's extension claims, among ``allowed`` (checked before downloading)."""
    name = (filename or "").strip().lower()
    _, dot, extension = name.rpartition(".")
    kind = _EXTENSIONS.get(extension) if dot else None
    return kind if kind in set(allowed) else None


def _zip_names(data: bytes) -> set[str] | None:
    if not data.startswith(_ZIP):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, EOFError):
        return None


def _odt_mimetype(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.read("mimetype").strip() == _ODT_MIMETYPE
    except (zipfile.BadZipFile, KeyError, ValueError, EOFError, zlib.error):
        return False


def _iso_brand(data: bytes) -> bytes | None:
    """The major brand of an ISO media file (``....ftypBRND``), else ``None``."""
    return data[8:12] if len(data) >= 12 and data[4:8] == b"ftyp" else None


def _mp3(data: bytes) -> bool:
    if data.startswith(b"ID3"):
        return True
    # An MPEG audio frame: 11 sync bits, then a layer that is not "reserved" (00).
    return len(data) >= 2 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0 and data[1] & 0x06 != 0


def content_matches(kind: FileType, data: bytes) -> bool:
    """Whether ``data`` is, by its bytes, a file of type ``kind``."""
    match kind:
        case FileType.PDF:
            return data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]
        case FileType.JPEG:
            return data.startswith(b"\xff\xd8\xff")
        case FileType.PNG:
            return data.startswith(b"\x89PNG\r\n\x1a\n")
        case FileType.DOCX:
            return "word/document.xml" in (_zip_names(data) or ())
        case FileType.XLSX:
            return "xl/workbook.xml" in (_zip_names(data) or ())
        case FileType.ODT:
            return "mimetype" in (_zip_names(data) or ()) and _odt_mimetype(data)
        case FileType.MP4 | FileType.MOV | FileType.M4A:
            return _iso_brand(data) is not None
        case FileType.WEBM:
            return data.startswith(b"\x1a\x45\xdf\xa3")
        case FileType.MP3:
            return _mp3(data)
        case FileType.OGG:
            return data.startswith(b"OggS")
        case FileType.WAV:
            return data.startswith(b"RIFF") and data[8:12] == b"WAVE"
    return False  # pragma: no cover - every member is matched above


def identify(
    filename: str | None, data: bytes, allowed: Iterable[FileType] = ALL_TYPES
) -> FileType | None:
    """The file's type by its name *and* its content, else ``None``.

    The extension names the type and the bytes must agree: a renamed or truncated file is
    refused rather than stored as the record, forwarded to the garante or published.
    """
    kind = by_name(filename, allowed)
    return kind if kind is not None and content_matches(kind, data) else None


def sniff(data: bytes, allowed: Iterable[FileType]) -> FileType | None:
    """The type among ``allowed`` that the bytes alone show, for files sent without a name
    (a photo, a voice note); ISO media files are told apart by their brand."""
    candidates = [kind for kind in allowed if content_matches(kind, data)]
    brand = _iso_brand(data)
    if brand is not None:
        if brand in _QUICKTIME_BRANDS:
            preferred = FileType.MOV
        elif brand in _AUDIO_BRANDS:
            preferred = FileType.M4A
        else:
            preferred = FileType.MP4
        if preferred in candidates:
            return preferred
    return candidates[0] if candidates else None
