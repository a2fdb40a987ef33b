"""Reminders sent or dropped: the ledger that makes each one happen at most once (R23).

A reminder is identified by (kind, target, due moment). The row is written *before* the
message goes out, in its own committed transaction, so two racing triggers or a restart
can never send it twice: the second insert hits the unique key. It is written
``pendiente`` (claimed, still in our queue), becomes ``enviando`` the instant its request
leaves for Telegram, and ``enviado`` once accepted (issue 14). A process that dies leaves
its ``pendiente`` claims to the next leader, which sends them (they never left); an
``enviando`` row died on the wire and is not sent again (Telegram may have it; R23 asks
for "at most once"), so at most the requests in flight at the instant of a crash are in
doubt, and they stay visible as evidence.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime


class Reminder(Base):
    """One reminder moment: ``pendiente`` → ``enviando`` → ``enviado`` | ``fallido``, or
    ``omitido``."""

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
