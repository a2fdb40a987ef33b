"""Every text the bot says comes from a Jinja2 template here, HTML-escaped.

Telegram renders HTML whitespace literally, so templates trim blocks; names typed by
users are escaped by autoescape (``&lt; &gt; &amp;`` and numeric entities, which
Telegram accepts). ``split_message`` keeps every message within 4096 characters.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from telegram import Bot, Message, Update
from telegram.constants import MessageLimit
from telegram.ext import CallbackContext

from domain.roles import COMMANDS, Role

ENV = Environment(
    loader=PackageLoader("bot", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
ENV.globals.update(COMMANDS=COMMANDS, Role=Role)

ROLE_NAMES = {
    "admin": "administración",
    "facilitador": "facilitador(a)",
    "titular": "titular",
    "suplente": "suplente",
    "observador": "observador(a)",
    "cualquiera": "cualquier persona",
    "enlace_garante": "la persona titular o suplente del asiento garante de un secretariado",
}
ENV.filters["role"] = lambda value: ROLE_NAMES.get(str(value), str(value))


def render(template: str, /, **fields: Any) -> str:
    """Render ``templates/<template>.html.j2``; surrounding blank lines are dropped."""
    return ENV.get_template(f"{template}.html.j2").render(**fields).strip()


def split_message(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Split on line boundaries so that no part exceeds ``limit``.

    Templates keep every HTML tag within one line, so a line boundary is always a safe
    cut. A single line longer than the limit (it cannot come from our templates, whose
    user-provided fields are length-capped) is cut before an entity or tag.
    """
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            cut = limit
            for opener in ("&", "<"):
                at = line.rfind(opener, 0, cut)
                closer = ";" if opener == "&" else ">"
                if at != -1 and line.find(closer, at) >= cut:
                    cut = at
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:cut])
            line = line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        parts.append(current)
    return [part for part in parts if part.strip()]


async def send(
    bot: Bot, chat_id: int, template: str, /, *, reply_markup: Any = None, **fields: Any
) -> list[Message]:
    """Render and send to a chat; the keyboard goes on the last part."""
    return await send_text(bot, chat_id, render(template, **fields), reply_markup=reply_markup)


async def send_text(
    bot: Bot, chat_id: int, text: str, /, *, reply_markup: Any = None
) -> list[Message]:
    """Send already rendered text, split at 4096; the keyboard goes on the last part."""
    chunks = split_message(text)
    sent: list[Message] = []
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        sent.append(
            await bot.send_message(
                chat_id,
                chunk,
                reply_markup=reply_markup if last else None,
                disable_web_page_preview=True,
            )
        )
    return sent


async def reply(
    update: Update,
    context: CallbackContext[Any, Any, Any, Any],
    template: str,
    /,
    *,
    reply_markup: Any = None,
    **fields: Any,
) -> list[Message]:
    """Answer in the chat the update came from (a command or a button press)."""
    chat = update.effective_chat
    assert chat is not None
    return await send(context.bot, chat.id, template, reply_markup=reply_markup, **fields)
