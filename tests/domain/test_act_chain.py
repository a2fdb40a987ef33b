"""The hash chain's pure rules (issue 15): canonical JSON, hashes, verification."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import act_chain as chain
from domain.act_chain import GENESIS, Act, Entry, Reason

T0 = datetime(2026, 12, 8, 10, 0, 0, 123456, tzinfo=UTC)


def ballot_entry(i: int, choice: str = "a_favor", seat: int = 1) -> Entry:
    """Unlinked entry for ballot i (positions and hashes come from ``linked``)."""
    at = T0 + timedelta(seconds=i)
    payload = chain.ballot(
        vote_id=7, seat_id=seat, member_id=10 + seat, role="titular", choice=choice, at=at
    )
    return Entry(0, Act.VOTO, chain.moment(at), f"ballots/{i}", chain.canonical(payload), "", "")


def current_of(entries: list[Entry]) -> dict[str, object]:
    """What an untouched database holds for these entries: each claim's expectation."""
    out: dict[str, object] = {}
    for e in entries:
        for claim in chain.claims(e.kind, e.source, json.loads(e.payload)):
            out[claim.key] = claim.expected
    return out


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ({"b": 1, "a": [True, None]}, '{"a":[true,null],"b":1}'),
        ({"ñ": "Umaña"}, '{"ñ":"Umaña"}'),  # UTF-8, no ASCII escaping
        ({"t": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)}, '{"t":"2026-01-02T03:04:05.000000Z"}'),
        (
            {"t": datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=-6)))},
            '{"t":"2026-01-02T09:04:05.000000Z"}',  # always UTC
        ),
        ({"d": date(2026, 12, 8)}, '{"d":"2026-12-08"}'),
        ({"s": "línea\nnueva"}, '{"s":"línea\\nnueva"}'),
    ],
)
def test_canonical_json_table(value: object, text: str) -> None:
    """Sorted keys, compact, UTF-8, UTC moments with microseconds, ISO dates."""
    assert chain.canonical(value) == text


@pytest.mark.parametrize(
    "value",
    [{"x": 1.5}, {"x": float("nan")}, {1: "a"}, {"x": datetime(2026, 1, 1)}, {"x": b""}],  # noqa: DTZ001
)
def test_canonical_json_refuses_what_has_no_single_text(value: object) -> None:
    """Floats, non-string keys, naive moments and bytes are refused, never guessed."""
    with pytest.raises((TypeError, ValueError)):
        chain.canonical(value)


def test_entry_hash_is_sha256_of_the_canonical_document() -> None:
    """Anyone can recompute it with a JSON library that sorts keys."""
    payload = '{"a":1}'
    document = (
        '{"acto":{"a":1},"anterior":"' + GENESIS + '","fecha":"F","posicion":1,"tipo":"voto"}'
    )
    expected = hashlib.sha256(document.encode()).hexdigest()
    assert chain.entry_hash(GENESIS, 1, "voto", "F", payload) == expected


def test_genesis_and_links() -> None:
    """The first entry links to 64 zeros; each next one to the previous hash."""
    entries = chain.linked([ballot_entry(i) for i in range(3)])
    assert [e.position for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == GENESIS
    assert entries[1].prev_hash == entries[0].hash
    assert chain.verify(entries, current_of(entries), (3, entries[-1].hash)) is None


def test_empty_chain_verifies_with_the_genesis_head() -> None:
    """No acts yet: head (0, zeros)."""
    assert chain.verify([], {}, (0, GENESIS)) is None


def test_verify_table_of_mismatches() -> None:
    """Each kind of tampering is named at its entry."""
    good = chain.linked([ballot_entry(i, seat=i + 1) for i in range(4)])
    current = current_of(good)
    head = (4, good[-1].hash)
    # A link broken: entry 3 claims another predecessor.
    broken = [*good[:2], Entry(**{**good[2].__dict__, "prev_hash": "f" * 64}), good[3]]
    assert chain.verify(broken, current, head) == chain.Mismatch(
        3, "voto", "ballots/2", Reason.LINK
    )
    # Its payload rewritten in the chain table (hash no longer matches).
    forged = json.loads(good[1].payload) | {"sentido": "en_contra"}
    rewritten = Entry(**{**good[1].__dict__, "payload": chain.canonical(forged)})
    found = chain.verify([good[0], rewritten, *good[2:]], current, head)
    assert found is not None
    assert found.reason is Reason.HASH
    # Non-canonical text (same JSON, other bytes).
    spaced = Entry(**{**good[1].__dict__, "payload": good[1].payload.replace(",", ", ")})
    found = chain.verify([good[0], spaced, *good[2:]], current, head)
    assert found is not None
    assert found.reason is Reason.NOT_CANONICAL
    # An entry removed: positions jump.
    found = chain.verify([good[0], *good[2:]], current, head)
    assert found is not None
    assert found.reason is Reason.POSITION
    # The act changed in the database.
    changed = dict(current)
    key = "voto:ballots/1"
    changed[key] = {**changed[key], "sentido": "abstencion"}  # type: ignore[dict-item]
    assert chain.verify(good, changed, head) == chain.Mismatch(
        2, "voto", "ballots/1", Reason.ACT_CHANGED
    )
    # The act deleted from the database.
    gone = {k: v for k, v in current.items() if k != "voto:ballots/3"}
    assert chain.verify(good, gone, head) == chain.Mismatch(
        4, "voto", "ballots/3", Reason.ACT_MISSING
    )
    # The head row not the last entry (an entry truncated off the end).
    found = chain.verify(good[:3], current_of(good[:3]), head)
    assert found is not None
    assert found.reason is Reason.HEAD


def test_the_running_tally_is_checked_against_the_latest_ballot_of_its_seat() -> None:
    """Seat 1 changed its ballot: the tally row must match the second one (R3)."""
    entries = chain.linked([ballot_entry(0, "a_favor"), ballot_entry(1, "en_contra")])
    current = current_of(entries)  # the latest claim wins: en_contra
    assert chain.verify(entries, current) is None
    key = "vigente:vote_seat_ballots/7:1:titular"
    assert current[key]["sentido"] == "en_contra"  # type: ignore[index]
    edited = {**current, key: {**current[key], "sentido": "a_favor"}}  # type: ignore[dict-item]
    assert chain.verify(entries, edited) == chain.Mismatch(
        2, "voto", "ballots/1", Reason.ACT_CHANGED
    )


def test_exported_entry_has_the_published_fields() -> None:
    """What /verificar accepts and /<slug>/datos/cadena/<n>.json serves (no source ids)."""
    entry = chain.linked([ballot_entry(0)])[0]
    assert set(entry.exported("zamora")) == {
        "secretaria", "posicion", "tipo", "fecha", "acto", "hash_anterior", "hash",
    }  # fmt: skip


def test_payload_builders_never_carry_r21_fields() -> None:
    """Payloads use internal ids; free text that is not public enters as a digest (R21)."""
    request = chain.cancellation_requested(
        cancellation_id=1, meeting_id=2, reason="motivo con correo a@b.mx", requested_at=T0,
        requested_by=3, closes_at=T0,
    )  # fmt: skip
    assert "a@b.mx" not in chain.canonical(request)
    result = chain.result(
        vote_id=1, meeting_id=None, kind="sesion", text="¿Aprobar?", outcome="aprobada",
        result={"tally": {"a_favor": 3}, "seats": [{"seat": "Gobierno", "choice": "a_favor",
                "voter": "Felipe Umaña", "role": "titular"}]},
        eligible_seats=[3, 1], closed_at=T0,
    )  # fmt: skip
    assert "Felipe" not in chain.canonical(result)
    assert result["asientos_con_voto"] == [1, 3]


payloads = st.lists(
    st.dictionaries(
        st.text(min_size=1, max_size=5),
        st.one_of(st.integers(), st.text(max_size=10), st.booleans(), st.none()),
        max_size=4,
    ),
    min_size=1,
    max_size=6,
)


def _entries(values: list[dict[str, object]]) -> list[Entry]:
    def unlinked(i: int, value: dict[str, object]) -> Entry:
        at = chain.moment(T0 + timedelta(minutes=i))
        return Entry(0, "acuerdo", at, f"agreement_changes/{i}", chain.canonical(value), "", "")

    return chain.linked([unlinked(i, v) for i, v in enumerate(values)])


@settings(deadline=None)  # a loaded machine is no failure: no wall-clock asserts
@given(payloads)
def test_appending_is_deterministic(values: list[dict[str, object]]) -> None:
    """The same acts in the same order give the same chain; a prefix is a prefix."""
    first, second = _entries(values), _entries(values)
    assert first == second
    assert _entries(values[:-1]) == first[:-1]


@settings(deadline=None)  # a loaded machine is no failure: no wall-clock asserts
@given(payloads, st.data())
def test_any_single_byte_change_is_detected_at_the_first_changed_entry(
    values: list[dict[str, object]], data: st.DataObject
) -> None:
    """Flip one byte of one stored field of one entry: verify names that entry."""
    entries = _entries(values)
    current = current_of(entries)
    head = (entries[-1].position, entries[-1].hash)
    index = data.draw(st.integers(0, len(entries) - 1))
    field = data.draw(st.sampled_from(["kind", "at", "payload", "prev_hash", "hash"]))
    text = getattr(entries[index], field)
    at = data.draw(st.integers(0, len(text.encode()) - 1))
    raw = bytearray(text.encode())
    raw[at] = (raw[at] + data.draw(st.integers(1, 255))) % 256
    changed = raw.decode("utf-8", errors="replace")
    if changed == text:
        return
    tampered = list(entries)
    tampered[index] = Entry(**{**entries[index].__dict__, field: changed})
    mismatch = chain.verify(tampered, current, head)
    assert mismatch is not None
    assert mismatch.position == index + 1


@settings(deadline=None)  # a loaded machine is no failure: no wall-clock asserts
@given(payloads, st.text(max_size=8), st.integers(1, 10**9), st.text(max_size=30))
def test_entry_hash_is_the_canonical_document_however_written(
    values: list[dict[str, object]], kind: str, position: int, at: str
) -> None:
    """The concatenated document is byte for byte ``canonical`` of the dict (any text)."""
    payload = chain.canonical(values[0])
    document = {"acto": values[0], "anterior": GENESIS, "fecha": at, "posicion": position,
                "tipo": kind}  # fmt: skip
    expected = hashlib.sha256(chain.canonical(document).encode()).hexdigest()
    assert chain.entry_hash(GENESIS, position, kind, at, payload) == expected
