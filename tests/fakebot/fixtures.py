"""Reusable pytest fixtures and PTB helpers for tests that talk to :class:`FakeBotAPI`.

Import the fixtures where needed (``from tests.fakebot.fixtures import fake_bot``) or list
``"tests.fakebot.fixtures"`` in the root conftest's ``pytest_plugins``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
from telegram.ext import Application, ApplicationBuilder

from .server import FakeBotAPI

__all__ = ["build_application", "fake_bot", "polling"]


@pytest.fixture
def fake_bot() -> Iterator[FakeBotAPI]:
    """A running fake Bot API, stopped after the test; fails the test if the fake crashed."""
    with FakeBotAPI() as fake:
        yield fake
    fake.assert_no_internal_errors()


def build_application(fake: FakeBotAPI, builder: ApplicationBuilder | None = None) -> Application:
    """A PTB ``Application`` wired to ``fake`` (token, base_url and base_file_url)."""
    builder = builder or ApplicationBuilder()
    return (
        builder.token(fake.token)
        .base_url(fake.bot_base_url)
        .base_file_url(fake.file_base_url)
        .build()
    )


@asynccontextmanager
async def polling(
    app: Application[Any, Any, Any, Any, Any, Any], *, poll_timeout: float = 1.0
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Run ``app`` polling the fake (what ``run_polling`` does, without owning the loop).

    Shutdown follows PTB's documented order: updater.stop, stop, shutdown.
    """
    async with app:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=timedelta(seconds=poll_timeout))
        await app.start()
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()
