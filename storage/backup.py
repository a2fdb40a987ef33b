"""Portable backups: the whole database and every stored file in one ZIP (issue 14).

The same archive for SQLite and PostgreSQL: each table as JSON lines (values typed by the
model's columns, not by the backend: datetimes as ISO 8601 UTC, dates, times, JSON as
JSON), written in foreign-key order, plus every file of the ``FileStore`` under its
SHA-256, and a manifest with the schema revision, the row count of every table and the
hash of every file. So a backup of a SQLite deployment restores into PostgreSQL (that is
``migrate-sqlite-to-postgres``), and a restore checks everything it reads.

A restore goes only into an *empty* database and only with the schema revision the backup
was made with (the version of stm-bot that made it; once the bot starts, the restored
database is migrated as usual): the schema is created, the rows are inserted in the same
order and PostgreSQL's id sequences are moved past the restored ids. Anything that
does not add up (a table with rows already, a missing file, a hash or a count that does
not match) stops the restore before it commits.
"""

from __future__ import annotations

import base64
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Connection,
    Date,
    Integer,
    LargeBinary,
    Table,
    Time,
    func,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.files import FileStore, sha256_hex
from storage.migrate import head_revision, upgrade
from storage.models import Base
from storage.models.base import UTCDateTime

__all__ = ["FORMAT", "BackupError", "Summary", "backup", "restore"]

#: Bump when the archive's layout changes (not when the schema does: that is the revision).
FORMAT = 1
_BATCH = 1000


class BackupError(Exception):
    """The archive or the target cannot be used; the message says why, for the operator."""


@dataclass(frozen=True)
class Summary:
    """What a backup holds or a restore wrote."""

    revision: str
    rows: dict[str, int]
    files: int


def _encode(column: Column[Any], value: Any) -> Any:
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return value.astimezone(UTC).isoformat()
    if isinstance(kind, Date):
        return value.isoformat()
    if isinstance(kind, Time):
        return value.isoformat()
    if isinstance(kind, LargeBinary):
        return base64.b64encode(value).decode()
    return value  # str, int, bool, JSON values


def _decode(column: Column[Any], value: Any) -> Any:
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    if isinstance(kind, Time):
        return time.fromisoformat(value)
    if isinstance(kind, LargeBinary):
        return base64.b64decode(value)
    if isinstance(kind, Boolean):
        return bool(value)
    if isinstance(kind, (Integer, BigInteger)) and not isinstance(kind, Boolean):
        return int(value)
    if isinstance(kind, JSON):
        return value
    return value


def _tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)  # parents before children


def _revision(connection: Connection) -> str:
    return str(connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one())


async def backup(engine: AsyncEngine, files: FileStore, path: Path) -> Summary:
    """Write the archive to ``path`` (a new file; an existing one is refused)."""
    if path.exists():  # noqa: ASYNC240 - a command-line job: nothing else runs in this loop
        raise BackupError(f"{path} ya existe: elige otro nombre (nunca se sobrescribe).")
    rows: dict[str, int] = {}
    hashes: set[str] = set()
    tmp = path.with_name(f".{path.name}.partial")
    async with engine.connect() as conn:
        revision = await conn.run_sync(_revision)
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for table in _tables():
                count = 0
                with archive.open(f"tables/{table.name}.jsonl", "w") as out:
                    ordered = select(table).order_by(*table.primary_key.columns)
                    result = await conn.stream(ordered.execution_options(yield_per=_BATCH))
                    async for row in result:
                        record = {c.name: _encode(c, row._mapping[c.name]) for c in table.columns}
                        out.write(json.dumps(record, ensure_ascii=False).encode() + b"\n")
                        count += 1
                        if table.name == "stored_files":
                            hashes.add(record["sha256"])
                rows[table.name] = count
            for sha in sorted(hashes):
                archive.writestr(f"files/{sha}", files.get(sha))  # re-checked on the way
            manifest = {
                "format": FORMAT,
                "revision": revision,
                "rows": rows,
                "files": sorted(hashes),
            }
            archive.writestr("manifest.json", json.dumps(manifest, indent=1))
    tmp.rename(path)
    return Summary(revision, rows, len(hashes))


def _manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads(archive.read("manifest.json"))
    except (KeyError, ValueError) as exc:
        raise BackupError(f"no es un respaldo de stm-bot (manifest.json: {exc}).") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"formato de respaldo {manifest.get('format')!r} no soportado.")
    return manifest


def _lines(archive: zipfile.ZipFile, table: Table) -> Iterator[dict[str, Any]]:
    with archive.open(f"tables/{table.name}.jsonl") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


async def restore(engine: AsyncEngine, files: FileStore, path: Path) -> Summary:
    """Restore ``path`` into the empty database of ``engine`` and into ``files``."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise BackupError(f"no se puede leer {path}: {exc}") from None
    with archive:
        manifest = _manifest(archive)
        revision = str(manifest["revision"])
        if revision != head_revision():
            raise BackupError(
                f"el respaldo es del esquema {revision} y esta versión usa el "
                f"{head_revision()}: restáuralo con la versión de stm-bot que lo hizo (al "
                f"arrancar, el bot migra la base restaurada)."
            )
        for sha in manifest["files"]:  # every file first: nothing is written if one is bad
            if sha256_hex(archive.read(f"files/{sha}")) != sha:
                raise BackupError(f"el archivo {sha} del respaldo está dañado.")
        await upgrade(engine, revision)
        async with engine.begin() as conn:
            for table in _tables():
                present = (await conn.execute(select(func.count()).select_from(table))).scalar()
                if present:
                    raise BackupError(
                        f"la base de datos no está vacía (la tabla {table.name} tiene "
                        f"{present} filas): restaura en una base nueva."
                    )
            written: dict[str, int] = {}
            for table in _tables():
                count, batch = 0, []
                for record in _lines(archive, table):
                    batch.append({c.name: _decode(c, record.get(c.name)) for c in table.columns})
                    if len(batch) >= _BATCH:
                        await conn.execute(table.insert(), batch)
                        count, batch = count + len(batch), []
                if batch:
                    await conn.execute(table.insert(), batch)
                    count += len(batch)
                if count != manifest["rows"].get(table.name, 0):
                    raise BackupError(
                        f"{table.name}: {count} filas en el respaldo, el manifiesto dice "
                        f"{manifest['rows'].get(table.name, 0)}."
                    )
                written[table.name] = count
            if conn.dialect.name == "postgresql":
                for table in _tables():
                    key = list(table.primary_key.columns)
                    if (
                        len(key) == 1
                        and key[0].autoincrement is not False
                        and isinstance(key[0].type, Integer)
                    ):
                        await conn.execute(
                            text(
                                f"SELECT setval(pg_get_serial_sequence('{table.name}', "
                                f"'{key[0].name}'), COALESCE(MAX({key[0].name}), 0) + 1, false) "
                                f"FROM {table.name}"
                            )
                        )
        for sha in manifest["files"]:
            files.put(archive.read(f"files/{sha}"))
    return Summary(revision, written, len(manifest["files"]))
