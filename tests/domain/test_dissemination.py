"""The public channel's pure rules (R18): ``canal_publico``'s syntax, what makes a channel
usable, the communiqué's limits."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.dissemination import (
    COMMUNIQUE_MAX,
    chat_ref,
    check_channel,
    clean_communique,
    parse_channel,
    same_text,
    utf16_length,
)
from domain.errors import (
    BotCannotPost,
    BotNotChannelAdmin,
    BotNotInChannel,
    ChannelNotFound,
    CommuniqueTooLong,
    NotAChannel,
    PublicChannelRefusal,
    Usage,
)


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("@stm_zamora", "@stm_zamora"),
        ("  @STM_Zamora ", "@STM_Zamora"),
        ("t.me/stm_zamora", "@stm_zamora"),
        ("https://t.me/stm_zamora/", "@stm_zamora"),
        ("-1001234567890", "-1001234567890"),
        ("-", ""),  # cleared
    ],
)
def test_channel_syntax(raw: str, parsed: str) -> None:
    assert parse_channel(raw) == parsed


@pytest.mark.parametrize(
    "raw",
    [
        "stm_zamora",
        "@",
        "@abc",
        "@_canal",
        "@canal-zamora",
        "@" + "a" * 33,
        "-0",
        "--100",
        "",
        "@٣x",
    ],
)
def test_bad_channel_syntax(raw: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        parse_channel(raw)


@given(st.text(max_size=40))
def test_parsing_is_idempotent(raw: str) -> None:
    """Whatever is accepted parses to itself again: what is stored is what was checked."""
    try:
        parsed = parse_channel(raw)
    except ValueError:
        return
    assert parse_channel(parsed or "-") == parsed
    if parsed:
        ref = chat_ref(parsed)
        assert (isinstance(ref, int) and str(ref) == parsed) or ref == parsed


OK = {"chat_type": "channel", "status": "administrator", "can_post": True}


@pytest.mark.parametrize(
    ("found", "refusal"),
    [
        ({**OK, "chat_type": None}, ChannelNotFound),
        ({**OK, "chat_type": "supergroup"}, NotAChannel),
        ({**OK, "chat_type": "private"}, NotAChannel),
        ({**OK, "status": "left"}, BotNotInChannel),
        ({**OK, "status": "kicked"}, BotNotInChannel),
        ({**OK, "status": None}, BotNotInChannel),
        ({**OK, "status": "member"}, BotNotChannelAdmin),
        ({**OK, "status": "restricted"}, BotNotChannelAdmin),
        ({**OK, "can_post": False}, BotCannotPost),
        ({**OK, "can_post": None}, BotCannotPost),
    ],
)
def test_the_bot_must_administer_the_channel_and_post(
    found: dict[str, object], refusal: type[PublicChannelRefusal]
) -> None:
    with pytest.raises(refusal) as refused:
        check_channel("@stm_zamora", **found)  # type: ignore[arg-type]
    assert refused.value.channel == "@stm_zamora"


def test_an_administrator_that_may_post_is_accepted() -> None:
    check_channel("@stm_zamora", **OK)  # type: ignore[arg-type]


def test_communique_text_keeps_its_lines() -> None:
    assert clean_communique("  Sesión pospuesta.  \r\n\r\nNueva fecha: 2027-01-15 \n") == (
        "Sesión pospuesta.\n\nNueva fecha: 2027-01-15"
    )


@pytest.mark.parametrize("raw", ["", "   ", "\n\n"])
def test_an_empty_communique_gets_the_usage(raw: str) -> None:
    with pytest.raises(Usage) as refused:
        clean_communique(raw)
    assert refused.value.command == "comunicado"


def test_length_is_counted_as_telegram_counts() -> None:
    assert utf16_length("📢 á") == 4  # the emoji is two UTF-16 code units
    clean_communique("a" * COMMUNIQUE_MAX)
    with pytest.raises(CommuniqueTooLong) as refused:
        clean_communique("📢" * (COMMUNIQUE_MAX // 2 + 1))
    assert (refused.value.length, refused.value.limit) == (COMMUNIQUE_MAX + 2, COMMUNIQUE_MAX)


@given(st.text(max_size=COMMUNIQUE_MAX + 50))
def test_an_accepted_communique_fits_its_limit(raw: str) -> None:
    try:
        text = clean_communique(raw)
    except (Usage, CommuniqueTooLong):
        return
    assert text == text.strip()
    assert 0 < utf16_length(text) <= COMMUNIQUE_MAX


def test_a_double_send_is_the_same_text() -> None:
    assert same_text("Sesión  pospuesta.", "sesión pospuesta.")
    assert not same_text("Sesión pospuesta.", "Sesión cancelada.")
