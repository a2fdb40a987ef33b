"""The real entry point: ``python -m bot`` against the fake Bot API, as an operator runs it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.fakebot import FakeBotAPI
from tests.harness import TOKEN, Harness, bind, setup_zamora, token_in

ROOT = Path(__file__).resolve().parents[2]


async def test_python_m_bot_migrates_polls_answers_and_stops(
    fake: FakeBotAPI, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "BOT_"))}
    env.update(
        PYTHONPATH=str(ROOT),
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=fake.url,
        BOT_ADMINS="9001",
        LOG_LEVEL="DEBUG",
    )
    fake.add_user(9001, "Ada")
    log_path = tmp_path / "bot.log"  # a file, not a pipe: DEBUG output would fill a pipe
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: ASYNC220 - a child process we stop ourselves
            [sys.executable, "-m", "bot"], cwd=tmp_path, env=env, stdout=log, stderr=log
        )
    try:
        since = fake.mark()
        fake.send_text(9001, "/nuevo_stm Zamora")
        answer = await fake.wait_for("sendMessage", since=since, timeout=30, chat_id=9001)
        invitation = token_in(answer.text)
        assert [c["command"] for c in fake.commands_for({"type": "default"})] == [
            "start",
            "ayuda",
            "privacidad",
            "verificar",
        ]
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    output = log_path.read_text(encoding="utf-8")
    assert process.returncode == 0, output[-3000:]
    assert (tmp_path / "data" / "stm.sqlite3").is_file()  # default database, created
    assert "ready as @stm_prueba_bot" in output
    assert "sendMessage" in output  # DEBUG logs carry request bodies...
    assert TOKEN.split(":")[1] not in output  # ...but never the bot token
    assert invitation not in output  # ...nor an invitation token


async def test_a_member_who_blocked_the_bot_does_not_stop_anything(harness: Harness) -> None:
    """403 "bot was blocked by the user" on a side notice: the main act still completes."""
    z = await setup_zamora(harness, link_group=False)
    token = token_in(await harness.say(z.facilitator, "/alta observador Ana"))
    harness.fake.add_user(3005, "Ana")
    harness.fake.block(z.facilitator)
    harness.clock.advance(minutes=2)  # a quiet minute: the linking notice goes out at once
    since = harness.fake.mark()
    assert "Listo" in await bind(harness, 3005, token)
    refused = await harness.fake.wait_for("sendMessage", since=since, chat_id=z.facilitator)
    assert refused.status == 403
    assert "blocked" in (refused.description or "")
    assert "observador(a)" in await harness.say(3005, "/start")  # the bot kept running
