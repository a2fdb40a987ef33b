"""A clock the tests drive by hand (the application takes any ``() -> datetime``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FakeClock:
    """Aware UTC time that only moves when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 11, 27, 16, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        """Move forward, e.g. ``clock.advance(days=8)``."""
        self.current += timedelta(**delta)
        return self.current
