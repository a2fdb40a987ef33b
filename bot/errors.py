"""The one PTB error handler: refusals become Spanish answers, the rest an apology.

A ``Refusal`` is expected (bad input, wrong role): it is rendered from its template as a
reply, or as an alert when it came from a button, and is not logged as an error.
Anything else is logged with the update id (never the update's text, which may hold an
invitation token) and the user gets a generic apology; the bot keeps running. The apology
for a button press is an alert on that press, in the presser's own view: nothing is
posted in the chat, which may be the official group or someone else's private chat (a
forged press). If the press was already answered, that is logged and the update ends.
"""

from __future__ import annotations

import html
import logging
import re

from telegram import Update
from telegram.constants import CallbackQueryLimit
from telegram.error import TelegramError

from bot import messages
from bot.context import StmContext
from domain.errors import Refusal

log = logging.getLogger(__name__)


async def on_error(update: object, context: StmContext) -> None:
    """Answer the user; log what is a bug."""
    error = context.error
    if not isinstance(update, Update):
        log.error("error outside an update: %r", type(error).__name__, exc_info=error)
        return
    # A press is answered on the press (an alert only the presser sees), never in the chat.
    press = update.callback_query is not None
    try:
        if isinstance(error, Refusal):
            await tell(update, context, error, alert=press)
            return
        log.error("unhandled error in update %s", update.update_id, exc_info=error)
        await _say(update, context, "refusals/unexpected", {}, alert=press)
    except TelegramError as exc:  # e.g. the press was already answered: nothing more to do
        log.warning("could not answer update %s: %s", update.update_id, exc.message)


async def tell(update: Update, context: StmContext, refusal: Refusal, *, alert: bool) -> None:
    """Render a refusal as an alert on the pressed button, or as a reply in the chat.

    A button press can be answered once: code that already answered it (to stop the
    client's spinner before slow work) passes ``alert=False``.
    """
    await _say(
        update, context, refusal.template.removesuffix(".html.j2"), refusal.context(), alert=alert
    )


async def _say(
    update: Update, context: StmContext, template: str, fields: dict[str, object], *, alert: bool
) -> None:
    query = update.callback_query
    if alert and query is not None:
        text = plain(messages.render(template, **fields))
        await query.answer(
            text[: CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH], show_alert=True
        )
    elif update.effective_chat is not None:
        await messages.reply(update, context, template, **fields)


def plain(markup: str) -> str:
    """Alerts are plain text: drop tags and unescape what the template escaped."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))
