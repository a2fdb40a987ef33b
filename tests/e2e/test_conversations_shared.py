"""Conversations in progress live in the database, not in one process (issue 14).

Several replicas on one PostgreSQL sit behind a load balancer, and any of them may get a
chat's next update. Here two real Applications (``start_harness`` twice) share one
PostgreSQL database and one fake Bot API; the load balancer is which of them polls: the
other's Updater is stopped (two pollers would only steal each other's ``getUpdates``, 409).
Each step is sent through one harness and waited for by that harness, so a step the other
application took would time out rather than pass. A restart (one Application stopped,
a new one started on the same database) used to forget these conversations too; it no
longer does, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import ALLOWED_UPDATES
from storage.models import ChatState, Meeting
from tests.clock import FakeClock
from tests.databases import truncate_postgres
from tests.fakebot import FakeBotAPI
from tests.harness import ADMIN_ID, Harness, setup_zamora, start_harness

AGENDA = "Lista de asistencia\nSeguimiento del PAM"

Route = Callable[[Harness], Coroutine[Any, Any, None]]


@pytest.fixture
def shared_postgres(postgres_ready: str) -> str:
    """One PostgreSQL database, empty, for both replicas (skipped without PostgreSQL)."""
    asyncio.run(truncate_postgres(postgres_ready))
    return postgres_ready


async def _poll(harness: Harness) -> None:
    updater = harness.app.updater
    assert updater is not None
    if not updater.running:  # as start_harness polls, so its own shutdown finds it polling
        await updater.start_polling(
            poll_interval=0.0, timeout=timedelta(seconds=1), allowed_updates=ALLOWED_UPDATES
        )


async def _stop_polling(harness: Harness) -> None:
    updater = harness.app.updater
    assert updater is not None
    if updater.running:  # its last getUpdates marks what it took as read
        await updater.stop()


@asynccontextmanager
async def _replicas(
    fake: FakeBotAPI, url: str, clock: FakeClock, data_dir: Path
) -> AsyncIterator[tuple[Harness, Harness, Route]]:
    """Applications A and B on one database and one fake; ``route(x)``: updates go to x."""
    async with start_harness(fake, url, clock, admins={ADMIN_ID}, data_dir=data_dir) as a:
        await _stop_polling(a)
        try:
            async with start_harness(fake, url, clock, admins={ADMIN_ID}, data_dir=data_dir) as b:

                async def route(to: Harness) -> None:
                    await _stop_polling(b if to is a else a)
                    await _poll(to)

                try:
                    yield a, b, route
                finally:
                    await route(b)
        finally:
            await _poll(a)


async def _states(harness: Harness) -> int:
    async with harness.db() as session:
        return int(await session.scalar(select(func.count()).select_from(ChatState)) or 0)


async def test_a_guided_convocation_started_on_one_replica_is_finished_on_the_other(
    fake: FakeBotAPI, shared_postgres: str, clock: FakeClock, tmp_path: Path
) -> None:
    async with _replicas(fake, shared_postgres, clock, tmp_path / "data") as (a, b, route):
        await route(a)
        z = await setup_zamora(a)
        fid = z.facilitator
        assert "paso a paso" in await a.say(fid, "/convocar")
        await route(b)
        assert "AAAA-MM-DD" in await b.say(fid, "Ordinaria")
        await route(a)
        assert "HH:MM" in await a.say(fid, "2026-12-07")
        await route(b)
        assert "no es una hora válida" in await b.say(fid, "25:00")  # refused: nothing moved
        await route(a)
        assert "lugar" in await a.say(fid, "10:00")
        await route(b)
        assert "orden del día" in await b.say(fid, "Sala de Cabildo")
        preview = await b.send(fid, AGENDA)
        text = preview.text or ""
        assert "Vista previa" in text
        assert "Sala de Cabildo" in text
        assert "2. Seguimiento del PAM" in text
        assert await _states(b) == 0
        await route(a)  # over for every replica: free text is free text again
        assert "/ayuda" in await a.say(fid, "hola")
        # and cancelled on one replica means cancelled on the other
        assert "paso a paso" in await a.say(fid, "/convocar")
        await route(b)
        assert "cancelada" in await b.say(fid, "/cancelar_convocatoria")
        await route(a)
        assert "/ayuda" in await a.say(fid, "extraordinaria")
        assert "No había" in await a.say(fid, "/cancelar_convocatoria")
        async with a.db() as session:
            assert await session.scalar(select(func.count()).select_from(Meeting)) == 1


async def test_a_vote_opened_on_one_replica_takes_its_typed_deadline_on_the_other(
    fake: FakeBotAPI, shared_postgres: str, clock: FakeClock, tmp_path: Path
) -> None:
    async with _replicas(fake, shared_postgres, clock, tmp_path / "data") as (a, b, route):
        await route(a)
        z = await setup_zamora(a)
        fid = z.facilitator
        assert "AAAA-MM-DD HH:MM" in await a.say(fid, "/votar Propuesta con fecha")
        await route(b)
        assert "ya pasó" in await b.say(fid, "2026-11-01 10:00")  # refused: still waiting
        await route(a)
        since = fake.mark()
        assert "abierta hasta 2026-12-01 18:30" in await a.say(fid, "2026-12-01 18:30")
        await fake.wait_for("sendMessage", since=since, chat_id=z.titulars["garante"])
        await route(b)
        assert "/ayuda" in await b.say(fid, "2026-12-02 10:00")  # consumed once, everywhere
        assert "AAAA-MM-DD HH:MM" in await b.say(fid, "/votar Otra propuesta")
        await route(a)
        assert "abierta hasta 2026-12-03 09:00" in await a.say(fid, "2026-12-03 09:00")
        assert await _states(a) == 0


async def test_a_restart_forgets_no_conversation_in_progress(
    fake: FakeBotAPI, database_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    """Stopped halfway through a guided /convocar and a vote's wait for its typed deadline:
    the bot started again carries on with both (it used to start them over)."""
    data_dir = tmp_path / "data"
    async with start_harness(fake, database_url, clock, admins={ADMIN_ID}, data_dir=data_dir) as h:
        z = await setup_zamora(h)
        fid = z.facilitator
        await h.say(fid, "/convocar")
        await h.say(fid, "ordinaria")
        assert "HH:MM" in await h.say(fid, "2026-12-07")
    clock.advance(minutes=30)
    async with start_harness(fake, database_url, clock, admins={ADMIN_ID}, data_dir=data_dir) as h:
        assert "lugar" in await h.say(fid, "10:00")
        assert "orden del día" in await h.say(fid, "Sala de Cabildo")
        text = (await h.send(fid, AGENDA)).text or ""
        assert "Vista previa" in text
        assert "2026-12-07" in text  # the answers given before the restart
        assert "Hora: 10:00" in text
        assert "AAAA-MM-DD HH:MM" in await h.say(fid, "/votar Propuesta")
    async with start_harness(fake, database_url, clock, admins={ADMIN_ID}, data_dir=data_dir) as h:
        assert "abierta hasta 2026-12-01 18:30" in await h.say(fid, "2026-12-01 18:30")
        assert await _states(h) == 0


async def test_a_forgotten_guided_convocation_lapses_after_a_day(harness: Harness) -> None:
    """In memory it lasted until a restart; in the database it needs an expiry of its own."""
    z = await setup_zamora(harness)
    fid = z.facilitator
    await harness.say(fid, "/convocar")
    harness.clock.advance(hours=23)
    assert "AAAA-MM-DD" in await harness.say(fid, "ordinaria")  # each answer: a day more
    harness.clock.advance(hours=23)
    assert "HH:MM" in await harness.say(fid, "2026-12-07")
    harness.clock.advance(hours=24, seconds=1)
    assert "/ayuda" in await harness.say(fid, "10:00")
    assert "No había" in await harness.say(fid, "/cancelar_convocatoria")
