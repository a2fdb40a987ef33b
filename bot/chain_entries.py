"""``/verificar`` with an exported entry of the hash chain (issue 15).

The entry comes pasted after the command or as a ``.json`` document; the answer says
whether it is authentic (its own hash, the stored entry at its position, the act still in
the database), which act it is, and whether the chain verifies up to its current head.
"""

from __future__ import annotations

from telegram import Update

from bot import messages
from bot.context import StmContext
from domain.act_chain import NotAChainEntry, parse_exported
from storage.services import act_chain_public


def looks_like_entry(text: str) -> bool:
    """Text after ``/verificar`` that is meant as an entry (a JSON object)."""
    return text.lstrip().startswith("{")


async def verify_entry(update: Update, context: StmContext, text: str) -> None:
    """Check one exported entry and answer; unparseable text is refused (changes nothing)."""
    exported = parse_exported(text)
    if exported is None:
        raise NotAChainEntry()
    async with context.db() as session:
        check = await act_chain_public.check_exported(session, exported)
    await messages.reply(update, context, "chain/verificar_entrada", check=check)
