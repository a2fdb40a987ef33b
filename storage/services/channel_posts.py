"""The public channel's ledger (R18): posts owed, sent, failed, re-armed.

A post is owed in the same unit of work as the state change it publishes (a vote closed,
an agreement registered, a signed file issued, a communiqué stored), so a post exists
exactly when its subject does, once per subject (``uq_channel_posts_subject``), and only
for a secretariat with a public channel. It is marked sent with Telegram's message id
when Telegram accepted it; a failure keeps its reason and the number of attempts, and
the facilitator hears of a broken channel once, not once per post. Setting
``canal_publico`` again re-arms what is still owed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.dissemination import MAX_ATTEMPTS, PostKind
from domain.roles import Role
from storage.models import ChannelPost, Member, Secretariat
from storage.services import audit


async def owe(
    session: AsyncSession, *, now: datetime, secretariat_id: int, kind: PostKind, subject_id: int
) -> int | None:
    """The post owed for a subject, added to this unit of work; ``None`` when the
    secretariat has no public channel (nothing is owed then, nor later)."""
    channel_id = await session.scalar(
        select(Secretariat.public_channel_id).where(Secretariat.id == secretariat_id)
    )
    if channel_id is None:
        return None
    existing = await session.scalar(
        select(ChannelPost.id).where(
            ChannelPost.secretariat_id == secretariat_id,
            ChannelPost.kind == kind.value,
            ChannelPost.subject_id == subject_id,
        )
    )
    if existing is not None:  # the subject was published (or is owed) already
        return existing
    post = ChannelPost(
        secretariat_id=secretariat_id,
        kind=kind.value,
        subject_id=subject_id,
        channel_id=channel_id,
        created_at=now,
        attempts=0,
    )
    session.add(post)
    await session.flush()
    return post.id


@dataclass(frozen=True)
class Pending:
    """A post to attempt now."""

    id: int
    secretariat_id: int
    kind: PostKind
    subject_id: int
    channel_id: int


async def pending(
    session: AsyncSession, *, secretariat_id: int | None, retry: bool
) -> list[Pending]:
    """Unsent posts in the order they were owed: never attempted ones, or with ``retry``
    (start-up) also those that failed fewer than ``MAX_ATTEMPTS`` times. A secretariat
    whose channel was cleared meanwhile owes nothing until one is set again."""
    query = (
        select(ChannelPost)
        .join(Secretariat, Secretariat.id == ChannelPost.secretariat_id)
        .where(ChannelPost.sent_at.is_(None), Secretariat.public_channel_id.is_not(None))
        .order_by(ChannelPost.id)
    )
    query = query.where(ChannelPost.attempts < (MAX_ATTEMPTS if retry else 1))
    if secretariat_id is not None:
        query = query.where(ChannelPost.secretariat_id == secretariat_id)
    return [
        Pending(p.id, p.secretariat_id, PostKind(p.kind), p.subject_id, p.channel_id)
        for p in await session.scalars(query)
    ]


async def mark_sent(
    session: AsyncSession, *, now: datetime, post_id: int, message_id: int
) -> bool:
    """Telegram accepted the post: it is never sent again. ``False`` if it was already."""
    post = await session.get(ChannelPost, post_id, with_for_update=True)
    if post is None or post.sent_at is not None:
        return False
    post.sent_at = now
    post.message_id = message_id
    post.attempts += 1
    post.last_error = None
    audit.record(
        session,
        now=now,
        action="channel.posted",
        secretariat_id=post.secretariat_id,
        kind=post.kind,
        subject_id=post.subject_id,
        message_id=message_id,
    )
    return True


@dataclass(frozen=True)
class Broken:
    """A failed post; ``tell`` is true for the first failure of a working channel."""

    tell: bool
    facilitator_chat: int | None
    channel: str
    reason: str
    attempts: int


async def mark_failed(
    session: AsyncSession, *, now: datetime, post_id: int, reason: str
) -> Broken | None:
    """Record the failure (reason, attempts); ``None`` if the post was sent meanwhile.

    The facilitator is told when no other unsent post of the secretariat failed before
    (the channel just broke): a bot removed from the channel gives one notice, however
    many posts fail after it, until the channel is set again.
    """
    post = await session.get(ChannelPost, post_id, with_for_update=True)
    if post is None or post.sent_at is not None:
        return None
    first = post.last_error is None
    post.attempts += 1
    post.last_error = reason[:255]
    others = await session.scalar(
        select(ChannelPost.id)
        .where(
            ChannelPost.secretariat_id == post.secretariat_id,
            ChannelPost.id != post.id,
            ChannelPost.sent_at.is_(None),
            ChannelPost.last_error.is_not(None),
        )
        .limit(1)
    )
    secretariat = await session.get_one(Secretariat, post.secretariat_id)
    facilitator = await session.scalar(
        select(Member.telegram_user_id).where(
            Member.secretariat_id == post.secretariat_id,
            Member.role == Role.FACILITADOR.value,
            Member.active,
        )
    )
    audit.record(
        session,
        now=now,
        action="channel.failed",
        secretariat_id=post.secretariat_id,
        kind=post.kind,
        subject_id=post.subject_id,
        reason=post.last_error,
        attempts=post.attempts,
    )
    return Broken(
        first and others is None,
        facilitator,
        secretariat.public_channel,
        post.last_error,
        post.attempts,
    )


async def rearm(session: AsyncSession, *, secretariat_id: int, channel_id: int | None) -> int:
    """``canal_publico`` was set: unsent posts go to that channel, attempted afresh
    (cleared: they wait). Returns how many are owed."""
    if channel_id is None:
        return 0
    result = await session.execute(
        update(ChannelPost)
        .where(ChannelPost.secretariat_id == secretariat_id, ChannelPost.sent_at.is_(None))
        .values(channel_id=channel_id, attempts=0, last_error=None)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
