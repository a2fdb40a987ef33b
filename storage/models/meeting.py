"""Sessions of a secretariat (R6, R7, R9) and the evidence around them.

Called ``Meeting`` in code so it never gets confused with a database session. A meeting
starts as a ``borrador`` (the preview the facilitator sees) and gets its running number
and formal title only when the convocation is sent, so discarded previews leave no gaps
in the official numbering.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime


class Meeting(Base):
    """One session: ordinaria or extraordinaria."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    secretariat_id: Mapped[int] = mapped_column(ForeignKey("secretariats.id"), index=True)
    number: Mapped[int | None] = mapped_column(Integer)  # the `n` of /quorum n; set when sent
    kind: Mapped[str] = mapped_column(String(16))
    ordinal: Mapped[int | None] = mapped_column(Integer)  # per year and kind
    title: Mapped[str | None] = mapped_column(String(120))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    place: Mapped[str] = mapped_column(String(200))
    agenda: Mapped[list[str]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="borrador")
    non_business_day: Mapped[bool] = mapped_column(Boolean, default=False)
    non_business_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[int] = mapped_column(ForeignKey("members.id"))
    draft_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    convened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    roll_call_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    installed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    quorum_required: Mapped[int | None] = mapped_column(Integer)  # frozen at /instalar (R9)
    seats_present: Mapped[int | None] = mapped_column(Integer)
    seats_total: Mapped[int | None] = mapped_column(Integer)
    concluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # R15: the minutes sent to the garante, as the facilitator declared with /acta_enviada.
    minutes_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    minutes_sent_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    minutes_note: Mapped[str | None] = mapped_column(Text)
    # How the sending was established: "manual" (/acta_enviada) or "correo" (R15a: the mail
    # server's acceptance, see GaranteMailing).
    minutes_sent_via: Mapped[str | None] = mapped_column(String(16))

    # Drafts have neither (NULLs never collide); sent sessions are numbered once.
    __table_args__ = (
        UniqueConstraint("secretariat_id", "number", name="uq_meetings_number"),
        UniqueConstraint("secretariat_id", "title", name="uq_meetings_title"),
    )


class Delivery(Base):
    """One attempt to deliver a convocation (or notice): the evidence of notice (R7)."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(32))  # "convocatoria", "grupo", …
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ok: Mapped[bool] = mapped_column(Boolean)
    message_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    failure: Mapped[str | None] = mapped_column(String(255))


class AttendanceAnswer(Base):
    """An RSVP answer, titular's or substitute's; append-only so every change keeps its time."""

    __tablename__ = "attendance_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    seat_id: Mapped[int] = mapped_column(ForeignKey("seats.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    role: Mapped[str] = mapped_column(String(16))  # titular | suplente
    answer: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class Presence(Base):
    """Someone present at the roll call, by button or marked by the facilitator (R9)."""

    __tablename__ = "presences"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    seat_id: Mapped[int | None] = mapped_column(ForeignKey("seats.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    marked_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))

    __table_args__ = (UniqueConstraint("meeting_id", "member_id"),)


class NonWorkingDay(Base):
    """A day the secretariat declared non-working (R8), with its reason or source."""

    __tablename__ = "non_working_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    secretariat_id: Mapped[int] = mapped_column(ForeignKey("secretariats.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))

    __table_args__ = (UniqueConstraint("secretariat_id", "day"),)


class CustomaryProposal(Base):
    """A customary public-sector day proposed to the facilitator (R8); applies once confirmed."""

    __tablename__ = "customary_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    secretariat_id: Mapped[int] = mapped_column(ForeignKey("secretariats.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    label: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(16), default="pendiente")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("secretariat_id", "day"),)
