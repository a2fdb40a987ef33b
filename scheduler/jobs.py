"""JobQueue callbacks: thin like handlers; state lives in the database (R23)."""

from __future__ import annotations

from bot.context import StmContext
from bot.proposals import propose_customary_days


async def proponer_dias_acostumbrados(context: StmContext) -> None:
    """Daily: propose the customary non-working days now due (R8)."""
    await propose_customary_days(context)
