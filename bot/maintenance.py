"""``stm-bot backup|restore|migrate-sqlite-to-postgres``: the operator's data commands.

They need no bot token — only where the data is (``DATABASE_URL``, ``DATA_DIR``, from
the environment or ``.env`` like the bot) — and they talk to nobody but the database.
Each prints one line of what it did, or one line of why not and exits with code 2.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from bot import chain_verify
from bot.settings import DEFAULT_DATA_DIR, DEFAULT_DATABASE_URL, read_env_file
from storage.backup import BackupError, Summary, backup, restore
from storage.db import make_engine
from storage.files import FileStore

T = TypeVar("T")

USAGE = (
    "uso: stm-bot backup <archivo.zip> | stm-bot restore <archivo.zip> | "
    "stm-bot migrate-sqlite-to-postgres <postgresql+asyncpg://…> | stm-bot verify"
)
COMMANDS = ("backup", "restore", "migrate-sqlite-to-postgres")


def _where(environ: Mapping[str, str]) -> tuple[str, Path]:
    values = dict(read_env_file(Path(".env")))
    values.update(environ)
    url = values.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
    return url, Path(values.get("DATA_DIR", "").strip() or DEFAULT_DATA_DIR)


def _said(summary: Summary) -> str:
    rows = sum(summary.rows.values())
    return (
        f"{rows} filas de {len(summary.rows)} tablas y {summary.files} archivos "
        f"(esquema {summary.revision})"
    )


async def _on_engine(url: str, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    """``work`` on an engine of ``url``, disposed whatever happens."""
    engine = make_engine(url)
    try:
        return await work(engine)
    finally:
        await engine.dispose()


async def _backup(url: str, data: Path, target: Path) -> str:
    done = await _on_engine(url, lambda engine: backup(engine, FileStore(data), target))
    return f"respaldo {target}: {_said(done)}"


async def _restore(url: str, data: Path, source: Path) -> str:
    done = await _on_engine(url, lambda engine: restore(engine, FileStore(data), source))
    return f"restaurado {source} en la base de datos: {_said(done)}"


async def _to_postgres(url: str, data: Path, target: str) -> str:
    if not url.startswith("sqlite+aiosqlite://"):
        raise BackupError("DATABASE_URL no es SQLite: no hay nada que migrar.")
    if not target.startswith("postgresql+asyncpg://"):
        raise BackupError("el destino debe ser postgresql+asyncpg://usuario@servidor/base.")
    with tempfile.TemporaryDirectory(prefix="stm-migrar-") as tmp:
        archive = Path(tmp) / "respaldo.zip"
        await _backup(url, data, archive)
        await _restore(target, data, archive)  # the files stay in DATA_DIR
    return "migrado a PostgreSQL: pon ese DATABASE_URL en la configuración y arranca el bot"


def run(args: Sequence[str], environ: Mapping[str, str] | None = None) -> int:
    """Run one data command; returns the exit code."""
    url, data = _where(os.environ if environ is None else environ)
    if args[:1] == ["verify"]:  # issue 15: the hash chain, exit 1 at a mismatch
        return chain_verify.run(args[1:], url)
    if len(args) != 2 or args[0] not in COMMANDS:
        print(f"stm-bot: {USAGE}", file=sys.stderr)
        return 2
    command, argument = args
    try:
        if command == "backup":
            line = asyncio.run(_backup(url, data, Path(argument)))
        elif command == "restore":
            line = asyncio.run(_restore(url, data, Path(argument)))
        else:
            line = asyncio.run(_to_postgres(url, data, argument))
    except (BackupError, OSError) as exc:
        print(f"stm-bot: {exc}", file=sys.stderr)
        return 2
    print(f"stm-bot: {line}")
    return 0
