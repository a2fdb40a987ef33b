"""A fake Telegram Bot API server for end-to-end tests of the bot.

See :mod:`tests.fakebot.server` for the test-facing API, :mod:`tests.fakebot.methods` for the
implemented methods and :mod:`tests.fakebot.html` for the HTML parse_mode validator.
"""

from .flood import LIMITED_METHODS, FloodControl, Limit
from .html import HtmlParseError, ParsedText, parse_html, parse_text, parsed_length, utf16_len
from .methods import KNOWN_METHODS, METHODS, REQUIRED, MethodSpec
from .models import (
    ApiError,
    Call,
    CallbackAnswer,
    FakeFile,
    FakeGroup,
    FakeUser,
    StoredMessage,
    UploadedFile,
)
from .server import FakeBotAPI, RateLimitPolicy
from .state import DEFAULT_TOKEN

__all__ = [
    "DEFAULT_TOKEN",
    "KNOWN_METHODS",
    "LIMITED_METHODS",
    "METHODS",
    "REQUIRED",
    "ApiError",
    "Call",
    "CallbackAnswer",
    "FakeBotAPI",
    "FakeFile",
    "FakeGroup",
    "FakeUser",
    "FloodControl",
    "HtmlParseError",
    "Limit",
    "MethodSpec",
    "ParsedText",
    "RateLimitPolicy",
    "StoredMessage",
    "UploadedFile",
    "parse_html",
    "parse_text",
    "parsed_length",
    "utf16_len",
]
