"""The hash chain of recorded acts (issue 15): its entries and each secretariat's head.

``chain_entries`` is append-only: one row per recorded act, linked by hash to the one
before (``domain.act_chain``). ``chain_heads`` holds the last position and hash per
secretariat; its row is locked (``FOR UPDATE``) by every append, which serialises
appends per secretariat without blocking other secretariats.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime


class ChainHead(Base):
    """A secretariat's chain head: the last entry's position and hash (0 and 64 zeros)."""

    __tablename__ = "chain_heads"

    secretariat_id: Mapped[int] = mapped_column(
        ForeignKey("secretariats.id"), primary_key=True, autoincrement=False
    )
    position: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ChainEntry(Base):
    """One recorded act in its secretariat's chain."""

    __tablename__ = "chain_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    secretariat_id: Mapped[int] = mapped_column(ForeignKey("secretariats.id"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    source_table: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON (domain.act_chain.canonical)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("secretariat_id", "position", name="uq_chain_entries_position"),
        Index("ix_chain_entries_hash", "hash"),
    )
