"""Votes and ballots (R2, R3, R10, R12, R13).

Ballots are appended, never updated: a changed ballot adds a row, and R3's "only the last
counts" is computed by ``domain.ballots``. Each press also updates the vote's running
tally: the seat's latest ballot per role (``vote_seat_ballots``) and the counts on the vote
row, so a press never re-reads the vote's earlier ballots (issue 10). When a vote closes,
the seats entitled to vote and the result are frozen on the vote row, so later roster
changes never rewrite history.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime


class Vote(Base):
    """A question put to the seats: in a session (R13) or electronically until a deadline."""

    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    secretariat_id: Mapped[int] = mapped_column(ForeignKey("secretariats.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))
    kind: Mapped[str] = mapped_column(String(16))  # sesion | electronica
    purpose: Mapped[str] = mapped_column(String(16), default="general")  # or orden_del_dia (R10)
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(
        String(16)
    )  # plazo (asking the deadline) | abierta | cerrada
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[int] = mapped_column(ForeignKey("members.id"))
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # R13: who may vote, frozen when the vote opens (session: seats present at roll call).
    eligible_seats: Mapped[list[int]] = mapped_column(JSON, default=list)
    titular_present: Mapped[list[int]] = mapped_column(JSON, default=list)
    outcome: Mapped[str | None] = mapped_column(String(32))
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    group_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    group_message_id: Mapped[int | None] = mapped_column(Integer)
    # The running tally of counted ballots (domain.ballots.with_ballot), one per seat.
    a_favor: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    en_contra: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    abstencion: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    voted_seats: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # When the last entitled seat voted: set once, so "every seat voted" fires once.
    complete_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Ballot(Base):
    """One press of ``A favor`` / ``En contra`` / ``Abstención``, with who cast it."""

    __tablename__ = "ballots"

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), index=True)
    seat_id: Mapped[int] = mapped_column(ForeignKey("seats.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    role: Mapped[str] = mapped_column(String(16))
    choice: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class SeatBallot(Base):
    """A seat's latest ballot in one role (R3): at most a titular's and a substitute's."""

    __tablename__ = "vote_seat_ballots"

    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), primary_key=True)
    seat_id: Mapped[int] = mapped_column(ForeignKey("seats.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    choice: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
