"""Reminders sent or dropped: the ledger that makes each one happen at most once (R23).

A reminder is identified by (kind, target, due moment). The row is written *before* the
message goes out, in its own committed transaction, so two racing triggers or a restart
can never send it twice: the second insert hits the unique key. The cost is that a crash
between the commit and the send loses that one message (status stays ``enviando``,
visible evidence); R23 asks for "at most once".
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime


class Reminder(Base):
    """One reminder moment settled: ``enviando`` → ``enviado`` | ``fallido``, or ``omitido``."""

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    secretariat_id: Mapped[int] = mapped_column(ForeignKey("secretariats.id"))
    kind: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(64))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    detail: Mapped[str | None] = mapped_column(String(255))

    __table_args__ = (
        UniqueConstraint("kind", "target", "due_at", name="uq_reminders_key"),
        Index("ix_reminders_secretariat_series", "secretariat_id", "kind", "target"),
    )
