"""Send the customary-day proposals (R8) to each facilitator, once per day and secretariat.

Called after a facilitator binds their account and by the daily scheduler job; the
proposals are rows first (created once, by a unique constraint), messages second, so a
restart or a failed send never proposes a day twice — pending ones stay listed in
``/inhabiles`` with their buttons.
"""

from __future__ import annotations

import logging

from telegram.error import TelegramError

from bot import buttons, messages
from bot.context import StmContext
from storage.services import calendar

log = logging.getLogger(__name__)


async def propose_customary_days(context: StmContext) -> int:
    """Create due proposals everywhere and send them; returns how many were created."""
    async with context.db.begin() as session:
        batches = await calendar.propose_everywhere(session, now=context.now())
    count = 0
    for batch in batches:
        for proposal in batch.proposals:
            count += 1
            try:
                await messages.send(
                    context.bot,
                    batch.chat_id,
                    "calendar/proposal",
                    proposal=proposal,
                    reply_markup=buttons.customary(proposal.id),
                )
            except TelegramError as exc:
                log.warning("a proposal could not be sent: %s", exc.message)
    return count
