"""Roster entries (people in their roles) and their invitations (R1–R3, R21).

A ``Member`` is one person in one role of one secretariat; the same Telegram account may
hold entries in several secretariats (the garante's liaison sits on many), but only one
active entry per secretariat. Entries are never deleted (``/baja`` deactivates them, so
history keeps its names); the Telegram id is erased when a person leaves (R21).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, UTCDateTime
from storage.models.secretariat import Seat


class Member(Base):
    """One roster entry: facilitador, titular, suplente or observador."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    secretariat_id: Mapped[int] = mapped_column(ForeignKey("secretariats.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # the `n` of /baja n, per secretariat
    role: Mapped[str] = mapped_column(String(16))
    seat_id: Mapped[int | None] = mapped_column(ForeignKey("seats.id"))
    # None until bound when the admin created the entry without a name (the facilitator of
    # /nuevo_stm): the Telegram profile name is taken at binding time.
    full_name: Mapped[str | None] = mapped_column(String(120))
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    linked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the facilitator was told of the linking (grouped: bot/linking.py); NULL = owed.
    link_noticed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    seat: Mapped[Seat | None] = relationship(lazy="raise")

    __table_args__ = (
        UniqueConstraint("secretariat_id", "number"),
        # R1: one active titular and at most one active substitute per seat.
        Index(
            "uq_members_active_seat_role",
            "seat_id",
            "role",
            unique=True,
            sqlite_where=text("active AND seat_id IS NOT NULL"),
            postgresql_where=text("active AND seat_id IS NOT NULL"),
        ),
        # Seed VI: one facilitator per secretariat.
        Index(
            "uq_members_one_facilitator",
            "secretariat_id",
            unique=True,
            sqlite_where=text("active AND role = 'facilitador'"),
            postgresql_where=text("active AND role = 'facilitador'"),
        ),
        # One active roster entry per Telegram account and secretariat.
        Index(
            "uq_members_account_per_secretariat",
            "secretariat_id",
            "telegram_user_id",
            unique=True,
            sqlite_where=text("active AND telegram_user_id IS NOT NULL"),
            postgresql_where=text("active AND telegram_user_id IS NOT NULL"),
        ),
    )


class Invitation(Base):
    """A single-use, expiring link that binds a Telegram account to a roster entry.

    Only the SHA-256 of the token is stored: a leaked database cannot be replayed into
    someone's seat.
    """

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    member: Mapped[Member] = relationship(lazy="raise")
