"""Append to the audit log (every state change: who, what, when)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert
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


def entry(
    *,
    now: datetime,
    action: str,
    secretariat_id: int | None,
    member_id: int | None = None,
    admin_id: int | None = None,
    **detail: Any,
) -> dict[str, Any]:
    """One entry as a row, for :func:`record_many` (same fields as :func:`record`)."""
    return {
        "at": now,
        "action": action,
        "secretariat_id": secretariat_id,
        "actor_member_id": member_id,
        "actor_admin_id": admin_id,
        "detail": detail,
    }


async def record_many(session: AsyncSession, entries: Sequence[dict[str, Any]]) -> None:
    """Several entries in one statement (a batch of ballots); same unit of work."""
    if entries:
        await session.execute(insert(AuditEntry), list(entries))
