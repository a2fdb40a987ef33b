"""Append to the audit log (every state change: who, what, when)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry


def record(
    session: AsyncSession,
    *,
    now: datetime,
    action: str,
    secretariat_id: int | None,
    member_id: int | None = None,
    admin_id: int | None = None,
    **detail: Any,
) -> None:
    """Add one entry to the unit of work; it commits (or rolls back) with the change."""
    session.add(
        AuditEntry(
            at=now,
            action=action,
            secretariat_id=secretariat_id,
            actor_member_id=member_id,
            actor_admin_id=admin_id,
            detail=detail,
        )
    )
