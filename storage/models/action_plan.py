"""The Plan de Acción Municipal: commitments, milestones and their history (R16a; II.2–II.6).

A commitment (``C-3``) carries the fields of an OGP commitment; its milestones
(``C-3.2``) carry a weight and, once done, their verification evidence. The level is
stored as it stands (derived from the milestones unless set by hand with a reason), and
every change — registration, a milestone added or marked, a level set by hand — is a row
of ``commitment_changes`` with its time and author: the follow-up report (II.6) reads
the period's changes from there, so nothing is ever rewritten.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime


class Commitment(Base):
    """One commitment of the action plan."""

    __tablename__ = "commitments"

    id: Mapped[int] = mapped_column(primary_key=True)
    secretariat_id: Mapped[int] = mapped_column(ForeignKey("secretariats.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # C-<number>, never reused
    title: Mapped[str] = mapped_column(Text)
    problem: Mapped[str | None] = mapped_column(Text)  # the public problem it addresses
    objective: Mapped[str | None] = mapped_column(Text)  # what the commitment does
    institution: Mapped[str | None] = mapped_column(Text)  # responsible institution
    responsible_seat_id: Mapped[int | None] = mapped_column(ForeignKey("seats.id"))
    supporters: Mapped[str | None] = mapped_column(Text)  # supporting actors
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    ogp_values: Mapped[str] = mapped_column(String(120), default="")  # comma-separated
    level: Mapped[str] = mapped_column(String(16), default="no_iniciado")
    level_manual: Mapped[bool] = mapped_column(Boolean, default=False)
    level_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[int] = mapped_column(ForeignKey("members.id"))

    __table_args__ = (
        UniqueConstraint("secretariat_id", "number", name="uq_commitments_number"),
    )


class CommitmentMilestone(Base):
    """One milestone of a commitment, with its weight and verification evidence."""

    __tablename__ = "commitment_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # C-n.<number>
    text: Mapped[str] = mapped_column(Text)
    due_date: Mapped[date] = mapped_column(Date)
    weight: Mapped[int] = mapped_column(Integer, default=1)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    evidence: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("commitment_id", "number", name="uq_commitment_milestones_number"),
    )


class CommitmentChange(Base):
    """One change of a commitment or one of its milestones, kept for ever (R16a)."""

    __tablename__ = "commitment_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), index=True)
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("commitment_milestones.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    kind: Mapped[str] = mapped_column(String(16))  # registro | hito | avance | nivel
    level: Mapped[str] = mapped_column(String(16))  # the commitment's level after the change
    note: Mapped[str | None] = mapped_column(Text)
