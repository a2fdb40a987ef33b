"""Send the customary-day proposals (R8) to each facilitator, once per day and secretariat.

Called after a facilitator binds their account and by the daily scheduler job; the
proposals are rows first (created once, by a unique constraint), messages second, so a
restart or a failed send never proposes a day twice — pending ones stay listed in
``/inhabiles`` with their buttons. The messages go through the outbox: a binding
creates proposals for every secretariat that has some due, and its update must not wait
for other facilitators' chats.
"""

from __future__ import annotations

import logging

from bot import buttons
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
            context.outbox.message(
                batch.chat_id,
                "calendar/proposal",
                proposal=proposal,
                reply_markup=buttons.customary(proposal.id),
            )
    return count
