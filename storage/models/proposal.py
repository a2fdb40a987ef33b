"""Members' projects and proposals and their forwarding to the garante (R17; seed VI.10).

A proposal is received once and forwarded once: the forwarding is a row tied to the
convocation whose ``Enviar`` press triggered it (one per convocation), carrying how it
went out (e-mail to ``garante_correo`` or Telegram to the garante seat's titular) and
the evidence of its delivery, so "remitida al garante" is a stored fact, not a guess.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime


class ProposalForwarding(Base):
    """The proposals forwarded to the garante before one convocation was sent (R17)."""

    __tablename__ = "proposal_forwardings"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    via: Mapped[str] = mapped_column(String(16))  # correo | telegram
    recipient: Mapped[str] = mapped_column(String(254))  # address, or the titular's name
    state: Mapped[str] = mapped_column(String(16), default="pendiente")  # | enviada | fallida
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    last_error: Mapped[str | None] = mapped_column(String(255))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    evidence: Mapped[str | None] = mapped_column(String(255))  # Message-ID or message ids


class Proposal(Base):
    """One project or proposal submitted by a titular or substitute."""

    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    secretariat_id: Mapped[int] = mapped_column(ForeignKey("secretariats.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # P-<number> per secretariat
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    seat_id: Mapped[int | None] = mapped_column(ForeignKey("seats.id"))
    text: Mapped[str] = mapped_column(Text)
    file_sha256: Mapped[str | None] = mapped_column(ForeignKey("stored_files.sha256"))
    file_name: Mapped[str | None] = mapped_column(String(255))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    forwarding_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposal_forwardings.id"), index=True
    )
    agenda_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))

    __table_args__ = (UniqueConstraint("secretariat_id", "number", name="uq_proposals_number"),)
