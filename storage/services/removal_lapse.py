"""Removal requests lapse when people leave the roster (R4, R21).

Called from ``roster.retire`` in the unit of work that deactivates an entry (``/baja``,
or an approved removal), so a request can never outlive the member it is about: every
open request against them becomes ``caducada``, and one they started that no other seat
has backed yet becomes ``retirada`` (``domain.removal.lapse``). A separate module so the
roster does not depend on the removal use cases (which depend on the roster).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import removal as rules
from domain.removal import State
from storage.models import Member, RemovalRequest
from storage.services import audit


async def member_left(session: AsyncSession, *, now: datetime, member: Member) -> list[int]:
    """Apply R4's lapse to the open requests about, or started by, ``member``; their ids."""
    rows = await session.scalars(
        select(RemovalRequest)
        .where(
            RemovalRequest.secretariat_id == member.secretariat_id,
            RemovalRequest.state.in_([s.value for s in rules.OPEN]),
            or_(RemovalRequest.member_id == member.id, RemovalRequest.requested_by == member.id),
        )
        .with_for_update()
    )
    changed = []
    for request in rows:
        state = State(request.state)
        after = rules.lapse(
            state,
            concerned_left=request.member_id == member.id,
            requester_left=request.requested_by == member.id,
        )
        if after is state:
            continue
        request.state = after.value
        request.closed_at = now
        changed.append(request.id)
        audit.record(
            session,
            now=now,
            action=f"removal.{after.value}",
            secretariat_id=request.secretariat_id,
            number=request.number,
            left=member.number,
        )
    return changed
