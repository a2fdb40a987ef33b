"""Minutes of held sessions (R14, R15a, R20): notes, versions, signatures, the signed file.

Files live on disk under the data directory, named by their SHA-256 and never
overwritten (``storage.files``); ``StoredFile`` is their index. A version is one exact
file (R14); signatures point at a version and repeat its SHA-256, so a signature can never
be moved to other bytes. Nothing here is updated in place except the timestamps that
settle a step (circulated, voided, commented, accepted), each set once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime


class StoredFile(Base):
    """A file kept by its SHA-256 under the data directory."""

    __tablename__ = "stored_files"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MinutesNote(Base):
    """The facilitator's note on one agenda item (``/nota``): the acta's narrative."""

    __tablename__ = "minutes_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    item: Mapped[int] = mapped_column(Integer)  # 1-based agenda item
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[int] = mapped_column(ForeignKey("members.id"))


class MinutesVersion(Base):
    """One version of a session's minutes: the bot's draft or a corrected upload (R14)."""

    __tablename__ = "minutes_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, … per session
    source: Mapped[str] = mapped_column(String(16))  # borrador | corregida
    kind: Mapped[str] = mapped_column(String(8))  # pdf | docx: the file that is signed
    sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    # The draft's editable twin (.docx) and the record's fingerprint its footers carry.
    docx_sha256: Mapped[str | None] = mapped_column(ForeignKey("stored_files.sha256"))
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[int] = mapped_column(ForeignKey("members.id"))
    circulated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Frozen at circulation (R14): [{member_id, name, role, seat}], the facilitator first.
    signatories: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("meeting_id", "number", name="uq_minutes_versions_number"),)


class MinutesSignature(Base):
    """An electronic signature: one signatory's approval of one exact version (R14)."""

    __tablename__ = "minutes_signatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("minutes_versions.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    sha256: Mapped[str] = mapped_column(String(64))  # the version's, repeated: the binding
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # As printed on the signature page, frozen when signing (a later /baja changes nothing).
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    seat: Mapped[str | None] = mapped_column(String(120))

    __table_args__ = (
        UniqueConstraint("version_id", "member_id", name="uq_minutes_signatures_signer"),
    )


class MinutesChangeRequest(Base):
    """``Pido cambios``: the next message of that chat is the comment (R14)."""

    __tablename__ = "minutes_change_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("minutes_versions.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    comment: Mapped[str | None] = mapped_column(Text)
    commented_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SignedMinutes(Base):
    """The signed file of a session (R14): the approved version plus its signature page."""

    __tablename__ = "signed_minutes"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("minutes_versions.id"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime())  # the last signature
    # Set when the file is issued (a crash in between is finished at start-up).
    sha256: Mapped[str | None] = mapped_column(ForeignKey("stored_files.sha256"))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sealed: Mapped[bool] = mapped_column(Boolean, default=False)  # PAdES by FIRMA_P12
    copies_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # R20 fan-out done


class GaranteMailing(Base):
    """The e-mail of the signed minutes to the garante (R15a), retried until accepted."""

    __tablename__ = "garante_mailings"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), unique=True)
    to_address: Mapped[str] = mapped_column(String(254))
    state: Mapped[str] = mapped_column(String(16), default="pendiente")  # | aceptado | fallido
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    last_error: Mapped[str | None] = mapped_column(String(255))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    message_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
