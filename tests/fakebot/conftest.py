"""Fixtures for the fake's own self-tests (the project's tests use tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from .fixtures import fake_bot  # noqa: F401 - reusable fixture, exercised by the self-tests
from .server import FakeBotAPI

TOKEN = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"


@pytest.fixture(scope="module")
def fake_server() -> Iterator[FakeBotAPI]:
    """One server per module: restarting costs ~0.1 s, resetting costs nothing."""
    with FakeBotAPI(token=TOKEN, bot_username="stm_prueba_bot") as server:
        yield server


@pytest.fixture
def fake(fake_server: FakeBotAPI) -> Iterator[FakeBotAPI]:
    """A running fake with fresh state; fails the test if the fake itself crashed."""
    fake_server.reset()
    yield fake_server
    fake_server.assert_no_internal_errors()


@pytest.fixture
async def api(fake: FakeBotAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Raw HTTP client rooted at ``/bot<token>/``."""
    async with httpx.AsyncClient(base_url=f"{fake.bot_base_url}{fake.token}/") as client:
        yield client
