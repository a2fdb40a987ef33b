"""A secretariat (one municipality's STM), its settings and its voting seats (R1)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain.mexican_states import DEFAULT_STATE
from domain.microsite import DEFAULT_LICENCE, slugify
from domain.reminders import DEFAULT_OVERDUE_EVERY, DEFAULTS, Kind
from domain.secretariat_settings import DEFAULT_GARANTE
from storage.models.base import Base, UTCDateTime


def _slug_of_name(context: Any) -> str:
    """Rows made without the service (tests, benchmarks) get their name's slug."""
    return slugify(context.get_current_parameters()["name"])


class Secretariat(Base):
    """One STM; its settings are typed columns named as ``SecretariatSettings`` fields."""

    __tablename__ = "secretariats"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[int] = mapped_column(BigInteger)
    # seed III.11: the electronic channel. One group per secretariat, one secretariat per group.
    group_chat_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    group_title: Mapped[str | None] = mapped_column(String(255))
    group_linked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Settings (commands.md), defaults of rules.md.
    time_zone: Mapped[str] = mapped_column(String(64), default="America/Mexico_City")
    quorum_rule: Mapped[str] = mapped_column(String(16), default="mayoria")
    quorum_base: Mapped[str] = mapped_column(String(16), default="asientos")
    notice_ordinary: Mapped[int] = mapped_column(Integer, default=5)
    notice_extraordinary: Mapped[int] = mapped_column(Integer, default=2)
    non_business_sessions: Mapped[str] = mapped_column(String(16), default="confirmar")
    garante_name: Mapped[str] = mapped_column(String(200), default=DEFAULT_GARANTE)
    garante_email: Mapped[str] = mapped_column(String(254), default="")
    minutes_deadline: Mapped[str] = mapped_column(String(16), default="mismo_mes")
    reminder_time: Mapped[time] = mapped_column(Time, default=time(9, 0))
    term_start: Mapped[date | None] = mapped_column(Date)
    term_end: Mapped[date | None] = mapped_column(Date)
    # Reminder offsets (domain.reminders, R22); server defaults fill existing rows.
    remind_rsvp: Mapped[str] = mapped_column(String(40), default=DEFAULTS[Kind.ASISTENCIA])
    remind_session: Mapped[str] = mapped_column(String(40), default=DEFAULTS[Kind.SESION])
    remind_quorum: Mapped[str] = mapped_column(String(40), default=DEFAULTS[Kind.QUORUM])
    remind_monthly: Mapped[str] = mapped_column(String(40), default=DEFAULTS[Kind.MENSUAL])
    remind_minutes: Mapped[str] = mapped_column(String(40), default=DEFAULTS[Kind.ACTA])
    minutes_overdue_every: Mapped[int] = mapped_column(Integer, default=DEFAULT_OVERDUE_EVERY)
    remind_vote: Mapped[str] = mapped_column(String(40), default=DEFAULTS[Kind.VOTACION])
    remind_cancellation: Mapped[str] = mapped_column(
        String(40), default=DEFAULTS[Kind.CANCELACION]
    )
    # R14: who signs the minutes, and when the missing signatures are chased (R22).
    minutes_signatories: Mapped[str] = mapped_column(String(16), default="presentes")
    remind_signature: Mapped[str] = mapped_column(String(40), default=DEFAULTS[Kind.FIRMA])
    remind_agreement: Mapped[str] = mapped_column(String(40), default=DEFAULTS[Kind.ACUERDO])
    # R18: the public channel, as the facilitator typed it (``@canal`` or an id) and as
    # resolved by getChatMember when it was set (the bot must be an administrator there).
    public_channel: Mapped[str] = mapped_column(String(120), default="")
    public_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    # R19: the microsite's address (/<slug>/), made from the name once and never changed,
    # and its settings: the office's public contact, links of interest, open data licence.
    slug: Mapped[str] = mapped_column(String(80), unique=True, default=_slug_of_name)
    contact: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[str] = mapped_column(Text, default="")
    licence: Mapped[str] = mapped_column(String(200), default=DEFAULT_LICENCE)
    # R1, R19: the entidad federativa (its short name, domain.mexican_states): the public
    # compliance pages group secretariats by state (/<slug-of-state>/cumplimiento).
    state: Mapped[str] = mapped_column(String(40), default=DEFAULT_STATE)

    seats: Mapped[list[Seat]] = relationship(
        back_populates="secretariat", lazy="raise", order_by="Seat.position"
    )


class Seat(Base):
    """A voting seat (R1): one titular and at most one substitute, enforced in ``Member``."""

    __tablename__ = "seats"

    id: Mapped[int] = mapped_column(primary_key=True)
    secretariat_id: Mapped[int] = mapped_column(ForeignKey("secretariats.id"), index=True)
    key: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    secretariat: Mapped[Secretariat] = relationship(back_populates="seats", lazy="raise")

    __table_args__ = (
        # Typed in /alta, so unique within the secretariat.
        UniqueConstraint("secretariat_id", "key"),
    )
