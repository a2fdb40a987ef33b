"""Parser/validator for Telegram's ``parse_mode=HTML``, modelled on TDLib's ``parse_html``.

Why this exists: the bot renders user-provided text (names, descriptions, free-text answers)
into HTML messages. If one of those values is not escaped, the real Telegram answers
``400 Bad Request: can't parse entities: ...`` and the user gets nothing. A fake that accepted
any text would hide exactly that class of bugs, so this module reproduces Telegram's parser and
its error messages ("Unsupported start tag \\"foo\\" at byte offset 12", ...).

It is deliberately *stricter* than Telegram in ``strict`` mode (the default), because Telegram
silently keeps some malformed input that is almost always an escaping bug on our side:

* a bare ``&`` (``"Tom & Jerry"``) or an unknown named entity (``&nbsp;``) is an error,
  while Telegram would show it literally;
* entities must end with ``;``;
* attributes Telegram ignores (``<b class="x">``) are errors, ``<a>`` needs ``href`` and
  ``<tg-emoji>`` needs a numeric ``emoji-id``.

Offsets and lengths are counted in UTF-16 code units, like Telegram's ``MessageEntity``.
Byte offsets in error messages are UTF-8 byte offsets into the *source* text, like TDLib's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "HtmlParseError",
    "ParsedText",
    "parse_html",
    "parse_text",
    "parsed_length",
    "trim_parsed",
    "utf16_len",
]

#: Tag name -> entity type created by that tag (``span`` is checked separately).
_TAG_ENTITY: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "tg-emoji": "custom_emoji",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}

#: Attributes we accept per tag in strict mode (Telegram silently ignores any other).
_ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href"}),
    "code": frozenset({"class"}),
    "span": frozenset({"class"}),
    "tg-emoji": frozenset({"emoji-id"}),
    "blockquote": frozenset({"expandable"}),
}

_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACES = frozenset(" \t\r\n\f\v")
#: Characters Telegram trims from both ends of a message text / caption.
_TRIMMED = " \t\r\n"


class HtmlParseError(ValueError):
    """The text is not valid Telegram HTML; ``reason`` is Telegram-style (no prefix)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    @property
    def description(self) -> str:
        """The full Bot API error description for this failure."""
        return f"Bad Request: can't parse entities: {self.reason}"


@dataclass(frozen=True)
class ParsedText:
    """Result of entity parsing: the plain text a user sees and its entities."""

    text: str
    entities: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    @property
    def length(self) -> int:
        """Length in UTF-16 code units, the unit of Telegram's limits (4096, 1024, ...)."""
        return utf16_len(self.text)


@dataclass
class _Open:
    tag: str
    argument: str
    utf16_offset: int
    byte_pos: int


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (astral characters such as emoji count 2)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8", "surrogatepass"))


def _decode_entity(text: str, pos: int, strict: bool) -> tuple[str | None, int]:
    """Decode the character reference starting at ``text[pos] == "&"``.

    Returns ``(character, index after the reference)`` or ``(None, pos)`` when the ``&`` does
    not start a reference Telegram understands (TDLib then keeps the ``&`` literally).
    """
    n = len(text)
    end = pos + 1
    value: int | None = None
    if end < n and text[end] == "#":
        end += 1
        digits_start = end
        if end < n and text[end] in "xX":
            end += 1
            digits_start = end
            while end < n and text[end] in "0123456789abcdefABCDEF":
                end += 1
            digits = text[digits_start:end]
            value = int(digits, 16) if digits else 0
        else:
            while end < n and text[end].isascii() and text[end].isdigit():
                end += 1
            digits = text[digits_start:end]
            value = int(digits) if digits else 0
        if value == 0 or value >= 0x10FFFF or end - pos >= 10 or 0xD800 <= value <= 0xDFFF:
            return None, pos
        char = chr(value)
    else:
        while end < n and text[end].isascii() and text[end].isalpha():
            end += 1
        name = text[pos + 1 : end]
        if name not in _NAMED_ENTITIES:
            return None, pos
        char = _NAMED_ENTITIES[name]
    if end < n and text[end] == ";":
        return char, end + 1
    if strict:
        return None, pos
    return char, end


def _entity_error(text: str, pos: int) -> HtmlParseError:
    """Strict-mode error for an ``&`` that Telegram would have kept literally."""
    end = pos + 1
    while end < len(text) and end - pos < 12 and (text[end].isalnum() or text[end] == "#"):
        end += 1
    where = f"at byte offset {_byte_offset(text, pos)}"
    if end == pos + 1:
        return HtmlParseError(
            f'Unescaped "&" {where}: escape it as "&amp;" '
            "(fake server strict mode; Telegram would show it literally)"
        )
    snippet = text[pos:end] + (";" if end < len(text) and text[end] == ";" else "")
    return HtmlParseError(
        f'Unsupported HTML entity "{snippet}" {where}: only &lt; &gt; &amp; &quot; and '
        "numeric references ending with ';' are allowed (fake server strict mode)"
    )


def parse_html(text: str, *, strict: bool = True) -> ParsedText:
    """Parse Telegram HTML into plain text and entities, or raise :class:`HtmlParseError`.

    The text is *not* trimmed here; see :func:`parse_text` for what Telegram stores.
    """
    out: list[str] = []
    utf16 = 0
    entities: list[dict[str, Any]] = []
    stack: list[_Open] = []
    n = len(text)
    i = 0
    while i < n:
        c = text[i]
        if c == "&":
            char, end = _decode_entity(text, i, strict)
            if char is None:
                if strict:
                    raise _entity_error(text, i)
                out.append(c)
                utf16 += 1
                i += 1
                continue
            out.append(char)
            utf16 += utf16_len(char)
            i = end
            continue
        if c != "<":
            out.append(c)
            utf16 += 2 if ord(c) > 0xFFFF else 1
            i += 1
            continue

        begin = i
        begin_byte = _byte_offset(text, begin)
        i += 1
        if i < n and text[i] == "/":
            i = _parse_end_tag(text, i, begin_byte, stack, entities, utf16)
            continue
        i = _parse_start_tag(text, i, begin, begin_byte, stack, utf16, strict)

    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return ParsedText("".join(out), tuple(entities))


def _parse_start_tag(
    text: str,
    i: int,
    begin: int,
    begin_byte: int,
    stack: list[_Open],
    utf16: int,
    strict: bool,
) -> int:
    """Parse ``<tag attr=...>`` whose name starts at ``text[i]``; return the index after it."""
    n = len(text)
    name_start = i
    while i < n and text[i] not in _SPACES and text[i] != ">":
        i += 1
    if i >= n:
        raise HtmlParseError(f"Unclosed start tag at byte offset {begin_byte}")
    tag = text[name_start:i].lower()
    if tag not in _TAG_ENTITY:
        raise HtmlParseError(f'Unsupported start tag "{tag}" at byte offset {begin_byte}')

    argument = ""
    seen: dict[str, str] = {}
    while text[i] != ">":
        while i < n and text[i] in _SPACES:
            i += 1
        if i >= n:
            raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {begin_byte}')
        if text[i] == ">":
            break
        attr_start = i
        while i < n and text[i] not in _SPACES and text[i] not in "=>":
            i += 1
        attr = text[attr_start:i].lower()
        if not attr:
            raise HtmlParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset {begin_byte}'
            )
        while i < n and text[i] in _SPACES:
            i += 1
        if i >= n:
            raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {begin_byte}')
        if text[i] != "=":
            if tag == "blockquote" and attr == "expandable":
                seen[attr] = ""
                continue
            raise HtmlParseError(
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{tag}" at byte offset {begin_byte}'
            )
        i += 1
        while i < n and text[i] in _SPACES:
            i += 1
        if i >= n:
            raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {begin_byte}')
        value, i = _parse_attribute_value(text, i, strict)
        if i >= n:
            raise HtmlParseError(f"Unclosed start tag at byte offset {begin_byte}")
        seen[attr] = value

    if strict:
        allowed = _ALLOWED_ATTRIBUTES.get(tag, frozenset())
        for attr in seen:
            if attr not in allowed:
                raise HtmlParseError(
                    f'Unsupported attribute "{attr}" in the tag "{tag}" at byte offset '
                    f"{begin_byte} (fake server strict mode; Telegram would ignore it)"
                )

    if tag == "a":
        argument = seen.get("href", "")
        if strict and not argument:
            raise HtmlParseError(
                f'Tag "a" must have a non-empty attribute "href" at byte offset {begin_byte}'
            )
    elif tag == "code":
        cls = seen.get("class", "")
        if cls.startswith("language-"):
            argument = cls[len("language-") :]
        elif strict and "class" in seen:
            raise HtmlParseError(
                f'Tag "code" class must start with "language-" at byte offset {begin_byte}'
            )
    elif tag == "span":
        if seen.get("class") != "tg-spoiler":
            raise HtmlParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {begin_byte}'
            )
    elif tag == "tg-emoji":
        argument = seen.get("emoji-id", "")
        if strict and not argument.isdigit():
            raise HtmlParseError(
                f'Tag "tg-emoji" must have a numeric attribute "emoji-id" at byte offset '
                f"{begin_byte}"
            )
    elif tag == "blockquote" and "expandable" in seen:
        argument = "expandable"

    stack.append(_Open(tag, argument, utf16, begin_byte))
    return i + 1


def _parse_attribute_value(text: str, i: int, strict: bool) -> tuple[str, int]:
    """Parse a quoted string or an unquoted name token starting at ``text[i]``."""
    n = len(text)
    if text[i] not in "'\"":
        start = i
        while i < n and ((text[i].isascii() and text[i].isalnum()) or text[i] in ".-"):
            i += 1
        if i < n and text[i] not in _SPACES and text[i] != ">":
            raise HtmlParseError(
                f"Unexpected end of name token at byte offset {_byte_offset(text, start)}"
            )
        return text[start:i].lower(), i
    quote = text[i]
    i += 1
    value: list[str] = []
    while i < n and text[i] != quote:
        if text[i] == "&":
            char, end = _decode_entity(text, i, strict)
            if char is not None:
                value.append(char)
                i = end
                continue
            if strict:
                raise _entity_error(text, i)
        value.append(text[i])
        i += 1
    if i < n:
        i += 1
    return "".join(value), i


def _parse_end_tag(
    text: str,
    i: int,
    begin_byte: int,
    stack: list[_Open],
    entities: list[dict[str, Any]],
    utf16: int,
) -> int:
    """Parse ``</tag>`` whose ``/`` is at ``text[i]``; close the entity; return next index."""
    n = len(text)
    if not stack:
        raise HtmlParseError(f"Unexpected end tag at byte offset {begin_byte}")
    i += 1
    name_start = i
    while i < n and text[i] not in _SPACES and text[i] != ">":
        i += 1
    end_name = text[name_start:i].lower()
    while i < n and text[i] in _SPACES:
        i += 1
    if i >= n or text[i] != ">":
        raise HtmlParseError(f"Unclosed end tag at byte offset {begin_byte}")
    opened = stack.pop()
    if end_name and end_name != opened.tag:
        raise HtmlParseError(
            f'Unmatched end tag at byte offset {begin_byte}, expected "</{opened.tag}>", '
            f'found "</{end_name}>"'
        )
    length = utf16 - opened.utf16_offset
    if length > 0:
        _add_entity(entities, opened, length)
    return i + 1


def _add_entity(entities: list[dict[str, Any]], opened: _Open, length: int) -> None:
    kind = _TAG_ENTITY[opened.tag]
    entity: dict[str, Any] = {"type": kind, "offset": opened.utf16_offset, "length": length}
    if kind == "text_link":
        if opened.argument.startswith("tg://user?id="):
            user_id = opened.argument.removeprefix("tg://user?id=")
            if user_id.isdigit():
                entity = {**entity, "type": "text_mention", "user": {"id": int(user_id)}}
            else:
                entity["url"] = opened.argument
        else:
            entity["url"] = opened.argument
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = opened.argument
    elif kind == "code" and opened.argument:
        entity["language"] = opened.argument
    elif kind == "blockquote" and opened.argument:
        entity["type"] = "expandable_blockquote"
    elif kind == "pre" and entities:
        # <pre><code class="language-x">...</code></pre> is one pre entity with a language.
        last = entities[-1]
        if (
            last["type"] == "code"
            and last["offset"] == entity["offset"]
            and last["length"] == length
        ):
            entities.pop()
            if "language" in last:
                entity["language"] = last["language"]
    entities.append(entity)


def trim_parsed(parsed: ParsedText) -> ParsedText:
    """Trim whitespace at both ends like Telegram does, shifting/clipping entity ranges."""
    text = parsed.text
    stripped_left = text.lstrip(_TRIMMED)
    lead = utf16_len(text) - utf16_len(stripped_left)
    result = stripped_left.rstrip(_TRIMMED)
    total = utf16_len(result)
    entities: list[dict[str, Any]] = []
    for entity in parsed.entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return ParsedText(result, tuple(entities))


def parse_text(
    text: str,
    parse_mode: str | None,
    entities: list[dict[str, Any]] | None = None,
    *,
    strict: bool = True,
) -> ParsedText:
    """What Telegram stores for ``text`` sent with ``parse_mode``/``entities``, trimmed.

    Explicit ``entities`` win over ``parse_mode`` (as in the Bot API). Markdown modes are not
    parsed by this fake: their text is kept as-is (documented approximation).

    Raises:
        HtmlParseError: invalid HTML.
        ValueError: unknown parse mode (message is the Bot API description).
    """
    if entities is not None:
        return trim_parsed(ParsedText(text, tuple(entities)))
    mode = (parse_mode or "").strip().lower()
    if mode == "html":
        return trim_parsed(parse_html(text, strict=strict))
    if mode in ("", "markdown", "markdownv2"):
        return trim_parsed(ParsedText(text))
    raise ValueError(f"Bad Request: unsupported parse_mode {parse_mode}")


def parsed_length(text: str, parse_mode: str | None = "HTML", *, strict: bool = True) -> int:
    """UTF-16 length of ``text`` after entity parsing and trimming (what the 4096 limit counts)."""
    return parse_text(text, parse_mode, strict=strict).length
