"""Replicas of ``python -m bot`` for tests and benchmarks (issue 14): seed, start, watch.

A seeded world of many secretariats (``seed`` through the services, ``people`` in the
fake Bot API) and :class:`Replica`, one real process in webhook mode on its own port
behind ``tests/balancer.py``, with its log in a file. Used by ``tests/e2e/test_replicas.py``
and ``bench/replicas.py``.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import update

from domain.roles import Membership, Role, Target
from storage.db import Database
from storage.models import Vote
from storage.services import invitations, linking, roster, secretariats, votes
from tests.fakebot import FakeBotAPI
from tests.harness import TOKEN
from tests.processes import bot_env, start_bot

SECRET = "replicas_s3creto-0123456789"
HOOK = "/telegram/recibir"
ELECTED = "scheduler leader elected"
SEATS = ("gobierno", "garante", "sociedad_civil", "academia", "ciudadania")
#: Secretariats with a vote whose "2 h before the deadline" reminder is due: 5 each.
VOTING = 24
#: Two more secretariats with many observers, for the simultaneous convocations.
CROWD = 45
REMINDER = "aún no vota"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def facilitator(n: int) -> int:
    return 3000 + n


def titular(n: int, seat: int) -> int:
    return 10_000 + 10 * n + seat


def observer(n: int, k: int) -> int:
    return 50_000 + 100 * n + k


def group(n: int) -> int:
    return -1_005_000_000 - n


async def seed(
    db: Database, now: datetime, due_in: timedelta, *, voting: int = VOTING, crowd: int = CROWD
) -> None:
    """``voting`` secretariats with an electronic vote opened 3 h ago whose "2 hours
    before the deadline" reminder falls due ``due_in`` from ``now`` for its 5 titulars
    (none voted): a burst of 120 reminders at one moment, once the replicas are up; and
    two secretariats with ``crowd`` observers each."""
    for n in range(voting + 2):
        async with db.begin() as session:
            created = await secretariats.create(
                session, now=now, admin_id=9001, name=f"Municipio {n}", ttl=timedelta(days=7)
            )
            await invitations.redeem(
                session,
                token=created.token,
                telegram_user_id=facilitator(n),
                profile_name="Facilitadora",
                now=now,
            )
            target = Target(
                created.secretariat_id,
                f"Municipio {n}",
                Membership(created.secretariat_id, f"Municipio {n}", 1, 1, Role.FACILITADOR),
            )
            await secretariats.link_group(
                session, now=now, target=target, chat_id=group(n), title=f"STM {n}"
            )
            who = [(Role.TITULAR, seat, titular(n, i)) for i, seat in enumerate(SEATS)]
            if n >= voting:
                who += [(Role.OBSERVADOR, None, observer(n, k)) for k in range(crowd)]
            for role, seat, uid in who:
                invited = await roster.add_member(
                    session,
                    now=now,
                    target=target,
                    role=role,
                    name=f"Persona {uid}",
                    seat_key=seat,
                    ttl=timedelta(days=7),
                )
                await invitations.redeem(
                    session, token=invited.token, telegram_user_id=uid, profile_name="", now=now
                )
            await linking.claim(session, secretariat_id=created.secretariat_id, now=now)
            if n < voting:
                asked = await votes.open_vote(
                    session, now=now, target=target, text=f"Aprobar el informe {n}"
                )
                assert isinstance(asked, votes.NeedsDeadline)
                await votes.set_deadline(
                    session,
                    now=now,
                    target=target,
                    vote_id=asked.vote_id,
                    deadline=now + timedelta(hours=1),
                )
    async with db.begin() as session:
        await session.execute(
            update(Vote).values(
                opened_at=now - timedelta(hours=3), deadline=now + timedelta(hours=2) + due_in
            )
        )


def people(fake: FakeBotAPI, *, voting: int = VOTING, crowd: int = CROWD) -> None:
    for n in range(voting + 2):
        fake.add_user(facilitator(n), "Facilitadora", started=True)
        fake.add_group(group(n), f"STM {n}")
        for i in range(len(SEATS)):
            fake.add_user(titular(n, i), "Titular", started=True)
        if n >= voting:
            for k in range(crowd):
                fake.add_user(observer(n, k), "Observadora", started=True)


class Replica:
    """One ``python -m bot`` in webhook mode on its own port, its log in a file."""

    def __init__(self, name: str, url: str, fake: FakeBotAPI, hook_port: int, tmp: Path) -> None:
        self.name, self.url, self.fake, self.tmp = name, url, fake, tmp
        self.port = free_port()
        self.hook_port = hook_port
        self.log = tmp / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = bot_env(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_URL=self.fake.url,
            DATABASE_URL=self.url,
            DATA_DIR=str(self.tmp / "data"),  # shared by the replicas, as in compose.yaml
            LOG_LEVEL="INFO",
            WEB_PORT=str(self.port),
            TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{self.hook_port}{HOOK}",
            TELEGRAM_WEBHOOK_SECRET=SECRET,
        )
        self.process = start_bot(env, self.tmp, self.log)

    def text(self) -> str:
        return self.log.read_text() if self.log.exists() else ""

    async def wait_in_log(self, marker: str, timeout: float = 60) -> float:  # noqa: ASYNC109
        deadline = time.monotonic() + timeout
        while marker not in self.text():
            assert self.process is not None
            assert self.process.poll() is None, self.text()[-3000:]
            assert time.monotonic() < deadline, (
                f"{self.name}: no {marker!r}\n{self.text()[-3000:]}"
            )
            await asyncio.sleep(0.02)
        return time.monotonic()

    def leads(self) -> bool:
        return ELECTED in self.text()

    def freeze(self) -> None:
        """SIGSTOP: the process starts nothing more (what it already wrote still travels)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
