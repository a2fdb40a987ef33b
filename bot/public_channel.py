"""The public channel (R18): checked when it is set, posts delivered exactly once.

``/ajustar canal_publico @canal`` asks Telegram first (``getChat``, then
``getChatMember`` for the bot itself): the channel must exist, be a channel, and have
the bot as an administrator with ``can_post_messages``; the refusal says which failed,
and the resolved numeric id is stored with the typed value.

What the channel is owed is a ``channel_posts`` row, added in the same unit of work as
the vote's closing, the agreement's registration, the signed file's issue or the
communiqué (``storage.services.channel_posts``). After that commit the caller calls
:func:`publish`; the posts go through the outbox (rate-limited, the channel's own
queue, never awaited by an update) and each is marked sent with Telegram's message id
when Telegram accepted it. A post is queued once per process (an in-flight set, read
and released under one lock), and at start-up (:func:`resume`) what is owed and not yet
accepted is sent again — the one gap is a crash between Telegram's acceptance and the
commit of ``sent_at``, which posts that one again (at-least-once there, like the
outbox's timeouts). A failure keeps its reason; the facilitator hears of a broken
channel once; a post is attempted at most ``MAX_ATTEMPTS`` times (then and at later
start-ups), and setting ``canal_publico`` again re-arms what is still owed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from telegram import Bot, Message
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden

from bot import delivery, messages
from bot.context import StmApplication
from bot.flights import Flights
from domain.dissemination import PostKind, chat_ref, check_channel
from domain.secretariat_settings import parse_value
from storage.files import CorruptFile
from storage.services import channel_posts, dissemination

__all__ = ["announce", "check", "flush", "publish", "resume"]

log = logging.getLogger(__name__)

#: The setting this module checks with Telegram before it is stored.
KEY = "canal_publico"


async def check(bot: Bot, key: str, raw: str) -> int | None:
    """For ``/ajustar``: ``canal_publico``'s numeric chat id once Telegram confirms the bot
    may post there (R18), or a refusal naming why not. ``None`` for another key, or for
    ``-`` (cleared): nothing to check."""
    if key.lower() != KEY:
        return None
    channel = parse_value(KEY, raw)
    assert isinstance(channel, str)
    if not channel:
        return None
    chat_type: str | None = None
    status: str | None = None
    can_post: bool | None = None
    chat_id = 0
    try:
        chat = await bot.get_chat(chat_ref(channel))
        chat_type, chat_id = chat.type, chat.id
        if chat.type == ChatType.CHANNEL:
            member = await bot.get_chat_member(chat.id, bot.id)
            status = member.status
            can_post = getattr(member, "can_post_messages", None)
    except Forbidden:  # a channel the bot was removed from
        chat_type, status = chat_type or ChatType.CHANNEL, "left"
    except BadRequest:  # "chat not found", or a member list the bot may not read
        status = None
    check_channel(channel, chat_type=chat_type, status=status, can_post=can_post)
    return chat_id


_FLIGHTS = Flights()  # rows queued and not settled yet (bot.flights)


def publish(app: StmApplication, secretariat_id: int) -> None:
    """After a commit that owed posts: send the secretariat's owed posts (background)."""
    app.background.spawn(flush(app, secretariat_id), name=f"channel:{secretariat_id}")


async def resume(app: StmApplication) -> None:
    """At start-up: posts owed and not accepted yet go out again (R18)."""
    queued = await flush(app, None, retry=True)
    if queued:
        log.info("public channel at start-up: %d post(s) owed re-sent", queued)


async def flush(app: StmApplication, secretariat_id: int | None, *, retry: bool = False) -> int:
    """Queue every owed post (of one secretariat, or all) not queued already; returns how
    many. ``retry`` also takes those that failed fewer than ``MAX_ATTEMPTS`` times."""
    flight = _FLIGHTS.of(app)
    queued = 0
    async with flight.lock:  # one reader at a time: a post read as owed is queued once
        async with app.db() as session:
            posts = await dissemination.owed(session, secretariat_id=secretariat_id, retry=retry)
        for post in posts:
            if post.id in flight.queued:
                continue
            try:
                send = await _send_of(app, post)
            except CorruptFile:  # the signed file is missing or damaged: a bug, kept owed
                log.exception("public channel post %s: its file cannot be read", post.id)
                continue
            flight.queued.add(post.id)
            posted = app.outbox.post(post.channel_id, send)
            app.outbox.after(_settle(app, post, posted), name=f"channel-post:{post.id}")
            queued += 1
    return queued


async def _send_of(app: StmApplication, post: dissemination.Post) -> delivery.Send:
    """The post as Telegram sends: a text, or the signed file with its caption."""
    content, chat_id = post.content, post.channel_id
    if isinstance(content, dissemination.MinutesPost):
        data = await asyncio.to_thread(app.files.get, content.sha256)
        caption = messages.render("channel/minutes", m=content, secretariat=post.secretariat)
        filename = content.filename

        async def send_file() -> Sequence[Message]:
            return [await app.bot.send_document(chat_id, data, filename=filename, caption=caption)]

        return send_file
    template = _TEMPLATES[post.kind]
    text = messages.render(template, content=content, secretariat=post.secretariat)

    async def send_text() -> Sequence[Message]:
        return await messages.send_text(app.bot, chat_id, text)

    return send_text


_TEMPLATES = {
    PostKind.VOTACION: "channel/vote_result",
    PostKind.ACUERDO: "channel/agreement",
    PostKind.COMUNICADO: "channel/communique",
    PostKind.CADENA: "channel/chain_head",  # issue 15: the daily head
}


async def _settle(
    app: StmApplication, post: dissemination.Post, posted: asyncio.Future[delivery.Outcome]
) -> None:
    """Record Telegram's answer; the first failure of a working channel is told once."""
    flight = _FLIGHTS.of(app)
    broken = None
    try:
        outcome = await posted
        async with app.db.begin() as session:
            if outcome.ok and outcome.message_ids:
                await channel_posts.mark_sent(
                    session, now=app.clock(), post_id=post.id, message_id=outcome.message_ids[0]
                )
            else:
                broken = await channel_posts.mark_failed(
                    session, now=app.clock(), post_id=post.id, reason=outcome.failure or "error"
                )
    finally:  # released under the lock: a flush reading meanwhile still sees it queued
        async with flight.lock:
            flight.queued.discard(post.id)
    if broken is None:
        return
    log.warning("public channel post %s failed: %s", post.id, broken.reason)
    if broken.tell and broken.facilitator_chat is not None:
        app.outbox.message(broken.facilitator_chat, "channel/failed", broken=broken)


def announce(app: StmApplication, published: dissemination.Published) -> None:
    """A communiqué to the official group and, when there is one, the public channel."""
    if published.group_chat_id is not None:
        app.outbox.message(
            published.group_chat_id,
            "channel/communique",
            content=published.communique,
            secretariat=published.secretariat,
        )
    if published.channel_post is not None:
        publish(app, published.secretariat_id)
