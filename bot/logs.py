"""Logging without secrets: the bot token and invitation tokens never reach a log line.

PTB logs every request's parameters at DEBUG (the invitation links we send) and httpx
logs every URL at INFO (the bot token is part of it). Redacting when a record is made,
rather than in one handler, covers every handler an operator or a test attaches.
"""

from __future__ import annotations

import json
import logging
import re
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from bot.settings import Settings

_INVITATION = re.compile(r"(start=|/start\s+|'start', ')[A-Za-z0-9_-]{8,64}")
_installed: list[str] = []

#: The update being handled and the secretariat it acts on, for ``LOG_FORMAT=json``: set
#: by ``bot.updates`` and ``bot.guards`` in the update's task, inherited by what it spawns.
UPDATE_ID: ContextVar[int | None] = ContextVar("stm_update_id", default=None)
SECRETARIAT: ContextVar[int | None] = ContextVar("stm_secretariat", default=None)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: what a log shipper (Loki, Elastic, Cloud Logging) reads.

    Fields: ``time`` (UTC, ISO 8601 with milliseconds), ``level``, ``logger``,
    ``message`` and, when known, ``secretariat`` and ``update_id``; ``exception`` holds
    the traceback. The message was already redacted when the record was made
    (``install_redaction``), so secrets stay out of this format too.
    """

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        secretariat, update_id = SECRETARIAT.get(), UPDATE_ID.get()
        if secretariat is not None:
            entry["secretariat"] = secretariat
        if update_id is not None:
            entry["update_id"] = update_id
        if record.exc_info:
            entry["exception"] = record.exc_text or redact(
                self.formatException(record.exc_info), _installed
            )
        return json.dumps(entry, ensure_ascii=False)


def redact(message: str, secrets: list[str]) -> str:
    """The message with every secret and invitation token replaced."""
    for secret in secrets:
        message = message.replace(secret, "<redacted>")
    return _INVITATION.sub(r"\1<redacted>", message)


def install_redaction(*secrets: str) -> None:
    """Wrap the log record factory once per process; later calls add secrets."""
    _installed.extend(s for s in secrets if s and s not in _installed)
    if getattr(logging.getLogRecordFactory(), "_stm_redacting", False):
        return
    make_record = logging.getLogRecordFactory()
    formatter = logging.Formatter()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        message = record.getMessage()
        clean = redact(message, _installed)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(formatter.formatException(record.exc_info), _installed)
        return record

    factory._stm_redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def configure_logging(settings: Settings) -> None:
    """Logs on stderr at ``LOG_LEVEL``, plain or one JSON object per line (``LOG_FORMAT``);
    httpx's per-request lines are too chatty."""
    install_redaction(settings.token, settings.webhook_secret, settings.metrics_token)
    handler = logging.StreamHandler()
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=settings.log_level, handlers=[handler], force=True)
    for noisy in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(noisy).setLevel(
            max(logging.WARNING, logging.getLevelName(settings.log_level))
        )
