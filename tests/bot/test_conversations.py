"""A conversation's dataclass to JSON and back (``bot.conversations``), as replicas read it.

What one replica stored, another decodes from the JSON alone: dates and times, enums,
nested dataclasses, optional fields and the Bot API's own objects (bound to the reading
bot, so ``get_file`` works there).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import pytest
from telegram import Bot, Document, PhotoSize, Video

from bot.conversations import decode, encode
from domain.evidence import Carrier
from handlers.convocations import Guided
from handlers.evidence import Attachment, Found
from tests.harness import TOKEN


def _round_trip(kind: type, value: object, bot: Bot | None = None) -> object:
    return decode(kind, json.loads(json.dumps(encode(value))), bot)


def test_a_guided_convocation_keeps_its_answers() -> None:
    half = Guided(3, "ordinaria", date(2026, 12, 7))
    full = Guided(3, "extraordinaria", date(2026, 12, 7), time(10, 0), "Sala de Cabildo, ñ")
    assert _round_trip(Guided, half) == half
    assert _round_trip(Guided, full) == full
    assert encode(half) == {
        "secretariat_id": 3,
        "kind": "ordinaria",
        "day": "2026-12-07",
        "at": None,
        "place": None,
    }


def test_a_telegram_file_comes_back_bound_to_the_reading_bot() -> None:
    bot = Bot(TOKEN)
    thumb = PhotoSize("t1", "ut1", 90, 60, file_size=1200)
    document = Document("f1", "uf1", thumbnail=thumb, file_name="acta.pdf", file_size=4096)
    found = Found("1 Acta firmada", Attachment(document, Carrier.DOCUMENT, "acta.pdf"), True)
    back = _round_trip(Found, found, bot)
    assert isinstance(back, Found)
    assert back == found
    assert back.attachment is not None
    assert isinstance(back.attachment.file, Document)
    assert back.attachment.file.file_name == "acta.pdf"
    assert back.attachment.file.thumbnail == thumb
    assert back.attachment.carrier is Carrier.DOCUMENT
    assert back.attachment.file.get_bot() is bot
    video = Found("2", Attachment(Video("v", "uv", 640, 480, 12), Carrier.VIDEO, None), False)
    assert _round_trip(Found, video, bot) == video
    assert _round_trip(Found, Found("3", None, False), bot) == Found("3", None, False)


@dataclass(frozen=True)
class _Stamped:
    at: datetime
    count: int
    ratio: float
    done: bool


def test_aware_datetimes_and_scalars_keep_their_types() -> None:
    value = _Stamped(datetime(2026, 12, 2, 15, 30, tzinfo=UTC), 2, 1.0, False)
    assert _round_trip(_Stamped, value) == value


@pytest.mark.parametrize(
    "data",
    [
        {"secretariat_id": "3", "kind": None, "day": None, "at": None, "place": None},
        {"secretariat_id": True, "kind": None, "day": None, "at": None, "place": None},
        {"secretariat_id": 3, "kind": None, "day": "7/12/2026", "at": None, "place": None},
        {"secretariat_id": 3},
        [3],
    ],
)
def test_what_the_code_cannot_read_is_refused_not_guessed(data: object) -> None:
    """A value of another shape (an older release's) raises: the helper reads it as absent."""
    with pytest.raises((KeyError, TypeError, ValueError)):
        decode(Guided, data, None)


def test_a_tag_of_no_listed_type_is_refused() -> None:
    stored = encode(Found("1", Attachment(PhotoSize("p", "up", 1, 1), Carrier.PHOTO, None), False))
    stored["attachment"]["file"]["type"] = "Sticker"
    with pytest.raises(ValueError, match="none of"):
        decode(Found, stored, None)
