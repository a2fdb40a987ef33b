"""``LOG_FORMAT=json`` (issue 14): one object per line, context fields, secrets redacted."""

from __future__ import annotations

import asyncio
import json
import logging
import sys

from bot.logs import SECRETARIAT, UPDATE_ID, JsonFormatter, install_redaction

SECRET = "987654:ZZsecretZZsecretZZsecretZZsecretZZ"


def _line(record: logging.LogRecord) -> dict[str, object]:
    return json.loads(JsonFormatter().format(record))


def test_fields_and_redaction() -> None:
    install_redaction(SECRET)
    logger = logging.getLogger("stm.test")
    try:
        raise RuntimeError(f"fallo con https://api.telegram.org/bot{SECRET}/getMe")
    except RuntimeError:
        record = logger.makeRecord(
            "stm.test",
            logging.ERROR,
            __file__,
            1,
            "llamada %s con start=%s",
            (SECRET, "a" * 32),
            exc_info=sys.exc_info(),
        )
    entry = _line(record)
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "stm.test"
    assert entry["message"] == "llamada <redacted> con start=<redacted>"
    assert SECRET not in json.dumps(entry)
    assert "RuntimeError" in str(entry["exception"])
    assert str(entry["time"]).endswith("+00:00")
    assert "update_id" not in entry
    assert "secretariat" not in entry


async def test_context_of_the_update_task_only() -> None:
    """Set in one update's task, named there and in what it spawns, not in another task."""
    logger = logging.getLogger("stm.test")

    async def update(n: int) -> dict[str, object]:
        UPDATE_ID.set(n)
        SECRETARIAT.set(10 + n)
        child = asyncio.create_task(asyncio.sleep(0, result=None))
        await child
        return _line(logger.makeRecord("stm.test", logging.INFO, __file__, 1, "hola", (), None))

    first, second = await asyncio.gather(update(1), update(2))
    assert (first["update_id"], first["secretariat"]) == (1, 11)
    assert (second["update_id"], second["secretariat"]) == (2, 12)
    outside = _line(logger.makeRecord("stm.test", logging.INFO, __file__, 1, "x", (), None))
    assert "update_id" not in outside
