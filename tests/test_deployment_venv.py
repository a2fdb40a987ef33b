"""The image's command, run from a fresh virtualenv built the way the Dockerfile builds the
image (no Docker daemon here; ``tests/test_packaging.py`` reads the same Dockerfile).

From the Dockerfile's own lines: exactly what its ``COPY`` lines copy (less what
``.dockerignore`` keeps out) goes into a temporary ``WORKDIR``; a new venv gets the
``RUN``'s ``pip install .`` with the ``ENV`` set before it, from the package registry,
with wheels only (the slim image has no compiler: a dependency without a wheel would
break the image's build, so it fails here); the rest of that ``RUN`` is replayed. Then
the ``CMD`` runs from the ``WORKDIR`` with the image's ``ENV`` (its ``/app`` paths moved
into the temporary directory, ``WEB_PORT=0``), against the fake Bot API: it answers an
update, ``/healthz`` is 200, the ``HEALTHCHECK`` command succeeds, SIGTERM stops it
cleanly, and it wrote nothing outside ``DATA_DIR``.

What is not reproduced: the base image (the host's Python and its Debian libraries stand
in), the apt line (``test_packaging`` compares it with ``scripts/system-deps.sh``), and
the non-root user (the code and venv stay root's; the test checks instead that nothing
outside ``DATA_DIR`` was written). ~30 s, most of it pip downloading.
"""

from __future__ import annotations

import asyncio
import fnmatch
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
from pathlib import Path

import httpx
import pytest

from tests.fakebot import FakeBotAPI
from tests.harness import TOKEN, token_in
from tests.processes import start_bot, web_port
from tests.test_packaging import Dockerfile, dockerfile

ROOT = Path(__file__).resolve().parents[1]


def _copy_context(image: Dockerfile, workdir: Path) -> None:
    """What the ``COPY`` lines put in ``WORKDIR``, honouring ``.dockerignore``."""
    patterns = [
        line.strip().removeprefix("**/")
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def ignore(_directory: str, names: list[str]) -> set[str]:
        return {n for n in names if any(fnmatch.fnmatch(n, p) for p in patterns)}

    for sources, destination in image.copies():
        target = workdir / destination
        for source in sources:
            if (ROOT / source).is_dir():
                shutil.copytree(ROOT / source, target, ignore=ignore)
            else:
                assert destination.endswith("/"), destination
                target.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / source, target / source)


def _moved(value: str, image_workdir: str, workdir: Path) -> str:
    """An image path (under ``WORKDIR``) moved into the temporary directory."""
    return value.replace(image_workdir.rstrip("/") + "/", f"{workdir}/")


def _base_env(home: Path) -> dict[str, str]:
    """A clean environment (nothing of this test run, no ``PYTHONPATH``): the base
    image's ``LANG``, a home, and the registry settings pip is configured with here."""
    env = {
        "LANG": "C.UTF-8",
        "HOME": str(home),
        "PATH": "/usr/local/bin:/usr/bin:/bin",
    }
    env.update({k: v for k, v in os.environ.items() if k.startswith("PIP_")})
    return env


def _build(image: Dockerfile, workdir: Path, venv: Path, home: Path) -> None:
    """The ``RUN`` that installs the project, step by step, into ``venv``."""
    run = next(r for r in image.all("RUN") if "pip install" in r)
    env = _base_env(home) | image.env(before="RUN") | {"PATH": f"{venv}/bin:/usr/bin:/bin"}
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    for step in (s.split() for s in run.split("&&")):
        if step[:2] == ["pip", "install"]:
            done = subprocess.run(
                [f"{venv}/bin/python", "-m", "pip", *step[1:], "--only-binary=:all:"],
                cwd=workdir,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        elif step[:2] == ["rm", "-rf"]:
            for path in step[2:]:
                shutil.rmtree(workdir / path)  # it must exist: else the line is stale
        elif step[:2] == ["mkdir", "-p"]:
            for path in step[2:]:
                (workdir / Path(_moved(path, image.one("WORKDIR"), workdir))).mkdir(
                    parents=True, exist_ok=True
                )
        else:
            # The user and the ownership of the data: root's business, not reproduced.
            assert step[0] in ("groupadd", "useradd", "chown"), f"teach this test: {step}"


def _files(directory: Path, *, skip: str = "") -> dict[str, int]:
    """Every file under ``directory`` (relative path → size), except under ``skip``."""
    return {
        str(p.relative_to(directory)): p.stat().st_size
        for p in directory.rglob("*")
        if p.is_file() and not (skip and p.relative_to(directory).parts[0] == skip)
    }


async def test_the_image_command_runs_from_a_venv_built_like_the_image(
    fake: FakeBotAPI, tmp_path: Path
) -> None:
    image = dockerfile()
    base = re.fullmatch(r"python:(\d+\.\d+)-\S+", image.one("FROM"))
    assert base, image.one("FROM")
    if f"{sys.version_info.major}.{sys.version_info.minor}" != base[1]:
        pytest.skip(f"the image has Python {base[1]}; this run has {sys.version.split()[0]}")
    image_workdir = image.one("WORKDIR")
    workdir, venv, home = tmp_path / "app", tmp_path / "venv", tmp_path / "home"
    home.mkdir()
    _copy_context(image, workdir)
    await asyncio.to_thread(_build, image, workdir, venv, home)

    # What pip installed is the whole of what was copied (package data included): the
    # `stm-bot` script and any import from outside WORKDIR use that copy.
    purelib = Path(sysconfig.get_path("purelib", vars={"base": str(venv)}))
    for package in ("bot", "handlers", "scheduler", "storage", "domain", "web"):
        copied = _files(workdir / package)
        installed = _files(purelib / package)
        assert set(copied) <= set(installed), set(copied) - set(installed)
    assert (venv / "bin" / "stm-bot").is_file()
    # The compiled dependencies load, and WeasyPrint finds Pango (the host's here).
    await asyncio.to_thread(_probe_dependencies, venv, home)

    # The image's CMD, from WORKDIR, with the image's ENV.
    env = _base_env(home) | {"PATH": f"{venv}/bin:/usr/local/bin:/usr/bin:/bin"}
    env.update({k: _moved(v, image_workdir, workdir) for k, v in image.env().items()})
    data = Path(env["DATA_DIR"])
    assert data == workdir / "data"
    assert await asyncio.to_thread(data.is_dir)  # made by the RUN, as in the image
    assert env["DATABASE_URL"] == f"sqlite+aiosqlite:///{data}/stm.sqlite3"
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=fake.url,
        BOT_ADMINS="9001",
        WEB_PORT="0",  # any free port, read back from the log
    )
    command = json.loads(image.one("CMD"))
    executable = shutil.which(command[0], path=env["PATH"])
    assert executable == f"{venv}/bin/{command[0]}"
    before = _files(workdir, skip="data")
    fake.add_user(9001, "Ada")
    log_path = tmp_path / "bot.log"
    process = start_bot(env, workdir, log_path, [executable, *command[1:]])
    try:
        since = fake.mark()
        fake.send_text(9001, "/nuevo_stm Zamora")
        answer = await fake.wait_for("sendMessage", since=since, timeout=60, chat_id=9001)
        token_in(answer.text)  # the invitation: the update was handled
        port = await web_port(log_path)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as web:
            health = await web.get("/healthz")
            assert (health.status_code, health.text) == (200, "ok")
        # The image's HEALTHCHECK, as Docker runs it inside the container.
        _, check = image.healthcheck()
        probed = await asyncio.to_thread(
            subprocess.run,
            [shutil.which(check[0], path=env["PATH"]) or check[0], *check[1:]],
            env=env | {"WEB_PORT": str(port)},
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert probed.returncode == 0, probed.stderr
    finally:
        process.send_signal(signal.SIGTERM)  # what `docker stop` sends
        await asyncio.to_thread(process.wait, 60)
    output = log_path.read_text(encoding="utf-8")
    assert process.returncode == 0, output[-3000:]
    assert "ready as @stm_prueba_bot" in output
    assert "Traceback" not in output, output[-3000:]
    assert (data / "stm.sqlite3").is_file()
    # Nothing written outside DATA_DIR: in the image the code is root's, the process not.
    assert _files(workdir, skip="data") == before


def _probe_dependencies(venv: Path, home: Path) -> None:
    """Import the dependencies with compiled parts and render a PDF, from outside WORKDIR."""
    probe = subprocess.run(
        [
            f"{venv}/bin/python",
            "-c",
            "import asyncpg, cryptography, lxml, pyhanko, weasyprint;"
            "assert weasyprint.HTML(string='<p>Acta nº 1</p>').write_pdf()[:5] == b'%PDF-'",
        ],
        cwd=home,
        env=_base_env(home),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert probe.returncode == 0, probe.stderr[-3000:]


