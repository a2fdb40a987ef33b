"""Webhook mode (issue 14): ``python -m bot`` receives updates on the microsite's server.

The fake Bot API plays Telegram: once ``setWebhook`` is called it POSTs every injected
update to the webhook with the secret header instead of answering getUpdates. A forged
request (wrong or missing secret) is refused with 403 and changes nothing.
"""

from __future__ import annotations

import signal
import socket
import time
from pathlib import Path

import httpx

from tests.fakebot import FakeBotAPI
from tests.harness import TOKEN, token_in
from tests.processes import bot_env, run_bot, run_bot_async, start_bot

SECRET = "s3creto_de-prueba_0123456789"
HOOK = "/telegram/recibir"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


def _free_port() -> int:
    """A port nobody listens on now: the webhook URL must name it before the bot starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _forged(update_id: int, text: str) -> dict[str, object]:
    """A well-formed update that did not come from Telegram."""
    ada = {"id": 9001, "is_bot": False, "first_name": "Ada"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 77,
            "date": int(time.time()),
            "chat": {"id": 9001, "type": "private", "first_name": "Ada"},
            "from": ada,
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
        },
    }


async def test_webhook_mode_sets_the_hook_answers_through_it_and_refuses_forgeries(
    fake: FakeBotAPI, tmp_path: Path
) -> None:
    port = _free_port()
    env = bot_env(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=fake.url,
        BOT_ADMINS="9001",
        LOG_LEVEL="DEBUG",  # request bodies are logged: setWebhook's secret must not be
        WEB_PORT=str(port),
        TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}{HOOK}",
        TELEGRAM_WEBHOOK_SECRET=SECRET,
    )
    fake.add_user(9001, "Ada")
    log_path = tmp_path / "bot.log"
    process = start_bot(env, tmp_path, log_path)
    try:
        hooked = await fake.wait_for("setWebhook", timeout=30)
        assert hooked.params["url"] == f"http://127.0.0.1:{port}{HOOK}"
        assert hooked.params["secret_token"] == SECRET
        assert sorted(hooked.params["allowed_updates"]) == [
            "callback_query",
            "message",
            "my_chat_member",
        ]
        assert not hooked.params.get("drop_pending_updates")
        await fake.wait_for("setMyCommands", timeout=30)  # start-up goes on after the hook

        since = fake.mark()
        update_id = fake.send_text(9001, "/nuevo_stm Zamora")
        answer = await fake.wait_for("sendMessage", since=since, timeout=30, chat_id=9001)
        token_in(answer.text)  # the invitation: the update came in by the webhook
        assert (update_id, 200) in fake.webhook_posts()
        assert fake.calls_to("getUpdates") == []  # no polling in webhook mode
        assert fake.calls_to("deleteWebhook") == []

        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as web:
            forged = _forged(990001, "/nuevo_stm Jacona")
            wrong = await web.post(HOOK, json=forged, headers={HEADER: "adivinado"})
            assert wrong.status_code == 403
            missing = await web.post(HOOK, json=forged)
            assert missing.status_code == 403
            prefix = await web.post(HOOK, json=forged, headers={HEADER: SECRET[:-1]})
            assert prefix.status_code == 403
            assert (await web.get(HOOK)).status_code == 405
            # With the secret but not an update: refused, nothing queued.
            garbage = await web.post(HOOK, content=b"{no es json", headers={HEADER: SECRET})
            assert garbage.status_code == 400
            huge = await web.post(HOOK, content=b" " * (2 << 20), headers={HEADER: SECRET})
            assert huge.status_code == 413
            # A real update after the forgeries: answered; the forged ones never were.
            since = fake.mark()
            fake.send_text(9001, "/ayuda")
            await fake.wait_for("sendMessage", since=since, timeout=30, chat_id=9001)
            assert len(fake.sent_to(9001, since=since)) == 1
            home = (await web.get("/")).text
            assert 'href="/zamora/"' in home
            assert "jacona" not in home.lower()  # no secretariat created by a forgery
            assert (await web.get("/healthz")).text == "ok"
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    output = log_path.read_text(encoding="utf-8")
    assert process.returncode == 0, output[-3000:]
    assert "ready as @stm_prueba_bot" in output
    assert "setWebhook" in output  # DEBUG logs carry request bodies...
    assert SECRET not in output  # ...but never the webhook secret
    assert TOKEN.split(":")[1] not in output
    assert "webhook: request from 127.0.0.1 refused (wrong secret token)" in output
    assert "webhook: request from 127.0.0.1 refused (missing secret token)" in output
    assert "Jacona" not in output


async def test_webhook_mode_refuses_to_start_without_the_site(
    fake: FakeBotAPI, tmp_path: Path
) -> None:
    """The updates arrive through the microsite's server: ``WEB_PORT=no`` cannot go."""
    env = bot_env(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=fake.url,
        WEB_PORT="no",
        TELEGRAM_WEBHOOK_URL="https://stm.zamora.gob.mx/telegram/recibir",
        TELEGRAM_WEBHOOK_SECRET=SECRET,
    )
    done = run_bot(env, tmp_path)  # refused before any network or database use
    assert done.returncode == 2, done.stderr[-2000:]
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("stm-bot: WEB_PORT=no no puede ir con TELEGRAM_WEBHOOK_URL")
    assert SECRET not in done.stderr
    assert fake.calls == []


async def test_a_busy_port_in_webhook_mode_stops_before_set_webhook(
    fake: FakeBotAPI, tmp_path: Path
) -> None:
    """The site cannot listen: one line, exit 2, and Telegram is not told to call it."""
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    port = busy.getsockname()[1]
    env = bot_env(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=fake.url,
        WEB_PORT=str(port),
        TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}{HOOK}",
        TELEGRAM_WEBHOOK_SECRET=SECRET,
    )
    try:
        done = await run_bot_async(env, tmp_path)
    finally:
        busy.close()
    assert done.returncode == 2, done.stderr[-2000:]
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("stm-bot: el micrositio no puede escuchar en 127.0.0.1:")
    assert fake.calls_to("setWebhook") == []
    assert SECRET not in done.stderr
