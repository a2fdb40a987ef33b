"""demo/telegram_html.py: a message's text and entities as safe, well-nested HTML."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from demo.telegram_html import is_local_link, render
from tests.fakebot import parse_html


def from_telegram(source: str) -> str:
    """What the page shows for a bot message sent with this Telegram HTML."""
    parsed = parse_html(source)
    return render(parsed.text, parsed.entities)


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        ("<b>Hola</b> mundo", "<b>Hola</b> mundo"),
        ("<b>a <i>b</i></b>", "<b>a <i>b</i></b>"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ('Tom &amp; "Jerry"', "Tom &amp; &quot;Jerry&quot;"),
        ("<code>/acta 1</code>", "<code>/acta 1</code>"),
        ("<pre>x\ny</pre>", "<pre>x\ny</pre>"),
        ("<tg-spoiler>oculto</tg-spoiler>", '<span class="spoiler">oculto</span>'),
        ("<blockquote>cita</blockquote>", "<blockquote>cita</blockquote>"),
        ("🗳️ <b>Resultado</b>", "🗳️ <b>Resultado</b>"),  # UTF-16 offsets past an emoji
        (
            '<a href="http://127.0.0.1:8080/zamora/">sitio</a>',
            '<a href="http://127.0.0.1:8080/zamora/" target="_blank" '
            'rel="noopener noreferrer">sitio</a>',
        ),
        (
            '<a href="https://t.me/stm_demo_bot?start=abc">enlace</a>',
            '<span class="link-off" title="https://t.me/stm_demo_bot?start=abc">enlace</span>',
        ),
        (
            '<a href="javascript:alert(1)">x</a>',
            '<span class="link-off" title="javascript:alert(1)">x</span>',
        ),
        (
            "Véalo en http://localhost:8080/zamora/actas.",
            'Véalo en <a href="http://localhost:8080/zamora/actas" target="_blank" '
            'rel="noopener noreferrer">http://localhost:8080/zamora/actas</a>.',
        ),
    ],
)
def test_bot_html_is_rebuilt_from_entities(source: str, shown: str) -> None:
    assert from_telegram(source) == shown


def test_overlapping_and_broken_entities_stay_well_nested() -> None:
    overlapping = [
        {"type": "bold", "offset": 0, "length": 4},
        {"type": "italic", "offset": 2, "length": 4},
    ]
    assert render("abcdef", overlapping) == "<b>ab<i>cd</i></b><i>ef</i>"
    broken = [
        {"type": "bold", "offset": 50, "length": 3},  # past the end
        {"type": "bold", "offset": 1, "length": 0},  # empty
        {"type": "mention", "offset": 0, "length": 2},  # shown as text
        {"type": "bold", "offset": "x", "length": 1},  # not a number
    ]
    assert render("<ab>", broken) == "&lt;ab&gt;"
    assert render(None) == render("") == ""


def test_only_addresses_on_this_machine_are_followed() -> None:
    assert is_local_link("http://127.0.0.1:8091/zamora/")
    assert is_local_link("https://localhost/x")
    for url in ("https://t.me/x", "http://127.0.0.1.evil.mx/", "javascript:1", "ftp://localhost"):
        assert not is_local_link(url)


class _Balance(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.stack.append(tag)
        self.tags.add(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack[-1:] == [tag], (self.stack, tag)
        self.stack.pop()


_KINDS = st.sampled_from(
    ["bold", "italic", "underline", "code", "pre", "spoiler", "text_link", "url", "mention"]
)


@given(
    text=st.text(max_size=40),
    entities=st.lists(
        st.fixed_dictionaries(
            {
                "type": _KINDS,
                "offset": st.integers(-2, 45),
                "length": st.integers(-1, 45),
                "url": st.sampled_from(["http://127.0.0.1/", "javascript:x", "<b>"]),
            }
        ),
        max_size=6,
    ),
)
def test_any_text_and_entities_give_the_text_back_safely(
    text: str, entities: list[dict[str, object]]
) -> None:
    shown = render(text, entities)
    assert html.unescape(re.sub(r"<[^>]*>", "", shown)) == text  # every character kept
    parser = _Balance()
    parser.feed(shown)
    parser.close()
    assert parser.stack == []
    assert parser.tags <= {"b", "i", "u", "s", "span", "code", "pre", "blockquote", "a"}
