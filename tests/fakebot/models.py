"""Plain data records of the fake Bot API (what tests read back).

Everything a test can get hold of is either frozen or a snapshot copy, because the server
mutates its state from its own thread while the test reads it from the event-loop thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "ApiError",
    "Call",
    "CallbackAnswer",
    "FakeFile",
    "FakeGroup",
    "FakeUser",
    "StoredMessage",
    "UploadedFile",
]


class ApiError(Exception):
    """A Bot API error answer: ``{"ok": false, "error_code": ..., "description": ...}``.

    Raised by method implementations; the server turns it into the HTTP response.
    """

    def __init__(
        self,
        error_code: int,
        description: str,
        *,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(f"{error_code}: {description}")
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def payload(self) -> dict[str, Any]:
        """The JSON body Telegram would send for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        parameters: dict[str, int] = {}
        if self.retry_after is not None:
            parameters["retry_after"] = self.retry_after
        if self.migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = self.migrate_to_chat_id
        if parameters:
            body["parameters"] = parameters
        return body


def bad_request(reason: str) -> ApiError:
    """``400 Bad Request: <reason>``."""
    return ApiError(400, f"Bad Request: {reason}")


def forbidden(reason: str) -> ApiError:
    """``403 Forbidden: <reason>``."""
    return ApiError(403, f"Forbidden: {reason}")


@dataclass(frozen=True)
class UploadedFile:
    """A multipart file part as received (before it becomes a Telegram file)."""

    field_name: str
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Call:
    """One HTTP call to the Bot API, successful or not.

    ``params`` are decoded (ints, bools and JSON objects/arrays are Python values; uploaded
    files appear as :class:`UploadedFile`). For ``sendMessage``/``editMessageText`` the HTML
    exactly as sent is ``params["text"]``; the parsed text is in ``response["result"]``.
    ``at`` is the server's monotonic clock when the answer was produced (for rate assertions).
    """

    index: int
    method: str
    params: Mapping[str, Any]
    ok: bool
    status: int
    response: Mapping[str, Any]
    at: float

    @property
    def result(self) -> Any:
        """The ``result`` of a successful call (``None`` for errors)."""
        return self.response.get("result")

    @property
    def description(self) -> str | None:
        """The error description of a failed call."""
        return self.response.get("description")

    @property
    def html(self) -> str | None:
        """The text/caption exactly as the bot sent it (HTML source when parse_mode=HTML)."""
        value = self.params.get("text", self.params.get("caption"))
        return value if isinstance(value, str) else None

    @property
    def text(self) -> str | None:
        """The text/caption as the user sees it (after entity parsing), when successful."""
        result = self.result
        if isinstance(result, dict):
            return result.get("text", result.get("caption"))
        return None

    def short(self) -> str:
        """One-line summary used in assertion messages."""
        shown = {
            k: (v if not isinstance(v, UploadedFile) else f"<file {v.filename}>")
            for k, v in self.params.items()
        }
        outcome = "ok" if self.ok else f"{self.status} {self.description}"
        return f"#{self.index} {self.method} {shown!r} -> {outcome}"


@dataclass
class FakeUser:
    """A Telegram user known to the fake; ``started``/``blocked`` drive 403 answers."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "es"
    is_bot: bool = False
    started: bool = False
    blocked: bool = False

    def to_json(self) -> dict[str, Any]:
        """The Bot API ``User`` object."""
        data: dict[str, Any] = {
            "id": self.id,
            "is_bot": self.is_bot,
            "first_name": self.first_name,
        }
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code and not self.is_bot:
            data["language_code"] = self.language_code
        return data

    def chat_json(self) -> dict[str, Any]:
        """The Bot API ``Chat`` object of the private chat with this user."""
        data: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        return data


BotStatus = Literal["member", "administrator", "left", "kicked"]


@dataclass
class FakeGroup:
    """A group, supergroup or channel; membership drives getChatMember and 403 answers.

    In a channel only administrators post, and only with ``can_post_messages``: the bot's
    right is :attr:`bot_can_post` (Bot API ``ChatMemberAdministrator.can_post_messages``,
    "for channels only"); its messages there carry ``sender_chat`` instead of ``from``.
    """

    id: int
    title: str
    type: Literal["group", "supergroup", "channel"] = "supergroup"
    username: str | None = None
    owner: int | None = None
    admins: set[int] = field(default_factory=set)
    members: set[int] = field(default_factory=set)
    bot_status: BotStatus = "member"
    #: Set when the group became a supergroup: sends to the old id answer 400 + new id.
    migrated_to: int | None = None
    #: Channels only: whether the bot, as an administrator, may post messages.
    bot_can_post: bool = True

    def chat_json(self) -> dict[str, Any]:
        """The Bot API ``Chat`` object."""
        data: dict[str, Any] = {"id": self.id, "type": self.type, "title": self.title}
        if self.username:
            data["username"] = self.username
        return data


@dataclass(frozen=True)
class FakeFile:
    """A file stored by the fake (uploaded by the bot or injected as sent by a user)."""

    file_id: str
    file_unique_id: str
    file_path: str
    filename: str
    mime_type: str
    data: bytes

    @property
    def size(self) -> int:
        """Size in bytes."""
        return len(self.data)

    def document_json(self) -> dict[str, Any]:
        """The Bot API ``Document`` object."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_name": self.filename,
            "mime_type": self.mime_type,
            "file_size": self.size,
        }


@dataclass(frozen=True)
class StoredMessage:
    """A message in a chat as the fake currently stores it (replaced on every edit).

    ``text`` is what the user sees (tags stripped, entities unescaped, trimmed); ``html`` is
    the source as the bot sent it (the raw ``text``/``caption`` parameter, whatever the
    parse_mode). ``sender_id`` is ``None`` for messages sent by the bot.
    """

    chat_id: int
    message_id: int
    date: int
    sender_id: int | None
    text: str | None = None
    html: str | None = None
    parse_mode: str | None = None
    entities: tuple[dict[str, Any], ...] = ()
    reply_markup: dict[str, Any] | None = None
    caption: str | None = None
    document: FakeFile | None = None
    edit_date: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def from_bot(self) -> bool:
        """Whether the bot sent this message."""
        return self.sender_id is None

    @property
    def buttons(self) -> list[tuple[str, str | None]]:
        """Inline buttons flattened row by row as ``(text, callback_data)``."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [(b.get("text", ""), b.get("callback_data")) for row in rows for b in row]


@dataclass(frozen=True)
class CallbackAnswer:
    """How the bot answered a callback query (``answerCallbackQuery``)."""

    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None
    at: float
