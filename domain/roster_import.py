"""The roster in bulk (commands.md "Roster in bulk"; R1, R2, R3): a sheet's bytes → rows.

Pure: bytes in, rows (or a ``Refusal``) out; no I/O, no clock, no database. The handler
checks the document's size before downloading it, ``read_rows`` turns the downloaded
bytes into ``SheetRow`` values (header matching is case-, accent- and BOM-insensitive;
CSV may use ``,``, ``;`` or tabs, in UTF-8, UTF-16 or Windows-1252, as Excel writes them)
and ``check_rows`` applies ``/alta``'s rules to every row at once: R1 (the seat exists and
has one titular and at most one substitute, also counting the file itself), R2 (observers
hold no seat) and the name rules of ``domain.roster``. Row numbers are the sheet's own
(header = row 1), as the facilitator sees them in Excel.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from openpyxl import load_workbook

from domain.errors import (
    BadRows,
    FileTooLarge,
    MissingColumns,
    MissingName,
    NameTooLong,
    NoRows,
    NotASpreadsheet,
    Refusal,
    TooManyRows,
    UnreadableFile,
)
from domain.roles import Role
from domain.roster import NAME_MAX, clean_name

#: A file over 1 MiB is refused before it is downloaded.
MAX_BYTES = 1024 * 1024
#: What an XLSX (a zip) may declare unpacked: a small zip cannot expand without bound.
MAX_UNPACKED = 32 * MAX_BYTES
#: Data rows (non-empty) one import takes.
MAX_ROWS = 500
#: Physical rows read at most, empty ones included.
MAX_SCANNED = 10 * MAX_ROWS
#: Columns read per row; the three that matter are looked up by header.
MAX_COLUMNS = 64
#: Longest cell value quoted back in a refusal.
QUOTE_MAX = 40

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls


class FileKind(StrEnum):
    """The two formats ``/importar`` reads."""

    CSV = "csv"
    XLSX = "xlsx"


_BY_EXTENSION = {
    "csv": FileKind.CSV,
    "tsv": FileKind.CSV,
    "xlsx": FileKind.XLSX,
    "xlsm": FileKind.XLSX,
}
_BY_MIME = {
    "text/csv": FileKind.CSV,
    "text/comma-separated-values": FileKind.CSV,
    "application/csv": FileKind.CSV,
    "text/tab-separated-values": FileKind.CSV,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": FileKind.XLSX,
    "application/vnd.ms-excel.sheet.macroenabled.12": FileKind.XLSX,
}


def file_kind(filename: str | None, mime_type: str | None) -> FileKind:
    """CSV or XLSX by the file's extension, else by its MIME type; anything else is refused.

    Windows sends ``.csv`` files as ``application/vnd.ms-excel``: the extension decides.
    """
    name = (filename or "").strip()
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = _BY_EXTENSION.get(extension)
    if kind is None and not extension:
        kind = _BY_MIME.get((mime_type or "").split(";")[0].strip().lower())
    if kind is None:
        raise NotASpreadsheet(_quote(name) or "sin nombre")
    return kind


@dataclass(frozen=True)
class SheetRow:
    """One non-empty data row as written, with its row number in the sheet."""

    row: int
    tipo: str
    sector: str
    nombre: str


#: Required columns and the header spellings accepted for each (compared folded).
COLUMNS: dict[str, tuple[str, ...]] = {
    "tipo": ("tipo", "rol"),
    "sector": ("sector", "asiento", "clave"),
    "nombre": ("nombre", "nombre completo"),
}


def read_rows(data: bytes, kind: FileKind) -> list[SheetRow]:
    """The file's data rows; file-level problems are refused (``ImportRefusal``).

    Anything unexpected while reading (a corrupt zip, a broken sheet, binary garbage)
    becomes ``UnreadableFile``: random bytes never raise anything but a ``Refusal``.
    """
    if len(data) > MAX_BYTES:
        raise FileTooLarge(MAX_BYTES // 1024)
    if data.startswith(OLE_MAGIC):
        raise NotASpreadsheet("un libro .xls (Excel 97-2003)")
    try:
        if kind is FileKind.XLSX or data.startswith(ZIP_MAGIC):
            table = _xlsx_table(data)
        else:
            table = _csv_table(data)
        return _rows(table)
    except Refusal:
        raise
    except Exception:  # any parser failure means "cannot read this file"
        raise UnreadableFile(kind.value) from None


def _rows(table: Iterable[tuple[int, list[str]]]) -> list[SheetRow]:
    lines = iter(table)
    header: list[str] | None = None
    for _, cells in lines:
        if any(cell.strip() for cell in cells):
            header = cells
            break
    if header is None:
        raise NoRows()
    folded = [fold(cell) for cell in header]
    where: dict[str, int] = {}
    for column, spellings in COLUMNS.items():
        index = next((i for i, name in enumerate(folded) if name in spellings), None)
        if index is not None:
            where[column] = index
    missing = [column for column in COLUMNS if column not in where]
    if missing:
        found = [_quote(cell) for cell in header if cell.strip()][:10]
        raise MissingColumns(missing, found)
    rows: list[SheetRow] = []
    for number, cells in lines:
        values = {
            column: cells[index].strip() if index < len(cells) else ""
            for column, index in where.items()
        }
        if not any(values.values()):
            continue  # empty rows are skipped
        if len(rows) == MAX_ROWS:
            raise TooManyRows(MAX_ROWS)
        rows.append(SheetRow(number, values["tipo"], values["sector"], values["nombre"]))
    if not rows:
        raise NoRows()
    return rows


def _numbered(rows: Iterable[Sequence[str]]) -> Iterator[tuple[int, list[str]]]:
    for number, cells in enumerate(rows, start=1):
        if number > MAX_SCANNED:
            raise TooManyRows(MAX_ROWS)
        yield number, [str(cell) for cell in cells[:MAX_COLUMNS]]


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")  # Excel's "Texto Unicode"
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")  # Excel's "CSV (delimitado por comas)" on Windows


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_table(data: bytes) -> Iterator[tuple[int, list[str]]]:
    text = _decode(data).lstrip("\ufeff")
    if "\x00" in text:
        raise UnreadableFile(FileKind.CSV.value)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    return _numbered(reader)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_table(data: bytes) -> list[tuple[int, list[str]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED:
            raise FileTooLarge(MAX_BYTES // 1024)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.active
            if sheet is None or not hasattr(sheet, "iter_rows"):
                sheet = workbook.worksheets[0]
            if hasattr(sheet, "reset_dimensions"):
                sheet.reset_dimensions()  # some writers declare a wrong A1:A1 range
            values = sheet.iter_rows(min_row=1, values_only=True)
            return list(_numbered([_cell(v) for v in row] for row in values))
        finally:
            workbook.close()


def fold(text: str) -> str:
    """Lower case, no accents, no BOM, single spaces: ``" Número\\ufeff "`` → ``"numero"``."""
    decomposed = unicodedata.normalize("NFKD", text.replace("\ufeff", ""))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def _quote(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= QUOTE_MAX else flat[: QUOTE_MAX - 1] + "…"


class Problem(StrEnum):
    """Why a row cannot be added (the template says it in Spanish)."""

    BAD_TIPO = "tipo"
    NO_SECTOR = "sin_sector"
    UNKNOWN_SECTOR = "sector_desconocido"
    OBSERVER_SECTOR = "observador_con_sector"
    NO_NAME = "sin_nombre"
    NAME_TOO_LONG = "nombre_largo"
    SEAT_TAKEN = "ocupado"
    DUPLICATE = "repetido"


@dataclass(frozen=True)
class RowProblem:
    """One reason one row is wrong; ``value`` quotes the cell, shortened."""

    row: int
    problem: Problem
    value: str = ""
    seat: str = ""
    role: str = ""
    holder: str = ""
    first_row: int = 0
    limit: int = NAME_MAX


@dataclass(frozen=True)
class SeatRef:
    """An active seat: its key and its name."""

    key: str
    name: str


@dataclass(frozen=True)
class ImportEntry:
    """A row that passed every check, ready for ``/alta``'s service."""

    row: int
    role: Role
    seat: SeatRef | None
    name: str


_TIPOS = {
    "titular": Role.TITULAR,
    "suplente": Role.SUPLENTE,
    "observador": Role.OBSERVADOR,
    "observadora": Role.OBSERVADOR,
}


def _seat_for(raw: str, seats: Sequence[SeatRef]) -> SeatRef | None:
    folded = fold(raw)
    as_key = folded.replace(" ", "_").replace("-", "_")
    return next((s for s in seats if s.key == as_key or fold(s.name) == folded), None)


def check_rows(
    rows: Sequence[SheetRow],
    *,
    seats: Sequence[SeatRef],
    holders: Mapping[tuple[str, Role], str],
) -> list[ImportEntry]:
    """Every row by ``/alta``'s rules (R1–R3), all at once; any problem refuses them all.

    ``holders`` names the active titular / substitute of each ``(seat key, role)``. A seat's
    titular or substitute may appear once in the file; the sector matches a seat's key or
    its name, whatever the case and accents. Raises ``BadRows`` naming every problem.
    """
    problems: list[RowProblem] = []
    entries: list[ImportEntry] = []
    first: dict[tuple[str, Role], int] = {}
    for row in rows:
        found: list[RowProblem] = []
        role = _TIPOS.get(fold(row.tipo))
        seat: SeatRef | None = None
        if role is None:
            found.append(RowProblem(row.row, Problem.BAD_TIPO, value=_quote(row.tipo)))
        elif role is Role.OBSERVADOR:
            if row.sector.strip():  # R2: observers hold no seat
                found.append(
                    RowProblem(row.row, Problem.OBSERVER_SECTOR, value=_quote(row.sector))
                )
        elif not row.sector.strip():
            found.append(RowProblem(row.row, Problem.NO_SECTOR, role=role.value))
        else:
            seat = _seat_for(row.sector, seats)
            if seat is None:
                found.append(RowProblem(row.row, Problem.UNKNOWN_SECTOR, value=_quote(row.sector)))
            elif (seat.key, role) in holders:  # R1: one titular, at most one substitute
                found.append(
                    RowProblem(
                        row.row,
                        Problem.SEAT_TAKEN,
                        seat=seat.name,
                        role=role.value,
                        holder=holders[(seat.key, role)],
                    )
                )
            elif (seat.key, role) in first:
                found.append(
                    RowProblem(
                        row.row,
                        Problem.DUPLICATE,
                        seat=seat.name,
                        role=role.value,
                        first_row=first[(seat.key, role)],
                    )
                )
            else:
                first[(seat.key, role)] = row.row
        name = ""
        try:
            name = clean_name(row.nombre, command="importar")
        except MissingName:
            found.append(RowProblem(row.row, Problem.NO_NAME))
        except NameTooLong:
            found.append(RowProblem(row.row, Problem.NAME_TOO_LONG, limit=NAME_MAX))
        if found:
            problems.extend(found)
        elif role is not None:
            entries.append(ImportEntry(row.row, role, seat, name))
    if problems:
        raise BadRows(problems, [s.key for s in seats], len(rows))
    return entries


#: Columns of the answered file of invitation links.
LINK_COLUMNS = ("n", "fila", "tipo", "sector", "nombre", "enlace", "vence")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: str) -> str:
    """A cell Excel will not run as a formula (OWASP CSV injection)."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def links_csv(lines: Iterable[Sequence[str | int]]) -> bytes:
    """The invitation links as CSV (UTF-8 with BOM, so Excel shows accents right)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(LINK_COLUMNS)
    for line in lines:
        writer.writerow([_safe(str(value)) for value in line])
    return out.getvalue().encode("utf-8-sig")
