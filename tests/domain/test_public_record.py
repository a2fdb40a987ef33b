"""The public record's pure rules (R19 a, b; R3): attendance, ballots, the agenda window,
the feed's status and sequence, and how downloads are named and typed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.public_record import (
    RECENT_DAYS,
    Attendance,
    attachment_disposition,
    attendance_of,
    ballot_label,
    feed_sequence,
    feed_status,
    human_size,
    in_agenda,
    safe_media_type,
    since_recent,
    start_of_local_day,
)

ZONE = "America/Mexico_City"


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ([], Attendance.AUSENTE),
        (["titular"], Attendance.TITULAR),
        (["suplente"], Attendance.SUPLENTE),
        (["suplente", "titular"], Attendance.TITULAR),  # R3: the titular represents the seat
        (["titular", "suplente"], Attendance.TITULAR),
        (["observador"], Attendance.AUSENTE),
    ],
)
def test_attendance_of(roles: list[str], expected: Attendance) -> None:
    assert attendance_of(roles) is expected


def test_attendance_labels() -> None:
    assert [a.label for a in Attendance] == ["Titular", "Suplente", "Ausente"]


@pytest.mark.parametrize(
    ("choice", "label"),
    [
        ("a_favor", "A favor"),
        ("en_contra", "En contra"),
        ("abstencion", "Abstención"),
        (None, "No votó"),
    ],
)
def test_ballot_label(choice: str | None, label: str) -> None:
    assert ballot_label(choice) == label


def test_the_agenda_keeps_today_s_sessions_in_local_time() -> None:
    # 23:30 on 2026-12-07 in Mexico City is 05:30 UTC on the 8th: the day is the 7th.
    now = datetime(2026, 12, 8, 5, 30, tzinfo=UTC)
    midnight = start_of_local_day(now, ZONE)
    assert midnight == datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
    morning = datetime(2026, 12, 7, 16, 0, tzinfo=UTC)  # 10:00 local, the same day
    assert in_agenda("convocada", morning, now=now, time_zone=ZONE)
    assert in_agenda("en_curso", morning, now=now, time_zone=ZONE)
    assert not in_agenda("convocada", morning - timedelta(days=1), now=now, time_zone=ZONE)
    for state in ("borrador", "cancelada", "concluida", "sin_quorum"):
        assert not in_agenda(state, morning, now=now, time_zone=ZONE)


def test_feed_status_and_sequence() -> None:
    assert (feed_status("convocada"), feed_sequence("convocada")) == ("CONFIRMED", 0)
    assert (feed_status("concluida"), feed_sequence("concluida")) == ("CONFIRMED", 0)
    assert (feed_status("cancelada"), feed_sequence("cancelada")) == ("CANCELLED", 1)
    now = datetime(2026, 12, 8, tzinfo=UTC)
    assert since_recent(now) == now - timedelta(days=RECENT_DAYS)


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 bytes"),
        (1, "1 byte"),
        (1023, "1023 bytes"),
        (1024, "1.0 KB"),
        (12_700, "12.4 KB"),
        (3 * 1024 * 1024 + 100_000, "3.1 MB"),
    ],
)
def test_human_size(size: int, text: str) -> None:
    assert human_size(size) == text


@pytest.mark.parametrize(
    ("stored", "served"),
    [
        ("application/pdf", "application/pdf"),
        ("image/jpeg", "image/jpeg"),
        ("VIDEO/MP4", "video/mp4"),
        ("text/plain; charset=utf-8", "text/plain"),
        ("text/html", "application/octet-stream"),  # never rendered as a page
        ("image/svg+xml", "application/octet-stream"),
        ("application/xhtml+xml", "application/octet-stream"),
        ("", "application/octet-stream"),
        (None, "application/octet-stream"),
        ("no es un tipo", "application/octet-stream"),
        ("image/png\r\nX-Evil: 1", "application/octet-stream"),
    ],
)
def test_safe_media_type(stored: str | None, served: str) -> None:
    assert safe_media_type(stored) == served


@pytest.mark.parametrize(
    ("name", "header"),
    [
        (
            "acta-sesion-1-firmada.pdf",
            'attachment; filename="acta-sesion-1-firmada.pdf"; '
            "filename*=UTF-8''acta-sesion-1-firmada.pdf",
        ),
        (
            "Reunión con la Dirección.jpg",
            'attachment; filename="Reunion con la Direccion.jpg"; '
            "filename*=UTF-8''Reuni%C3%B3n%20con%20la%20Direcci%C3%B3n.jpg",
        ),
        (
            '../../etc/"passwd"',
            "attachment; filename=\"passwd\"; filename*=UTF-8''%22passwd%22",
        ),
        (
            "日本.pdf",
            "attachment; filename=\"archivo.pdf\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.pdf",
        ),
        ("", "attachment; filename=\"archivo\"; filename*=UTF-8''archivo"),
    ],
)
def test_attachment_disposition(name: str, header: str) -> None:
    assert attachment_disposition(name) == header


@given(st.text(max_size=80))
def test_attachment_disposition_is_one_safe_ascii_header_line(name: str) -> None:
    header = attachment_disposition(name)
    assert header.isascii()
    assert "\r" not in header
    assert "\n" not in header
    fallback = header.split('filename="', 1)[1].split('"; filename*=', 1)[0]
    assert fallback
    assert '"' not in fallback
    assert "\\" not in fallback
    assert "/" not in fallback
    exact = unquote(header.split("filename*=UTF-8''", 1)[1])
    assert "/" not in exact
    assert "\\" not in exact
    assert not any(ord(c) < 32 for c in exact)
