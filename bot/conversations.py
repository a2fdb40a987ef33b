"""A chat's conversation in progress, typed, in the database every replica shares (issue 14).

What used to be ``context.chat_data[KEY]`` (one process's memory) is a ``Conversation``:
a name, the dataclass it holds and how long it stays valid. Handlers read it like before::

    GUIDED = Conversation("convocatoria_guiada", Guided, ttl=timedelta(days=1))
    await GUIDED.put(update, context, Guided(secretariat_id))
    guided = await GUIDED.get(update, context)  # None: none, or expired

Each call is its own unit of work, committed on return (so a state change is committed
before the reply that announces it), unless ``session=`` joins it to the caller's unit of
work, committed with the change it belongs to (a vote's deadline and the end of its wait).

Values go to JSON and back by the dataclass's field types: ``int``, ``str``, ``bool``,
``float``, ``date``, ``time``, aware ``datetime``, enums, nested dataclasses, ``X | None``,
and the Bot API's own objects (a ``Document``, a ``PhotoSize``…: by their ``to_dict()``,
given back bound to this bot, so ``await document.get_file()`` works on another replica).
A stored value the current code cannot read (written by an older release during a rolling
deploy) reads as absent: the person starts that step again.
"""

from __future__ import annotations

import dataclasses
import logging
import types
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum
from typing import Any, Generic, TypeVar, Union, get_args, get_origin, get_type_hints

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, TelegramObject, Update

from bot.context import StmContext
from storage.services import chat_states

__all__ = ["Conversation", "decode", "encode"]

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class Conversation(Generic[T]):
    """One kind of step a chat may be in: stored under ``key`` as a ``kind`` for ``ttl``."""

    key: str
    kind: type[T]
    #: How long a step stays valid after it is stored (``None``: until popped or deleted).
    ttl: timedelta | None

    async def get(
        self,
        update: Update,
        context: StmContext,
        *,
        session: AsyncSession | None = None,
        lock: bool = False,
    ) -> T | None:
        """The chat's step, or ``None`` (none, expired, or unreadable).

        ``lock`` (with ``session``) holds the row until that unit of work ends, for a
        read-change-write of the step that another replica must not interleave with.
        """
        if session is None:
            async with context.db() as own:
                return await self.get(update, context, session=own, lock=lock)
        raw = await chat_states.get(
            session, now=context.now(), chat_id=_chat_id(update), key=self.key, lock=lock
        )
        return self._decoded(raw, context)

    async def put(
        self,
        update: Update,
        context: StmContext,
        value: T,
        *,
        session: AsyncSession | None = None,
    ) -> None:
        """Store (or replace) the chat's step; its expiry starts again from now."""
        if session is None:
            async with context.db.begin() as own:
                await self.put(update, context, value, session=own)
            return
        await chat_states.put(
            session,
            now=context.now(),
            chat_id=_chat_id(update),
            key=self.key,
            value=encode(value),
            ttl=self.ttl,
        )

    async def pop(
        self, update: Update, context: StmContext, *, session: AsyncSession | None = None
    ) -> T | None:
        """Take the chat's step away and return it; of two replicas, only one gets it."""
        if session is None:
            async with context.db.begin() as own:
                return await self.pop(update, context, session=own)
        raw = await chat_states.pop(
            session, now=context.now(), chat_id=_chat_id(update), key=self.key
        )
        return self._decoded(raw, context)

    async def delete(
        self, update: Update, context: StmContext, *, session: AsyncSession | None = None
    ) -> bool:
        """End the chat's step; whether one was in progress (and readable)."""
        return await self.pop(update, context, session=session) is not None

    def _decoded(self, raw: Any, context: StmContext) -> T | None:
        if raw is None:
            return None
        try:
            value = decode(self.kind, raw, context.bot)
        except (KeyError, TypeError, ValueError):
            log.warning("unreadable %s state ignored", self.key, exc_info=True)
            return None
        return value  # type: ignore[no-any-return]


def _chat_id(update: Update) -> int:
    """The chat the step belongs to (``chat_data`` was per chat too)."""
    chat = update.effective_chat
    assert chat is not None, "a conversation needs a chat"
    return chat.id


def encode(value: Any) -> Any:
    """``value`` as what ``json`` encodes."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return encode(value.value)
    if isinstance(value, date | time):  # a datetime is a date too
        return value.isoformat()
    if isinstance(value, TelegramObject):
        return {"type": type(value).__name__, "object": value.to_dict()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    raise TypeError(f"cannot keep a {type(value).__name__} in a conversation")


def decode(hint: Any, data: Any, bot: Bot | None) -> Any:
    """What ``encode`` made of a ``hint`` back; Bot API objects are bound to ``bot``."""
    origin = get_origin(hint)
    if origin is Union or origin is types.UnionType:
        options = [a for a in get_args(hint) if a is not type(None)]
        if data is None and len(options) < len(get_args(hint)):
            return None
        if len(options) == 1:
            return decode(options[0], data, bot)
        tag = data.get("type") if isinstance(data, dict) else None  # Bot API objects only
        for option in options:
            if isinstance(option, type) and option.__name__ == tag:
                return decode(option, data, bot)
        raise ValueError(f"{data!r} is none of {hint}")
    if origin in (list, tuple):
        (item, *_) = get_args(hint) or (Any,)
        items = [decode(item, v, bot) for v in _typed(data, list)]
        return items if origin is list else tuple(items)
    if hint is Any:
        return data
    if not isinstance(hint, type):
        raise TypeError(f"cannot read a {hint} from a conversation")
    if issubclass(hint, TelegramObject):
        if _typed(data, dict).get("type") != hint.__name__:
            raise ValueError(f"{data!r} is not a {hint.__name__}")
        return hint.de_json(_typed(data["object"], dict), bot)
    if dataclasses.is_dataclass(hint):
        hints = get_type_hints(hint)
        values = _typed(data, dict)
        return hint(
            **{
                f.name: decode(hints[f.name], values[f.name], bot)
                for f in dataclasses.fields(hint)
                if f.init
            }
        )
    if issubclass(hint, Enum):
        return hint(data)
    if hint is datetime:
        return datetime.fromisoformat(_typed(data, str))
    if hint is date:
        return date.fromisoformat(_typed(data, str))
    if hint is time:
        return time.fromisoformat(_typed(data, str))
    if hint is float and isinstance(data, int) and not isinstance(data, bool):
        return float(data)
    if hint in (bool, int, float, str):
        if isinstance(data, bool) is not (hint is bool):
            raise TypeError(f"{data!r} is not a {hint.__name__}")
        return _typed(data, hint)
    raise TypeError(f"cannot read a {hint.__name__} from a conversation")


def _typed(data: Any, kind: type[T]) -> T:
    if not isinstance(data, kind):
        raise TypeError(f"{data!r} is not a {kind.__name__}")
    return data
