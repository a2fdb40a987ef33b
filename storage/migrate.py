"""Apply Alembic migrations at start-up, on the application's own engine."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).with_name("migrations")
#: The advisory lock that serialises migrations of one PostgreSQL database (any constant
#: not used elsewhere; ``bot.leadership.LOCK_KEY`` + 1).
MIGRATION_LOCK = 0x73746D2D626F75


def alembic_config(connection: Connection | None = None) -> Config:
    """A config that needs no alembic.ini: the script location travels with the package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (idempotent: a no-op at head)."""

    def _run(connection: Connection) -> None:
        command.upgrade(alembic_config(connection), revision)

    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Replicas starting together (issue 14): one migrates, the others wait here
            # and then find the schema at head. Released when this transaction ends.
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        await conn.run_sync(_run)


def head_revision() -> str:
    """The newest revision of this version's migrations."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head
