"""``/comunicado`` (R18): the facilitator's communiqué, to the group and the public channel.

Thin: clean the text (pure rules), store it numbered in one unit of work that also owes
it to the public channel, queue the group's and the channel's posts, answer with what
goes where. The vote results, agreements and signed minutes reach the channel from the
flows that create them (``bot.voting``, ``handlers.agreements``, ``bot.minutes_flow``).
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot import messages, public_channel
from bot.context import StmContext
from bot.guards import command_text, guarded
from domain.dissemination import clean_communique
from storage.services import dissemination


@guarded("comunicado")
async def comunicado(update: Update, context: StmContext) -> None:
    """Store communiqué n (numbered per secretariat), post it to the group and the channel."""
    text = clean_communique(command_text(update, context))  # empty: usage; too long: refused
    async with context.db.begin() as session:
        published = await dissemination.publish_communique(
            session, now=context.now(), target=context.require_target(), text=text
        )
    public_channel.announce(context.app, published)
    await messages.reply(update, context, "channel/comunicado_ok", p=published)


HANDLERS: list[BaseHandler[Update, StmContext, None]] = [
    CommandHandler("comunicado", comunicado),
]
