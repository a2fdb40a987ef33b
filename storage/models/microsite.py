"""What the microsite adds to the record (R19): session evidence and the citizen inbox.

Evidence files are kept by SHA-256 like the minutes (``storage.files``) and listed with
their session. Inbox messages (the ``buzon`` and ``participa`` forms) keep the citizen's
text and optional contact only to answer them: R21 forbids publishing who wrote, so open
data reads only the category, the dates and the status.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime


class SessionEvidence(Base):
    """A photo, video, audio or document the facilitator attached to a session (R19 a)."""

    __tablename__ = "session_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, … per session, for the page
    kind: Mapped[str] = mapped_column(String(16))  # foto | video | audio | documento
    sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"))
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    caption: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[int] = mapped_column(ForeignKey("members.id"))

    __table_args__ = (
        UniqueConstraint("meeting_id", "number", name="uq_session_evidence_number"),
        # the same file twice is one evidence
        UniqueConstraint("meeting_id", "sha256", name="uq_session_evidence_sha256"),
    )


class InboxMessage(Base):
    """One message of the ``buzon`` (duda, queja, sugerencia) or ``participa`` form (R19 f, g)."""

    __tablename__ = "inbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    secretariat_id: Mapped[int] = mapped_column(ForeignKey("secretariats.id"), index=True)
    form: Mapped[str] = mapped_column(String(16))  # buzon | participa
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)  # per secretariat, form and year
    folio: Mapped[str] = mapped_column(String(24))  # BZN-2026-0001 / PAR-2026-0001
    category: Mapped[str] = mapped_column(String(16))  # duda | queja | sugerencia | participa
    text: Mapped[str] = mapped_column(Text, default="")
    # R21: never published, shown only to the facilitator in Telegram.
    sender_name: Mapped[str] = mapped_column(String(120), default="")
    sector: Mapped[str] = mapped_column(String(120), default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The form's signed token: a second submission of the same form is refused (CSRF).
    form_nonce: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="recibido")  # | atendido
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    # The facilitator's Telegram notice: sent once, re-sent at start-up while owed.
    noticed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    notice_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    notice_message_id: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (UniqueConstraint("secretariat_id", "form", "year", "sequence"),)
