"""Bot API methods implemented by the fake: parameter table, decoding and implementations.

:data:`METHODS` maps a method name to its :class:`MethodSpec` (parameters with their Bot API
types, the required ones, and the implementation). The parameter table is built in (copied
from Bot API 10.0, the version python-telegram-bot 22.8 implements) so the fake works where
``../shared/telegram-bot-api`` is absent; ``test_fakebot.py`` checks it against
``api-10.0.json`` whenever that file is present, so the two cannot drift apart silently.

Every implementation is a plain function ``(state, params) -> result`` that runs with the
state lock held and raises :class:`~tests.fakebot.models.ApiError` to answer with an error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from .html import HtmlParseError, ParsedText, parse_text
from .models import ApiError, CallbackAnswer, StoredMessage, UploadedFile, bad_request, forbidden
from .state import BotState

__all__ = [
    "KNOWN_METHODS",
    "METHODS",
    "PTB_DEFAULTS_LEAK",
    "REQUIRED",
    "MethodSpec",
    "decode_params",
    "validate_reply_markup",
]


def _words(text: str) -> frozenset[str]:
    """A set of whitespace-separated names (keeps long name lists compact)."""
    return frozenset(text.split())


_ANY_MARKUP = "InlineKeyboardMarkup|ReplyKeyboardMarkup|ReplyKeyboardRemove|ForceReply"

#: method -> ((parameter, Bot API type, required), ...), from Bot API 10.0.
_PARAMS: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "getMe": (),
    "getUpdates": (
        ("offset", "Integer", False),
        ("limit", "Integer", False),
        ("timeout", "Integer", False),
        ("allowed_updates", "Array of String", False),
    ),
    "setWebhook": (
        ("url", "String", True),
        ("certificate", "InputFile", False),
        ("ip_address", "String", False),
        ("max_connections", "Integer", False),
        ("allowed_updates", "Array of String", False),
        ("drop_pending_updates", "Boolean", False),
        ("secret_token", "String", False),
    ),
    "deleteWebhook": (("drop_pending_updates", "Boolean", False),),
    "getWebhookInfo": (),
    "sendMessage": (
        ("business_connection_id", "String", False),
        ("chat_id", "Integer|String", True),
        ("message_thread_id", "Integer", False),
        ("direct_messages_topic_id", "Integer", False),
        ("text", "String", True),
        ("parse_mode", "String", False),
        ("entities", "Array of MessageEntity", False),
        ("link_preview_options", "LinkPreviewOptions", False),
        ("disable_notification", "Boolean", False),
        ("protect_content", "Boolean", False),
        ("allow_paid_broadcast", "Boolean", False),
        ("message_effect_id", "String", False),
        ("suggested_post_parameters", "SuggestedPostParameters", False),
        ("reply_parameters", "ReplyParameters", False),
        ("reply_markup", _ANY_MARKUP, False),
    ),
    "editMessageText": (
        ("business_connection_id", "String", False),
        ("chat_id", "Integer|String", False),
        ("message_id", "Integer", False),
        ("inline_message_id", "String", False),
        ("text", "String", True),
        ("parse_mode", "String", False),
        ("entities", "Array of MessageEntity", False),
        ("link_preview_options", "LinkPreviewOptions", False),
        ("reply_markup", "InlineKeyboardMarkup", False),
    ),
    "editMessageReplyMarkup": (
        ("business_connection_id", "String", False),
        ("chat_id", "Integer|String", False),
        ("message_id", "Integer", False),
        ("inline_message_id", "String", False),
        ("reply_markup", "InlineKeyboardMarkup", False),
    ),
    "deleteMessage": (
        ("chat_id", "Integer|String", True),
        ("message_id", "Integer", True),
    ),
    "answerCallbackQuery": (
        ("callback_query_id", "String", True),
        ("text", "String", False),
        ("show_alert", "Boolean", False),
        ("url", "String", False),
        ("cache_time", "Integer", False),
    ),
    "setMyCommands": (
        ("commands", "Array of BotCommand", True),
        ("scope", "BotCommandScope", False),
        ("language_code", "String", False),
    ),
    "deleteMyCommands": (
        ("scope", "BotCommandScope", False),
        ("language_code", "String", False),
    ),
    "getMyCommands": (
        ("scope", "BotCommandScope", False),
        ("language_code", "String", False),
    ),
    "getChat": (("chat_id", "Integer|String", True),),
    "getChatMember": (
        ("chat_id", "Integer|String", True),
        ("user_id", "Integer", True),
    ),
    "getChatMemberCount": (("chat_id", "Integer|String", True),),
    "getChatAdministrators": (
        ("chat_id", "Integer|String", True),
        ("return_bots", "Boolean", False),
    ),
    "leaveChat": (("chat_id", "Integer|String", True),),
    "sendDocument": (
        ("business_connection_id", "String", False),
        ("chat_id", "Integer|String", True),
        ("message_thread_id", "Integer", False),
        ("direct_messages_topic_id", "Integer", False),
        ("document", "InputFile|String", True),
        ("thumbnail", "InputFile|String", False),
        ("caption", "String", False),
        ("parse_mode", "String", False),
        ("caption_entities", "Array of MessageEntity", False),
        ("disable_content_type_detection", "Boolean", False),
        ("disable_notification", "Boolean", False),
        ("protect_content", "Boolean", False),
        ("allow_paid_broadcast", "Boolean", False),
        ("message_effect_id", "String", False),
        ("suggested_post_parameters", "SuggestedPostParameters", False),
        ("reply_parameters", "ReplyParameters", False),
        ("reply_markup", _ANY_MARKUP, False),
    ),
    "getFile": (("file_id", "String", True),),
    "sendChatAction": (
        ("business_connection_id", "String", False),
        ("chat_id", "Integer|String", True),
        ("message_thread_id", "Integer", False),
        ("action", "String", True),
    ),
    "pinChatMessage": (
        ("business_connection_id", "String", False),
        ("chat_id", "Integer|String", True),
        ("message_id", "Integer", True),
        ("disable_notification", "Boolean", False),
    ),
    "unpinChatMessage": (
        ("business_connection_id", "String", False),
        ("chat_id", "Integer|String", True),
        ("message_id", "Integer", False),
    ),
}

#: Every method name of Bot API 10.0: unknown names get 404, known-but-unimplemented 400.
KNOWN_METHODS: frozenset[str] = _words(
    """
    addStickerToSet answerCallbackQuery answerGuestQuery answerInlineQuery
    answerPreCheckoutQuery answerShippingQuery answerWebAppQuery approveChatJoinRequest
    approveSuggestedPost banChatMember banChatSenderChat close closeForumTopic
    closeGeneralForumTopic convertGiftToStars copyMessage copyMessages createChatInviteLink
    createChatSubscriptionInviteLink createForumTopic createInvoiceLink createNewStickerSet
    declineChatJoinRequest declineSuggestedPost deleteAllMessageReactions
    deleteBusinessMessages deleteChatPhoto deleteChatStickerSet deleteForumTopic deleteMessage
    deleteMessageReaction deleteMessages deleteMyCommands deleteStickerFromSet
    deleteStickerSet deleteStory deleteWebhook editChatInviteLink
    editChatSubscriptionInviteLink editForumTopic editGeneralForumTopic editMessageCaption
    editMessageChecklist editMessageLiveLocation editMessageMedia editMessageReplyMarkup
    editMessageText editStory editUserStarSubscription exportChatInviteLink forwardMessage
    forwardMessages getAvailableGifts getBusinessAccountGifts getBusinessAccountStarBalance
    getBusinessConnection getChat getChatAdministrators getChatGifts getChatMember
    getChatMemberCount getChatMenuButton getCustomEmojiStickers getFile
    getForumTopicIconStickers getGameHighScores getManagedBotAccessSettings getManagedBotToken
    getMe getMyCommands getMyDefaultAdministratorRights getMyDescription getMyName
    getMyShortDescription getMyStarBalance getStarTransactions getStickerSet getUpdates
    getUserChatBoosts getUserGifts getUserPersonalChatMessages getUserProfileAudios
    getUserProfilePhotos getWebhookInfo giftPremiumSubscription hideGeneralForumTopic
    leaveChat logOut pinChatMessage postStory promoteChatMember readBusinessMessage
    refundStarPayment removeBusinessAccountProfilePhoto removeChatVerification
    removeMyProfilePhoto removeUserVerification reopenForumTopic reopenGeneralForumTopic
    replaceManagedBotToken replaceStickerInSet repostStory restrictChatMember
    revokeChatInviteLink savePreparedInlineMessage savePreparedKeyboardButton sendAnimation
    sendAudio sendChatAction sendChecklist sendContact sendDice sendDocument sendGame sendGift
    sendInvoice sendLivePhoto sendLocation sendMediaGroup sendMessage sendMessageDraft
    sendPaidMedia sendPhoto sendPoll sendSticker sendVenue sendVideo sendVideoNote sendVoice
    setBusinessAccountBio setBusinessAccountGiftSettings setBusinessAccountName
    setBusinessAccountProfilePhoto setBusinessAccountUsername setChatAdministratorCustomTitle
    setChatDescription setChatMemberTag setChatMenuButton setChatPermissions setChatPhoto
    setChatStickerSet setChatTitle setCustomEmojiStickerSetThumbnail setGameScore
    setManagedBotAccessSettings setMessageReaction setMyCommands
    setMyDefaultAdministratorRights setMyDescription setMyName setMyProfilePhoto
    setMyShortDescription setPassportDataErrors setStickerEmojiList setStickerKeywords
    setStickerMaskPosition setStickerPositionInSet setStickerSetThumbnail setStickerSetTitle
    setUserEmojiStatus setWebhook stopMessageLiveLocation stopPoll
    transferBusinessAccountStars transferGift unbanChatMember unbanChatSenderChat
    unhideGeneralForumTopic unpinAllChatMessages unpinAllForumTopicMessages
    unpinAllGeneralForumTopicMessages unpinChatMessage upgradeGift uploadStickerFile
    verifyChat verifyUser
    """
)


Handler = Callable[[BotState, dict[str, Any]], Any]


@dataclass(frozen=True)
class MethodSpec:
    """One implemented Bot API method."""

    name: str
    #: parameter -> Bot API type, alternatives joined with ``|`` (``"Integer|String"``).
    params: Mapping[str, str]
    required: frozenset[str]
    handler: Handler


# ---------------------------------------------------------------------------- decoding
_TRUE = {"true", "1", "True"}
_FALSE = {"false", "0", "False"}
_INT = re.compile(r"-?\d+")

#: Descriptions Telegram uses instead of the generic "<param> is empty".
_EMPTY_MESSAGES = {
    ("sendMessage", "text"): "message text is empty",
    ("editMessageText", "text"): "message text is empty",
    ("sendDocument", "document"): "there is no document in the request",
}


def _as_int(method: str, name: str, value: Any) -> int:
    if isinstance(value, bool):
        raise bad_request(f"fake server: parameter {name} of {method} must be an Integer")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INT.fullmatch(value.strip()):
        return int(value.strip())
    raise bad_request(
        f"fake server: parameter {name} of {method} must be an Integer, got {value!r}"
    )


def _coerce(method: str, name: str, kind: str, value: Any) -> Any:
    """Convert a raw (string) value to the Python type of Bot API type ``kind``."""
    if isinstance(value, UploadedFile):
        if "InputFile" not in kind:
            raise bad_request(f"fake server: parameter {name} of {method} can't be a file")
        return value
    types = kind.split("|")
    if types == ["Integer"]:
        return _as_int(method, name, value)
    if types == ["Float"]:
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(
                f"fake server: parameter {name} of {method} must be a Float"
            ) from None
    if types in (["Boolean"], ["True"]):
        if isinstance(value, bool):
            return value
        if str(value) in _TRUE:
            return True
        if str(value) in _FALSE:
            return False
        raise bad_request(f"fake server: parameter {name} of {method} must be a Boolean")
    if "Integer" in types and "String" in types:  # chat_id
        if isinstance(value, str) and _INT.fullmatch(value.strip()):
            return int(value.strip())
        return (
            value if isinstance(value, int | str) and not isinstance(value, bool) else str(value)
        )
    if types == ["String"] or "InputFile" in types:
        return value if isinstance(value, str) else json.dumps(value)
    # Objects and arrays: PTB sends them JSON-encoded inside form fields.
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None
    return value


#: Parameters python-telegram-bot adds to *every* method that goes through its internal
#: ``Bot._send_message`` once ``Defaults`` set them, even where the Bot API method has no
#: such parameter (``Defaults(parse_mode=HTML)`` sends ``parse_mode`` to
#: ``editMessageReplyMarkup``). Telegram ignores them, so the strict name check must too.
PTB_DEFAULTS_LEAK = frozenset(
    {"parse_mode", "disable_notification", "protect_content", "link_preview_options"}
)


def decode_params(
    spec: MethodSpec,
    raw: Mapping[str, Any],
    files: Mapping[str, UploadedFile],
    *,
    check_names: bool = True,
) -> dict[str, Any]:
    """Decode raw request fields (strings or JSON values) and uploaded files for ``spec``.

    Raises:
        ApiError: unknown parameter (when ``check_names``), bad value, missing required one.
    """
    params: dict[str, Any] = {}
    used_files: set[str] = set()
    for name, value in raw.items():
        kind = spec.params.get(name)
        if kind is None:
            if check_names and name not in PTB_DEFAULTS_LEAK:
                raise bad_request(f"fake server: unknown parameter {name} for {spec.name}")
            params[name] = value
            continue
        if isinstance(value, str) and value.startswith("attach://") and "InputFile" in kind:
            attached = value.removeprefix("attach://")
            if attached not in files:
                raise bad_request(f"fake server: attached file {attached} not found")
            used_files.add(attached)
            value = files[attached]
        params[name] = _coerce(spec.name, name, kind, value)
    for name, uploaded in files.items():
        if name in used_files:
            continue
        if name in spec.params:
            params[name] = _coerce(spec.name, name, spec.params[name], uploaded)
        elif check_names:
            raise bad_request(f"fake server: unknown parameter {name} for {spec.name}")
    for name in sorted(spec.required):
        if params.get(name) in (None, ""):
            raise bad_request(_EMPTY_MESSAGES.get((spec.name, name), f"{name} is empty"))
    return params


# ---------------------------------------------------------------------------- validation
_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_URL = re.compile(r"(?:(?:https?|tg|ton)://)?[^\s/$.?#][^\s]*", re.IGNORECASE)
_MAX_BUTTONS = 100


def _validate_inline_button(button: Any) -> dict[str, Any]:
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    if not isinstance(button.get("text"), str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    actions = [key for key in _BUTTON_ACTIONS if key in button]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(actions) > 1:
        raise bad_request(
            "can't parse inline keyboard button: fake server: a button needs exactly one action "
            f"field, got {', '.join(actions)}"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not _URL.fullmatch(url):
            raise bad_request("BUTTON_URL_INVALID")
    return dict(button)


def validate_reply_markup(markup: Any, *, inline_only: bool) -> dict[str, Any] | None:
    """Validate any ``reply_markup``; return the inline keyboard a Message would carry.

    Reply keyboards, ``remove_keyboard`` and ``force_reply`` are validated but return ``None``
    because Telegram never echoes them in the returned ``Message``.
    """
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                'can\'t parse inline keyboard button: Field "inline_keyboard" must be of type '
                "Array of Arrays"
            )
        checked = [[_validate_inline_button(button) for button in row] for row in rows]
        if sum(len(row) for row in checked) > _MAX_BUTTONS:
            raise bad_request("reply markup is too long")
        checked = [row for row in checked if row]
        return {"inline_keyboard": checked} if checked else None
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request("can't parse reply keyboard markup JSON object")
        for row in rows:
            for button in row:
                text = button.get("text") if isinstance(button, dict) else button
                if not isinstance(text, str) or not text:
                    raise bad_request(
                        'can\'t parse keyboard button: Field "text" must be of type String'
                    )
        return None
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return None
    raise bad_request("can't parse reply keyboard markup JSON object")


def _parse(
    st: BotState, text: str, parse_mode: Any, entities: Any, *, limit: int, caption: bool
) -> ParsedText:
    """Entity-parse a text/caption and enforce Telegram's emptiness and length limits."""
    if entities is not None and not (
        isinstance(entities, list)
        and all(
            isinstance(e, dict)
            and isinstance(e.get("type"), str)
            and isinstance(e.get("offset"), int)
            and isinstance(e.get("length"), int)
            for e in entities
        )
    ):
        raise bad_request("can't parse entities JSON object")
    try:
        parsed = parse_text(text, parse_mode, entities, strict=st.strict_html)
    except HtmlParseError as err:
        raise ApiError(400, err.description) from None
    except ValueError as err:
        raise ApiError(400, str(err)) from None
    if not caption and not parsed.text:
        raise bad_request("message text is empty")
    if parsed.length > limit:
        raise bad_request("message caption is too long" if caption else "message is too long")
    return parsed


def _chat_for_writing(st: BotState, value: Any) -> int:
    chat_id = st.resolve_chat_id(value)
    st.check_can_write(chat_id)
    return chat_id


def _check_reply(st: BotState, chat_id: int, reply_parameters: Any) -> None:
    if not isinstance(reply_parameters, dict):
        return
    target_chat = reply_parameters.get("chat_id", chat_id)
    if isinstance(target_chat, str) and _INT.fullmatch(target_chat):
        target_chat = int(target_chat)
    if target_chat != chat_id or reply_parameters.get("allow_sending_without_reply"):
        return
    if st.get_message(chat_id, reply_parameters.get("message_id", 0)) is None:
        raise bad_request("message to be replied not found")


# ---------------------------------------------------------------------------- updates
def get_me(st: BotState, p: dict[str, Any]) -> Any:
    """getMe: the bot user with its capability flags."""
    return st.bot_user_json(full=True)


def get_updates(st: BotState, p: dict[str, Any]) -> Any:
    """getUpdates without the waiting part (the server long-polls around this)."""
    if st.webhook_url:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook "
            "to delete the webhook first",
        )
    limit = min(max(p.get("limit", 100), 1), 100)
    return st.take_updates(p.get("offset"), limit, p.get("allowed_updates"))


def set_webhook(st: BotState, p: dict[str, Any]) -> Any:
    """setWebhook: from now on updates are POSTed to ``url`` (``FakeBotAPI`` does it) and
    getUpdates answers 409 like Telegram."""
    if not p["url"].startswith(("https://", "http://127.0.0.1")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = p.get("secret_token", "")
    if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise bad_request("bad webhook: secret token contains unallowed characters")
    st.webhook_url = p["url"]
    st.webhook_secret = secret
    if p.get("allowed_updates") is not None:
        st.allowed_updates = list(p["allowed_updates"])
    if p.get("drop_pending_updates"):
        st.updates.clear()
    return True


def delete_webhook(st: BotState, p: dict[str, Any]) -> Any:
    """deleteWebhook (PTB calls it when polling starts)."""
    st.webhook_url = ""
    st.webhook_secret = ""
    if p.get("drop_pending_updates"):
        st.updates.clear()
    return True


def get_webhook_info(st: BotState, p: dict[str, Any]) -> Any:
    """getWebhookInfo."""
    return {
        "url": st.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": len(st.updates),
        **({"allowed_updates": st.allowed_updates} if st.allowed_updates else {}),
    }


# ---------------------------------------------------------------------------- messages
def send_message(st: BotState, p: dict[str, Any]) -> Any:
    """sendMessage: entity parsing, limits, keyboard validation, 403s, realistic Message."""
    parsed = _parse(
        st, p["text"], p.get("parse_mode"), p.get("entities"), limit=4096, caption=False
    )
    markup = validate_reply_markup(p.get("reply_markup"), inline_only=False)
    chat_id = _chat_for_writing(st, p["chat_id"])
    _check_reply(st, chat_id, p.get("reply_parameters"))
    message = st.store(
        StoredMessage(
            chat_id=chat_id,
            message_id=st.new_message_id(chat_id),
            date=st.now(),
            sender_id=None,
            text=parsed.text,
            html=p["text"],
            parse_mode=p.get("parse_mode"),
            entities=parsed.entities,
            reply_markup=markup,
        )
    )
    return st.message_json(message)


def send_document(st: BotState, p: dict[str, Any]) -> Any:
    """sendDocument: stores the uploaded bytes (or reuses a file_id) and the caption."""
    document = p["document"]
    if isinstance(document, UploadedFile):
        if not document.data:
            raise bad_request("file must be non-empty")
        if len(document.data) > 50 * 1024 * 1024:
            raise ApiError(413, "Request Entity Too Large")
        mime = (
            None if document.content_type == "application/octet-stream" else document.content_type
        )
        stored_file = st.add_file(document.data, document.filename, mime)
    elif document.startswith(("http://", "https://")):
        raise bad_request("fake server: sending files by URL is not supported")
    elif document in st.files:
        stored_file = st.files[document]
    else:
        raise bad_request("wrong file identifier/HTTP URL specified")
    caption = p.get("caption") or ""
    parsed = _parse(
        st, caption, p.get("parse_mode"), p.get("caption_entities"), limit=1024, caption=True
    )
    markup = validate_reply_markup(p.get("reply_markup"), inline_only=False)
    chat_id = _chat_for_writing(st, p["chat_id"])
    _check_reply(st, chat_id, p.get("reply_parameters"))
    message = st.store(
        StoredMessage(
            chat_id=chat_id,
            message_id=st.new_message_id(chat_id),
            date=st.now(),
            sender_id=None,
            html=p.get("caption"),
            parse_mode=p.get("parse_mode"),
            caption=parsed.text or None,
            entities=parsed.entities,
            reply_markup=markup,
            document=stored_file,
        )
    )
    return st.message_json(message)


def _editable(st: BotState, p: dict[str, Any]) -> StoredMessage:
    """The bot message an ``editMessage*`` call targets, with Telegram's errors."""
    if p.get("inline_message_id"):
        raise bad_request("fake server: inline messages are not supported")
    if p.get("chat_id") in (None, ""):
        raise bad_request("chat_id is empty")
    if p.get("message_id") is None:
        raise bad_request("message identifier is not specified")
    chat_id = _chat_for_writing(st, p["chat_id"])
    message = st.get_message(chat_id, p["message_id"])
    if message is None:
        raise bad_request("message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return message


_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)


def edit_message_text(st: BotState, p: dict[str, Any]) -> Any:
    """editMessageText: like Telegram, omitting reply_markup removes the inline keyboard."""
    parsed = _parse(
        st, p["text"], p.get("parse_mode"), p.get("entities"), limit=4096, caption=False
    )
    markup = validate_reply_markup(p.get("reply_markup"), inline_only=True)
    message = _editable(st, p)
    if message.document is not None:
        raise bad_request("there is no text in the message to edit")
    if (parsed.text, parsed.entities, markup) == (
        message.text,
        message.entities,
        message.reply_markup,
    ):
        raise bad_request(_NOT_MODIFIED)
    edited = st.store(
        replace(
            message,
            text=parsed.text,
            html=p["text"],
            parse_mode=p.get("parse_mode"),
            entities=parsed.entities,
            reply_markup=markup,
            edit_date=st.now(),
        )
    )
    return st.message_json(edited)


def edit_message_reply_markup(st: BotState, p: dict[str, Any]) -> Any:
    """editMessageReplyMarkup: no reply_markup means "remove the keyboard"."""
    markup = validate_reply_markup(p.get("reply_markup"), inline_only=True)
    message = _editable(st, p)
    if markup == message.reply_markup:
        raise bad_request(_NOT_MODIFIED)
    edited = st.store(replace(message, reply_markup=markup, edit_date=st.now()))
    return st.message_json(edited)


def delete_message(st: BotState, p: dict[str, Any]) -> Any:
    """deleteMessage: others' messages in groups need admin rights."""
    chat_id = st.resolve_chat_id(p["chat_id"])
    if chat_id in st.groups:
        st.check_can_write(chat_id)
    message = st.get_message(chat_id, p["message_id"])
    if message is None:
        raise bad_request("message to delete not found")
    if not message.from_bot and not st.bot_is_admin(chat_id):
        raise bad_request("message can't be deleted")
    del st.chats[chat_id][message.message_id]
    pins = st.pinned.get(chat_id, [])
    if message.message_id in pins:
        pins.remove(message.message_id)
    return True


_CHAT_ACTIONS = _words(
    "typing upload_photo record_video upload_video record_voice upload_voice upload_document "
    "choose_sticker find_location record_video_note upload_video_note"
)


def send_chat_action(st: BotState, p: dict[str, Any]) -> Any:
    """sendChatAction."""
    if p["action"] not in _CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    _chat_for_writing(st, p["chat_id"])
    return True


def pin_chat_message(st: BotState, p: dict[str, Any]) -> Any:
    """pinChatMessage: groups need the bot to be an administrator."""
    chat_id = _chat_for_writing(st, p["chat_id"])
    if not st.bot_is_admin(chat_id):
        raise bad_request("not enough rights to manage pinned messages in the chat")
    if st.get_message(chat_id, p["message_id"]) is None:
        raise bad_request("message to pin not found")
    pins = st.pinned.setdefault(chat_id, [])
    if p["message_id"] in pins:
        pins.remove(p["message_id"])
    pins.append(p["message_id"])
    return True


def unpin_chat_message(st: BotState, p: dict[str, Any]) -> Any:
    """unpinChatMessage: a given message_id, or the most recently pinned message."""
    chat_id = _chat_for_writing(st, p["chat_id"])
    if not st.bot_is_admin(chat_id):
        raise bad_request("not enough rights to manage pinned messages in the chat")
    pins = st.pinned.setdefault(chat_id, [])
    message_id = p.get("message_id")
    if message_id is None:
        if pins:
            pins.pop()
        return True
    if st.get_message(chat_id, message_id) is None:
        raise bad_request("message to unpin not found")
    if message_id in pins:
        pins.remove(message_id)
    return True


def answer_callback_query(st: BotState, p: dict[str, Any]) -> Any:
    """answerCallbackQuery: each query can be answered once, unknown ids are rejected."""
    query = st.callback_queries.get(p["callback_query_id"])
    if query is None or query.answered:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = p.get("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answered = True
    st.callback_answers[query.id] = CallbackAnswer(
        callback_query_id=query.id,
        text=text,
        show_alert=bool(p.get("show_alert", False)),
        url=p.get("url"),
        cache_time=p.get("cache_time"),
        at=st.clock(),
    )
    return True


# ---------------------------------------------------------------------------- commands
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")


def _validate_commands(commands: Any) -> list[dict[str, str]]:
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    checked = []
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("BOT_COMMAND_INVALID")
        name, description = command.get("command"), command.get("description")
        if not isinstance(name, str) or not _COMMAND.fullmatch(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_INVALID")
        checked.append({"command": name, "description": description})
    return checked


def set_my_commands(st: BotState, p: dict[str, Any]) -> Any:
    """setMyCommands: stored per (scope, language_code); an empty list deletes."""
    commands = _validate_commands(p["commands"])
    key = st.scope_key(p.get("scope"), p.get("language_code"))
    if commands:
        st.commands[key] = commands
    else:
        st.commands.pop(key, None)
    return True


def delete_my_commands(st: BotState, p: dict[str, Any]) -> Any:
    """deleteMyCommands."""
    st.commands.pop(st.scope_key(p.get("scope"), p.get("language_code")), None)
    return True


def get_my_commands(st: BotState, p: dict[str, Any]) -> Any:
    """getMyCommands: exactly the list of that scope and language (no fallback)."""
    key = st.scope_key(p.get("scope"), p.get("language_code"))
    return [dict(c) for c in st.commands.get(key, [])]


# ---------------------------------------------------------------------------- chats
_NO_GIFTS = {
    "unlimited_gifts": False,
    "limited_gifts": False,
    "unique_gifts": False,
    "premium_subscription": False,
    "gifts_from_channels": False,
}


def get_chat(st: BotState, p: dict[str, Any]) -> Any:
    """getChat: a ChatFullInfo with the fields Bot API 10.0 marks as required."""
    chat_id = st.resolve_chat_id(p["chat_id"])
    if chat_id == st.bot_id:
        raise bad_request("chat not found")
    data = st.chat_json(chat_id)
    data.update(accent_color_id=0, max_reaction_count=11, accepted_gift_types=dict(_NO_GIFTS))
    return data


_ADMIN_RIGHTS = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_pin_messages": True,
}


def member_json(st: BotState, chat_id: int, user_id: int) -> dict[str, Any]:
    """The ChatMember of ``user_id`` in ``chat_id``."""
    if user_id == st.bot_id:
        user = st.bot_user_json()
        group = st.groups.get(chat_id)
        status = "member" if group is None else group.bot_status
    else:
        if user_id not in st.users:
            raise bad_request("user not found")
        user = st.users[user_id].to_json()
        group = st.groups.get(chat_id)
        if group is None:
            status = "member" if user_id == chat_id else "left"
        elif user_id == group.owner:
            return {"status": "creator", "user": user, "is_anonymous": False}
        elif user_id in group.admins:
            status = "administrator"
        elif user_id in group.members:
            status = "member"
        else:
            status = "left"
    if status == "administrator" and group is not None and group.type == "channel":
        rights = {k: v for k, v in _ADMIN_RIGHTS.items() if k != "can_pin_messages"}
        bot_can_post = group.bot_can_post if user_id == st.bot_id else True
        return {  # the channel-only rights of ChatMemberAdministrator
            "status": status,
            "user": user,
            **rights,
            "can_post_messages": bot_can_post,
            "can_edit_messages": True,
            "can_manage_direct_messages": False,
        }
    if status == "administrator":
        return {"status": status, "user": user, **_ADMIN_RIGHTS}
    if status == "kicked":
        return {"status": status, "user": user, "until_date": 0}
    return {"status": status, "user": user}


def get_chat_member(st: BotState, p: dict[str, Any]) -> Any:
    """getChatMember."""
    return member_json(st, st.resolve_chat_id(p["chat_id"]), p["user_id"])


def get_chat_administrators(st: BotState, p: dict[str, Any]) -> Any:
    """getChatAdministrators: other bots are omitted unless ``return_bots``."""
    chat_id = st.resolve_chat_id(p["chat_id"])
    group = st.groups.get(chat_id)
    if group is None:
        raise bad_request("there are no administrators in the private chat")
    ids = ([group.owner] if group.owner is not None else []) + sorted(group.admins - {group.owner})
    result = [
        member_json(st, chat_id, uid)
        for uid in ids
        if p.get("return_bots") or not st.users[uid].is_bot
    ]
    if group.bot_status == "administrator":
        result.append(member_json(st, chat_id, st.bot_id))
    return result


def get_chat_member_count(st: BotState, p: dict[str, Any]) -> Any:
    """getChatMemberCount."""
    chat_id = st.resolve_chat_id(p["chat_id"])
    group = st.groups.get(chat_id)
    if group is None:
        return 2
    humans = group.members | group.admins | ({group.owner} if group.owner is not None else set())
    return len(humans) + (group.bot_status in ("member", "administrator"))


def leave_chat(st: BotState, p: dict[str, Any]) -> Any:
    """leaveChat: afterwards sending there answers 403, like Telegram."""
    chat_id = st.resolve_chat_id(p["chat_id"])
    group = st.groups.get(chat_id)
    if group is None:
        raise bad_request("chat member status can't be changed in private chats")
    if group.bot_status in ("left", "kicked"):
        raise forbidden(f"bot is not a member of the {group.type} chat")
    group.bot_status = "left"
    return True


# ---------------------------------------------------------------------------- files
def get_file(st: BotState, p: dict[str, Any]) -> Any:
    """getFile: the ``file_path`` to download from ``/file/bot<token>/<file_path>``."""
    stored = st.files.get(p["file_id"])
    if stored is None:
        raise bad_request("invalid file_id")
    if stored.size > 20 * 1024 * 1024:
        raise bad_request("file is too big")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
        "file_path": stored.file_path,
    }


# ---------------------------------------------------------------------------- table
_HANDLERS: dict[str, Handler] = {
    "getMe": get_me,
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "sendMessage": send_message,
    "editMessageText": edit_message_text,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "answerCallbackQuery": answer_callback_query,
    "setMyCommands": set_my_commands,
    "deleteMyCommands": delete_my_commands,
    "getMyCommands": get_my_commands,
    "getChat": get_chat,
    "getChatMember": get_chat_member,
    "getChatMemberCount": get_chat_member_count,
    "getChatAdministrators": get_chat_administrators,
    "leaveChat": leave_chat,
    "sendDocument": send_document,
    "getFile": get_file,
    "sendChatAction": send_chat_action,
    "pinChatMessage": pin_chat_message,
    "unpinChatMessage": unpin_chat_message,
}

METHODS: dict[str, MethodSpec] = {
    name: MethodSpec(
        name=name,
        params={param: kind for param, kind, _ in params},
        required=frozenset(param for param, _, required in params if required),
        handler=_HANDLERS[name],
    )
    for name, params in _PARAMS.items()
}

#: method -> required parameter names (the shape the spec check compares).
REQUIRED: dict[str, frozenset[str]] = {name: spec.required for name, spec in METHODS.items()}

_BY_LOWER = {name.lower(): name for name in KNOWN_METHODS}


def canonical_method(name: str) -> str | None:
    """The Bot API spelling of ``name`` (method names are case-insensitive), or ``None``."""
    return _BY_LOWER.get(name.lower())
