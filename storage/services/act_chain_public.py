"""The hash chain as the public sees it (issue 15; R18, R19 d): its head, one entry
exported, an exported entry brought back to ``/verificar``, and the daily head post owed
to the public channel.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import act_chain as chain
from domain.act_chain import GENESIS, Entry
from domain.dissemination import PostKind
from storage.models import ChainEntry, ChainHead, ChannelPost, Secretariat
from storage.services import channel_posts
from storage.services.act_chain import Verified, verify
from storage.services.act_chain_sources import current_of, utc
from storage.services.meetings import local_stamp

# -- /verificar with an exported entry ----------------------------------------------------


@dataclass(frozen=True)
class EntryCheck:
    """What ``/verificar`` says of an exported entry brought back.

    ``authentic`` when its own hash is right, the stored chain has exactly this entry at
    its position, and the act is still in the database as recorded; ``chain`` is the
    whole chain's verification up to the current head.
    """

    exported: chain.Exported
    secretariat: str | None  # its name; None: no secretariat with that slug
    found: bool  # an entry at that position exists
    differences: list[str]
    act_intact: bool | None  # None: not looked up (no such entry)
    chain: Verified | None

    @property
    def authentic(self) -> bool:
        """Everything matches (see the class docstring)."""
        return (
            self.exported.consistent
            and self.found
            and not self.differences
            and bool(self.act_intact)
        )


async def check_exported(session: AsyncSession, exported: chain.Exported) -> EntryCheck:
    """Compare an exported entry with the stored chain and the act in the database."""
    secretariat = await session.scalar(
        select(Secretariat).where(Secretariat.slug == exported.slug)
    )
    if secretariat is None:
        return EntryCheck(exported, None, False, [], None, None)
    conn = await session.connection()
    e = ChainEntry.__table__.c
    row = (
        await conn.execute(
            select(e.position, e.kind, e.at, e.source_table, e.source_id, e.payload)
            .add_columns(e.prev_hash, e.hash)
            .where(e.secretariat_id == secretariat.id, e.position == exported.position)
        )
    ).first()
    if row is None:
        return EntryCheck(exported, secretariat.name, False, [], None, None)
    stored = Entry(
        row.position,
        row.kind,
        chain.moment(utc(row.at)),  # type: ignore[arg-type]
        f"{row.source_table}/{row.source_id}",
        row.payload,
        row.prev_hash,
        row.hash,
    )
    current = await current_of(conn, [stored])
    key = f"{stored.kind}:{stored.source}"
    intact = key in current and chain.canonical(current[key]) == chain.canonical(
        json.loads(stored.payload)
    )
    done = await verify(session, secretariat.id)
    return EntryCheck(exported, secretariat.name, True, exported.differences(stored), intact, done)


async def exported_entry(session: AsyncSession, slug: str, position: int) -> dict[str, Any] | None:
    """One stored entry as published (``/<slug>/datos/cadena/<n>.json``); None: no such."""
    secretariat = await session.scalar(select(Secretariat).where(Secretariat.slug == slug))
    if secretariat is None:
        return None
    conn = await session.connection()
    e = ChainEntry.__table__.c
    row = (
        await conn.execute(
            select(ChainEntry.__table__).where(
                e.secretariat_id == secretariat.id, e.position == position
            )
        )
    ).first()
    if row is None:
        return None
    return Entry(
        row.position,
        row.kind,
        chain.moment(utc(row.at)),  # type: ignore[arg-type]
        f"{row.source_table}/{row.source_id}",
        row.payload,
        row.prev_hash,
        row.hash,
    ).exported(slug)


@dataclass(frozen=True)
class Head:
    """A chain's head as published: last position, its hash, when it last moved."""

    position: int
    hash: str
    updated_at: datetime | None

    def published(self) -> dict[str, Any]:
        """As ``datapackage.json`` carries it (``cadena``)."""
        return {
            "posicion": self.position,
            "hash": self.hash,
            "fecha": chain.moment(self.updated_at) if self.updated_at else None,
        }


async def head_of(session: AsyncSession, secretariat_id: int) -> Head:
    """The secretariat's head (position 0 and 64 zeros before the first act)."""
    row = await session.get(ChainHead, secretariat_id)
    if row is None:
        return Head(0, GENESIS, None)
    return Head(row.position, row.hash, row.updated_at)


# -- the daily head post to the public channel (R18) --------------------------------------


@dataclass(frozen=True)
class HeadPost:
    """What the public channel is told of a chain head."""

    position: int
    hash: str
    at: str  # the entry's moment, in the secretariat's time
    slug: str


async def head_post(
    session: AsyncSession, secretariat: Secretariat, position: int
) -> HeadPost | None:
    """The head as it was at ``position`` (the entry's hash and moment)."""
    e = ChainEntry.__table__.c
    row = (
        await session.execute(
            select(e.hash, e.at).where(e.secretariat_id == secretariat.id, e.position == position)
        )
    ).first()
    if row is None:
        return None
    return HeadPost(
        position, row.hash, local_stamp(utc(row.at), secretariat.time_zone), secretariat.slug
    )


async def owe_head_posts(session: AsyncSession, *, now: datetime) -> list[int]:
    """Owe today's head post of every secretariat whose head moved (``head_post_due``);
    returns their ids. Recorded as a channel post per head position (unique), so a
    restart or a second leader owes nothing twice."""
    heads = await session.execute(
        select(Secretariat, ChainHead.position)
        .join(ChainHead, ChainHead.secretariat_id == Secretariat.id)
        .where(Secretariat.public_channel_id.is_not(None), ChainHead.position > 0)
    )
    owed: list[int] = []
    for secretariat, position in heads.all():
        last = (
            await session.execute(
                select(ChannelPost.subject_id, ChannelPost.created_at)
                .where(
                    ChannelPost.secretariat_id == secretariat.id,
                    ChannelPost.kind == PostKind.CADENA.value,
                )
                .order_by(ChannelPost.subject_id.desc())
                .limit(1)
            )
        ).first()
        zone = ZoneInfo(secretariat.time_zone)
        local = now.astimezone(zone)
        due = chain.head_post_due(
            head_position=position,
            posted_position=last.subject_id if last else 0,
            posted_on=utc(last.created_at).astimezone(zone).date() if last else None,  # type: ignore[union-attr]
            today=local.date(),
            now_local=local.time(),
            post_at=secretariat.reminder_time,
        )
        if due:
            await channel_posts.owe(
                session,
                now=now,
                secretariat_id=secretariat.id,
                kind=PostKind.CADENA,
                subject_id=position,
            )
            owed.append(secretariat.id)
    return owed
