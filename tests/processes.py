"""The real ``python -m bot`` as an operator starts it: environment, run, start, read back.

Shared by the tests that need a separate process (the entry point, durability across a
kill, webhook mode, the data commands): one place builds the child's environment (the
parent's, without any ``DATABASE_URL``/``BOT_*`` of the machine, with the project on
``PYTHONPATH``) and reads where the microsite listens from the child's log.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_LISTENING = re.compile(r"micrositio en http://[^:/]+:(\d+)")


def bot_env(**variables: str) -> dict[str, str]:
    """The child's environment: ours minus deployment variables, plus ``variables``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "BOT_"))}
    env.update(PYTHONPATH=str(ROOT), **variables)
    return env


def run_bot(
    env: dict[str, str], cwd: Path, *args: str, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """``python -m bot [args]`` until it exits (a refusal, a data command)."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


async def run_bot_async(
    env: dict[str, str], cwd: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    """``run_bot`` in a thread, so the fake Bot API in this loop can answer the child."""
    return await asyncio.to_thread(run_bot, env, cwd, *args)


def start_bot(
    env: dict[str, str], cwd: Path, log_path: Path, command: list[str] | None = None
) -> subprocess.Popen[bytes]:
    """``python -m bot`` (or ``command``) in the background, its output in ``log_path`` (a
    file, not a pipe: DEBUG output would fill a pipe)."""
    with log_path.open("w") as log:  # the child keeps its own descriptor
        return subprocess.Popen(
            command or [sys.executable, "-m", "bot"], cwd=cwd, env=env, stdout=log, stderr=log
        )


async def web_port(log_path: Path) -> int:
    """The port of the ``micrositio en http://…:<port>`` line the bot logs when it serves
    (within 30 s)."""
    for _ in range(300):
        match = _LISTENING.search(await asyncio.to_thread(log_path.read_text))
        if match:
            return int(match[1])
        await asyncio.sleep(0.1)
    raise AssertionError("the bot did not say where the microsite listens")
