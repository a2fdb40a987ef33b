"""Requests to cancel a convened session and each seat's answer (R11)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime


class Cancellation(Base):
    """A cancellation request: every seat must approve before start − 24 h (R11)."""

    __tablename__ = "cancellations"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    requested_by: Mapped[int] = mapped_column(ForeignKey("members.id"))
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(16), default="pendiente")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CancellationAnswer(Base):
    """``Apruebo la cancelación`` / ``No apruebo``, appended with who answered for the seat."""

    __tablename__ = "cancellation_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    cancellation_id: Mapped[int] = mapped_column(ForeignKey("cancellations.id"), index=True)
    seat_id: Mapped[int] = mapped_column(ForeignKey("seats.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    role: Mapped[str] = mapped_column(String(16))
    approve: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
