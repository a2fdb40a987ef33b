"""A chat's conversation in progress, shared by every replica (issue 14).

Several replicas behind a load balancer may each receive the next update of a chat, so the
step a conversation reached (the guided ``/convocar``, a vote waiting for its typed
deadline, a command waiting for its file) lives in ``chat_states``, one row per chat and
name, instead of one process's ``chat_data``.

Values are JSON (what ``json`` encodes: the caller turns its own types into that). A row
past ``expires_at`` reads as absent everywhere: its flow has lapsed, whether or not the row
was swept yet (``purge_expired``). ``pop`` is one ``DELETE … RETURNING``: of two replicas
consuming the same step at once, exactly one gets it (PostgreSQL re-checks the row after
the first deleter commits; SQLite has one writer).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete as delete_rows
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import insert_for
from storage.models import ChatState


def _live(expires_at: datetime | None, now: datetime) -> bool:
    """Still valid at ``now``: an expiry is the last moment the step may be taken."""
    return expires_at is None or now <= expires_at


def _encode(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _key(chat_id: int, key: str) -> Any:
    return (ChatState.chat_id == chat_id) & (ChatState.key == key)


async def get(
    session: AsyncSession, *, now: datetime, chat_id: int, key: str, lock: bool = False
) -> Any | None:
    """The chat's value under ``key``, or ``None`` when there is none or it expired.

    ``lock`` takes the row (``FOR UPDATE`` on PostgreSQL) for a read-change-write of one
    step in the same unit of work, so two replicas advancing one conversation at once take
    turns instead of one overwriting the other's step.
    """
    query = select(ChatState.value, ChatState.expires_at).where(_key(chat_id, key))
    if lock:
        query = query.with_for_update()
    row = (await session.execute(query)).one_or_none()
    if row is None or not _live(row.expires_at, now):
        return None
    return json.loads(row.value)


async def put(
    session: AsyncSession,
    *,
    now: datetime,
    chat_id: int,
    key: str,
    value: Any,
    ttl: timedelta | None,
) -> None:
    """Set (insert or replace) the chat's value under ``key``, valid for ``ttl`` from ``now``.

    ``ttl=None`` keeps it until it is popped or deleted. Replacing restarts the expiry.
    """
    expires_at = None if ttl is None else now + ttl
    encoded = _encode(value)
    statement = insert_for(session, ChatState).values(
        chat_id=chat_id, key=key, value=encoded, updated_at=now, expires_at=expires_at
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[ChatState.chat_id, ChatState.key],
            set_={"value": encoded, "updated_at": now, "expires_at": expires_at},
        )
    )


async def pop(session: AsyncSession, *, now: datetime, chat_id: int, key: str) -> Any | None:
    """Remove the chat's value under ``key`` and return it; ``None`` if absent or expired.

    An expired row is removed too (it was of no use). Atomic: of two units of work popping
    the same row, only one gets the value.
    """
    row = (
        await session.execute(
            delete_rows(ChatState)
            .where(_key(chat_id, key))
            .returning(ChatState.value, ChatState.expires_at)
        )
    ).one_or_none()
    if row is None or not _live(row.expires_at, now):
        return None
    return json.loads(row.value)


async def delete(session: AsyncSession, *, now: datetime, chat_id: int, key: str) -> bool:
    """Remove the chat's value under ``key``; whether a live one was there (a cancel says so)."""
    return await pop(session, now=now, chat_id=chat_id, key=key) is not None


async def purge_expired(session: AsyncSession, *, now: datetime) -> int:
    """Remove every expired row (for a periodic sweep); how many went.

    Expired rows already read as absent, so sweeping only reclaims space.
    """
    gone = await session.scalars(
        delete_rows(ChatState)
        .where(ChatState.expires_at.is_not(None), ChatState.expires_at < now)
        .returning(ChatState.chat_id)
    )
    return len(list(gone))
