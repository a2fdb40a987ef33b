"""The register of agreements and their follow-up (R16; seed VI.8).

An agreement keeps its code for ever (``ACU-2027-003``: secretariat, year, running
number, unique and never reused); every change — registration, responsible, due date,
status — is a row of ``agreement_changes`` with its time, author and note, so the
history is never rewritten.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime


class Agreement(Base):
    """One agreement adopted in a session (from a vote or typed with ``/acuerdo``)."""

    __tablename__ = "agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    secretariat_id: Mapped[int] = mapped_column(ForeignKey("secretariats.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(20))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    vote_id: Mapped[int | None] = mapped_column(ForeignKey("votes.id"), unique=True)
    text: Mapped[str] = mapped_column(Text)
    responsible_seat_id: Mapped[int | None] = mapped_column(ForeignKey("seats.id"))
    responsible_name: Mapped[str | None] = mapped_column(String(120))
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="pendiente")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[int] = mapped_column(ForeignKey("members.id"))

    __table_args__ = (
        UniqueConstraint("secretariat_id", "year", "sequence", name="uq_agreements_sequence"),
        UniqueConstraint("secretariat_id", "code", name="uq_agreements_code"),
    )


class AgreementChange(Base):
    """One change of an agreement, kept for ever (R16)."""

    __tablename__ = "agreement_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    kind: Mapped[str] = mapped_column(String(16))  # registro | responsable | plazo | estado
    status: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
