"""Votes survive a crash: SIGKILL mid-vote, start again, the buttons still work, and a
deadline that passed while the bot was down is applied at start-up (issue 4, R23 style)."""

from __future__ import annotations

import asyncio
import signal
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update

from domain.roles import Membership, Role, Target
from storage.db import make_engine, make_sessionmaker
from storage.migrate import upgrade
from storage.models import Reminder, Vote
from storage.services import invitations, linking, roster, secretariats
from tests.fakebot import FakeBotAPI
from tests.harness import TOKEN
from tests.processes import bot_env, start_bot

FACILITATOR = 2001
TITULARS = {
    "gobierno": 2101,
    "garante": 2102,
    "sociedad_civil": 2103,
    "academia": 2104,
    "ciudadania": 2105,
}
GROUP = -1009876543210


async def _seed(url: str) -> None:
    engine = make_engine(url)
    await upgrade(engine)
    db = make_sessionmaker(engine)
    now = datetime.now(UTC)
    async with db.begin() as session:
        created = await secretariats.create(
            session, now=now, admin_id=9001, name="Zamora", ttl=timedelta(days=7)
        )
        await invitations.redeem(
            session,
            token=created.token,
            telegram_user_id=FACILITATOR,
            profile_name="Claudia",
            now=now,
        )
        target = Target(
            created.secretariat_id,
            "Zamora",
            Membership(created.secretariat_id, "Zamora", 1, 1, Role.FACILITADOR),
        )
        await secretariats.link_group(session, now=now, target=target, chat_id=GROUP, title="STM")
        for seat, uid in TITULARS.items():
            invited = await roster.add_member(
                session,
                now=now,
                target=target,
                role=Role.TITULAR,
                name=f"Titular {seat}",
                seat_key=seat,
                ttl=timedelta(days=7),
            )
            await invitations.redeem(
                session, token=invited.token, telegram_user_id=uid, profile_name="", now=now
            )
        # Seeded behind the bot's back: as if the facilitator had been told already.
        await linking.claim(session, secretariat_id=created.secretariat_id, now=now)
    await engine.dispose()


def _start(fake: FakeBotAPI, url: str, tmp: Path, name: str) -> subprocess.Popen[bytes]:
    env = bot_env(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=fake.url,
        DATABASE_URL=url,
        LOG_LEVEL="INFO",
        WEB_PORT="0",  # parallel workers: any free port
    )
    return start_bot(env, tmp, tmp / f"{name}.log")


async def _press(fake: FakeBotAPI, user: int, data: str) -> str:
    message = next(
        m for m in reversed(fake.messages.get(user, [])) if any(d == data for _, d in m.buttons)
    )
    query = fake.press(user, chat_id=user, message_id=message.message_id, data=data)
    for _ in range(600):
        answer = fake.answer_for(query)
        if answer is not None:
            return answer.text or ""
        await asyncio.sleep(0.05)
    raise AssertionError("the press was never answered")


async def test_sigkill_mid_vote_then_restart(fake: FakeBotAPI, tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'stm.sqlite3'}"
    await _seed(url)
    fake.add_user(FACILITATOR, "Claudia", started=True)
    for uid in TITULARS.values():
        fake.add_user(uid, "Titular", started=True)
    fake.add_group(GROUP, "STM")
    first = _start(fake, url, tmp_path, "first")
    try:
        mark = fake.mark()
        fake.send_text(FACILITATOR, "/votar Aprobar el informe trimestral")
        asked = await fake.wait_for("sendMessage", since=mark, timeout=60, chat_id=FACILITATOR)
        assert "electrónica" in (asked.text or "")
        deadline = dict(fake.buttons(FACILITATOR, asked.result["message_id"]))["24 h"]
        assert "abierta" in await _press(fake, FACILITATOR, deadline)
        await fake.wait_for("sendMessage", since=mark, timeout=30, chat_id=TITULARS["academia"])
        assert "registrado: A favor" in await _press(fake, TITULARS["gobierno"], "v:1:1")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    assert first.returncode == -signal.SIGKILL
    second = _start(fake, url, tmp_path, "second")
    try:
        # buttons sent by the killed process still work, and the earlier ballot is there
        assert "registrado: En contra" in await _press(fake, TITULARS["garante"], "v:1:2")
        mark = fake.mark()
        fake.send_text(FACILITATOR, "/votaciones")
        listing = await fake.wait_for("sendMessage", since=mark, timeout=30, chat_id=FACILITATOR)
        assert "abierta" in (listing.text or "")
        assert "(1/1/0)" in (listing.text or "")
    finally:
        second.send_signal(signal.SIGKILL)
        second.wait(timeout=30)
    # the deadline passes while the bot is down: applied at start-up
    engine = make_engine(url)
    async with make_sessionmaker(engine).begin() as session:
        await session.execute(
            update(Vote).values(deadline=datetime.now(UTC) - timedelta(minutes=5))
        )
    await engine.dispose()
    mark = fake.mark()
    third = _start(fake, url, tmp_path, "third")
    try:
        result = await fake.wait_for("sendMessage", since=mark, timeout=60, chat_id=GROUP)
        assert "Resultado de la votación #1: Empate: no aprobado" in (result.text or "")
    finally:
        third.send_signal(signal.SIGINT)
        third.wait(timeout=30)
    engine = make_engine(url)
    async with make_sessionmaker(engine)() as session:
        state = await session.scalar(select(Vote.state))
    await engine.dispose()
    assert state == "cerrada"


async def _wait_until(fake: FakeBotAPI, since: int, users: list[int], marker: str) -> None:
    for _ in range(1200):
        got = {
            user
            for user in users
            if any(marker in (c.text or "") for c in fake.sent_to(user, since))
        }
        if got == set(users):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"not every one of {users} got {marker!r}")


async def test_reminders_survive_sigkill_without_repeating(
    fake: FakeBotAPI, tmp_path: Path
) -> None:
    """R23 across real processes: a reminder missed while down goes out once at start-up;
    a SIGKILL right after and another start-up do not send it again."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'stm.sqlite3'}"
    await _seed(url)
    fake.add_user(FACILITATOR, "Claudia", started=True)
    for uid in TITULARS.values():
        fake.add_user(uid, "Titular", started=True)
    fake.add_group(GROUP, "STM")
    first = _start(fake, url, tmp_path, "first")
    try:
        mark = fake.mark()
        fake.send_text(FACILITATOR, "/votar Aprobar el informe trimestral")
        asked = await fake.wait_for("sendMessage", since=mark, timeout=60, chat_id=FACILITATOR)
        deadline = dict(fake.buttons(FACILITATOR, asked.result["message_id"]))["24 h"]
        assert "abierta" in await _press(fake, FACILITATOR, deadline)
        await fake.wait_for("sendMessage", since=mark, timeout=30, chat_id=TITULARS["academia"])
        assert "registrado: A favor" in await _press(fake, TITULARS["gobierno"], "v:1:1")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    # as if the vote had opened 3 h ago and the bot was down when its "2 h before the
    # deadline" moment passed (30 minutes ago)
    now = datetime.now(UTC)
    engine = make_engine(url)
    async with make_sessionmaker(engine).begin() as session:
        await session.execute(
            update(Vote).values(
                opened_at=now - timedelta(hours=3), deadline=now + timedelta(minutes=90)
            )
        )
    await engine.dispose()
    pending = [TITULARS[s] for s in ("garante", "sociedad_civil", "academia", "ciudadania")]
    mark = fake.mark()
    second = _start(fake, url, tmp_path, "second")
    try:
        await _wait_until(fake, mark, pending, "aún no vota en la votación #1")
    finally:
        second.send_signal(signal.SIGKILL)  # right after sending: maybe before recording it
        second.wait(timeout=30)
    third = _start(fake, url, tmp_path, "third")
    try:
        ready = fake.mark()
        fake.send_text(TITULARS["garante"], "/pendientes")
        answer = await fake.wait_for(
            "sendMessage", since=ready, timeout=60, chat_id=TITULARS["garante"]
        )
        assert "Votar en la votación #1" in (answer.text or "")
    finally:
        third.send_signal(signal.SIGINT)
        third.wait(timeout=30)
    for user in pending:
        sent = [c for c in fake.sent_to(user, mark) if "aún no vota" in (c.text or "")]
        assert len(sent) == 1, user
    assert [
        c for c in fake.sent_to(TITULARS["gobierno"], mark) if "aún no vota" in (c.text or "")
    ] == []
    engine = make_engine(url)
    async with make_sessionmaker(engine)() as session:
        rows = list(await session.execute(select(Reminder.kind, Reminder.status)))
    await engine.dispose()
    assert len(rows) == 4
    assert {kind for kind, _ in rows} == {"votacion"}
    assert {status for _, status in rows} <= {"enviado", "enviando"}
