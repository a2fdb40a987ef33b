"""``/cumplimiento`` (R6, R15, R16): oversight for the garante's liaison.

The garante's liaison — titular or substitute of the ``garante`` seat (R1) — usually sits
on many municipal secretariats. The command spans all of them at once, so it never asks
"which secretariat" (``Scope.NONE``, like ``/pendientes``); the guard already refused
anyone who holds that seat nowhere (``Role.ENLACE_GARANTE`` in ``domain.roles``). Thin:
the caller's secretariats from the actor, one read-only unit of work, one answer (split
at 4096 by ``bot.messages``) with the public page's address.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot import messages
from bot.context import StmContext
from bot.guards import guarded
from handlers.microsite import site_address
from storage.services import compliance

#: Up to this many secretariats every month gets its line; beyond, each secretariat gets
#: its summary and the months that failed (the page has every month): 120 secretariats
#: month by month would be 27 messages, a long wait at Telegram's pace in one chat.
DETAILED_UP_TO = 5


@guarded("cumplimiento")
async def cumplimiento(update: Update, context: StmContext) -> None:
    """Per month, in every secretariat where the caller holds the garante seat: ordinary
    sessions held (R6), minutes on time / late / overdue (R15), agreements past due (R16)."""
    assert context.actor is not None  # set by the guard
    secretariats = context.actor.liaison_secretariats()
    async with context.db() as session:
        views = await compliance.for_secretariats(session, secretariats, now=context.now())
    await messages.reply(
        update,
        context,
        "compliance/cumplimiento",
        views=views,
        detailed=len(views) <= DETAILED_UP_TO,
        states=sorted({(v.state, v.state_slug) for v in views}),
        address=site_address(context),
    )


HANDLERS: list[BaseHandler[Update, StmContext, None]] = [
    CommandHandler("cumplimiento", cumplimiento),
]
