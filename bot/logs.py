"""Logging without secrets: the bot token and invitation tokens never reach a log line.

PTB logs every request's parameters at DEBUG (the invitation links we send) and httpx
logs every URL at INFO (the bot token is part of it). Redacting when a record is made,
rather than in one handler, covers every handler an operator or a test attaches.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from bot.settings import Settings

_INVITATION = re.compile(r"(start=|/start\s+|'start', ')[A-Za-z0-9_-]{8,64}")
_installed: list[str] = []


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
    """Plain logs on stderr at ``LOG_LEVEL``; httpx's per-request lines are too chatty."""
    install_redaction(settings.token)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=settings.log_level, handlers=[handler], force=True)
    for noisy in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(noisy).setLevel(
            max(logging.WARNING, logging.getLevelName(settings.log_level))
        )
