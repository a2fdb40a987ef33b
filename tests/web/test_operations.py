"""``/metrics`` and ``/healthz`` for the operator (issue 14)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from storage.db import make_engine, make_sessionmaker
from tests.clock import FakeClock
from tests.fakebot import FakeBotAPI
from tests.harness import ADMIN_ID, Harness, setup_zamora, start_harness


def _value(text: str, sample: str) -> float:
    for line in text.splitlines():
        if line.startswith(sample + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_metrics_count_updates_api_calls_and_reminders(harness: Harness) -> None:
    async with httpx.AsyncClient(base_url=harness.web_url) as web:
        before = (await web.get("/metrics")).text
        await setup_zamora(harness)
        await harness.say(ADMIN_ID, "/comando_inventado")
        scraped = await web.get("/metrics")
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = scraped.text
    assert _value(text, 'stm_updates_total{kind="/nuevo_stm"}') == 1
    assert _value(text, 'stm_updates_total{kind="/start"}') >= 6  # everyone bound
    assert _value(text, 'stm_updates_total{kind="/otro"}') == 1  # bounded: no new series
    assert "comando_inventado" not in text
    assert _value(text, 'stm_update_seconds_count{kind="/nuevo_stm"}') == 1
    assert _value(text, 'stm_bot_api_requests_total{endpoint="sendMessage",outcome="ok"}') > (
        _value(before, 'stm_bot_api_requests_total{endpoint="sendMessage",outcome="ok"}')
    )
    assert _value(text, "stm_scheduler_leader") == 1
    assert "stm_update_queue_depth" in text
    assert "stm_background_tasks" in text
    assert "stm_reminders_total" in text or "# HELP stm_reminders" in text
    # R21: no chat or person in any label (values are timings and counts: not checked)
    labels = " ".join(re.findall(r"\{[^}]*\}", text))
    assert str(ADMIN_ID) not in labels


@pytest.fixture
async def guarded(
    fake: FakeBotAPI, database_url: str, clock: FakeClock, tmp_path: Path
) -> AsyncIterator[Harness]:
    async with start_harness(
        fake,
        database_url,
        clock,
        admins={ADMIN_ID},
        data_dir=tmp_path / "data",
        metrics_token="s3cr3t-metricas",
    ) as running:
        yield running


async def test_metrics_token(guarded: Harness) -> None:
    async with httpx.AsyncClient(base_url=guarded.web_url) as web:
        missing = await web.get("/metrics")
        wrong = await web.get("/metrics", headers={"Authorization": "Bearer otro"})
        right = await web.get("/metrics", headers={"Authorization": "Bearer s3cr3t-metricas"})
    assert (missing.status_code, wrong.status_code, right.status_code) == (401, 401, 200)
    assert "stm_updates" not in missing.text
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert "stm_scheduler_leader" in right.text


async def test_readyz_asks_only_the_database(harness: Harness) -> None:
    """The proxy's check: Telegram unreachable must not take the microsite down."""
    async with httpx.AsyncClient(base_url=harness.web_url) as web:
        since = harness.fake.mark()
        ready = await web.get("/readyz")
        assert (ready.status_code, ready.text) == (200, "ok")
        assert ready.headers["cache-control"] == "no-store"
    assert [c for c in harness.fake.calls[since:] if c.method == "getMe"] == []
    broken = make_sessionmaker(make_engine("postgresql+asyncpg://postgres@127.0.0.1:9/cerrado"))
    harness.app.db = broken
    try:
        async with httpx.AsyncClient(base_url=harness.web_url) as web:
            down = await web.get("/readyz")
        assert (down.status_code, down.text) == (503, "sin base de datos")
    finally:
        harness.app.db = harness.db


async def test_healthz_asks_the_bot_api(harness: Harness) -> None:
    async with httpx.AsyncClient(base_url=harness.web_url) as web:
        since = harness.fake.mark()
        assert (await web.get("/healthz")).text == "ok"
        assert (await web.get("/healthz")).text == "ok"
    # One getMe for both: a good answer is trusted for a while (no traffic per probe).
    assert [c.method for c in harness.fake.calls[since:] if c.method == "getMe"] == ["getMe"]
