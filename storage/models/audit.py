"""The append-only audit log: who changed what, when.

Services only ever insert here. The actor is a roster entry when there is one (so that
R21's erasure of Telegram ids leaves the log readable by name), otherwise the raw
Telegram id of a deployment admin.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime


class AuditEntry(Base):
    """One state change."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    secretariat_id: Mapped[int | None] = mapped_column(ForeignKey("secretariats.id"), index=True)
    actor_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    actor_admin_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
