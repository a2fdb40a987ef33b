"""Removal requests and their sponsors (R4; seed I.3).

A request names the member concerned and the reasons; its sponsors are rows, one per
person, so "backed by two seats" is a stored fact and a second sponsor of the same seat
is refused by the database as well as by ``domain.removal`` (``uq_removal_sponsors_seat``).
The request remembers the session whose agenda carries it and the vote that decided it;
the member's roster entry is never deleted (R21: an approved removal deactivates it).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime

#: The states in which a request is still open (``domain.removal.OPEN``).
_OPEN = "state IN ('solicitada', 'respaldada', 'en_agenda')"


class RemovalRequest(Base):
    """``/remocion <n> <motivo>``: a request to end member ``n``'s designation (R4)."""

    __tablename__ = "removal_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    secretariat_id: Mapped[int] = mapped_column(ForeignKey("secretariats.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # #n per secretariat, never reused
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))  # the member concerned
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))  # domain.removal.State
    requested_by: Mapped[int] = mapped_column(ForeignKey("members.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    backed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The session whose agenda carries the item (a draft first, then the one convened).
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"), index=True)
    vote_id: Mapped[int | None] = mapped_column(ForeignKey("votes.id"), unique=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("secretariat_id", "number", name="uq_removal_requests_number"),
        # One open request per member concerned: a second is refused naming the first.
        Index(
            "uq_removal_requests_open_member",
            "member_id",
            unique=True,
            sqlite_where=text(_OPEN),
            postgresql_where=text(_OPEN),
        ),
    )


class RemovalSponsor(Base):
    """One member who sponsors a request: its requester, then whoever backs it (R4)."""

    __tablename__ = "removal_sponsors"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("removal_requests.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    seat_id: Mapped[int] = mapped_column(ForeignKey("seats.id"))
    role: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("request_id", "member_id", name="uq_removal_sponsors_member"),
        # R4: two *different* seats; a seat's titular and substitute are one.
        UniqueConstraint("request_id", "seat_id", name="uq_removal_sponsors_seat"),
    )
