"""``python -m demo``: the fake Bot API, the seeded secretariat, the real bot, the page.

Order of events: a temporary directory (database, files, the bot's log); the fake Bot
API on 127.0.0.1 with a token made up for it; the seeding (demo/seeding.py); then the
real bot as its own process (``python -m bot``, polling the fake, SQLite in the
temporary directory, its microsite on ``WEB_PORT`` or a free port) and the page on
``DEMO_PORT`` (default 8090). Ctrl-C (or SIGTERM) stops the page, terminates the bot
(it drains its queued notices, like in production), stops the fake and removes the
temporary directory. Nothing listens beyond 127.0.0.1 and no token is needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import signal
import socket
import sys
import tempfile
from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from typing import Any, TypeVar

from bot.settings import Settings
from demo import cast, seeding
from demo.page import World, build_page
from domain.microsite import slugify
from tests.fakebot import FakeBotAPI
from web.server import WebError, WebServer

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PORT = 8090
HOST = "127.0.0.1"
#: The machine's deployment variables never reach the demo's bot.
_NOT_INHERITED = (
    "TELEGRAM_",
    "DATABASE_URL",
    "BOT_",
    "SMTP_",
    "FIRMA_",
    "WEB_",
    "PUBLIC_URL",
    "METRICS_TOKEN",
    "DATA_DIR",
    "LOG_",
)
_READY = "ready as @"
T = TypeVar("T")


class DemoError(Exception):
    """The demo cannot start; the message is the one line shown to the visitor."""


def port_setting(environ: Mapping[str, str], name: str, default: int | None) -> int:
    """A port from the environment (0 = any free one), or ``DemoError``."""
    raw = environ.get(name, "").strip()
    if not raw:
        if default is None:
            return _free_port()
        return default
    if not raw.isdigit() or int(raw) > 65535:
        raise DemoError(f"{name} debe ser un número de puerto (0–65535), no {raw!r}")
    return int(raw) or (_free_port() if default is None else 0)


def _free_port() -> int:
    """A port nobody listens on now (the bot's microsite needs a fixed one: its links)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def made_up_token() -> str:
    """A token shaped like @BotFather's, valid only for this run's fake."""
    return f"{secrets.randbelow(9 * 10**9) + 10**9}:{secrets.token_urlsafe(32)}"


def bot_env(settings: Settings, web_port: int) -> dict[str, str]:
    """The bot process's environment: ours minus deployment variables, plus the demo's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_NOT_INHERITED)}
    env.update(
        PYTHONPATH=str(ROOT),
        TELEGRAM_BOT_TOKEN=settings.token,
        TELEGRAM_API_URL=settings.api_url,
        DATABASE_URL=settings.database_url,
        DATA_DIR=str(settings.data_dir),
        BOT_ADMINS=",".join(str(a) for a in sorted(settings.admins)),
        WEB_HOST=HOST,
        WEB_PORT=str(web_port),
        LOG_LEVEL="INFO",
    )
    return env


async def _until(stop: asyncio.Event, work: Coroutine[Any, Any, T]) -> T | None:
    """``work``'s result, or ``None`` when ``stop`` is set first (``work`` cancelled)."""
    task = asyncio.ensure_future(work)
    stopping = asyncio.ensure_future(stop.wait())
    await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    if task.done():
        return task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return None


async def _bot_ready(process: asyncio.subprocess.Process, log_path: Path) -> None:
    """Wait for the bot's ``ready`` line (60 s); if it exits, say why."""
    for _ in range(600):
        text = await asyncio.to_thread(log_path.read_text, errors="replace")
        if _READY in text:
            return
        if process.returncode is not None:
            tail = "\n".join(text.splitlines()[-15:])
            raise DemoError(f"el bot terminó al arrancar (código {process.returncode}):\n{tail}")
        await asyncio.sleep(0.1)
    raise DemoError(f"el bot no arrancó en 60 s; su registro: {log_path}")


async def _terminate(process: asyncio.subprocess.Process) -> None:
    """SIGTERM (the bot drains its queued notices), SIGKILL after 20 s."""
    if process.returncode is None:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 20)
        except TimeoutError:
            process.kill()
            await process.wait()


async def run(environ: Mapping[str, str], say: Callable[[str], None], stop: asyncio.Event) -> None:
    """The whole demo until ``stop`` is set (or the bot process dies)."""
    demo_port = port_setting(environ, "DEMO_PORT", DEFAULT_PORT)
    web_port = port_setting(environ, "WEB_PORT", None)
    workdir = Path(tempfile.mkdtemp(prefix="stm-demo-"))
    clock = seeding.ShiftedClock()
    fake = FakeBotAPI(
        token=made_up_token(),
        bot_username=cast.BOT_USERNAME,
        bot_first_name=cast.BOT_NAME,
        clock=lambda: clock().timestamp(),
    )
    process: asyncio.subprocess.Process | None = None
    page: WebServer | None = None
    try:
        fake.start()
        seeding.add_people(fake)
        settings = Settings(
            token=fake.token,
            api_url=fake.url,
            database_url=f"sqlite+aiosqlite:///{workdir / 'stm.sqlite3'}",
            admins=frozenset({cast.ADMIN.chat_id}),
            data_dir=workdir / "data",
            web_port=None,  # the seeding serves no site; the bot process does
        )
        say("Preparando el secretariado de demostración (una sesión celebrada la semana pasada)…")
        say(f"Datos temporales (base de datos, archivos, registro del bot): {workdir}")
        held = await _until(stop, seeding.seed(fake, settings, clock))
        if held is None:
            return
        log_path = workdir / "bot.log"
        with log_path.open("wb") as log:  # the child keeps its own descriptor
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                cwd=workdir,  # no .env of the checkout is read
                env=bot_env(settings, web_port),
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches us; we stop the bot in order
            )
        if await _until(stop, _bot_ready(process, log_path)) is None and stop.is_set():
            return
        bot = process
        world = World(
            fake=fake,
            microsite_url=f"http://{HOST}:{web_port}/{slugify(cast.MUNICIPALITY)}/",
            held=held,
            clock=clock,
            bot_alive=lambda: bot.returncode is None,
        )
        page = WebServer(build_page(world), host=HOST, port=demo_port)  # the microsite's
        try:
            await page.start()
        except WebError:
            page = None
            raise DemoError(
                f"la página de la demostración no puede escuchar en {HOST}:{demo_port}; "
                "elige otro puerto con DEMO_PORT=…"
            ) from None
        say(f"Demostración lista: http://{HOST}:{page.port}/  (Ctrl-C para terminar)")
        say(f"Micrositio público del bot: {world.microsite_url}")
        await _until(stop, process.wait())
        if process.returncode is not None and not stop.is_set():
            say(f"El bot terminó (código {process.returncode}); la demostración se detiene.")
    finally:
        if page is not None:
            await page.stop()
        if process is not None:
            await _terminate(process)
        fake.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        say("Demostración detenida; se borraron sus datos temporales.")


def main() -> None:
    """Run until Ctrl-C; a problem is one line on stderr and exit code 2."""

    async def guarded() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await run(os.environ, lambda line: print(line, flush=True), stop)

    try:
        asyncio.run(guarded())
    except DemoError as exc:
        print(f"demo: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
