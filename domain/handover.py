"""The handover package of a term (R5, I.6): one ZIP, its manifest, byte for byte the same.

R5 asks for "every signed minutes, report and open-data file of the term, in one archive"
for the successors and the facilitator. This module is the archive's rules, pure (stdlib
``zipfile`` and ``hashlib`` over bytes in memory; no clock, no storage):

* the files are named by what they are (:func:`signed_minutes_name`,
  :func:`follow_up_name`, :data:`OPEN_DATA_FOLDER`), in folders ``actas/``, ``informes/``
  and ``datos/``; a name is a plain relative path (:func:`check_name`), never ``..`` nor
  absolute, so unpacking writes only inside the folder it is unpacked into;
* ``MANIFIESTO.csv`` lists every other file with its size in bytes and SHA-256 (UTF-8,
  header ``archivo,bytes,sha256``, sorted by name), and ``SHA256SUMS`` says the same in
  the format ``sha256sum -c SHA256SUMS`` checks;
* the archive is deterministic: entries sorted by name, each dated with the package's cut
  (the record's latest change, not the moment it is made), the same permissions and
  compression — so two runs over the same record give the same bytes, and its SHA-256
  identifies the package;
* Telegram lets a bot send documents up to 50 MB (:data:`TELEGRAM_LIMIT`): a larger
  package is refused with its size (:func:`fits`), not split; a term's minutes, reports
  and datasets are a few MB.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "MANIFEST_NAME",
    "OPEN_DATA_FOLDER",
    "SUMS_NAME",
    "TELEGRAM_LIMIT",
    "ManifestLine",
    "archive",
    "check_name",
    "filename",
    "fits",
    "follow_up_name",
    "manifest",
    "manifest_csv",
    "read_manifest",
    "sha256sums",
    "signed_minutes_name",
]

MANIFEST_NAME = "MANIFIESTO.csv"
SUMS_NAME = "SHA256SUMS"
OPEN_DATA_FOLDER = "datos"
#: Bot API: "Bots can currently send files of any type of up to 50 MB in size" (decimal).
TELEGRAM_LIMIT = 50 * 1000 * 1000
_EARLIEST = (1980, 1, 1, 0, 0, 0)  # a ZIP entry cannot be dated before 1980
_PART = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]*", re.ASCII)


@dataclass(frozen=True, order=True)
class ManifestLine:
    """One file of the package: its name, size in bytes and SHA-256 (lowercase hex)."""

    name: str
    size: int
    sha256: str


def check_name(name: str) -> str:
    """``name`` if it is a safe relative path of ASCII parts (``actas/acta-1.pdf``).

    Raises:
        ValueError: empty, absolute, ``..``, a backslash, or characters outside
            ``0-9 A-Z a-z . _ -`` in a part (each part starts with a letter or digit).
    """
    parts = name.split("/")
    if not name or any(_PART.fullmatch(part) is None or part.startswith("..") for part in parts):
        raise ValueError(f"not a package file name: {name!r}")
    return name


def signed_minutes_name(number: int) -> str:
    """``actas/acta-firmada-sesion-3.pdf``."""
    return f"actas/acta-firmada-sesion-{number}.pdf"


def follow_up_name(month: str) -> str:
    """``informes/informe-seguimiento-2027-01.pdf`` (``month`` as ``AAAA-MM``)."""
    return f"informes/informe-seguimiento-{month}.pdf"


def filename(slug: str, start: str, end: str) -> str:
    """The package's own name: ``entrega-zamora-2024-09-01-a-2027-08-31.zip``."""
    safe = re.sub(r"[^0-9a-z-]+", "-", slug.lower()).strip("-") or "stm"
    return f"entrega-{safe}-{start}-a-{end}.zip"


def manifest(files: Mapping[str, bytes]) -> tuple[ManifestLine, ...]:
    """Every file's line, sorted by name (names checked)."""
    return tuple(
        sorted(
            ManifestLine(check_name(name), len(data), hashlib.sha256(data).hexdigest())
            for name, data in files.items()
        )
    )


def manifest_csv(lines: tuple[ManifestLine, ...]) -> str:
    """``MANIFIESTO.csv``: ``archivo,bytes,sha256`` then one line per file (CRLF, RFC 4180;
    names are plain paths, so no field needs quoting)."""
    rows = ["archivo,bytes,sha256", *(f"{x.name},{x.size},{x.sha256}" for x in lines)]
    return "\r\n".join(rows) + "\r\n"


def sha256sums(lines: tuple[ManifestLine, ...]) -> str:
    """``SHA256SUMS``: ``<sha256>  <name>`` per line, what ``sha256sum -c`` reads."""
    return "".join(f"{x.sha256}  {x.name}\n" for x in lines)


def read_manifest(text: str) -> tuple[ManifestLine, ...]:
    """The lines of a ``MANIFIESTO.csv`` (the inverse of :func:`manifest_csv`).

    Raises:
        ValueError: not a manifest.
    """
    rows = text.replace("\r\n", "\n").rstrip("\n").split("\n")
    if not rows or rows[0] != "archivo,bytes,sha256":
        raise ValueError("not a manifest")
    out = []
    for row in rows[1:]:
        name, size, sha = row.split(",")
        out.append(ManifestLine(check_name(name), int(size), sha))
    return tuple(out)


def archive(
    files: Mapping[str, bytes], *, cut: datetime
) -> tuple[bytes, tuple[ManifestLine, ...]]:
    """The package: ``files`` plus ``MANIFIESTO.csv`` and ``SHA256SUMS``, deterministic.

    Args:
        files: name → bytes (names as :func:`check_name` accepts; not the manifest's).
        cut: the date every entry carries, as its wall time (pass it in the
            secretariat's zone; ZIP stores even seconds); before 1980 it is 1980-01-01.

    Returns:
        The ZIP bytes and the manifest's lines.
    """
    if MANIFEST_NAME in files or SUMS_NAME in files:
        raise ValueError("the manifest is made here")
    lines = manifest(files)
    stamp = max(tuple(cut.timetuple()[:6]), _EARLIEST)
    entries = {
        **{line.name: files[line.name] for line in lines},
        MANIFEST_NAME: manifest_csv(lines).encode(),
        SUMS_NAME: sha256sums(lines).encode(),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever system makes it
            info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
            target.writestr(info, entries[name], compresslevel=6)
    return out.getvalue(), lines


def fits(size: int) -> bool:
    """Whether a package of ``size`` bytes can be sent by a bot (:data:`TELEGRAM_LIMIT`)."""
    return size <= TELEGRAM_LIMIT
