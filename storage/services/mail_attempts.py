"""One failed attempt of a retried e-mail to the garante, recorded the same way everywhere.

The signed minutes (R15a) and the members' proposals (R17) are both mailed to the garante
and retried with the same backoff (``domain.minutes.retry_delay``) until the server accepts
them or refuses them for good; their rows (``garante_mailings``, ``proposal_forwardings``)
share the columns this module updates, so a change of the retry rule lands in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.minutes import retry_delay

__all__ = ["Failed", "Retried", "record_failure"]

#: ``last_error`` is a ``String(255)`` in both tables.
MAX_ERROR = 255


class Retried(Protocol):
    """The columns a retried mailing row has."""

    state: str
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None


@dataclass(frozen=True)
class Failed:
    """A failed attempt: retried at ``retry_at`` unless it was permanent."""

    attempts: int
    retry_at: datetime | None

    @property
    def worth_telling(self) -> bool:
        """The facilitator hears of the first failure and of giving up, not every retry."""
        return self.attempts == 1 or self.retry_at is None


def record_failure(
    row: Retried, *, now: datetime, reason: str, permanent: bool, failed_state: str
) -> Failed:
    """Count the attempt and keep its reason; a permanent refusal (5xx) ends the retries
    (``failed_state``), a temporary one schedules the next attempt with backoff."""
    row.attempts += 1
    row.last_error = reason[:MAX_ERROR]
    if permanent:
        row.state = failed_state
        row.next_attempt_at = None
    else:
        row.next_attempt_at = now + retry_delay(row.attempts)
    return Failed(row.attempts, row.next_attempt_at)
