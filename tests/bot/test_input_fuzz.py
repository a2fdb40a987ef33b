"""Bad input gets a clear Spanish answer and changes nothing (fuzzing found the gap).

``str.isdigit()`` accepts ``²``, ``①`` and ``٣``; ``int()`` then raised on the first two
(the user got "Lo siento, algo falló…" instead of the usage refusal, a forged button
``v:999999:①`` crashed every button handler) and silently read ``٣`` as 3. Every parser
of user text (``handlers/parsing.py``), the callback-data codec (``bot/buttons.py``) and
the ``/ajustar`` value parsers (``domain/secretariat_settings.py``) either return a value
or raise a ``Refusal`` (``ValueError`` for the settings' own field parsers, which
``change`` turns into ``InvalidSettingValue``); whatever they accept as a number is
ASCII digits.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from datetime import date, time

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot import buttons
from domain.errors import (
    BadDate,
    BadTime,
    InvalidSettingValue,
    Refusal,
    StaleButton,
    Usage,
)
from domain.numbers import ascii_number
from domain.reminders import parse_offsets
from domain.secretariat_settings import (
    SETTINGS,
    SecretariatSettings,
    change,
    parse_hhmm,
    parse_iso_date,
)
from handlers import parsing

ASCII = re.compile(r"[0-9]+", re.ASCII)
DEFAULTS = SecretariatSettings()

# --- strategies ------------------------------------------------------------------------

unicode_digits = st.characters(categories=["Nd", "No"])
controls = st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp"])
pieces = st.one_of(
    unicode_digits,
    controls,
    st.sampled_from("0123456789"),
    st.sampled_from([":", "#", "-", " ", "d", "h", ",", "v", "r", "p", "\n", "\x00"]),
)
#: Strings that look like numbers, dates, times, offsets or payloads, mixed with the rest.
lookalikes = st.lists(pieces, max_size=24).map("".join)
raw_bytes = st.binary(max_size=80)
texts = st.one_of(
    st.text(unicode_digits, min_size=1, max_size=12),
    st.text(controls, max_size=12),
    st.text(max_size=80),
    lookalikes,
    raw_bytes.map(lambda b: b.decode("utf-8", errors="replace")),
    raw_bytes.map(lambda b: b.decode("utf-8", errors="surrogateescape")),
)
payloads = st.one_of(
    texts,
    st.builds(
        lambda action, parts: ":".join([action, *parts]),
        st.sampled_from([a.value for a in buttons.Action]),
        st.lists(
            st.one_of(st.text(unicode_digits, min_size=1, max_size=6), lookalikes), max_size=3
        ),
    ),
)
COMMANDS = ["baja", "quorum", "iniciar", "presente", "acta_enviada", "habil", "votar"]


def _outcome(parse: Callable[[], object]) -> object:
    """The value, or the refusal; anything else fails the test with its traceback."""
    try:
        return parse()
    except Refusal as refusal:
        return refusal


# --- the exact strings the fuzzer found ------------------------------------------------

BAD_NUMBERS = ["⁹⁹", "²", "¹", "①", "③", "٣", "٣٣", "१", "𝟕", "7²", "²7", "1_0", "+1", "-1", "0"]


@pytest.mark.parametrize("raw", BAD_NUMBERS)
@pytest.mark.parametrize("command", ["baja", "presente"])
def test_roster_numbers_refuse_non_ascii_digits(raw: str, command: str) -> None:
    with pytest.raises(Usage) as refused:
        parsing.roster_number(raw, command)
    assert refused.value.command == command


@pytest.mark.parametrize("raw", BAD_NUMBERS)
@pytest.mark.parametrize("command", ["quorum", "iniciar"])
def test_optional_numbers_refuse_non_ascii_digits(raw: str, command: str) -> None:
    with pytest.raises(Usage):
        parsing.optional_number(raw, command)


@pytest.mark.parametrize("text", ["³ nota", "③ enviada por correo", "٣ nota", "² "])
def test_acta_enviada_refuses_non_ascii_digits(text: str) -> None:
    with pytest.raises(Usage):
        parsing.number_and_note(text, "acta_enviada")


def test_ascii_numbers_still_parse() -> None:
    assert parsing.roster_number(" #7 ", "baja") == 7
    assert parsing.optional_number("99", "quorum") == 99
    assert parsing.optional_number("  ", "quorum") is None
    assert parsing.number_and_note("3   nota  larga", "acta_enviada") == (3, "nota larga")


@pytest.mark.parametrize(
    "data", ["v:999999:①", "v:1:٣", "r:①:1", "v:٣:1", "a:¹", "x:²", "v:1:1_0", "v:+1:1", "v:1:1\n"]
)
def test_forged_payloads_do_not_decode(data: str) -> None:
    assert buttons.decode(data) is None
    with pytest.raises(StaleButton):
        buttons.ids(data)


def test_our_payloads_still_decode() -> None:
    assert buttons.ids(buttons.encode(buttons.Action.VOTE, 999999, 1)) == (999999, 1)
    assert buttons.decode("v:1:1") == buttons.Decoded(buttons.Action.VOTE, (1, 1))


@pytest.mark.parametrize("raw", ["٠٩:٠٠", "０９:００", "09:٠٠", "9:00", "²3:00", "09:0\x00"])
def test_times_are_ascii(raw: str) -> None:
    for value in (raw, raw + "\n"):  # fullmatch: not even a trailing newline
        with pytest.raises(ValueError, match=r"."):
            parse_hhmm(value)
    with pytest.raises(InvalidSettingValue):
        change(DEFAULTS, "hora_recordatorios", raw)
    with pytest.raises(BadTime):
        parsing.clock_time(raw)


@pytest.mark.parametrize("raw", ["٢٠٢٦-١٢-٠٧", "2026-12-٠٧", "２０２６-12-07", "2026-02-30"])
def test_dates_are_ascii(raw: str) -> None:
    for value in (raw, raw + "\n"):
        with pytest.raises(ValueError, match=r"."):
            parse_iso_date(value)
    with pytest.raises(InvalidSettingValue):
        change(DEFAULTS, "periodo_inicio", raw)
    with pytest.raises(BadDate):
        parsing.one_date(raw, "habil")
    with pytest.raises(BadDate):
        parsing.convocar(f"ordinaria {raw} 10:00 Sala")


@pytest.mark.parametrize(
    ("key", "raw"),
    [
        ("aviso_ordinaria", "٧"),
        ("aviso_ordinaria", "⁷"),
        ("aviso_extraordinaria", "③"),
        ("acta_vencida_cada", "٣"),
        ("acta_vencida_cada", "²"),
        ("hora_recordatorios", "٠٩:٠٠"),
        ("periodo_inicio", "٢٠٢٦-٠١-٠١"),
        ("recordar_asistencia", "٣d,1d"),
        ("recordar_sesion", "²h"),
        ("recordar_acta", "①d"),
    ],
)
def test_settings_refuse_non_ascii_digits(key: str, raw: str) -> None:
    with pytest.raises(InvalidSettingValue):
        change(DEFAULTS, key, raw)


def test_ascii_number() -> None:
    assert ascii_number("007", max_digits=3) == 7
    for raw in ["", "1234", "٣", "²", " 1", "1 ", "1_0", "+1", "१"]:
        assert ascii_number(raw, max_digits=3) is None


# --- properties ------------------------------------------------------------------------


@given(st.text(unicode_digits, min_size=1, max_size=9))
@example("⁹⁹")
@example("①")
@example("٣")
def test_unicode_digits_are_never_numbers(raw: str) -> None:
    """Only ASCII digits count: a string of Nd/No characters is accepted only if ASCII."""
    accepted = ascii_number(raw, max_digits=9)
    assert (accepted is not None) == bool(ASCII.fullmatch(raw))


@given(texts, st.sampled_from(COMMANDS))
@settings(max_examples=300)
def test_number_parsers_return_ascii_numbers_or_refuse(text: str, command: str) -> None:
    for parse in (parsing.roster_number, parsing.optional_number):
        result = _outcome(lambda parse=parse: parse(text, command))  # type: ignore[misc]
        if isinstance(result, Refusal):
            assert isinstance(result, Usage)
            continue
        if result is None:
            assert not text.strip()
            continue
        raw = text.strip().removeprefix("#")
        assert ASCII.fullmatch(raw)
        assert result == int(raw) >= 1
    result = _outcome(lambda: parsing.number_and_note(text, command))
    if not isinstance(result, Refusal):
        assert isinstance(result, tuple)
        number, note = result
        # str.strip() also drops \x1c-\x1f (Python counts them as whitespace), as the parser does
        first = text.strip().partition(" ")[0].strip().removeprefix("#")
        assert ASCII.fullmatch(first)
        assert number == int(first)
        assert note is None or len(note) <= parsing.NOTE_MAX


@given(texts)
@settings(max_examples=300)
def test_every_text_parser_returns_or_refuses(text: str) -> None:
    for parse in (
        parsing.start_payload,
        parsing.alta,
        parsing.asiento,
        parsing.ajustar,
        parsing.municipality,
        parsing.convocar,
        parsing.agenda_lines,
        parsing.clock_time,
        parsing.day_range,
        lambda t: parsing.one_date(t, "habil"),
    ):
        _outcome(lambda parse=parse: parse(text))  # type: ignore[misc]
    for prefix in ("ordinaria ", "ordinaria 2026-12-07 ", "extraordinaria "):
        result = _outcome(lambda prefix=prefix: parsing.convocar(prefix + text))  # type: ignore[misc]
        if isinstance(result, parsing.ConvocarRequest):
            assert isinstance(result.day, date)
            assert isinstance(result.at, time)
    result = _outcome(lambda: parsing.clock_time(text))
    if isinstance(result, time):
        assert re.fullmatch(r"[0-9]{2}:[0-9]{2}", text.strip(), re.ASCII)
    result = _outcome(lambda: parsing.one_date(text, "habil"))
    if isinstance(result, date):
        assert re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text.split()[0], re.ASCII)


@given(payloads)
@settings(max_examples=500)
@example("v:999999:①")
@example("v:1:٣")
@example("r:①:1")
@example(b"\xff\xfe:1".decode("utf-8", errors="surrogateescape"))
def test_decode_never_raises_and_accepts_only_ascii_ids(data: str) -> None:
    decoded = buttons.decode(data)
    if decoded is None:
        with pytest.raises(StaleButton):
            buttons.ids(data)
        return
    head, *parts = data.split(":")
    assert head == decoded.action.value
    assert all(ASCII.fullmatch(p) and len(p) <= 18 for p in parts)
    assert decoded.ids == tuple(int(p) for p in parts)
    assert buttons.ids(data) == decoded.ids


@given(st.sampled_from(sorted(SETTINGS)), texts)
@settings(max_examples=500)
def test_settings_values_parse_or_refuse(key: str, raw: str) -> None:
    """``/ajustar <clave> <valor>``: a new value or an ``InvalidSettingValue`` refusal."""
    spec = SETTINGS[key]
    with contextlib.suppress(ValueError):  # the field parsers' contract: change() refuses
        spec.parse(raw.strip())
    result = _outcome(lambda: change(DEFAULTS, key, raw))
    if isinstance(result, Refusal):
        return
    assert isinstance(result, SecretariatSettings)
    value = getattr(result, spec.attribute)
    if isinstance(value, int):
        assert ASCII.fullmatch(raw.strip())
    if isinstance(value, time | date):
        assert raw.strip().isascii()


@given(texts, st.booleans())
@settings(max_examples=300)
def test_offsets_parse_ascii_or_raise_value_error(raw: str, days_only: bool) -> None:
    try:
        offsets = parse_offsets(raw, days_only=days_only)
    except ValueError:
        return
    for offset in offsets:
        assert str(offset).isascii()
    digits = re.sub(r"[dh,\s]", "", raw.strip().lower())
    assert digits == "no" or not digits or ASCII.fullmatch(digits)
