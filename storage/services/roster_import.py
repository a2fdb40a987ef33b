"""``/importar``: many roster entries in one unit of work, all or nothing (R1–R3, R21).

Every row is checked against the stored roster first (``domain.roster_import``); only
when none is wrong are the entries added, each through ``/alta``'s own service (so each
gets its invitation, a 192-bit token stored hashed, and its ``member.added`` audit row).
The caller's transaction commits them together or, on any refusal, not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.roles import Role, Target
from domain.roster_import import SeatRef, SheetRow, check_rows
from storage.models import Member, Seat, Secretariat
from storage.services import audit, roster


@dataclass(frozen=True)
class ImportedEntry:
    """One added entry, with the sheet row it came from and its fresh token."""

    row: int
    seat_key: str | None
    invited: roster.Invited


@dataclass(frozen=True)
class Imported:
    """Outcome of ``/importar``."""

    entries: list[ImportedEntry]
    expires: str  # "AAAA-MM-DD HH:MM" in the secretariat's time zone

    def count(self, role: Role) -> int:
        """Entries added with ``role``."""
        return sum(1 for e in self.entries if e.invited.role == role.value)


async def import_rows(
    session: AsyncSession,
    *,
    now: datetime,
    target: Target,
    rows: Sequence[SheetRow],
    ttl: timedelta,
    filename: str,
) -> Imported:
    """Check every row, then add them all with their invitations; ``BadRows`` adds none."""
    secretariat = await session.get_one(Secretariat, target.secretariat_id)
    seats = list(
        await session.scalars(
            select(Seat)
            .where(Seat.secretariat_id == target.secretariat_id, Seat.active)
            .order_by(Seat.position)
        )
    )
    by_id = {seat.id: seat for seat in seats}
    holders = {
        (by_id[m.seat_id].key, Role(m.role)): m.full_name or ""
        for m in await session.scalars(
            select(Member).where(
                Member.secretariat_id == target.secretariat_id,
                Member.active,
                Member.seat_id.in_(list(by_id)),
            )
        )
        if m.seat_id is not None and m.role in (Role.TITULAR.value, Role.SUPLENTE.value)
    }
    checked = check_rows(rows, seats=[SeatRef(s.key, s.name) for s in seats], holders=holders)
    entries: list[ImportedEntry] = []
    for entry in checked:
        invited = await roster.add_member(
            session,
            now=now,
            target=target,
            role=entry.role,
            name=entry.name,
            seat_key=entry.seat.key if entry.seat else None,
            ttl=ttl,
        )
        entries.append(ImportedEntry(entry.row, entry.seat.key if entry.seat else None, invited))
    audit.record(
        session,
        now=now,
        action="roster.imported",
        secretariat_id=target.secretariat_id,
        member_id=target.membership.member_id,
        filename=filename[:120],
        count=len(entries),
        numbers=[e.invited.number for e in entries],
    )
    expires = (now + ttl).astimezone(ZoneInfo(secretariat.time_zone)).strftime("%Y-%m-%d %H:%M")
    return Imported(entries, expires)
