"""``stm-bot backup`` / ``restore`` / ``migrate-sqlite-to-postgres`` (issue 14).

A whole public record (a held session with roll call, votes and per-seat ballots, signed
minutes, evidence, agreements, a commitment, a convened session and its reminders) is
backed up from SQLite or PostgreSQL, restored into a fresh database of the other kind too,
and compared table by table and file by file; the bot then starts on the restored copy
and serves the same minutes.
"""

from __future__ import annotations

import asyncio
import subprocess
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from storage.backup import BackupError, backup, restore
from storage.db import make_engine, make_sessionmaker
from storage.files import FileStore, sha256_hex
from storage.migrate import upgrade
from storage.models import Secretariat
from storage.services import act_chain
from tests.clock import FakeClock
from tests.databases import (
    ensure_postgres_database,
    postgres_base_url,
    postgres_unavailable,
    postgres_url,
    prepare_postgres,
)
from tests.fakebot import FakeBotAPI
from tests.harness import ADMIN_ID, Harness, start_harness
from tests.processes import bot_env, run_bot
from tests.web.public_record import seed_public_record


def _tables(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n.startswith("tables/")}


async def _fresh_postgres() -> str:
    base = postgres_base_url()
    if await postgres_unavailable(base):
        pytest.skip("PostgreSQL not reachable: the restore into PostgreSQL is not tested")
    url = make_url(postgres_url())
    target = url.set(database=f"{url.database}_restore").render_as_string(hide_password=False)
    await ensure_postgres_database(base, target)
    await prepare_postgres(target)  # empty schema at head
    return target


async def test_backup_restore_round_trip_and_the_bot_starts_on_it(
    harness: Harness, database_url: str, tmp_path: Path, fake: FakeBotAPI
) -> None:
    await seed_public_record(harness)
    source = tmp_path / "respaldo.zip"
    engine = make_engine(database_url)
    made = await backup(engine, harness.app.files, source)
    await engine.dispose()
    assert made.rows["meetings"] == 2
    assert made.rows["vote_seat_ballots"] > 0
    assert made.rows["minutes_signatures"] > 0
    assert "reminders" in made.rows  # the ledger travels too (compared below)
    assert made.files >= 3  # minutes versions, the signed file, the evidence

    # Into a fresh SQLite file and, from SQLite, a fresh PostgreSQL database (the
    # migrate-sqlite-to-postgres path): the same rows, byte for byte, and the same files.
    targets = [f"sqlite+aiosqlite:///{tmp_path / 'restaurada' / 'stm.sqlite3'}"]
    if database_url.startswith("sqlite"):
        targets.append(await _fresh_postgres())
    for n, target in enumerate(targets):
        files = FileStore(tmp_path / f"datos-{n}")
        engine = make_engine(target)
        restored = await restore(engine, files, source)
        again = tmp_path / f"otra-vez-{n}.zip"
        await backup(engine, files, again)
        async with make_sessionmaker(engine)() as session:  # issue 15: the chain survives
            checked = await act_chain.verify_all(session)
        await engine.dispose()
        assert checked
        assert all(v.mismatch is None and v.position > 0 for v in checked)
        assert restored.rows == made.rows
        assert _tables(again) == _tables(source)
        with zipfile.ZipFile(source) as archive:
            for name in archive.namelist():
                if name.startswith("files/"):
                    sha = name.removeprefix("files/")
                    assert sha256_hex(files.get(sha)) == sha

    # The bot runs on the restored copy and its microsite shows the same signed minutes.
    with zipfile.ZipFile(source) as archive:
        signed = [n for n in archive.namelist() if n.startswith("files/")]
    clock = FakeClock(harness.clock.current)
    async with start_harness(
        fake, targets[0], clock, admins={ADMIN_ID}, data_dir=tmp_path / "datos-0"
    ) as revived:
        async with httpx.AsyncClient(base_url=revived.web_url) as web:
            page = (await web.get("/zamora/actas")).text
        assert any(name.removeprefix("files/") in page for name in signed)


async def test_restore_refuses_a_database_with_rows_and_a_damaged_archive(
    harness: Harness, database_url: str, tmp_path: Path
) -> None:
    await seed_public_record(harness, signed=False)
    path = tmp_path / "respaldo.zip"
    engine = make_engine(database_url)
    try:
        await backup(engine, harness.app.files, path)
        with pytest.raises(BackupError, match="ya existe"):
            await backup(engine, harness.app.files, path)  # never overwritten
        with pytest.raises(BackupError, match="no está vacía"):
            await restore(engine, harness.app.files, path)
    finally:
        await engine.dispose()
    broken = tmp_path / "roto.zip"
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(broken, "w") as new:
        for name in old.namelist():
            data = old.read(name)
            new.writestr(name, data + b"x" if name.startswith("files/") else data)
    fresh = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'nueva' / 'stm.sqlite3'}")
    try:
        with pytest.raises(BackupError, match="dañado"):
            await restore(fresh, FileStore(tmp_path / "d"), broken)
    finally:
        await fresh.dispose()
    assert not (tmp_path / "d" / "files").exists()  # nothing written


def _cli(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = bot_env(**env)
    environ.pop("TELEGRAM_BOT_TOKEN", None)  # the data commands need no token
    return run_bot(environ, cwd, *args, timeout=120)


async def _one_secretariat(url: str) -> None:
    engine = make_engine(url)
    await upgrade(engine)
    async with make_sessionmaker(engine).begin() as session:
        session.add(Secretariat(name="Zamora", created_at=datetime.now(UTC), created_by=1))
    await engine.dispose()


def test_the_commands_from_the_shell(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'uno' / 'stm.sqlite3'}"
    asyncio.run(_one_secretariat(url))
    done = _cli(["backup", "r.zip"], tmp_path, DATABASE_URL=url, DATA_DIR="datos")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("stm-bot: respaldo r.zip:")
    assert "filas de" in done.stdout
    again = _cli(["backup", "r.zip"], tmp_path, DATABASE_URL=url)
    assert again.returncode == 2
    assert again.stderr.strip().splitlines() == [again.stderr.strip()]  # one line
    target = f"sqlite+aiosqlite:///{tmp_path / 'dos' / 'stm.sqlite3'}"
    back = _cli(["restore", "r.zip"], tmp_path, DATABASE_URL=target, DATA_DIR="datos2")
    assert back.returncode == 0, back.stderr
    twice = _cli(["restore", "r.zip"], tmp_path, DATABASE_URL=target)
    assert twice.returncode == 2
    assert "no está vacía" in twice.stderr
    wrong = _cli(["respaldar"], tmp_path)
    assert wrong.returncode == 2
    assert "uso: stm-bot backup" in wrong.stderr
    not_sqlite = _cli(
        ["migrate-sqlite-to-postgres", "postgresql+asyncpg://postgres@127.0.0.1/x"],
        tmp_path,
        DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1/y",
    )
    assert not_sqlite.returncode == 2
    assert "no es SQLite" in not_sqlite.stderr
