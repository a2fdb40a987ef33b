"""Fixtures: the real application, a fake Bot API on 127.0.0.1, a real database.

Every end-to-end test runs twice when PostgreSQL is reachable: once on a fresh SQLite
file and once on PostgreSQL (``TEST_DATABASE_URL``, else 127.0.0.1:5432/test).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

os.environ.setdefault("PTB_TIMEDELTA", "1")

from storage.db import Database, make_engine, make_sessionmaker
from tests.clock import FakeClock
from tests.databases import (
    ensure_postgres_database,
    migrated_sqlite_template,
    postgres_base_url,
    postgres_unavailable,
    postgres_url,
    prepare_postgres,
    sqlite_copy,
    truncate_postgres,
)
from tests.fakebot import FakeBotAPI
from tests.harness import ADMIN_ID, TOKEN, Harness, start_harness

# CI explores the same examples every run (a property that fails there fails for
# everyone, reproducibly) and never fails on a slow machine's timing; locally hypothesis
# keeps drawing new examples.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated once per run."""
    return asyncio.run(migrated_sqlite_template(tmp_path_factory.mktemp("template")))


@pytest.fixture(scope="session")
def postgres_ready() -> str:
    """The PostgreSQL URL, migrated from scratch; skips (with the reason) when absent."""
    base, url = postgres_base_url(), postgres_url()
    reason = asyncio.run(postgres_unavailable(base))
    if reason is None and url != base:  # a pytest-xdist worker: its own database
        asyncio.run(ensure_postgres_database(base, url))
    if reason is not None:
        if os.environ.get("CI") and os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail(reason)
        pytest.skip(reason)
    asyncio.run(prepare_postgres(url))
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[str]:
    """A clean database with the schema at head."""
    if request.param == "sqlite":
        yield sqlite_copy(sqlite_template, tmp_path)
        return
    url: str = request.getfixturevalue("postgres_ready")
    asyncio.run(truncate_postgres(url))
    yield url


@pytest.fixture
def clock() -> FakeClock:
    """Friday 2026-11-27 10:00 in Mexico City."""
    return FakeClock()


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    """A fake Bot API server on 127.0.0.1, new for each test."""
    server = FakeBotAPI(token=TOKEN, bot_username="stm_prueba_bot")
    server.start()
    try:
        yield server
    finally:
        server.stop()
    server.assert_no_internal_errors()


@pytest.fixture
async def harness(
    fake: FakeBotAPI, database_url: str, clock: FakeClock, tmp_path: Path
) -> AsyncIterator[Harness]:
    """The real application, polling the fake server, over the test database."""
    async with start_harness(
        fake, database_url, clock, admins={ADMIN_ID}, data_dir=tmp_path / "data"
    ) as running:
        yield running


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """A session factory on the test database (for storage-level tests)."""
    engine = make_engine(database_url)
    try:
        yield make_sessionmaker(engine)
    finally:
        await engine.dispose()
