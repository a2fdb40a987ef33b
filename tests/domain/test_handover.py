"""The handover package's archive and manifest (R5, I.6): safe names, sorted, deterministic."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import handover
from domain.handover import ManifestLine

CUT = datetime(2027, 1, 5, 10, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "name",
    ["actas/acta-firmada-sesion-1.pdf", "datos/datapackage.json", "MANIFIESTO2.csv", "a", "x_y.z"],
)
def test_safe_names(name: str) -> None:
    assert handover.check_name(name) == name


@pytest.mark.parametrize(
    "name",
    ["", "/etc/passwd", "../x", "a/../b", "a//b", "a\\b", ".oculto", "acta ñ.pdf", "a/", "..."],
)
def test_unsafe_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="not a package file name"):
        handover.check_name(name)


def test_names_of_the_parts() -> None:
    assert handover.signed_minutes_name(3) == "actas/acta-firmada-sesion-3.pdf"
    assert handover.follow_up_name("2027-01") == "informes/informe-seguimiento-2027-01.pdf"
    assert (
        handover.filename("zamora", "2024-09-01", "2027-08-31")
        == "entrega-zamora-2024-09-01-a-2027-08-31.zip"
    )
    assert handover.filename("San Juan/../", "a", "b") == "entrega-san-juan-a-a-b.zip"


def test_manifest_table() -> None:
    lines = handover.manifest({"b.txt": b"", "a.txt": b"abc"})
    assert lines == (
        ManifestLine("a.txt", 3, hashlib.sha256(b"abc").hexdigest()),
        ManifestLine("b.txt", 0, hashlib.sha256(b"").hexdigest()),
    )
    text = handover.manifest_csv(lines)
    assert text.startswith("archivo,bytes,sha256\r\na.txt,3,ba7816bf")
    assert handover.read_manifest(text) == lines
    assert handover.sha256sums(lines).splitlines()[0] == f"{lines[0].sha256}  a.txt"
    with pytest.raises(ValueError, match="not a manifest"):
        handover.read_manifest("nombre,sha\r\n")


def test_archive_holds_the_files_and_their_manifest() -> None:
    files = {"datos/sesiones.csv": b"numero\r\n1\r\n", "actas/acta-firmada-sesion-1.pdf": b"%PDF-"}
    data, lines = handover.archive(files, cut=CUT)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.namelist() == [
            "MANIFIESTO.csv",
            "SHA256SUMS",
            "actas/acta-firmada-sesion-1.pdf",
            "datos/sesiones.csv",
        ]
        assert handover.read_manifest(z.read("MANIFIESTO.csv").decode()) == lines
        assert {i.date_time for i in z.infolist()} == {(2027, 1, 5, 10, 0, 30)}
        for line in lines:
            assert hashlib.sha256(z.read(line.name)).hexdigest() == line.sha256
    with pytest.raises(ValueError, match="the manifest is made here"):
        handover.archive({"MANIFIESTO.csv": b""}, cut=CUT)
    with pytest.raises(ValueError, match="not a package file name"):
        handover.archive({"../fuera": b""}, cut=CUT)


def test_archive_dates_before_1980_are_1980() -> None:
    data, _ = handover.archive({"a": b"1"}, cut=datetime(1970, 1, 1, tzinfo=UTC))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.infolist()[0].date_time == (1980, 1, 1, 0, 0, 0)


def test_telegram_limit() -> None:
    assert handover.fits(handover.TELEGRAM_LIMIT)
    assert not handover.fits(handover.TELEGRAM_LIMIT + 1)
    assert handover.TELEGRAM_LIMIT == 50_000_000


PART = st.from_regex(r"[a-z0-9][a-z0-9_.-]{0,11}", fullmatch=True).filter(
    lambda p: ".." not in p[:2]
)
NAMES = st.lists(PART, min_size=1, max_size=3).map("/".join)
FILES = st.dictionaries(NAMES, st.binary(max_size=300), max_size=12)


@given(FILES)
def test_same_files_same_bytes_whatever_the_order(files: dict[str, bytes]) -> None:
    files = {
        n: d for n, d in files.items() if n not in (handover.MANIFEST_NAME, handover.SUMS_NAME)
    }
    # a name that is a folder of another would not unpack; the package never makes one
    names = set(files)
    files = {n: d for n, d in files.items() if not any(o.startswith(n + "/") for o in names)}
    first, lines = handover.archive(files, cut=CUT)
    again, _ = handover.archive(dict(reversed(list(files.items()))), cut=CUT)
    assert first == again
    assert [line.name for line in lines] == sorted(files)
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        listed = handover.read_manifest(z.read(handover.MANIFEST_NAME).decode())
        for line in listed:
            data = z.read(line.name)
            assert (len(data), hashlib.sha256(data).hexdigest()) == (line.size, line.sha256)
            assert data == files[line.name]


@given(FILES, st.binary(min_size=1, max_size=20))
def test_any_change_changes_the_package(files: dict[str, bytes], extra: bytes) -> None:
    files = {
        n: d for n, d in files.items() if n not in (handover.MANIFEST_NAME, handover.SUMS_NAME)
    }
    if not files:
        return
    name = sorted(files)[0]
    before, _ = handover.archive(files, cut=CUT)
    after, _ = handover.archive({**files, name: files[name] + extra}, cut=CUT)
    assert before != after
