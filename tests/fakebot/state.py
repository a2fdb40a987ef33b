"""The mutable world of the fake Bot API: users, chats, messages, updates, commands, files.

One :class:`BotState` is shared by the HTTP handlers (server thread) and the test-facing API
(test thread); every access goes through :attr:`BotState.lock`. Nothing in here knows about
HTTP, so method implementations stay plain functions that are easy to read and test.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .models import (
    ApiError,
    Call,
    CallbackAnswer,
    FakeFile,
    FakeGroup,
    FakeUser,
    StoredMessage,
    bad_request,
    forbidden,
)

__all__ = ["DEFAULT_TOKEN", "BotState", "CallbackQueryRecord", "ScopeKey", "bot_command_length"]

DEFAULT_TOKEN = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"

#: Update types Telegram does not send unless explicitly listed in ``allowed_updates``.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

_BOT_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@])")

#: ``(scope type, chat id, user id, language code)``; chat/user are ``None`` when unused.
ScopeKey = tuple[str, int | None, int | None, str]


def bot_command_length(text: str) -> int:
    """Length of the leading ``/command`` or ``/command@bot`` token (0 if none)."""
    match = _BOT_COMMAND.match(text)
    return len(match.group(0)) if match else 0


@dataclass
class CallbackQueryRecord:
    """A callback query created by ``press``; answering twice is an error, like Telegram."""

    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str | None
    answered: bool = False


@dataclass
class _InjectedFailure:
    method: str
    error: ApiError
    remaining: int


@dataclass
class BotState:
    """All data of the fake; guard every access with :attr:`lock`."""

    token: str
    bot_username: str
    bot_first_name: str
    clock: Callable[[], float] = time.time
    strict_html: bool = True
    lock: threading.RLock = field(default_factory=threading.RLock)
    users: dict[int, FakeUser] = field(default_factory=dict)
    groups: dict[int, FakeGroup] = field(default_factory=dict)
    #: chat id -> message id -> message, in send order.
    chats: dict[int, dict[int, StoredMessage]] = field(default_factory=dict)
    next_message_id: dict[int, int] = field(default_factory=dict)
    #: Unconfirmed updates, oldest first.
    updates: list[dict[str, Any]] = field(default_factory=list)
    next_update_id: int = 10001
    delivered: set[int] = field(default_factory=set)
    allowed_updates: list[str] | None = None
    webhook_url: str = ""
    #: ``setWebhook``'s ``secret_token``, sent back in ``X-Telegram-Bot-Api-Secret-Token``.
    webhook_secret: str = ""
    #: Updates POSTed to the webhook: ``(update_id, HTTP status or 0 if unreachable)``.
    webhook_posts: list[tuple[int, int]] = field(default_factory=list)
    commands: dict[ScopeKey, list[dict[str, str]]] = field(default_factory=dict)
    callback_queries: dict[str, CallbackQueryRecord] = field(default_factory=dict)
    callback_answers: dict[str, CallbackAnswer] = field(default_factory=dict)
    next_callback_id: int = 4_700_000_000_000_000_001
    files: dict[str, FakeFile] = field(default_factory=dict)
    next_file_number: int = 1
    pinned: dict[int, list[int]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    failures: list[_InjectedFailure] = field(default_factory=list)
    internal_errors: list[str] = field(default_factory=list)

    # ------------------------------------------------------------------ identity
    @property
    def bot_id(self) -> int:
        """The bot's user id: the numeric prefix of the token, as in real tokens."""
        return int(self.token.split(":", 1)[0])

    def bot_user_json(self, *, full: bool = False) -> dict[str, Any]:
        """The bot as a ``User``; ``full`` adds the getMe-only capability flags."""
        data: dict[str, Any] = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }
        if full:
            data.update(
                can_join_groups=True,
                can_read_all_group_messages=False,
                supports_inline_queries=False,
                can_connect_to_business=False,
                has_main_web_app=False,
            )
        return data

    def now(self) -> int:
        """Current Unix time as Telegram dates are (integer seconds)."""
        return int(self.clock())

    # ------------------------------------------------------------------ chats
    def resolve_chat_id(self, value: Any) -> int:
        """Turn a ``chat_id`` parameter (int or ``@username``) into a known chat id."""
        if isinstance(value, int):
            if value in self.users or value in self.groups or value == self.bot_id:
                return value
            raise bad_request("chat not found")
        if isinstance(value, str) and value.startswith("@"):
            for group in self.groups.values():
                if group.username and group.username.lower() == value[1:].lower():
                    return group.id
        raise bad_request("chat not found")

    def chat_json(self, chat_id: int) -> dict[str, Any]:
        """The ``Chat`` object of a known chat."""
        if chat_id in self.users:
            return self.users[chat_id].chat_json()
        return self.groups[chat_id].chat_json()

    def check_can_write(self, chat_id: int) -> None:
        """Raise the 403 Telegram gives when the bot may not act in ``chat_id``."""
        if chat_id == self.bot_id:
            raise forbidden("bot can't send messages to bots")
        user = self.users.get(chat_id)
        if user is not None:
            if user.is_bot:
                raise forbidden("bot can't send messages to bots")
            if user.blocked:
                raise forbidden("bot was blocked by the user")
            if not user.started:
                raise forbidden("bot can't initiate conversation with a user")
            return
        group = self.groups[chat_id]
        if group.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                migrate_to_chat_id=group.migrated_to,
            )
        if group.bot_status == "kicked":
            raise forbidden(f"bot was kicked from the {group.type} chat")
        if group.bot_status == "left":
            raise forbidden(f"bot is not a member of the {group.type} chat")
        if group.type == "channel" and (
            group.bot_status != "administrator" or not group.bot_can_post
        ):  # only administrators with can_post_messages post in a channel
            raise bad_request("need administrator rights in the channel chat")

    def bot_is_admin(self, chat_id: int) -> bool:
        """Whether the bot has admin rights in ``chat_id`` (always true in private chats)."""
        group = self.groups.get(chat_id)
        return group is None or group.bot_status == "administrator"

    # ------------------------------------------------------------------ messages
    def new_message_id(self, chat_id: int) -> int:
        """Next message id of a chat (ids are per chat, shared by the bot and the users)."""
        message_id = self.next_message_id.get(chat_id, 1)
        self.next_message_id[chat_id] = message_id + 1
        return message_id

    def store(self, message: StoredMessage) -> StoredMessage:
        """Insert or replace a message."""
        self.chats.setdefault(message.chat_id, {})[message.message_id] = message
        return message

    def get_message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        """A stored message or ``None``."""
        return self.chats.get(chat_id, {}).get(message_id)

    def message_json(self, message: StoredMessage) -> dict[str, Any]:
        """The ``Message`` object Telegram would return/deliver for ``message``."""
        sender = (
            self.bot_user_json()
            if message.sender_id is None
            else self.users[message.sender_id].to_json()
        )
        chat = self.chat_json(message.chat_id)
        data: dict[str, Any] = {"message_id": message.message_id}
        if chat["type"] == "channel":  # channel posts are sent on behalf of the channel
            data["sender_chat"] = chat
        else:
            data["from"] = sender
        data.update(chat=chat, date=message.date)
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        if message.document is not None:
            data["document"] = message.document.document_json()
            if message.caption:
                data["caption"] = message.caption
                if message.entities:
                    data["caption_entities"] = [dict(e) for e in message.entities]
        elif message.text is not None:
            data["text"] = message.text
            if message.entities:
                data["entities"] = [dict(e) for e in message.entities]
        if message.reply_markup is not None:
            data["reply_markup"] = message.reply_markup
        data.update(message.extra)
        return data

    # ------------------------------------------------------------------ files
    def add_file(self, data: bytes, filename: str, mime_type: str | None = None) -> FakeFile:
        """Store bytes as a Telegram file with realistic-looking identifiers."""
        number = self.next_file_number
        self.next_file_number += 1
        digest = hashlib.sha1(data + filename.encode(), usedforsecurity=False).hexdigest()
        suffix = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
        guessed = mimetypes.guess_type(filename)[0]
        fake_file = FakeFile(
            file_id=f"BQACAgEAAxkBAAI{number:06d}{digest[:20]}",
            file_unique_id=f"AgAD{number:06d}{digest[:8]}",
            file_path=f"documents/file_{number}.{suffix}",
            filename=filename,
            mime_type=mime_type or guessed or "application/octet-stream",
            data=data,
        )
        self.files[fake_file.file_id] = fake_file
        return fake_file

    def file_by_path(self, file_path: str) -> FakeFile | None:
        """The file served at ``/file/bot<token>/<file_path>``."""
        for fake_file in self.files.values():
            if fake_file.file_path == file_path:
                return fake_file
        return None

    # ------------------------------------------------------------------ updates
    def enqueue(self, payload: dict[str, Any]) -> int:
        """Queue an update (``update_id`` assigned unless given) and return its id."""
        update = dict(payload)
        if "update_id" not in update:
            update = {"update_id": self.next_update_id, **update}
        self.next_update_id = max(self.next_update_id, update["update_id"]) + 1
        self.updates.append(update)
        return int(update["update_id"])

    def take_updates(
        self, offset: int | None, limit: int, allowed: list[str] | None
    ) -> list[dict[str, Any]]:
        """Confirm updates below ``offset`` and return the next ``limit`` deliverable ones."""
        if allowed is not None:
            self.allowed_updates = list(allowed)
        if offset is not None and offset < 0:
            self.updates = self.updates[offset:]
        elif offset is not None:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        wanted = self.allowed_updates
        result = []
        for update in self.updates:
            kind = next((k for k in update if k != "update_id"), "")
            if wanted:
                if kind not in wanted:
                    continue
            elif kind in _OPT_IN_UPDATES:
                continue
            result.append(update)
            if len(result) >= limit:
                break
        return result

    # ------------------------------------------------------------------ commands
    def scope_key(self, scope: Any, language_code: Any) -> ScopeKey:
        """Normalise a ``BotCommandScope`` + language into a dictionary key."""
        lang = language_code or ""
        if not isinstance(lang, str):
            raise bad_request("fake server: language_code must be a String")
        if scope is None:
            return ("default", None, None, lang)
        if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
            raise bad_request("can't parse BotCommandScope JSON object")
        kind = scope["type"]
        if kind in ("default", "all_private_chats", "all_group_chats", "all_chat_administrators"):
            return (kind, None, None, lang)
        if kind not in ("chat", "chat_administrators", "chat_member"):
            raise bad_request(f"fake server: unsupported BotCommandScope type {kind!r}")
        raw_chat = scope.get("chat_id")
        if isinstance(raw_chat, str) and raw_chat.lstrip("-").isdigit():
            raw_chat = int(raw_chat)
        chat_id = self.resolve_chat_id(raw_chat)
        user_id: int | None = None
        if kind == "chat_member":
            raw_user = scope.get("user_id")
            try:
                user_id = int(raw_user)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise bad_request("user not found") from None
            if user_id not in self.users:
                raise bad_request("user not found")
        return (kind, chat_id, user_id, lang)

    # ------------------------------------------------------------------ injected errors
    def pop_failure(self, method: str) -> ApiError | None:
        """The next error injected with ``fail_next`` for ``method``, if any."""
        for failure in self.failures:
            if failure.method.lower() == method.lower():
                failure.remaining -= 1
                if failure.remaining <= 0:
                    self.failures.remove(failure)
                return failure.error
        return None

    def add_failure(self, method: str, error: ApiError, times: int) -> None:
        """Queue ``error`` for the next ``times`` calls of ``method``."""
        self.failures.append(_InjectedFailure(method, error, times))
