"""A command waiting for its caller to choose a secretariat (commands.md: never guess).

Button payloads are capped at 64 bytes, so the command's arguments wait here and the
button carries only this row's id and the secretariat's id.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime


class PendingChoice(Base):
    """One "¿En cuál secretariado?" question."""

    __tablename__ = "pending_choices"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    command: Mapped[str] = mapped_column(String(32))
    args: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
