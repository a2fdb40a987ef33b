"""JobQueue callbacks: thin like handlers; the state lives in the database (R23)."""

from __future__ import annotations

from bot.background import BACKGROUND
from bot.context import StmContext
from bot.proposals import propose_customary_days
from scheduler import planner
from storage.services import chat_states


async def proponer_dias_acostumbrados(context: StmContext) -> None:
    """Twice a day: propose the customary non-working days now due (R8)."""
    BACKGROUND.set(True)  # jobs yield to updates' replies (bot/background.py)
    await propose_customary_days(context)


async def enviar_recordatorios(context: StmContext) -> None:
    """At the next reminder moment: send what is due, re-arm for the one after (R22, R23)."""
    BACKGROUND.set(True)
    await planner.tick(context.app)


async def revisar_recordatorios(context: StmContext) -> None:
    """Hourly: re-derive every secretariat, in case a change reached no hook (R23); and
    sweep the conversations that expired (they already read as absent: space only)."""
    BACKGROUND.set(True)
    await planner.run(context.app, None)
    async with context.db.begin() as session:
        await chat_states.purge_expired(session, now=context.now())
