"""What the public channel shows (R18), and the facilitator's communiqués.

The channel's posts are rendered from the record when they are sent, through the same
views chat uses: a vote's result with every seat's ballot (sector and name: public acts,
R21), an agreement with its code, responsible and due date, the signed minutes' file
with its SHA-256, a communiqué. None of these views holds a Telegram id, a @username, a
phone number or an e-mail: nothing of R21's never-published list can reach a template.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.dissemination import PostKind, same_text
from domain.errors import CommuniqueRepeated
from domain.roles import Target
from storage.models import Communique, Meeting, Secretariat, SignedMinutes
from storage.services import act_chain_public, agreements, audit, channel_posts, votes
from storage.services.act_chain_public import HeadPost
from storage.services.agreements import AgreementView
from storage.services.meetings import local_stamp
from storage.services.signed_minutes import signed_filename
from storage.services.votes import VoteView


@dataclass(frozen=True)
class MinutesPost:
    """Signed minutes as the channel shows them: the file and its caption."""

    number: int
    title: str
    day: str
    sha256: str
    filename: str


@dataclass(frozen=True)
class CommuniqueView:
    """A communiqué as published (group, channel, and later the microsite: R19)."""

    number: int
    text: str
    published_at: str


@dataclass(frozen=True)
class Post:
    """One owed post, ready to render: ``content`` matches ``kind``."""

    id: int
    secretariat_id: int
    secretariat: str
    kind: PostKind
    channel_id: int
    content: VoteView | AgreementView | MinutesPost | CommuniqueView | HeadPost


async def owed(session: AsyncSession, *, secretariat_id: int | None, retry: bool) -> list[Post]:
    """The posts to attempt now (see :func:`channel_posts.pending`), in order, rendered
    from the record as it stands."""
    out: list[Post] = []
    names: dict[int, Secretariat] = {}
    for row in await channel_posts.pending(session, secretariat_id=secretariat_id, retry=retry):
        secretariat = names.get(row.secretariat_id) or await session.get_one(
            Secretariat, row.secretariat_id
        )
        names[row.secretariat_id] = secretariat
        content = await _content(session, secretariat, row.kind, row.subject_id)
        if content is not None:
            out.append(
                Post(
                    row.id, row.secretariat_id, secretariat.name, row.kind, row.channel_id, content
                )
            )
    return out


async def _content(
    session: AsyncSession, secretariat: Secretariat, kind: PostKind, subject_id: int
) -> VoteView | AgreementView | MinutesPost | CommuniqueView | HeadPost | None:
    if kind is PostKind.CADENA:  # issue 15: the chain's head at that position
        return await act_chain_public.head_post(session, secretariat, subject_id)
    if kind is PostKind.VOTACION:
        return await votes.view(session, subject_id)
    if kind is PostKind.ACUERDO:
        return await agreements.view_of(session, subject_id)
    if kind is PostKind.ACTA:
        done = await session.get(SignedMinutes, subject_id)
        meeting = await session.get(Meeting, subject_id)
        if done is None or done.sha256 is None or meeting is None:
            return None
        return MinutesPost(
            meeting.number or 0,
            meeting.title or "",
            meeting.starts_at.astimezone(ZoneInfo(secretariat.time_zone)).date().isoformat(),
            done.sha256,
            signed_filename(meeting.number or 0),
        )
    communique = await session.get(Communique, subject_id)
    return _communique_view(communique, secretariat) if communique is not None else None


def _communique_view(communique: Communique, secretariat: Secretariat) -> CommuniqueView:
    return CommuniqueView(
        communique.number,
        communique.text,
        local_stamp(communique.created_at, secretariat.time_zone),
    )


@dataclass(frozen=True)
class Published:
    """A communiqué stored: where it goes (the group, the public channel, if any)."""

    communique: CommuniqueView
    secretariat_id: int
    secretariat: str
    group_chat_id: int | None
    group_title: str | None
    channel: str | None
    channel_post: int | None


async def publish_communique(
    session: AsyncSession, *, now: datetime, target: Target, text: str
) -> Published:
    """``/comunicado``: numbered per secretariat under its row lock (never two with one
    number), owed to the public channel in the same unit of work (R18). The same text as
    the latest communiqué is a double send, refused with that one's number."""
    secretariat = await session.get_one(Secretariat, target.secretariat_id, with_for_update=True)
    latest = await session.scalar(
        select(Communique)
        .where(Communique.secretariat_id == secretariat.id)
        .order_by(Communique.number.desc())
        .limit(1)
    )
    if latest is not None and same_text(latest.text, text):
        raise CommuniqueRepeated(latest.number)
    number = (latest.number if latest is not None else 0) + 1
    communique = Communique(
        secretariat_id=secretariat.id,
        number=number,
        text=text,
        created_at=now,
        created_by=target.membership.member_id,
    )
    session.add(communique)
    await session.flush()
    audit.record(
        session,
        now=now,
        action="communique.published",
        secretariat_id=secretariat.id,
        member_id=target.membership.member_id,
        number=number,
    )
    post = await channel_posts.owe(
        session,
        now=now,
        secretariat_id=secretariat.id,
        kind=PostKind.COMUNICADO,
        subject_id=communique.id,
    )
    return Published(
        _communique_view(communique, secretariat),
        secretariat.id,
        secretariat.name,
        secretariat.group_chat_id,
        secretariat.group_title,
        secretariat.public_channel or None,
        post,
    )
