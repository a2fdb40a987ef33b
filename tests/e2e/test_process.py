"""The real entry point: ``python -m bot`` against the fake Bot API, as an operator runs it."""

from __future__ import annotations

import json
import signal
import socket
from pathlib import Path

import httpx

from tests.fakebot import FakeBotAPI
from tests.harness import TOKEN, Harness, bind, setup_zamora, token_in
from tests.processes import bot_env, run_bot_async, start_bot, web_port


async def test_python_m_bot_migrates_polls_answers_and_stops(
    fake: FakeBotAPI, tmp_path: Path
) -> None:
    env = bot_env(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=fake.url,
        BOT_ADMINS="9001",
        LOG_LEVEL="DEBUG",
        WEB_PORT="0",  # the microsite on a free port, read back from the log (R19)
    )
    fake.add_user(9001, "Ada")
    log_path = tmp_path / "bot.log"  # a file, not a pipe: DEBUG output would fill a pipe
    process = start_bot(env, tmp_path, log_path)
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
        # R19: the same process serves the microsite, from the same database.
        port = await web_port(log_path)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as web:
            assert (await web.get("/healthz")).text == "ok"
            assert 'href="/zamora/"' in (await web.get("/")).text
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


async def test_a_busy_web_port_stops_the_start_with_one_line(
    fake: FakeBotAPI, tmp_path: Path
) -> None:
    """R19: the microsite cannot listen: the operator reads why, in one line, exit 2."""
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    env = bot_env(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=fake.url,
        WEB_PORT=str(busy.getsockname()[1]),
    )
    try:
        done = await run_bot_async(env, tmp_path)
    finally:
        busy.close()
    assert done.returncode == 2, done.stderr[-2000:]
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("stm-bot: el micrositio no puede escuchar en 127.0.0.1:")
    assert "WEB_PORT" in last


async def test_json_logs_are_one_object_per_line_naming_update_and_secretariat(
    fake: FakeBotAPI, tmp_path: Path
) -> None:
    """``LOG_FORMAT=json`` (issue 14): every line parses; update and secretariat named;
    the bot token and invitation tokens still redacted."""
    env = bot_env(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=fake.url,
        BOT_ADMINS="9001",
        LOG_LEVEL="DEBUG",
        LOG_FORMAT="json",
        WEB_PORT="no",
    )
    fake.add_user(9001, "Ada")
    fake.add_user(2001, "Claudia")
    log_path = tmp_path / "bot.log"
    process = start_bot(env, tmp_path, log_path)
    try:
        since = fake.mark()
        fake.send_text(9001, "/nuevo_stm Zamora")
        answer = await fake.wait_for("sendMessage", since=since, timeout=30, chat_id=9001)
        invitation = token_in(answer.text)
        since = fake.mark()
        fake.send_text(2001, f"/start {invitation}")
        await fake.wait_for("sendMessage", since=since, timeout=30, chat_id=2001)
        since = fake.mark()
        fake.send_text(2001, "/ajustes")
        await fake.wait_for("sendMessage", since=since, timeout=30, chat_id=2001)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    output = log_path.read_text(encoding="utf-8")
    assert process.returncode == 0, output[-3000:]
    entries = [json.loads(line) for line in output.splitlines() if line.strip()]
    assert all({"time", "level", "logger", "message"} <= set(e) for e in entries)
    assert any(e["message"].startswith("ready as @") for e in entries)
    assert any("update_id" in e for e in entries)
    assert any("secretariat" in e and "update_id" in e for e in entries)
    assert TOKEN.split(":")[1] not in output
    assert invitation not in output
