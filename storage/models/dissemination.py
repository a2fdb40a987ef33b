"""The public channel's posts and the facilitator's communiqués (R18; II.5, VI.11, V.3).

Every post owed to the public channel is a row first (unique per secretariat, kind and
subject), sent second and marked when Telegram accepted it: a vote result, an agreement,
signed minutes or a communiqué is posted once, and a restart re-sends only what was
owed and not yet accepted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime


class Communique(Base):
    """A communiqué of the facilitator (``/comunicado``): group, channel and microsite."""

    __tablename__ = "communiques"

    id: Mapped[int] = mapped_column(primary_key=True)
    secretariat_id: Mapped[int] = mapped_column(ForeignKey("secretariats.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[int] = mapped_column(ForeignKey("members.id"))

    __table_args__ = (UniqueConstraint("secretariat_id", "number", name="uq_communiques_number"),)


class ChannelPost(Base):
    """One post owed to the public channel: ``votacion``, ``acuerdo``, ``acta``, ``comunicado``."""

    __tablename__ = "channel_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    secretariat_id: Mapped[int] = mapped_column(ForeignKey("secretariats.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int] = mapped_column(Integer)  # the vote, agreement, meeting or communiqué
    channel_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(255))

    __table_args__ = (
        UniqueConstraint("secretariat_id", "kind", "subject_id", name="uq_channel_posts_subject"),
    )
