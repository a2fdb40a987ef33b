"""Real databases for tests: a migrated SQLite file per test, and PostgreSQL when present.

Migrating once and copying the file keeps each SQLite test on a fresh database at the
cost of a file copy; PostgreSQL is migrated once per run and truncated between tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.db import make_engine
from storage.migrate import upgrade
from storage.models import Base

DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def postgres_base_url() -> str:
    """``TEST_DATABASE_URL``, else the CI machine's PostgreSQL."""
    return os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG


def postgres_url() -> str:
    """The base URL; under pytest-xdist each worker has a database of its own, named after
    the worker (``test_gw0``…), since every test truncates the tables it finds."""
    base = postgres_base_url()
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return base
    parsed = make_url(base)
    return parsed.set(database=f"{parsed.database or 'test'}_{worker}").render_as_string(
        hide_password=False
    )


async def ensure_postgres_database(base_url: str, url: str) -> None:
    """Create ``url``'s database (a worker's own) through ``base_url``'s when missing."""
    import asyncpg

    parsed, base = make_url(url), make_url(base_url)
    connection = await asyncpg.connect(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        database=base.database or "test",
    )
    try:
        exists = await connection.fetchval(
            "SELECT 1 FROM pg_database WHERE datname = $1", parsed.database
        )
        if not exists:
            with contextlib.suppress(asyncpg.DuplicateDatabaseError):  # a racing worker
                await connection.execute(f'CREATE DATABASE "{parsed.database}"')
    finally:
        await connection.close()


async def postgres_unavailable(url: str) -> str | None:
    """Why PostgreSQL cannot be used, or ``None`` when it can."""
    try:
        import asyncpg
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        return "asyncpg is not installed"
    parsed = make_url(url)
    try:
        connection = await asyncio.wait_for(
            asyncpg.connect(
                host=parsed.host or "127.0.0.1",
                port=parsed.port or 5432,
                user=parsed.username or "postgres",
                password=parsed.password,
                database=parsed.database or "test",
            ),
            timeout=3,
        )
    except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
        return f"PostgreSQL not reachable at {parsed.render_as_string(hide_password=True)}: {exc}"
    await connection.close()
    return None


async def prepare_postgres(url: str) -> None:
    """Empty the schema and migrate it from scratch, so the migrations are what is tested."""
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await upgrade(engine)
    finally:
        await engine.dispose()


async def truncate_postgres(url: str) -> None:
    """Every table empty, identities restarted (``alembic_version`` kept)."""
    engine = make_engine(url)
    names = ", ".join(table.name for table in Base.metadata.sorted_tables)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()


async def migrated_sqlite_template(directory: Path) -> Path:
    """A migrated SQLite file to copy for each test."""
    path = directory / "template.sqlite3"
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    await upgrade(engine)
    await engine.dispose()
    return path


def sqlite_copy(template: Path, directory: Path) -> str:
    """A fresh copy of the template; WAL side files are not needed after dispose."""
    path = directory / "stm.sqlite3"
    shutil.copyfile(template, path)
    return f"sqlite+aiosqlite:///{path}"
