"""Running numbers that are never reused: the highest ever given, read in one query.

Agreements (``ACU-2027-003``, R16), commitments (``C-3``, R16a) and proposals (``P-3``,
R17) are numbered one past the highest number their secretariat ever gave, under the
secretariat's row lock; reading only the maximum (not every number given) keeps that
cost flat however long the register grows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["highest"]


async def highest(session: AsyncSession, column: Any, *where: Any) -> int:
    """``max(column)`` over the rows ``where`` selects, 0 when there are none."""
    return await session.scalar(select(func.coalesce(func.max(column), 0)).where(*where)) or 0
