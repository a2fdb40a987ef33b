"""Migrations match the models on both backends; invariants are database constraints (R1)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import IntegrityError

from storage.db import Database, make_engine
from storage.migrate import alembic_config, upgrade
from storage.models import Base, Member, Seat, Secretariat

NOW = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)


async def test_models_and_migrations_agree(database_url: str) -> None:
    engine = make_engine(database_url)

    def check(connection: Connection) -> None:
        command.check(alembic_config(connection))  # raises when autogenerate finds a diff

    async with engine.connect() as conn:
        await conn.run_sync(check)
    await engine.dispose()


async def test_migrations_go_down_and_up_again(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'fresh' / 'stm.sqlite3'}")
    await upgrade(engine)
    await upgrade(engine)  # idempotent at head

    def down(connection: Connection) -> None:
        command.downgrade(alembic_config(connection), "base")

    async with engine.begin() as conn:
        await conn.run_sync(down)
        tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
    assert tables == ["alembic_version"]
    await upgrade(engine)
    async with engine.connect() as conn:
        tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
    assert set(tables) == {t.name for t in Base.metadata.sorted_tables} | {"alembic_version"}
    await engine.dispose()


async def _secretariat_with_seat(db: Database) -> tuple[int, int]:
    async with db.begin() as session:
        secretariat = Secretariat(name="Zamora", created_at=NOW, created_by=1)
        session.add(secretariat)
        await session.flush()
        seat = Seat(
            secretariat_id=secretariat.id,
            key="gobierno",
            name="Gobierno",
            position=1,
            created_at=NOW,
        )
        session.add(seat)
        await session.flush()
        return secretariat.id, seat.id


@pytest.mark.parametrize("role", ["titular", "suplente"])
async def test_one_active_holder_per_seat_and_role(db: Database, role: str) -> None:
    """R1: the database itself refuses a second active titular (or substitute)."""
    sid, seat_id = await _secretariat_with_seat(db)
    async with db.begin() as session:
        session.add(
            Member(
                secretariat_id=sid,
                number=1,
                role=role,
                seat_id=seat_id,
                full_name="A",
                created_at=NOW,
            )
        )
    with pytest.raises(IntegrityError):
        async with db.begin() as session:
            session.add(
                Member(
                    secretariat_id=sid,
                    number=2,
                    role=role,
                    seat_id=seat_id,
                    full_name="B",
                    created_at=NOW,
                )
            )
    async with db.begin() as session:
        # an inactive entry does not hold the seat
        session.add(
            Member(
                secretariat_id=sid,
                number=3,
                role=role,
                seat_id=seat_id,
                full_name="C",
                created_at=NOW,
                active=False,
            )
        )


async def test_one_facilitator_and_one_entry_per_account(db: Database) -> None:
    sid, _ = await _secretariat_with_seat(db)
    async with db.begin() as session:
        session.add(
            Member(
                secretariat_id=sid,
                number=1,
                role="facilitador",
                full_name="F",
                created_at=NOW,
                telegram_user_id=10,
            )
        )
    with pytest.raises(IntegrityError):
        async with db.begin() as session:
            session.add(
                Member(
                    secretariat_id=sid, number=2, role="facilitador", full_name="G", created_at=NOW
                )
            )
    with pytest.raises(IntegrityError):
        async with db.begin() as session:
            session.add(
                Member(
                    secretariat_id=sid,
                    number=3,
                    role="observador",
                    full_name="H",
                    created_at=NOW,
                    telegram_user_id=10,
                )
            )


async def test_naive_datetimes_are_refused(db: Database) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        async with db.begin() as session:
            session.add(Secretariat(name="X", created_at=datetime(2026, 1, 1), created_by=1))  # noqa: DTZ001
    async with db.begin() as session:
        session.add(Secretariat(name="Y", created_at=NOW, created_by=1))
    async with db() as session:
        stored = await session.get_one(Secretariat, 1)
        assert stored.created_at == NOW
        assert stored.created_at.tzinfo is not None


async def test_existing_secretariats_get_their_slug_when_migrated(tmp_path: Path) -> None:
    """Migration 0012 (R19): addresses made from the names, in creation order, unique."""
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'old' / 'stm.sqlite3'}")
    await upgrade(engine, "0011")
    async with engine.begin() as conn:
        # Rows as 0011 knew them: every NOT NULL column without a default gets a value.
        columns = (await conn.execute(text("PRAGMA table_info(secretariats)"))).all()
        filler = {"INTEGER": 0, "BIGINT": 0, "BOOLEAN": 0, "TIME": "09:00:00.000000"}
        values = {
            c.name: filler.get(c.type, "x")
            for c in columns
            if c.notnull and c.dflt_value is None and not c.pk
        }
        values["created_at"] = "2026-01-01 00:00:00.000000"
        for name in ("San José", "San Jose", "Zamora"):
            row = {**values, "name": name}
            await conn.execute(
                text(
                    f"INSERT INTO secretariats ({', '.join(row)}) "
                    f"VALUES ({', '.join(':' + k for k in row)})"
                ),
                row,
            )
    await upgrade(engine)
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT name, slug, licence FROM secretariats"))).all()
    await engine.dispose()
    assert sorted(rows) == [
        ("San Jose", "san-jose-2", "Términos de Libre Uso MX"),
        ("San José", "san-jose", "Términos de Libre Uso MX"),
        ("Zamora", "zamora", "Términos de Libre Uso MX"),
    ]
