"""``stm-bot verify``: recompute every secretariat's hash chain from the database (issue 15).

Like the other data commands it needs no bot token, only ``DATABASE_URL`` (from the
environment or ``.env``). It prints one line per secretariat: its head (position and
hash) and ``íntegra``, or the first entry that does not match — secretariat, position,
kind, source row and why — and then exits with code 1. Exit 0: every chain is intact.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence

from storage.db import make_engine, make_sessionmaker
from storage.services import act_chain
from storage.services.act_chain import Verified


def line_of(done: Verified) -> str:
    """One secretariat's verdict, as printed."""
    head = f"cabeza {done.position} {done.hash}"
    if done.mismatch is None:
        return f"{done.slug}: {head}: íntegra"
    m = done.mismatch
    return (
        f"{done.slug}: {head}: NO COINCIDE en la entrada {m.position} ({m.kind}, {m.source}): "
        f"{m.reason.value}"
    )


async def verify_database(url: str) -> list[Verified]:
    """Every secretariat's chain checked, in one read-only unit of work."""
    engine = make_engine(url)
    try:
        db = make_sessionmaker(engine)
        async with db() as session:
            return await act_chain.verify_all(session)
    finally:
        await engine.dispose()


def run(args: Sequence[str], url: str) -> int:
    """``stm-bot verify``: 0 when every chain is intact, 1 at the first mismatch, 2 on misuse."""
    if args:
        print("stm-bot: uso: stm-bot verify", file=sys.stderr)
        return 2
    results = asyncio.run(verify_database(url))
    for done in results:
        print(line_of(done))
    if not results:
        print("stm-bot: no hay secretariados en la base de datos")
    return 1 if any(r.mismatch is not None for r in results) else 0
