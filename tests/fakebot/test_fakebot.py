"""Self-tests of the fake Bot API: raw HTTP, then the real PTB Bot/Application against it.

The fake is only useful if it is as picky as Telegram, so most tests here pin down a
rejection (with Telegram's wording) next to the accepted neighbour case.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Conflict, Forbidden, RetryAfter
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
)

from .fixtures import build_application, polling
from .flood import FloodControl, Limit
from .html import HtmlParseError, parse_html, parsed_length, utf16_len
from .methods import KNOWN_METHODS, METHODS
from .server import FakeBotAPI

SPEC_ENV = "TELEGRAM_API_SPEC"


def spec_path() -> Path:
    """``$TELEGRAM_API_SPEC`` or ``<repo>/../shared/telegram-bot-api/api-10.0.json``."""
    override = os.environ.get(SPEC_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[3] / "shared" / "telegram-bot-api" / "api-10.0.json"


def keyboard(*rows: list[tuple[str, str]]) -> str:
    """A JSON inline keyboard of callback buttons, as PTB sends it."""
    return json.dumps(
        {"inline_keyboard": [[{"text": t, "callback_data": d} for t, d in row] for row in rows]}
    )


async def post(api: httpx.AsyncClient, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
    """Form-encoded call like PTB's (non-strings JSON-encoded); returns (status, body)."""
    data = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    response = await api.post(method, data=data)
    return response.status_code, response.json()


# =============================================================== the method table vs the spec
def test_method_table_matches_the_bot_api_spec() -> None:
    """The table of methods and required parameters is checked against
    ../shared/telegram-bot-api/api-10.0.json when that file is present."""
    path = spec_path()
    if not path.is_file():
        pytest.skip(
            f"Bot API spec not found at {path} (set {SPEC_ENV} to check the built-in table)"
        )
    spec = json.loads(path.read_text(encoding="utf-8"))
    methods = spec["methods"]
    assert set(KNOWN_METHODS) == set(methods)
    for name, method in METHODS.items():
        assert name in methods, f"{name} is not a Bot API method"
        fields = methods[name].get("fields", [])
        required = {f["name"] for f in fields if f["required"]}
        assert set(method.required) == required, name
        assert dict(method.params) == {f["name"]: "|".join(f["types"]) for f in fields}, name


def test_required_methods_are_implemented() -> None:
    wanted = {
        "getMe getUpdates deleteWebhook sendMessage editMessageText editMessageReplyMarkup "
        "deleteMessage answerCallbackQuery setMyCommands deleteMyCommands getMyCommands getChat "
        "getChatMember getChatAdministrators leaveChat sendDocument getFile sendChatAction "
        "pinChatMessage unpinChatMessage"
    }.pop().split()
    assert set(wanted) <= set(METHODS)


# =============================================================== HTML parse mode
@pytest.mark.parametrize(
    ("html", "text", "entities"),
    [
        ("plain", "plain", []),
        ("<b>bold</b> x", "bold x", [("bold", 0, 4)]),
        ("<strong>a</strong><em>b</em><ins>c</ins><del>d</del>", "abcd", None),
        ("&lt;&gt;&amp;&quot;&#39;&#x27;&#34;", "<>&\"''\"", []),
        ('<a href="https://x.org/?a=1&amp;b=2">l</a>', "l", [("text_link", 0, 1)]),
        ('<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>', "st", None),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍", [("custom_emoji", 0, 2)]),
        ('<pre><code class="language-python">x = 1</code></pre>', "x = 1", [("pre", 0, 5)]),
        ("<blockquote expandable>q</blockquote>", "q", [("expandable_blockquote", 0, 1)]),
        ("😀<b>x</b>", "😀x", [("bold", 2, 1)]),
        ("a > b", "a > b", []),
        ("<B>x</B>", "x", [("bold", 0, 1)]),
    ],
)
def test_valid_html_is_parsed_like_telegram(
    html: str, text: str, entities: list[tuple[str, int, int]] | None
) -> None:
    parsed = parse_html(html)
    assert parsed.text == text
    if entities is not None:
        assert [(e["type"], e["offset"], e["length"]) for e in parsed.entities] == entities


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("Hola <foo>", 'Unsupported start tag "foo" at byte offset 5'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("1 <3 you", 'Unsupported start tag "3" at byte offset 2'),
        ("I <3", "Unclosed start tag at byte offset 2"),
        ("ñ <b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("Tom & Jerry", 'Unescaped "&" at byte offset 4'),
        ("a&nbsp;b", 'Unsupported HTML entity "&nbsp;" at byte offset 1'),
        ("&lt", 'Unsupported HTML entity "&lt" at byte offset 0'),
        ('<b class="x">y</b>', 'Unsupported attribute "class" in the tag "b"'),
        ("<a>y</a>", 'Tag "a" must have a non-empty attribute "href"'),
        ("<a href=http://x>y</a>", "Unexpected end of name token at byte offset 8"),
        ("<tg-emoji>y</tg-emoji>", 'Tag "tg-emoji" must have a numeric attribute "emoji-id"'),
        ("<b x>y</b>", 'Expected equal sign in declaration of an attribute of the tag "b"'),
    ],
)
def test_invalid_html_is_rejected_with_telegrams_reason(html: str, reason: str) -> None:
    with pytest.raises(HtmlParseError) as caught:
        parse_html(html)
    assert caught.value.reason.startswith(reason)
    assert caught.value.description.startswith("Bad Request: can't parse entities: ")


def test_lenient_mode_keeps_what_telegram_keeps() -> None:
    assert parse_html("Tom & Jerry &nbsp;", strict=False).text == "Tom & Jerry &nbsp;"
    assert parse_html('<b class="x">y</b>', strict=False).text == "y"


def test_lengths_count_utf16_code_units_after_parsing() -> None:
    assert utf16_len("a😀ñ") == 4
    assert parsed_length("  <b>hola</b> &amp;\n\n") == len("hola &")
    assert parsed_length("<i>" + "😀" * 3 + "</i>") == 6


# =============================================================== HTTP basics
async def test_get_me_and_http_level_errors(fake: FakeBotAPI, api: httpx.AsyncClient) -> None:
    status, body = await post(api, "getMe")
    assert status == 200
    assert body["result"]["username"] == "stm_prueba_bot"
    assert body["result"]["is_bot"] is True
    assert body["result"]["can_join_groups"] is True
    assert body["result"]["id"] == fake.bot_id == 123456

    async with httpx.AsyncClient(base_url=fake.url) as raw:
        wrong = await raw.post("/bot123456:WRONG/getMe")
        assert (wrong.status_code, wrong.json()["description"]) == (401, "Unauthorized")
        missing = await raw.post(f"/bot{fake.token}/sendMessagez")
        assert missing.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        lower = await raw.get(f"/bot{fake.token}/getme")
        assert lower.json()["ok"] is True
    status, body = await post(api, "sendPoll", chat_id=1, question="q", options=[])
    assert (status, body["description"]) == (
        400,
        "Bad Request: fake server: method sendPoll is not implemented",
    )
    assert [c.method for c in fake.calls][:2] == ["getMe", "getMe"]


async def test_json_bodies_and_query_strings_are_accepted(
    fake: FakeBotAPI, api: httpx.AsyncClient
) -> None:
    fake.add_user(101, "Claudia", started=True)
    as_json = await api.post("sendMessage", json={"chat_id": 101, "text": "uno"})
    assert as_json.json()["ok"] is True
    as_query = await api.get("sendMessage", params={"chat_id": "101", "text": "dos"})
    assert as_query.json()["result"]["message_id"] == 2
    assert [c.params["chat_id"] for c in fake.calls_to("sendMessage")] == [101, 101]


async def test_parameters_are_validated(fake: FakeBotAPI, api: httpx.AsyncClient) -> None:
    fake.add_user(101, "Claudia", started=True)
    base = {"chat_id": 101, "text": "x"}
    cases = [
        ({"text": "x"}, "chat_id is empty"),
        ({"chat_id": 101}, "message text is empty"),
        ({"chat_id": 101, "text": ""}, "message text is empty"),
        ({**base, "text": "<b> </b>", "parse_mode": "HTML"}, "message text is empty"),
        ({**base, "colour": "red"}, "fake server: unknown parameter colour for sendMessage"),
        ({**base, "reply_markup": "{nope"}, "can't parse reply_markup JSON object"),
        (
            {**base, "disable_notification": "maybe"},
            "fake server: parameter disable_notification of sendMessage must be a Boolean",
        ),
        ({**base, "parse_mode": "BBCode"}, "unsupported parse_mode BBCode"),
    ]
    for params, description in cases:
        status, body = await post(api, "sendMessage", **params)
        assert (status, body["description"]) == (400, f"Bad Request: {description}"), params
    failed = fake.calls[-1]
    assert (failed.ok, failed.status) == (False, 400)


# =============================================================== sendMessage
async def test_who_the_bot_may_write_to(fake: FakeBotAPI, api: httpx.AsyncClient) -> None:
    fake.add_user(101, "Claudia", "Solís")
    fake.add_user(102, "Roberto", started=True, blocked=True)
    fake.add_group(-1001, "STM Zamora")
    expectations = {
        101: (403, "Forbidden: bot can't initiate conversation with a user"),
        102: (403, "Forbidden: bot was blocked by the user"),
        999: (400, "Bad Request: chat not found"),
        "@nadie": (400, "Bad Request: chat not found"),
    }
    for chat_id, expected in expectations.items():
        status, body = await post(api, "sendMessage", chat_id=chat_id, text="hola")
        assert (status, body["description"]) == expected
        assert body["error_code"] == expected[0]

    assert (await post(api, "sendMessage", chat_id=-1001, text="hola grupo"))[0] == 200
    fake.send_text(101, "hola")  # Claudia writes first: now the bot may answer
    assert (await post(api, "sendMessage", chat_id=101, text="hola"))[0] == 200
    fake.unblock(102)
    assert (await post(api, "sendMessage", chat_id=102, text="hola"))[0] == 200
    fake.block(102)
    assert (await post(api, "sendMessage", chat_id=102, text="hola"))[0] == 403


async def test_sent_message_is_realistic_and_stored(
    fake: FakeBotAPI, api: httpx.AsyncClient
) -> None:
    fake.add_user(101, "Claudia", started=True)
    fake.add_user(102, "Roberto", started=True)
    html = "<b>Sesión</b> de Tom &amp; Jerry &lt;3 "
    markup = keyboard([("Sí", "p:1:2"), ("No", "p:1:3")], [("Ver", "v:1")])
    _, first = await post(
        api, "sendMessage", chat_id=101, text=html, parse_mode="HTML", reply_markup=markup
    )
    _, second = await post(api, "sendMessage", chat_id=101, text="otro")
    _, other_chat = await post(api, "sendMessage", chat_id="102", text="hola")

    message = first["result"]
    assert message["message_id"] == 1
    assert second["result"]["message_id"] == 2
    assert other_chat["result"]["message_id"] == 1
    assert message["from"]["username"] == "stm_prueba_bot"
    assert message["chat"] == {"id": 101, "type": "private", "first_name": "Claudia"}
    assert abs(message["date"] - time.time()) < 5
    assert message["text"] == "Sesión de Tom & Jerry <3"
    assert message["entities"] == [{"type": "bold", "offset": 0, "length": 6}]
    assert message["reply_markup"] == json.loads(markup)

    stored = fake.messages[101][0]
    assert (stored.message_id, stored.text, stored.html) == (1, message["text"], html)
    assert fake.buttons(101, 1) == [("Sí", "p:1:2"), ("No", "p:1:3"), ("Ver", "v:1")]
    assert fake.buttons(101) == []  # newest message has no keyboard
    assert fake.messages[102][0].text == "hola"
    sent = fake.sent_to(101)
    assert [c.html for c in sent] == [html, "otro"]
    assert [c.text for c in sent] == [message["text"], "otro"]
    assert fake.sent_to("102")[0].result["message_id"] == 1


async def test_text_limits_count_after_parsing_in_utf16(
    fake: FakeBotAPI, api: httpx.AsyncClient
) -> None:
    fake.add_user(101, "Claudia", started=True)
    too_long = "Bad Request: message is too long"
    ok_cases = ["a" * 4096, "<b>" + "a" * 4096 + "</b>", "😀" * 2048, "&amp;" * 4096]
    for text in ok_cases:
        status, body = await post(api, "sendMessage", chat_id=101, text=text, parse_mode="HTML")
        assert status == 200, body
    for text in ["a" * 4097, "😀" * 2048 + "a"]:
        status, body = await post(api, "sendMessage", chat_id=101, text=text, parse_mode="HTML")
        assert (status, body["description"]) == (400, too_long)


async def test_html_errors_come_back_like_telegrams(
    fake: FakeBotAPI, api: httpx.AsyncClient
) -> None:
    fake.add_user(101, "Claudia", started=True)
    status, body = await post(
        api, "sendMessage", chat_id=101, text="Hola <Juan>", parse_mode="HTML"
    )
    assert status == 400
    assert body["description"] == (
        'Bad Request: can\'t parse entities: Unsupported start tag "juan" at byte offset 5'
    )
    # Without parse_mode the same text is fine: nothing is parsed.
    assert (await post(api, "sendMessage", chat_id=101, text="Hola <Juan>"))[0] == 200


@pytest.mark.parametrize(
    ("button", "description"),
    [
        ({"text": "x", "callback_data": "d" * 65}, "BUTTON_DATA_INVALID"),
        ({"text": "x", "callback_data": "ñ" * 33}, "BUTTON_DATA_INVALID"),
        ({"text": "x", "callback_data": ""}, "BUTTON_DATA_INVALID"),
        (
            {"text": "x"},
            "can't parse inline keyboard button: Text buttons are unallowed in the inline "
            "keyboard",
        ),
        (
            {"text": "x", "callback_data": "a", "url": "https://x.org"},
            "can't parse inline keyboard button: fake server: a button needs exactly one action "
            "field, got url, callback_data",
        ),
        ({"text": "x", "url": "not a url"}, "BUTTON_URL_INVALID"),
    ],
)
async def test_bad_inline_buttons_are_rejected(
    fake: FakeBotAPI, api: httpx.AsyncClient, button: dict[str, Any], description: str
) -> None:
    fake.add_user(101, "Claudia", started=True)
    markup = {"inline_keyboard": [[button]]}
    status, body = await post(api, "sendMessage", chat_id=101, text="x", reply_markup=markup)
    assert (status, body["description"]) == (400, f"Bad Request: {description}")


async def test_longest_callback_data_is_accepted(fake: FakeBotAPI, api: httpx.AsyncClient) -> None:
    fake.add_user(101, "Claudia", started=True)
    markup = keyboard([("a", "d" * 64), ("b", "ñ" * 32)])
    assert (await post(api, "sendMessage", chat_id=101, text="x", reply_markup=markup))[0] == 200


# =============================================================== editing
async def test_edits_follow_telegrams_rules(fake: FakeBotAPI, api: httpx.AsyncClient) -> None:
    fake.add_user(101, "Claudia", started=True)
    markup = keyboard([("Sí", "p:1:2")])
    await post(
        api,
        "sendMessage",
        chat_id=101,
        text="<b>¿Asistes?</b>",
        parse_mode="HTML",
        reply_markup=markup,
    )

    status, body = await post(api, "editMessageText", chat_id=101, message_id=9, text="x")
    assert (status, body["description"]) == (400, "Bad Request: message to edit not found")
    status, body = await post(
        api, "editMessageText", chat_id=101, message_id=1, text="<b>¿Asistes?</b>",
        parse_mode="HTML", reply_markup=markup,
    )  # fmt: skip
    assert status == 400
    assert body["description"].startswith("Bad Request: message is not modified: ")

    # Same text, keyboard omitted: Telegram removes the keyboard (a real modification).
    status, body = await post(
        api,
        "editMessageText",
        chat_id=101,
        message_id=1,
        text="<b>¿Asistes?</b>",
        parse_mode="HTML",
    )
    assert status == 200
    assert "reply_markup" not in body["result"]
    assert body["result"]["edit_date"] >= body["result"]["date"]
    assert fake.buttons(101, 1) == []

    new_markup = keyboard([("Ya no", "p:1:9")])
    status, body = await post(
        api, "editMessageReplyMarkup", chat_id=101, message_id=1, reply_markup=new_markup
    )
    assert status == 200
    assert fake.buttons(101, 1) == [("Ya no", "p:1:9")]
    status, body = await post(
        api, "editMessageReplyMarkup", chat_id=101, message_id=1, reply_markup=new_markup
    )
    assert body["description"].startswith("Bad Request: message is not modified")

    status, body = await post(api, "editMessageText", chat_id=101, message_id=1, text="Listo")
    assert (status, fake.messages[101][0].text, fake.messages[101][0].html) == (
        200,
        "Listo",
        "Listo",
    )
    fake.send_text(101, "mío")
    status, body = await post(api, "editMessageText", chat_id=101, message_id=2, text="x")
    assert body["description"] == "Bad Request: message can't be edited"
    status, body = await post(
        api, "editMessageText", chat_id=101, message_id=1, text="y",
        reply_markup={"keyboard": [["a"]]},
    )  # fmt: skip
    assert body["description"] == "Bad Request: inline keyboard expected"


async def test_delete_pin_and_chat_action(fake: FakeBotAPI, api: httpx.AsyncClient) -> None:
    fake.add_user(101, "Claudia", started=True)
    fake.add_user(102, "Roberto")
    fake.add_group(-1001, "STM Zamora", members=[102])
    await post(api, "sendMessage", chat_id=-1001, text="aviso")
    fake.send_text(102, "hola grupo", chat_id=-1001)

    _, body = await post(api, "pinChatMessage", chat_id=-1001, message_id=1)
    assert (
        body["description"]
        == "Bad Request: not enough rights to manage pinned messages in the chat"
    )
    _, body = await post(api, "deleteMessage", chat_id=-1001, message_id=2)
    assert body["description"] == "Bad Request: message can't be deleted"
    fake.set_bot_status(-1001, "administrator")
    assert (await post(api, "pinChatMessage", chat_id=-1001, message_id=1))[0] == 200
    assert fake.pinned(-1001) == [1]
    assert (await post(api, "unpinChatMessage", chat_id=-1001))[0] == 200
    assert fake.pinned(-1001) == []
    assert (await post(api, "deleteMessage", chat_id=-1001, message_id=2))[0] == 200
    assert (await post(api, "deleteMessage", chat_id=-1001, message_id=1))[0] == 200
    _, body = await post(api, "deleteMessage", chat_id=-1001, message_id=1)
    assert body["description"] == "Bad Request: message to delete not found"
    assert fake.messages[-1001] == []

    assert (await post(api, "sendChatAction", chat_id=101, action="typing"))[0] == 200
    _, body = await post(api, "sendChatAction", chat_id=101, action="dancing")
    assert body["description"] == "Bad Request: wrong parameter action in request"


# =============================================================== chats and members
async def test_chat_information(fake: FakeBotAPI, api: httpx.AsyncClient) -> None:
    fake.add_user(101, "Claudia", "Solís", "clau")
    fake.add_user(102, "Roberto")
    fake.add_user(103, "Lorenza")
    fake.add_group(-1001, "STM Zamora", owner=101, admins=[102], members=[103])

    _, chat = await post(api, "getChat", chat_id=101)
    assert chat["result"]["type"] == "private"
    assert chat["result"]["username"] == "clau"
    _, group = await post(api, "getChat", chat_id=-1001)
    assert (group["result"]["type"], group["result"]["title"]) == ("supergroup", "STM Zamora")

    statuses = {}
    for uid in (101, 102, 103, fake.bot_id):
        _, member = await post(api, "getChatMember", chat_id=-1001, user_id=uid)
        statuses[uid] = member["result"]["status"]
    assert statuses == {101: "creator", 102: "administrator", 103: "member", fake.bot_id: "member"}
    _, admins = await post(api, "getChatAdministrators", chat_id=-1001)
    assert [a["user"]["id"] for a in admins["result"]] == [101, 102]
    status, body = await post(api, "getChatAdministrators", chat_id=101)
    assert body["description"] == "Bad Request: there are no administrators in the private chat"
    assert (await post(api, "getChatMemberCount", chat_id=-1001))[1]["result"] == 4

    assert (await post(api, "leaveChat", chat_id=-1001))[0] == 200
    status, body = await post(api, "sendMessage", chat_id=-1001, text="¿sigo?")
    assert (status, body["description"]) == (
        403,
        "Forbidden: bot is not a member of the supergroup chat",
    )


async def test_channels_take_posts_from_administrators_that_may_post(
    fake: FakeBotAPI, api: httpx.AsyncClient
) -> None:
    """A channel (R18's public channel): the bot posts only as an administrator with
    ``can_post_messages``; its posts carry ``sender_chat``, not ``from``."""
    fake.add_channel(-1003001, "STM Zamora al día", username="stm_zamora")
    _, chat = await post(api, "getChat", chat_id="@stm_zamora")
    assert (chat["result"]["id"], chat["result"]["type"]) == (-1003001, "channel")
    _, member = await post(api, "getChatMember", chat_id=-1003001, user_id=fake.bot_id)
    assert member["result"]["status"] == "administrator"
    assert member["result"]["can_post_messages"] is True
    assert "can_pin_messages" not in member["result"]  # groups and supergroups only
    status, body = await post(api, "sendMessage", chat_id="@stm_zamora", text="Resultado")
    assert status == 200
    assert body["result"]["sender_chat"]["id"] == -1003001
    assert "from" not in body["result"]

    fake.set_bot_can_post(-1003001, False)
    _, member = await post(api, "getChatMember", chat_id=-1003001, user_id=fake.bot_id)
    assert member["result"]["can_post_messages"] is False
    status, body = await post(api, "sendMessage", chat_id=-1003001, text="x")
    assert (status, body["description"]) == (
        400,
        "Bad Request: need administrator rights in the channel chat",
    )
    fake.set_bot_status(-1003001, "left")
    _, member = await post(api, "getChatMember", chat_id=-1003001, user_id=fake.bot_id)
    assert member["result"]["status"] == "left"
    status, body = await post(api, "sendMessage", chat_id=-1003001, text="x")
    assert (status, body["description"]) == (
        403,
        "Forbidden: bot is not a member of the channel chat",
    )
    _, body = await post(api, "getChat", chat_id="@no_existe")
    assert body["description"] == "Bad Request: chat not found"

    bot = Bot(fake.token, base_url=fake.bot_base_url, base_file_url=fake.file_base_url)
    fake.set_bot_status(-1003001, "administrator")
    fake.set_bot_can_post(-1003001, True)
    async with bot:
        channel = await bot.get_chat("@stm_zamora")
        assert channel.type == "channel"
        rights = await bot.get_chat_member(channel.id, fake.bot_id)
        assert getattr(rights, "can_post_messages", None) is True
        sent = await bot.send_document(channel.id, b"%PDF-1.4 acta", filename="acta.pdf")
        assert sent.sender_chat is not None
        assert sent.sender_chat.id == -1003001


async def test_group_migration_answers_with_the_new_id(
    fake: FakeBotAPI, api: httpx.AsyncClient
) -> None:
    fake.add_user(101, "Claudia")
    fake.add_group(-1001, "STM Zamora", type="group")
    fake.add_group(-1002001, "STM Zamora", type="supergroup")
    update_id = fake.send_raw_message(101, -1001, {"migrate_to_chat_id": -1002001})
    _, body = await post(api, "getUpdates")
    assert body["result"][0]["update_id"] == update_id
    assert body["result"][0]["message"]["migrate_to_chat_id"] == -1002001
    status, body = await post(api, "sendMessage", chat_id=-1001, text="x")
    assert (status, body["parameters"]) == (400, {"migrate_to_chat_id": -1002001})
    assert body["description"] == "Bad Request: group chat was upgraded to a supergroup chat"


# =============================================================== commands
async def test_commands_per_scope(fake: FakeBotAPI, api: httpx.AsyncClient) -> None:
    fake.add_user(101, "Claudia")
    fake.add_group(-1001, "STM Zamora", admins=[101])
    public = [{"command": "start", "description": "Empezar"}]
    private = [{"command": "alta", "description": "Dar de alta"}]
    assert (await post(api, "setMyCommands", commands=public))[0] == 200
    chat_scope = {"type": "chat", "chat_id": 101}
    assert (await post(api, "setMyCommands", commands=private, scope=chat_scope))[0] == 200
    spanish = [{"command": "ayuda", "description": "Ayuda"}]
    await post(
        api,
        "setMyCommands",
        commands=spanish,
        scope={"type": "all_group_chats"},
        language_code="es",
    )

    assert fake.commands_for() == public
    assert fake.commands_for({"type": "default"}) == public
    assert fake.commands_for({"type": "chat", "chat_id": "101"}) == private
    assert fake.commands_for(BotCommandScopeChat(101)) == private
    assert fake.commands_for({"type": "all_group_chats"}) == []
    assert fake.commands_for({"type": "all_group_chats"}, "es") == spanish
    assert fake.menu_for(101) == private
    assert fake.menu_for(-1001, 101) == public
    assert fake.menu_for(-1001, 101, "es") == spanish
    _, got = await post(api, "getMyCommands", scope=chat_scope)
    assert got["result"] == private

    assert (await post(api, "deleteMyCommands", scope=chat_scope))[0] == 200
    assert fake.commands_for(chat_scope) == []
    assert fake.menu_for(101) == public

    invalid = [
        [{"command": "Alta", "description": "x"}],
        [{"command": "a-b", "description": "x"}],
        [{"command": "a" * 33, "description": "x"}],
        [{"command": "ok", "description": ""}],
        [{"command": "ok", "description": "d" * 257}],
    ]
    for commands in invalid:
        status, body = await post(api, "setMyCommands", commands=commands)
        assert (status, body["description"]) == (400, "Bad Request: BOT_COMMAND_INVALID")
    too_many = [{"command": f"c{i}", "description": "x"} for i in range(101)]
    _, body = await post(api, "setMyCommands", commands=too_many)
    assert body["description"] == "Bad Request: BOT_COMMANDS_TOO_MUCH"
    _, body = await post(
        api, "setMyCommands", commands=public, scope={"type": "chat", "chat_id": 5}
    )
    assert body["description"] == "Bad Request: chat not found"


# =============================================================== callback queries
async def test_press_and_answer(fake: FakeBotAPI, api: httpx.AsyncClient) -> None:
    fake.add_user(101, "Claudia", started=True)
    await post(
        api, "sendMessage", chat_id=101, text="¿Asistes?", reply_markup=keyboard([("Sí", "p:1:2")])
    )

    with pytest.raises(AssertionError, match="no button with callback_data 'p:9'"):
        fake.press(101, chat_id=101, message_id=1, data="p:9")
    forged = fake.press(101, chat_id=101, message_id=1, data="p:9", forge=True)
    by_text = fake.press(101, button_text="Sí")
    query_id = fake.press(101, chat_id=101, message_id=1, data="p:1:2")

    _, body = await post(api, "getUpdates")
    queries = [u["callback_query"] for u in body["result"]]
    assert [q["id"] for q in queries] == [forged, by_text, query_id]
    assert [q["data"] for q in queries] == ["p:9", "p:1:2", "p:1:2"]
    assert queries[2]["message"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "Sí"
    assert queries[2]["from"]["id"] == 101

    status, _ = await post(api, "answerCallbackQuery", callback_query_id=query_id, text="Anotado")
    assert status == 200
    answer = fake.answer_for(query_id)
    assert answer is not None
    assert (answer.text, answer.show_alert) == ("Anotado", False)
    assert fake.answer_for(by_text) is None
    too_old = "Bad Request: query is too old and response timeout expired or query ID is invalid"
    for unknown in (query_id, "12345"):
        status, body = await post(api, "answerCallbackQuery", callback_query_id=unknown)
        assert (status, body["description"]) == (400, too_old)


async def test_history_shows_both_sides_with_edits_and_deletions(
    fake: FakeBotAPI, api: httpx.AsyncClient
) -> None:
    """``history``: what a client shows (the demo's chat view), users' messages included."""
    fake.add_user(101, "Claudia")
    fake.send_text(101, "/start")
    await post(api, "sendMessage", chat_id=101, text="<b>Hola</b>", parse_mode="HTML")
    await post(api, "sendMessage", chat_id=101, text="¿Sí?", reply_markup=keyboard([("Sí", "s")]))
    await post(api, "editMessageText", chat_id=101, message_id=3, text="Editado")
    fake.send_document(101, b"%PDF-1.7", "acta.pdf", caption="/verificar")
    await post(api, "deleteMessage", chat_id=101, message_id=2)
    history = fake.history(101)
    assert [(m.message_id, m.from_bot) for m in history] == [(1, False), (3, True), (4, False)]
    assert (history[0].text, history[1].text, history[1].buttons) == ("/start", "Editado", [])
    assert history[1].edit_date is not None
    assert history[2].document is not None
    assert history[2].caption == "/verificar"
    assert fake.history(999) == []


# =============================================================== files
async def test_documents_upload_get_file_and_download(
    fake: FakeBotAPI, api: httpx.AsyncClient
) -> None:
    fake.add_user(101, "Claudia", started=True)
    content = bytes(range(256)) * 10
    response = await api.post(
        "sendDocument",
        data={"chat_id": "101", "caption": "<b>Acta</b> de sesión", "parse_mode": "HTML"},
        files={"document": ("acta_sesión.pdf", content, "application/pdf")},
    )
    message = response.json()["result"]
    assert message["caption"] == "Acta de sesión"
    assert message["caption_entities"] == [{"type": "bold", "offset": 0, "length": 4}]
    document = message["document"]
    assert (document["file_name"], document["mime_type"]) == ("acta_sesión.pdf", "application/pdf")
    assert document["file_size"] == len(content)
    call = fake.sent_to(101)[-1]
    assert call.params["document"].data == content

    _, got = await post(api, "getFile", file_id=document["file_id"])
    file_path = got["result"]["file_path"]
    async with httpx.AsyncClient() as raw:
        downloaded = await raw.get(f"{fake.file_base_url}{fake.token}/{file_path}")
        missing = await raw.get(f"{fake.file_base_url}{fake.token}/documents/nope.pdf")
    assert downloaded.content == content
    assert missing.status_code == 404
    assert fake.downloads == [file_path]

    resent = await post(api, "sendDocument", chat_id=101, document=document["file_id"])
    assert resent[1]["result"]["document"]["file_id"] == document["file_id"]
    _, body = await post(api, "sendDocument", chat_id=101)
    assert body["description"] == "Bad Request: there is no document in the request"
    _, body = await post(api, "getFile", file_id="nope")
    assert body["description"] == "Bad Request: invalid file_id"


# =============================================================== getUpdates
async def test_get_updates_offset_limit_and_long_poll(
    fake: FakeBotAPI, api: httpx.AsyncClient
) -> None:
    fake.add_user(101, "Claudia")
    first = fake.send_text(101, "/start abc")
    second = fake.send_text(101, "hola")
    _, body = await post(api, "getUpdates", limit=1)
    assert [u["update_id"] for u in body["result"]] == [first]
    message = body["result"][0]["message"]
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert message["from"]["first_name"] == "Claudia"
    _, body = await post(api, "getUpdates")
    assert [u["update_id"] for u in body["result"]] == [first, second]  # not confirmed yet
    _, body = await post(api, "getUpdates", offset=second + 1)
    assert body["result"] == []
    assert fake.pending_updates() == []

    started = time.monotonic()
    poll = asyncio.create_task(post(api, "getUpdates", offset=second + 1, timeout=10))
    await asyncio.sleep(0.1)
    third = fake.send_text(101, "¿sigues?")
    _, body = await poll
    assert [u["update_id"] for u in body["result"]] == [third]
    assert time.monotonic() - started < 1
    await fake.wait_delivered(third)

    started = time.monotonic()
    fake.long_poll_cap = 0.3
    _, body = await post(api, "getUpdates", offset=third + 1, timeout=30)
    assert body["result"] == []
    assert 0.25 < time.monotonic() - started < 1.5


async def test_group_commands_and_allowed_updates(
    fake: FakeBotAPI, api: httpx.AsyncClient
) -> None:
    fake.add_user(101, "Claudia")
    fake.add_group(-1001, "STM Zamora")
    fake.send_text(101, "/vincular@stm_prueba_bot ya", chat_id=-1001)
    _, body = await post(api, "getUpdates", allowed_updates=["callback_query"])
    assert body["result"] == []
    _, body = await post(api, "getUpdates", allowed_updates=[])
    message = body["result"][0]["message"]
    assert message["chat"] == {"id": -1001, "type": "supergroup", "title": "STM Zamora"}
    assert message["entities"][0]["length"] == len("/vincular@stm_prueba_bot")
    # A group message does not let the bot write privately to the user.
    status, _ = await post(api, "sendMessage", chat_id=101, text="x")
    assert status == 403


async def test_second_poller_conflicts_with_the_first(
    fake: FakeBotAPI, api: httpx.AsyncClient
) -> None:
    first = asyncio.create_task(post(api, "getUpdates", timeout=5))
    await asyncio.sleep(0.1)
    second = asyncio.create_task(post(api, "getUpdates", timeout=1))
    status, body = await first
    assert status == 409
    assert body["description"].startswith("Conflict: terminated by other getUpdates request")
    fake.send_text(fake.add_user(101, "Claudia").id, "hola")
    assert (await second)[1]["result"][0]["message"]["text"] == "hola"


async def test_stop_is_quick_while_a_long_poll_is_pending() -> None:
    fake = FakeBotAPI(long_poll_cap=30)
    fake.start()
    async with httpx.AsyncClient(base_url=f"{fake.bot_base_url}{fake.token}/") as api:
        poll = asyncio.create_task(api.post("getUpdates", data={"timeout": "30"}))
        await asyncio.sleep(0.1)
        started = time.monotonic()
        await asyncio.to_thread(fake.stop)
        assert time.monotonic() - started < 1
        assert (await poll).json() == {"ok": True, "result": []}
    fake.stop()  # idempotent


# =============================================================== injected failures, waiting
async def test_fail_next_injects_errors(fake: FakeBotAPI, api: httpx.AsyncClient) -> None:
    fake.add_user(101, "Claudia", started=True)
    fake.fail_next("sendMessage", 429, retry_after=3)
    fake.fail_next("sendmessage", 500, times=2)
    status, body = await post(api, "sendMessage", chat_id=101, text="x")
    assert (status, body) == (
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 3",
            "parameters": {"retry_after": 3},
        },
    )
    for _ in range(2):
        status, body = await post(api, "sendMessage", chat_id=101, text="x")
        assert (status, body["description"]) == (500, "Internal Server Error")
    assert (await post(api, "sendMessage", chat_id=101, text="x"))[0] == 200
    with pytest.raises(ValueError, match="unknown Bot API method"):
        fake.fail_next("sendMesage", 500)


async def test_wait_for_filters_and_explains_timeouts(
    fake: FakeBotAPI, api: httpx.AsyncClient
) -> None:
    fake.add_user(101, "Claudia", started=True)
    fake.add_user(102, "Roberto", started=True)
    since = fake.mark()
    await post(api, "sendMessage", chat_id=102, text="a Roberto")
    await post(api, "sendMessage", chat_id="101", text="a Claudia")
    call = await fake.wait_for("sendMessage", since=since, chat_id=101)
    assert (call.index, call.text) == (since + 1, "a Claudia")
    assert (await fake.wait_for("sendMessage", chat_id="102")).index == since
    with pytest.raises(AssertionError, match=r"(?s)no sendMessage call.*a Roberto"):
        await fake.wait_for("sendMessage", since=since, timeout=0.05, chat_id=103)
    with pytest.raises(AssertionError, match="no deleteMessage call"):
        await fake.wait_for("deleteMessage", since=since, timeout=0.05)


# =============================================================== flood control (optional)
class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_flood_control_windows_are_sliding_and_exact() -> None:
    overall = FloodControl(overall=Limit(3, 1.0))
    # Three chats in the first 0.2 s pass; a fourth waits until the first leaves the window.
    assert overall.check("sendMessage", {"chat_id": 1}, 0.0) is None
    assert overall.check("sendMessage", {"chat_id": 2}, 0.1) is None
    assert overall.check("sendDocument", {"chat_id": 3}, 0.2) is None
    assert overall.check("sendMessage", {"chat_id": 4}, 0.5) == 1
    assert overall.check("sendMessage", {"chat_id": 4}, 1.0) is None
    assert (overall.accepted, overall.rejected) == (4, 1)

    private = FloodControl(private=Limit(1, 1.0))
    assert private.check("sendMessage", {"chat_id": 7}, 0.0) is None
    assert private.check("sendMessage", {"chat_id": "7"}, 0.99) == 1  # "7" is chat 7
    assert private.check("sendMessage", {"chat_id": 8}, 0.99) is None  # another chat
    assert private.check("sendMessage", {"chat_id": 7}, 1.0) is None

    group = FloodControl(group=Limit(2, 60.0))
    assert group.check("sendMessage", {"chat_id": -100}, 10.0) is None
    assert group.check("editMessageText", {"chat_id": -100}, 20.0) is None
    assert group.check("sendMessage", {"chat_id": -100}, 30.5) == 40  # until 10.0 + 60
    assert group.check("sendMessage", {"chat_id": "@canal"}, 31.0) is None  # a channel
    assert group.check("sendMessage", {"chat_id": "@Canal"}, 32.0) is None
    assert group.check("sendMessage", {"chat_id": "@canal"}, 33.0) == 58

    # Methods that produce no message always pass and are not counted.
    for _ in range(10):
        assert group.check("answerCallbackQuery", {"callback_query_id": "1"}, 33.0) is None
        assert group.check("getMe", {}, 33.0) is None
    assert (group.accepted, group.rejected) == (4, 2)
    with pytest.raises(ValueError, match="count >= 1"):
        Limit(0, 1.0)


async def test_flood_control_answers_429_and_drops_the_message() -> None:
    ticks = Ticks()
    with FakeBotAPI(monotonic=ticks) as fake:
        fake.add_user(101, "Claudia", started=True)
        fake.enforce_rate_limits()
        async with httpx.AsyncClient(base_url=f"{fake.bot_base_url}{fake.token}/") as api:
            assert (await post(api, "sendMessage", chat_id=101, text="uno"))[0] == 200
            ticks.now += 0.5
            status, body = await post(api, "sendMessage", chat_id=101, text="dos")
            assert (status, body) == (
                429,
                {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1},
                },
            )
            assert [m.text for m in fake.messages[101]] == ["uno"]
            assert fake.too_many_requests == 1
            # Unlimited methods pass even now.
            assert (await post(api, "getMe"))[0] == 200
            ticks.now += 0.5
            assert (await post(api, "sendMessage", chat_id=101, text="dos"))[0] == 200
            assert [c.at for c in fake.calls_to("sendMessage")] == [1000.0, 1000.5, 1001.0]
            # PTB turns the answer into RetryAfter.
            bot = Bot(fake.token, base_url=fake.bot_base_url)
            async with bot:
                with pytest.raises(RetryAfter) as retry:
                    await bot.send_message(101, "tres")
            assert retry.value.retry_after.total_seconds() == 1
            assert fake.too_many_requests == 2
            fake.rate_limiter = None
            assert (await post(api, "sendMessage", chat_id=101, text="tres"))[0] == 200


async def test_flood_control_overall_and_group_limits() -> None:
    ticks = Ticks()
    with FakeBotAPI(monotonic=ticks) as fake:
        fake.add_group(-1001, "STM Zamora")
        for user_id in range(201, 232):
            fake.add_user(user_id, f"Persona {user_id}", started=True)
        fake.enforce_rate_limits()
        async with httpx.AsyncClient(base_url=f"{fake.bot_base_url}{fake.token}/") as api:
            statuses = [
                (await post(api, "sendMessage", chat_id=user_id, text="hola"))[0]
                for user_id in range(201, 232)
            ]
            assert statuses == [200] * 30 + [429]
            ticks.now += 1.0
            statuses = [
                (await post(api, "sendMessage", chat_id=-1001, text=f"aviso {i}"))[0]
                for i in range(21)
            ]
            assert statuses == [200] * 20 + [429]
            ticks.now += 59.0
            status, body = await post(api, "sendMessage", chat_id=-1001, text="otra")
            assert (status, body["parameters"]) == (429, {"retry_after": 1})
            ticks.now += 1.0
            assert (await post(api, "sendMessage", chat_id=-1001, text="otra"))[0] == 200
        assert fake.too_many_requests == 3


def test_flood_control_from_the_constructor_survives_reset() -> None:
    with FakeBotAPI(rate_limits=True) as fake:
        assert isinstance(fake.rate_limiter, FloodControl)
        fake.rate_limiter = None
        fake.reset()
        assert isinstance(fake.rate_limiter, FloodControl)
        assert fake.too_many_requests == 0
    with FakeBotAPI() as fake:
        fake.enforce_rate_limits(private=(2, 0.5))
        fake.reset()
        assert fake.rate_limiter is None


# =============================================================== the real PTB
async def test_ptb_bot_against_the_fake(fake: FakeBotAPI) -> None:
    fake.add_user(101, "Claudia", "Solís", started=True)
    fake.add_user(102, "Roberto")
    bot = Bot(fake.token, base_url=fake.bot_base_url, base_file_url=fake.file_base_url)
    async with bot:
        me = await bot.get_me()
        assert (me.username, me.id) == ("stm_prueba_bot", fake.bot_id)
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Sí", callback_data="p:1:2")]])
        sent = await bot.send_message(
            101, "<b>Hola</b>", parse_mode=ParseMode.HTML, reply_markup=markup
        )
        assert sent.text == "Hola"
        assert sent.reply_markup == markup
        assert fake.buttons(101, sent.message_id) == [("Sí", "p:1:2")]
        with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
            await bot.send_message(102, "hola")
        # PTB strips "Bad Request: " and re-capitalises: "Can't parse entities: unsupported..."
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities: unsupported start tag"):
            await bot.send_message(101, "<x>", parse_mode=ParseMode.HTML)
        fake.fail_next("sendMessage", 429, retry_after=2)
        with pytest.raises(RetryAfter) as retry:
            await bot.send_message(101, "x")
        assert retry.value.retry_after.total_seconds() == 2

        fake.add_group(-1001, "STM Zamora", type="group")
        fake.add_group(-1002001, "STM Zamora", type="supergroup")
        fake.send_raw_message(101, -1001, {"migrate_to_chat_id": -1002001})
        with pytest.raises(ChatMigrated) as migrated:
            await bot.send_message(-1001, "x")
        assert migrated.value.new_chat_id == -1002001

        chat = await bot.get_chat(101)
        assert chat.first_name == "Claudia"
        member = await bot.get_chat_member(101, 101)
        assert member.status == "member"
        await bot.set_my_commands(
            [BotCommand("alta", "Dar de alta")], scope=BotCommandScopeChat(101)
        )
        assert fake.commands_for({"type": "chat", "chat_id": 101}) == [
            {"command": "alta", "description": "Dar de alta"}
        ]
        assert [c.command for c in await bot.get_my_commands(scope=BotCommandScopeChat(101))] == [
            "alta"
        ]

        document = await bot.send_document(
            101, b"%PDF-1.4 acta", filename="acta.pdf", caption="Acta"
        )
        assert document.document is not None
        telegram_file = await bot.get_file(document.document.file_id)
        assert await telegram_file.download_as_bytearray() == bytearray(b"%PDF-1.4 acta")
        edited = await bot.edit_message_text("Adiós", chat_id=101, message_id=sent.message_id)
        assert not isinstance(edited, bool)
        assert edited.reply_markup is None
    assert all(c.ok for c in fake.calls if c.method in ("getMe", "getChat", "getFile"))


async def test_ptb_defaults_leak_into_methods_without_those_parameters(fake: FakeBotAPI) -> None:
    """PTB sends Defaults' parse_mode/disable_notification/protect_content even to
    editMessageReplyMarkup; Telegram ignores them, so the fake must accept them."""
    fake.add_user(101, "Claudia", started=True)
    defaults = Defaults(parse_mode=ParseMode.HTML, disable_notification=True, protect_content=True)
    app = build_application(fake, ApplicationBuilder().defaults(defaults))
    async with app:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Sí", callback_data="s")]])
        sent = await app.bot.send_message(101, "<b>hola</b>", reply_markup=markup)
        await app.bot.edit_message_reply_markup(101, sent.message_id, reply_markup=None)
        await app.bot.edit_message_text("<i>adiós</i>", 101, sent.message_id)
        await app.bot.delete_message(101, sent.message_id)
    leaked = fake.calls_to("editMessageReplyMarkup")[0]
    assert leaked.ok
    assert leaked.params["parse_mode"] == "HTML"
    assert fake.calls_to("editMessageText")[0].text == "adiós"


async def test_ptb_application_polls_commands_and_button_presses(fake: FakeBotAPI) -> None:
    fake.add_user(101, "Claudia", "Solís")

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        args = " ".join(context.args or [])
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Sí", callback_data="yes:1")]])
        await update.effective_message.reply_html(f"Hola <b>{args}</b>", reply_markup=markup)

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Anotado")
        await query.edit_message_text(f"Elegiste {query.data}")

    app = build_application(fake)
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    async with polling(app):
        since = fake.mark()
        fake.send_text(101, "/start abc")
        reply = await fake.wait_for("sendMessage", since=since, chat_id=101)
        assert reply.ok, reply.description
        assert reply.html == "Hola <b>abc</b>"
        assert reply.text == "Hola abc"
        message_id = reply.result["message_id"]
        assert fake.buttons(101, message_id) == [("Sí", "yes:1")]

        query_id = fake.press(101, chat_id=101, message_id=message_id, data="yes:1")
        await fake.wait_for("answerCallbackQuery", callback_query_id=query_id, ok=True)
        edit = await fake.wait_for("editMessageText", since=since, chat_id=101, ok=True)
        assert edit.text == "Elegiste yes:1"
        answer = fake.answer_for(query_id)
        assert answer is not None
        assert answer.text == "Anotado"
        assert fake.buttons(101, message_id) == []
    # Shutdown confirmed everything and left no failed or conflicting getUpdates behind.
    assert fake.pending_updates() == []
    assert [c.short() for c in fake.calls if not c.ok] == []


async def test_ptb_conflict_is_reported_for_two_pollers(fake: FakeBotAPI) -> None:
    # Two Bot objects: one Bot serialises its getUpdates calls on a one-connection pool.
    first_bot = Bot(fake.token, base_url=fake.bot_base_url)
    second_bot = Bot(fake.token, base_url=fake.bot_base_url)
    async with first_bot, second_bot:
        first = asyncio.create_task(first_bot.get_updates(timeout=5))
        await asyncio.sleep(0.1)
        assert await second_bot.get_updates(timeout=0) == ()
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await first


def test_reusable_fixture_helpers(fake_bot: FakeBotAPI) -> None:
    assert fake_bot.url.startswith("http://127.0.0.1:")
    assert build_application(fake_bot).bot.base_url == f"{fake_bot.bot_base_url}{fake_bot.token}"
