"""Reading a roster sheet and checking its rows (commands.md "Roster in bulk"; R1–R3)."""

from __future__ import annotations

import contextlib
import csv
import io
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import (
    BadRows,
    FileTooLarge,
    MissingColumns,
    NoRows,
    NotASpreadsheet,
    Refusal,
    TooManyRows,
    UnreadableFile,
)
from domain.roles import Role
from domain.roster_import import (
    MAX_BYTES,
    MAX_ROWS,
    FileKind,
    ImportEntry,
    Problem,
    RowProblem,
    SeatRef,
    SheetRow,
    check_rows,
    file_kind,
    fold,
    links_csv,
    read_rows,
)
from tests.spreadsheets import xlsx

SEATS = [
    SeatRef("gobierno", "Gobierno municipal"),
    SeatRef("sociedad_civil", "Sociedad civil"),
    SeatRef("ciudadania", "Ciudadanía"),
]


@pytest.mark.parametrize(
    ("filename", "mime", "kind"),
    [
        ("roster.csv", "text/csv", FileKind.CSV),
        ("ROSTER.CSV", "application/vnd.ms-excel", FileKind.CSV),  # Windows' mime for .csv
        ("lista.tsv", None, FileKind.CSV),
        ("integrantes.xlsx", None, FileKind.XLSX),
        ("sin_extension", "text/csv", FileKind.CSV),
        (
            None,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileKind.XLSX,
        ),
    ],
)
def test_file_kind(filename: str | None, mime: str | None, kind: FileKind) -> None:
    assert file_kind(filename, mime) is kind


@pytest.mark.parametrize(
    ("filename", "mime"),
    [("acta.pdf", "application/pdf"), ("viejo.xls", None), ("hoja.ods", None), (None, None)],
)
def test_other_files_are_not_spreadsheets(filename: str | None, mime: str | None) -> None:
    with pytest.raises(NotASpreadsheet):
        file_kind(filename, mime)


CSV_CASES = {
    "comma": "tipo,sector,nombre\ntitular,gobierno,Ana Pérez\n",
    "semicolon, BOM, CRLF (Excel es-MX)": (
        "\ufeffTipo;Sector;Nombre\r\ntitular;gobierno;Ana Pérez\r\n"
    ),
    "accents and case in headers": "TÍPO,Séctor,NOMBRE Completo\ntitular,gobierno,Ana Pérez\n",
    "tabs and extra columns": "correo\ttipo\tsector\tnombre\nx@y\ttitular\tgobierno\tAna Pérez\n",
    "aliases": "rol;asiento;nombre\ntitular;gobierno;Ana Pérez\n",
    "quoted with separator inside": 'tipo;sector;nombre\ntitular;gobierno;"Ana Pérez"\n',
}


@pytest.mark.parametrize("text", CSV_CASES.values(), ids=CSV_CASES.keys())
def test_csv_variants_read_the_same(text: str) -> None:
    assert read_rows(text.encode(), FileKind.CSV) == [
        SheetRow(2, "titular", "gobierno", "Ana Pérez")
    ]


def test_windows_1252_and_utf16_are_decoded() -> None:
    text = "tipo;sector;nombre\r\ntitular;gobierno;Ana Pérez\r\n"
    expected = [SheetRow(2, "titular", "gobierno", "Ana Pérez")]
    assert read_rows(text.encode("cp1252"), FileKind.CSV) == expected
    assert read_rows(text.encode("utf-16"), FileKind.CSV) == expected


def test_empty_rows_are_skipped_and_numbers_are_the_sheets() -> None:
    text = "\n\ntipo,sector,nombre\n,,\ntitular,gobierno,Ana\n\n  ,  ,  \nobservador,,Luis\n"
    assert read_rows(text.encode(), FileKind.CSV) == [
        SheetRow(5, "titular", "gobierno", "Ana"),
        SheetRow(8, "observador", "", "Luis"),
    ]


def test_short_rows_read_as_empty_cells() -> None:
    rows = read_rows(b"tipo,sector,nombre\nobservador\n", FileKind.CSV)
    assert rows == [SheetRow(2, "observador", "", "")]


def test_xlsx_reads_the_active_sheet_with_gaps_and_numbers() -> None:
    data = xlsx(
        [
            ["Tipo", "Sector", "Nombre"],
            ["titular", "gobierno", "Ana"],
            [None, None, None],
            ["suplente", "gobierno", 12345.0],
        ]
    )
    assert read_rows(data, FileKind.XLSX) == [
        SheetRow(2, "titular", "gobierno", "Ana"),
        SheetRow(4, "suplente", "gobierno", "12345"),
    ]


def test_a_zip_sent_as_csv_is_read_as_xlsx() -> None:
    data = xlsx([["tipo", "sector", "nombre"], ["observador", None, "Luis"]])
    assert read_rows(data, FileKind.CSV) == [SheetRow(2, "observador", "", "Luis")]


@pytest.mark.parametrize(
    ("data", "kind", "refusal"),
    [
        (b"", FileKind.CSV, NoRows),
        (b"\n\n ,, \n", FileKind.CSV, NoRows),
        (b"tipo,sector,nombre\n,,\n", FileKind.CSV, NoRows),
        (b"nombre,sector\nAna,gobierno\n", FileKind.CSV, MissingColumns),
        (b"titular,gobierno,Ana\n", FileKind.CSV, MissingColumns),
        (b"tipo,sector,nombre\x00\n", FileKind.CSV, UnreadableFile),
        (b"PK\x03\x04 not really a zip", FileKind.XLSX, UnreadableFile),
        (b"tipo,sector,nombre\n", FileKind.XLSX, UnreadableFile),
        (b"\xd0\xcf\x11\xe0legacy xls", FileKind.XLSX, NotASpreadsheet),
        (b"x" * (MAX_BYTES + 1), FileKind.CSV, FileTooLarge),
    ],
)
def test_file_level_refusals(data: bytes, kind: FileKind, refusal: type[Refusal]) -> None:
    with pytest.raises(refusal):
        read_rows(data, kind)


def test_missing_columns_names_what_is_missing_and_what_was_found() -> None:
    with pytest.raises(MissingColumns) as caught:
        read_rows("Nómbre;Correo\nAna;a@b\n".encode(), FileKind.CSV)
    assert caught.value.missing == ["tipo", "sector"]
    assert caught.value.found == ["Nómbre", "Correo"]


def test_too_many_rows() -> None:
    header = "tipo,sector,nombre\n"
    ok = header + "observador,,Persona\n" * MAX_ROWS
    assert len(read_rows(ok.encode(), FileKind.CSV)) == MAX_ROWS
    with pytest.raises(TooManyRows):
        read_rows((ok + "observador,,Una más\n").encode(), FileKind.CSV)
    with pytest.raises(TooManyRows):  # empty rows count towards a bound too
        read_rows((header + ",,\n" * 6000).encode(), FileKind.CSV)


def test_an_xlsx_that_unpacks_huge_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b" " * (40 * MAX_BYTES))
    with pytest.raises(FileTooLarge):
        read_rows(out.getvalue(), FileKind.XLSX)


def test_fold() -> None:
    assert fold("\ufeff  NÚMERO   Completo ") == "numero completo"


def rows(*cells: tuple[str, str, str]) -> list[SheetRow]:
    return [SheetRow(i + 2, *c) for i, c in enumerate(cells)]


def test_check_rows_accepts_keys_names_case_and_accents() -> None:
    entries = check_rows(
        rows(
            ("Titular", "GOBIERNO", "  Ana   Pérez "),
            ("suplente", "Sociedad Civil", "Bea"),
            ("titular", "ciudadanía", "Carlos"),
            ("Observadora", "", "Dora <b>"),
        ),
        seats=SEATS,
        holders={},
    )
    assert [(e.row, e.role, e.seat.key if e.seat else None, e.name) for e in entries] == [
        (2, Role.TITULAR, "gobierno", "Ana Pérez"),
        (3, Role.SUPLENTE, "sociedad_civil", "Bea"),
        (4, Role.TITULAR, "ciudadania", "Carlos"),
        (5, Role.OBSERVADOR, None, "Dora <b>"),
    ]


def test_check_rows_names_every_bad_row_and_why() -> None:
    with pytest.raises(BadRows) as caught:
        check_rows(
            rows(
                ("jefe", "gobierno", "Ana"),  # 2
                ("titular", "", "Bea"),  # 3
                ("titular", "deportes", "Carlos"),  # 4
                ("observador", "gobierno", "Dora"),  # 5
                ("suplente", "gobierno", ""),  # 6
                ("suplente", "ciudadania", "N" * 121),  # 7
                ("titular", "gobierno", "Eva"),  # 8: gobierno already has a titular
                ("suplente", "sociedad_civil", "Fer"),  # 9
                ("suplente", "Sociedad civil", "Gil"),  # 10: twice in the file
                ("titular", "deportes", ""),  # 11: two problems
            ),
            seats=SEATS,
            holders={("gobierno", Role.TITULAR): "Felipe Umaña"},
        )
    found = [(p.row, p.problem) for p in caught.value.problems]
    assert found == [
        (2, Problem.BAD_TIPO),
        (3, Problem.NO_SECTOR),
        (4, Problem.UNKNOWN_SECTOR),
        (5, Problem.OBSERVER_SECTOR),
        (6, Problem.NO_NAME),
        (7, Problem.NAME_TOO_LONG),
        (8, Problem.SEAT_TAKEN),
        (10, Problem.DUPLICATE),
        (11, Problem.UNKNOWN_SECTOR),
        (11, Problem.NO_NAME),
    ]
    problems = {(p.row, p.problem): p for p in caught.value.problems}
    assert problems[(8, Problem.SEAT_TAKEN)].holder == "Felipe Umaña"
    assert problems[(10, Problem.DUPLICATE)].first_row == 9
    assert problems[(2, Problem.BAD_TIPO)].value == "jefe"
    assert caught.value.valid == ["gobierno", "sociedad_civil", "ciudadania"]
    assert caught.value.rows == 10


def test_a_taken_substitute_is_refused_but_the_titular_is_free() -> None:
    holders = {("gobierno", Role.SUPLENTE): "Sara"}
    assert check_rows(rows(("titular", "gobierno", "Ana")), seats=SEATS, holders=holders)
    with pytest.raises(BadRows):
        check_rows(rows(("suplente", "gobierno", "Ana")), seats=SEATS, holders=holders)


def test_links_csv_round_trips_and_defuses_formulas() -> None:
    data = links_csv([[7, 2, "titular", "gobierno", "=HYPERLINK(1)", "https://t.me/x", "v"]])
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0] == ["n", "fila", "tipo", "sector", "nombre", "enlace", "vence"]
    assert table[1][4] == "'=HYPERLINK(1)"


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=2048), kind=st.sampled_from(list(FileKind)))
def test_random_bytes_never_raise_anything_but_a_refusal(data: bytes, kind: FileKind) -> None:
    with contextlib.suppress(Refusal):
        read_rows(data, kind)


@settings(max_examples=150, deadline=None)
@given(
    cells=st.lists(
        st.lists(st.text(max_size=12), min_size=0, max_size=5), min_size=0, max_size=8
    ),
    delimiter=st.sampled_from([",", ";", "\t"]),
    header=st.booleans(),
)
def test_random_tables_read_or_refuse(
    cells: list[list[str]], delimiter: str, header: bool
) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    if header:
        writer.writerow(["tipo", "sector", "nombre"])
    writer.writerows(cells)
    try:
        got = read_rows(out.getvalue().encode(), FileKind.CSV)
    except Refusal:
        return
    assert all(r.row >= 2 for r in got)
    entries: list[ImportEntry] = []
    problems: list[RowProblem] = []
    try:
        entries = check_rows(got, seats=SEATS, holders={})
    except BadRows as refused:
        problems = refused.problems
    assert got  # read_rows refuses a file without rows
    assert len(entries) == len(got) if not problems else entries == []


@settings(max_examples=40, deadline=None)
@given(junk=st.binary(min_size=1, max_size=64), at=st.integers(min_value=0))
def test_corrupted_xlsx_never_raises_anything_but_a_refusal(junk: bytes, at: int) -> None:
    good = xlsx([["tipo", "sector", "nombre"], ["observador", None, "Luis"]])
    cut = at % len(good)
    with contextlib.suppress(Refusal):
        read_rows(good[:cut] + junk + good[cut + len(junk) :], FileKind.XLSX)
