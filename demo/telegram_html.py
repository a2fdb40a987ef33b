"""A Telegram message (text + entities) as HTML that is safe to put in the demo page.

The bot writes Telegram HTML; the fake parses it into plain text and entities exactly as
Telegram does (tests/fakebot/html.py). The page never reuses the bot's source: it
rebuilds markup from the *parsed* text and entities, escaping every character and
emitting only the tags Telegram itself renders. A name such as ``<script>`` typed by a
visitor therefore shows as text, whatever the bot did with it.

Links open only on this machine (``http://127.0.0.1``/``localhost``: the microsite);
any other address (``t.me`` invitations) is shown, not followed — the demo needs no
network.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import urlsplit

__all__ = ["is_local_link", "render"]

#: Entity type -> (opening, closing) markup.
_TAGS: dict[str, tuple[str, str]] = {
    "bold": ("<b>", "</b>"),
    "italic": ("<i>", "</i>"),
    "underline": ("<u>", "</u>"),
    "strikethrough": ("<s>", "</s>"),
    "spoiler": ('<span class="spoiler">', "</span>"),
    "code": ("<code>", "</code>"),
    "pre": ("<pre>", "</pre>"),
    "blockquote": ("<blockquote>", "</blockquote>"),
    "expandable_blockquote": ("<blockquote>", "</blockquote>"),
}
_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)]")
_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})


def is_local_link(url: str) -> bool:
    """Whether ``url`` is an http(s) address on this machine (the demo follows only those)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and (parts.hostname or "") in _LOCAL_HOSTS


@dataclass(frozen=True)
class _Span:
    start: int  # character indexes into the Python string
    end: int
    kind: str
    url: str = ""

    def opening(self, text: str) -> str:
        if self.kind in ("text_link", "url"):
            url = self.url or text[self.start : self.end]
            if is_local_link(url):
                return f'<a href="{escape(url)}" target="_blank" rel="noopener noreferrer">'
            return f'<span class="link-off" title="{escape(url)}">'
        return _TAGS[self.kind][0]

    def closing(self, text: str) -> str:
        if self.kind in ("text_link", "url"):
            url = self.url or text[self.start : self.end]
            return "</a>" if is_local_link(url) else "</span>"
        return _TAGS[self.kind][1]


def _utf16_index(text: str) -> dict[int, int]:
    """UTF-16 offset -> character index, for every character boundary (and the end)."""
    index: dict[int, int] = {}
    offset = 0
    for position, char in enumerate(text):
        index[offset] = position
        offset += 2 if ord(char) > 0xFFFF else 1
    index[offset] = len(text)
    return index


def _spans(text: str, entities: Iterable[Mapping[str, Any]]) -> list[_Span]:
    """Entities as character spans (unknown kinds and broken offsets dropped), plus the
    bare addresses Telegram would have linked."""
    index = _utf16_index(text)
    spans: list[_Span] = []
    for entity in entities:
        kind = entity.get("type")
        try:
            start = index[int(entity["offset"])]
            end = index[int(entity["offset"]) + int(entity["length"])]
        except (KeyError, TypeError, ValueError):
            continue
        if end <= start or (kind not in _TAGS and kind not in ("text_link", "url")):
            continue
        spans.append(_Span(start, end, str(kind), str(entity.get("url") or "")))
    taken = [(s.start, s.end) for s in spans if s.kind in ("text_link", "url", "code", "pre")]
    for match in _URL.finditer(text):
        if not any(a < match.end() and match.start() < b for a, b in taken):
            spans.append(_Span(match.start(), match.end(), "url"))
    spans.sort(key=lambda s: (s.start, -(s.end - s.start)))
    return spans


def render(text: str | None, entities: Iterable[Mapping[str, Any]] = ()) -> str:
    """Escaped ``text`` with each entity's markup; overlapping entities are split so the
    result is always well nested."""
    if not text:
        return ""
    spans = _spans(text, entities)
    out: list[str] = []
    stack: list[_Span] = []
    following = 0
    for position in range(len(text) + 1):
        if any(s.end == position for s in stack):
            reopen: list[_Span] = []
            while any(s.end == position for s in stack):
                top = stack.pop()
                out.append(top.closing(text))
                if top.end != position:
                    reopen.append(top)
            for span in reversed(reopen):
                out.append(span.opening(text))
                stack.append(span)
        while following < len(spans) and spans[following].start == position:
            span = spans[following]
            out.append(span.opening(text))
            stack.append(span)
            following += 1
        if position < len(text):
            out.append(escape(text[position], quote=True))
    return "".join(out)
