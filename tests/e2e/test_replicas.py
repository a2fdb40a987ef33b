"""Two real ``python -m bot`` replicas on one PostgreSQL, behind one webhook (issue 14).

The fake Bot API plays Telegram in webhook mode; ``tests/balancer.py`` plays the reverse
proxy, sending each POST to the next replica in turn. The replicas share everything
through the database: one of them holds the scheduler's advisory lock
(``bot/leadership.py``). Checked here, on the CI machine's PostgreSQL:

* the leader is killed (SIGKILL) in the middle of a burst of due reminders, while
  Telegram is stalling (the fake holds every call): the follower takes over (the time is
  measured and printed; ≤ 15 s), and every reminder reaches its chat exactly once — the
  ones the dead leader had on the wire are delivered by Telegram, the ones still in its
  queue by the new leader, none twice;
* updates spread across both replicas and each is answered once;
* a forged webhook request (no secret, wrong secret) is refused and changes nothing;
* two convocations fanned out at the same moment by the two replicas draw no 429:
  the 30 messages a second are shared through PostgreSQL (``send_slots``).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from storage.db import Database, make_engine, make_sessionmaker
from storage.models import AuditEntry, Reminder
from tests.balancer import Balancer
from tests.databases import truncate_postgres
from tests.fakebot import FakeBotAPI
from tests.harness import TOKEN
from tests.replicas import (
    CROWD,
    ELECTED,
    HOOK,
    REMINDER,
    SEATS,
    VOTING,
    Replica,
    facilitator,
    observer,
    people,
    seed,
    titular,
)

HEADER = "X-Telegram-Bot-Api-Secret-Token"


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    """Telegram with its flood limits on (30/s overall, 1/s per chat, 20/min per group)."""
    server = FakeBotAPI(token=TOKEN, bot_username="stm_prueba_bot", rate_limits=True)
    server.start()
    try:
        yield server
    finally:
        server.stop()
    server.assert_no_internal_errors()


@pytest.fixture
async def pg(postgres_ready: str) -> AsyncIterator[tuple[str, Database]]:
    await truncate_postgres(postgres_ready)
    engine = make_engine(postgres_ready)
    try:
        yield postgres_ready, make_sessionmaker(engine)
    finally:
        await engine.dispose()


def _reminded(fake: FakeBotAPI) -> Counter[int]:
    """Reminder messages delivered, per chat."""
    return Counter(
        int(call.params["chat_id"])
        for call in fake.calls_to("sendMessage")
        if call.ok and REMINDER in (call.params.get("text") or "")
    )


async def _ledger(db: Database) -> Counter[str]:
    async with db() as session:
        rows = await session.execute(
            select(Reminder.status, func.count()).group_by(Reminder.status)
        )
        return Counter(dict(rows.tuples().all()))


async def _until(check: object, timeout: float = 60, what: str = "") -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while True:
        result = check() if callable(check) else check
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def _two_replicas(
    url: str, fake: FakeBotAPI, tmp: Path
) -> AsyncIterator[tuple[Balancer, Replica, Replica]]:
    """Two replicas behind one balancer (the webhook URL), both ready; stopped after."""
    async with Balancer([]) as balancer:
        a = Replica("a", url, fake, balancer.port, tmp)
        b = Replica("b", url, fake, balancer.port, tmp)
        balancer.upstreams.extend([a.port, b.port])
        a.start()
        b.start()
        try:
            await a.wait_in_log("ready as @")
            await b.wait_in_log("ready as @")
            yield balancer, a, b
        finally:
            a.stop()
            b.stop()


async def test_two_replicas_share_one_scheduler_and_survive_a_sigkill(
    fake: FakeBotAPI, pg: tuple[str, Database], tmp_path: Path
) -> None:
    url, db = pg
    await seed(db, datetime.now(UTC), due_in=timedelta(seconds=30))
    people(fake)
    expected = {titular(n, i) for n in range(VOTING) for i in range(len(SEATS))}
    async with _two_replicas(url, fake, tmp_path) as (balancer, a, b):
        leaders = [r for r in (a, b) if r.leads()]
        assert len(leaders) == 1, "exactly one replica leads"
        leader = leaders[0]
        follower = b if leader is a else a
        assert _reminded(fake) == {}  # not due yet: both replicas are up first
        # the burst: some delivered, then Telegram stalls with requests in flight (for
        # less than a request's 5-s timeout: a timed-out request would be retried)
        await _until(lambda: sum(_reminded(fake).values()) >= 30, timeout=90, what="30 reminders")
        fake.hold_all()

        async def settled() -> bool:
            ledger = await _ledger(db)
            return ledger["enviando"] == fake.held_calls and ledger["enviado"] == sum(
                _reminded(fake).values()
            )

        await _until(settled, timeout=2, what="a stable ledger")
        await asyncio.sleep(1.1)  # released, the held calls fit the fake's 1-s window
        # The leader dies only once every request it marked on the wire has reached the
        # fake: frozen (SIGSTOP) it starts no new one, and under load a request's bytes may
        # trail its mark by a moment. Killed in that moment it would be lost in doubt (the
        # README's named gap), which is not what this test is about.
        for _ in range(50):
            leader.freeze()
            with contextlib.suppress(AssertionError):
                await _until(settled, timeout=0.5, what="a stable ledger, frozen")
                break
            leader.thaw()
            await asyncio.sleep(0.02)
        else:
            raise AssertionError("the ledger never settled with the leader frozen")
        ledger = await _ledger(db)
        on_wire, queued = ledger["enviando"], ledger["pendiente"]
        assert on_wire > 0, ledger  # mid-burst, really: requests on the wire…
        assert queued > 0, ledger  # …and more in the queue
        leader.kill()
        killed_at = time.monotonic()
        fake.release_all()  # what was on the wire reaches Telegram after all
        took_over = await follower.wait_in_log(ELECTED, timeout=30)
        takeover = took_over - killed_at
        print(
            f"\ntake-over after SIGKILL: {takeover:.2f} s ({on_wire} on the wire, "
            f"{queued} queued, {ledger['enviado']} sent before)"
        )
        assert takeover <= 15
        await _until(lambda: set(_reminded(fake)) >= expected, what="every reminder")
        await asyncio.sleep(1.0)  # anything sent twice would have arrived by now
        reminded = _reminded(fake)
        assert set(reminded) == expected
        assert set(reminded.values()) == {1}, [c for c, k in reminded.items() if k > 1]
        final = await _ledger(db)
        assert final["pendiente"] == 0
        assert final["enviando"] == on_wire  # in doubt when it died; delivered once
        assert final["enviado"] == len(expected) - on_wire

        # the killed replica comes back as a follower; updates spread over both
        leader.start()
        await leader.wait_in_log("ready as @")
        assert leader.text().count(ELECTED) == 0
        served = Counter(balancer.served)
        mark = fake.mark()
        askers = [titular(VOTING, i) for i in range(len(SEATS))] + [
            observer(VOTING, k) for k in range(7)
        ]
        for uid in askers:
            fake.send_text(uid, "/ayuda")
        await _until(
            lambda: (
                {int(c.params["chat_id"]) for c in fake.calls_to("sendMessage", mark) if c.ok}
                >= set(askers)
            ),
            what="every /ayuda answered",
        )
        answered = Counter(
            int(c.params["chat_id"]) for c in fake.calls_to("sendMessage", mark) if c.ok
        )
        assert all(answered[uid] == 1 for uid in askers)
        now_served = balancer.served - served
        assert now_served[a.port] > 0, now_served
        assert now_served[b.port] > 0, now_served

        # a forged request, straight to a replica or through the proxy: 403, nothing done
        async with db() as session:
            audit_before = await session.scalar(select(func.count()).select_from(AuditEntry))
        forged = {
            "update_id": 999_999,
            "message": {
                "message_id": 1,
                "date": int(time.time()),
                "chat": {"id": facilitator(0), "type": "private"},
                "from": {"id": facilitator(0), "is_bot": False, "first_name": "X"},
                "text": "/cancelar 1",
                "entities": [{"type": "bot_command", "offset": 0, "length": 9}],
            },
        }
        mark = fake.mark()
        async with httpx.AsyncClient() as client:
            for base in (balancer.port, a.port, b.port):
                for headers in ({}, {HEADER: "adivinado"}):
                    answer = await client.post(
                        f"http://127.0.0.1:{base}{HOOK}", json=forged, headers=headers
                    )
                    assert answer.status_code == 403
        await asyncio.sleep(0.5)
        assert fake.calls_to("sendMessage", mark) == []
        async with db() as session:
            assert (
                await session.scalar(select(func.count()).select_from(AuditEntry)) == audit_before
            )


def _weekday_ahead(days: int) -> str:
    day = datetime.now(UTC).date() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.isoformat()


async def test_two_replicas_fanning_out_at_once_draw_no_429(
    fake: FakeBotAPI, pg: tuple[str, Database], tmp_path: Path
) -> None:
    url, db = pg
    await seed(db, datetime.now(UTC), due_in=timedelta(days=9))
    people(fake)
    async with _two_replicas(url, fake, tmp_path) as (balancer, a, b):
        day = _weekday_ahead(12)
        previews = {}
        for n in (VOTING, VOTING + 1):
            mark = fake.mark()
            fake.send_text(facilitator(n), f"/convocar ordinaria {day} 10:00 Sala\nInforme")
            preview = await fake.wait_for(
                "sendMessage", since=mark, timeout=30, chat_id=facilitator(n)
            )
            previews[n] = preview.result["message_id"]
        presses = {}
        for n, message_id in previews.items():
            data = next(
                d for label, d in fake.buttons(facilitator(n), message_id) if "Enviar" in label
            )
            presses[n] = data
        served = Counter(balancer.served)
        mark = fake.mark()
        for n, message_id in previews.items():  # back to back: one to each replica
            fake.press(
                facilitator(n),
                chat_id=facilitator(n),
                message_id=message_id,
                data=presses[n],
            )
        crowd = {observer(n, k) for n in (VOTING, VOTING + 1) for k in range(CROWD)}

        def documents() -> set[int]:
            return {int(c.params["chat_id"]) for c in fake.calls_to("sendDocument", mark) if c.ok}

        await _until(lambda: documents() >= crowd, timeout=120, what="every .ics")
        pressed = balancer.served - served
        assert pressed[a.port] >= 1, pressed
        assert pressed[b.port] >= 1, pressed
        refused = [c for c in fake.calls[mark:] if c.status == 429]
        sent = [
            c for c in fake.calls[mark:] if c.ok and c.method in ("sendMessage", "sendDocument")
        ]
        assert len(sent) >= 2 * len(crowd)
        assert refused == [], f"{len(refused)} × 429 out of {len(sent)}"
        print(f"\ntwo fan-outs at once: {len(sent)} messages, 0 × 429")
