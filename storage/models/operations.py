"""What replicas share through the database instead of a process's memory (issue 14).

``chat_states`` holds a chat's conversation in progress (the guided ``/convocar``, a typed
vote deadline, a command waiting for its file): any replica may receive the chat's next
update, so the step reached cannot live in one process's ``chat_data``.

``send_slots`` is Telegram's outgoing budget, which is per bot token and not per
process: each replica reserves the next free moment of a key (``overall``) in one
statement, so two replicas fanning out at once stay within 30 messages a second together.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime


class ChatState(Base):
    """One conversation step of a chat, by name (``key``); JSON, with an expiry."""

    __tablename__ = "chat_states"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SendSlot(Base):
    """The next moment a budget (``overall``, a chat…) may send, shared by the replicas."""

    __tablename__ = "send_slots"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_at: Mapped[datetime] = mapped_column(UTCDateTime())
