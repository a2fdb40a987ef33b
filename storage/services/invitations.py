"""Invitation links: issue and redeem single-use, expiring, hashed tokens (R21 minimal data).

A token is 192 random bits in URL-safe base64 (32 characters of ``A-Za-z0-9_-``), which
fits Telegram's 64-character deep-link payload. Only its SHA-256 is stored; the clear
token exists in the facilitator's chat and in the invited person's link, never in logs.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import AccountAlreadyInSecretariat, TokenExpired, TokenUnknown, TokenUsed
from domain.roster import clean_name
from storage.models import Invitation, Member, Seat, Secretariat
from storage.services import audit

TOKEN_BYTES = 24


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


async def revoke_pending(session: AsyncSession, *, member_id: int, now: datetime) -> None:
    """Every unused invitation of a roster entry stops working."""
    await session.execute(
        update(Invitation)
        .where(
            Invitation.member_id == member_id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )


async def issue(session: AsyncSession, *, member: Member, now: datetime, ttl: timedelta) -> str:
    """A fresh token for ``member``; any earlier unused invitation of theirs stops working."""
    await revoke_pending(session, member_id=member.id, now=now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        Invitation(
            member_id=member.id, token_hash=hash_token(token), created_at=now, expires_at=now + ttl
        )
    )
    return token


@dataclass(frozen=True)
class Binding:
    """What ``/start <token>`` bound, for the welcome and the facilitator's notice."""

    secretariat_id: int
    secretariat_name: str
    number: int
    role: str
    seat_name: str | None
    full_name: str


async def redeem(
    session: AsyncSession,
    *,
    token: str,
    telegram_user_id: int,
    profile_name: str,
    now: datetime,
) -> Binding:
    """Bind the caller's account to the invited roster entry, once."""
    invitation = await session.scalar(
        select(Invitation).where(Invitation.token_hash == hash_token(token)).with_for_update()
    )
    if invitation is None or invitation.revoked_at is not None:
        raise TokenUnknown()
    if invitation.used_at is not None:
        raise TokenUsed()
    if now >= invitation.expires_at:
        raise TokenExpired()
    member = await session.get_one(Member, invitation.member_id)
    secretariat = await session.get_one(Secretariat, member.secretariat_id)
    if not member.active:
        raise TokenUnknown()
    other = await session.scalar(
        select(Member.id).where(
            Member.secretariat_id == member.secretariat_id,
            Member.telegram_user_id == telegram_user_id,
            Member.active,
            Member.id != member.id,
        )
    )
    if other is not None:
        raise AccountAlreadyInSecretariat(secretariat.name)
    invitation.used_at = now
    member.telegram_user_id = telegram_user_id
    member.linked_at = now
    if member.full_name is None:
        member.full_name = clean_name(profile_name or "Facilitador(a)", command="start")
    seat = await session.get(Seat, member.seat_id) if member.seat_id else None
    audit.record(
        session,
        now=now,
        action="member.linked",
        secretariat_id=member.secretariat_id,
        member_id=member.id,
        number=member.number,
    )
    return Binding(
        secretariat_id=secretariat.id,
        secretariat_name=secretariat.name,
        number=member.number,
        role=member.role,
        seat_name=seat.name if seat else None,
        full_name=member.full_name,
    )
