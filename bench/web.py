"""Benchmark: the microsite under 50 readers, and the ballots the bot keeps meanwhile (R19).

The site is served by the bot's own process, on its event loop (``web/app.py``); its
``BotFirst`` middleware is meant to keep Telegram's legal acts first while readers crowd
the pages. This bench measures whether it does, on 1,000 secretariats.

Seed (one database: a temporary SQLite file, or ``--postgres``): ``bench/votes.py``'s
burst secretariat (facilitator, five titulars, five substitutes, a sixth seat nobody
holds, through the services) and then, bulk-inserted through the models, N secretariats
(default 1000, unique names ``Municipio 0001`` …) each with the five seats, a facilitator
and five titulars (not linked to Telegram: the site does not need them) and 24 monthly
ordinary sessions, January 2025 to December 2026: 21 concluded (4 or 5 seats present,
minutes sent), one cancelled, one without quorum, and December's convened (the home
page's next session). Each concluded session has two closed votes (the agenda, then a
motion) with every present seat's ballot (``ballots`` and ``vote_seat_ballots``) and,
when the motion passed, an agreement (``ACU-2025-001`` …, with its changes); each
secretariat has four commitments of three milestones.

The bot is built with ``bot.app.build_application`` as production does, against the
fake Bot API with Telegram's limits enforced (``bench/common.py``), and serves the site
on a free port of 127.0.0.1. The run:

1. ``/votar`` and "24 h" open ``bench/votes.py``'s electronic vote; one unmeasured
   burst (as in step 2) and a few unmeasured page requests warm both sides up.
2. Burst A1: ``--ballots`` presses (10 voters alternating "A favor"/"En contra")
   injected at once, with nothing else going on (``bench/votes.py``'s ``burst``:
   ballots / (last answer - first injection), press→answer latency).
3. The web load: ``bench/web_load.py`` in **a separate process** (so the clients'
   work never runs on the bot's loop) opens 50 keep-alive connections to 127.0.0.1 and
   for 10 s each client asks, as soon as the previous page arrived, for the home page
   (``/<slug>/``) and ``votaciones.csv`` (``/<slug>/datos/votaciones.csv``) in turn, of
   a secretariat drawn at random. One second into the load, burst B1 (the same presses)
   runs; the load then runs to its end (the pages the bot held back are answered).
4. Burst A2 without load; then steps 3 and 4 again, ``--rounds`` times in all (default
   3): A1 B1 A2 B2 A3 B3 A4. On a shared machine one burst's rate varies by a fifth
   from the next; each B sits between two As, so drift cancels out.

With two CPUs or more, the bot's process (and the fake Bot API's thread in it) runs on
the first and the load process on the others (``os.sched_setaffinity``; ``--no-pin``
lets both run anywhere): readers' browsers do not run on the bot's machine, and on a
2-core machine an unpinned load process takes CPU from the bot that the site never
cost it. The bot's own CPU per ballot (``time.process_time``, every thread of its
process) and the time it spent in the garbage collector are printed next to each
burst, which tells what the site cost the bot from what the rest of the machine did.

Printed: p50 / p99 / max latency and requests/s of each URL kind over the loads, and
split into requests that overlapped a burst (``BotFirst`` holds pages back while the bot
has updates in hand, so these wait) and those that did not; each burst's ballots/s and
latency (each B also as a ratio of the two As around it); the ratio mean(B) / mean(A),
which must be at least 0.80 (the issue: ballot throughput may not fall more than 20 %
under the web load). Then the open-data export: the bytes of every dataset file (CSV
and JSON, and ``datapackage.json``) of one seeded secretariat, and of all of them —
exact with ``--export-sample 0``, else extrapolated from ``--export-sample`` evenly
spaced secretariats (they are all seeded alike). Until a URL exists (404 on a known
secretariat) it is reported "not available" and left out. ``--profile FILE`` appends
pyinstrument's profile of the bot's event loop during each burst (pyinstrument is not
a dependency: install it to look; the profiler slows the bursts down). The load
average is printed before and during the loads: the machine is shared::

    .venv/bin/python bench/web.py [--secretariats 1000] [--ballots 500] [--rounds 3]
        [--clients 50] [--seconds 10] [--export-sample 20] [--no-pin] [--profile FILE]
        [--postgres [URL]]

``--postgres`` runs on a fresh PostgreSQL database ``h5_bench`` (created through URL,
default ``TEST_DATABASE_URL`` or ``postgresql+asyncpg://postgres@127.0.0.1:5432/test``,
dropped afterwards) instead of SQLite.

Exit code 0 when every request was answered 200, every press was registered and the
ratio is at least 0.80, else 1.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, this file's directory comes first on sys.path, where bench/web.py and
# bench/scheduler.py would shadow the ``web`` and ``scheduler`` packages: the project root
# goes first, the folder out.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import func, insert, select, text  # noqa: E402

from bench import common, votes  # noqa: E402
from bot.context import StmApplication  # noqa: E402
from domain import open_data  # noqa: E402
from domain.action_plan import Milestone, level_of  # noqa: E402
from domain.microsite import slugify  # noqa: E402
from domain.notice import SessionKind  # noqa: E402
from domain.outcomes import Choice, Outcome, decide, tally  # noqa: E402
from domain.roster import DEFAULT_SEATS  # noqa: E402
from domain.titles import session_title  # noqa: E402
from storage.db import make_engine, make_sessionmaker  # noqa: E402
from storage.models import (  # noqa: E402
    Agreement,
    AgreementChange,
    Ballot,
    Commitment,
    CommitmentChange,
    CommitmentMilestone,
    Meeting,
    Member,
    Presence,
    Seat,
    SeatBallot,
    Secretariat,
    Vote,
)
from tests.fakebot import FakeBotAPI  # noqa: E402

SESSIONS = 24  # monthly, January 2025 … December 2026
FIRST_YEAR = 2025
CANCELLED = 6  # July 2025
NO_QUORUM = 15  # April 2026
UPCOMING = SESSIONS - 1  # December 2026, convened, after common.NOW
COMMITMENTS = 4
MILESTONES = 3
CREATED = datetime(2024, 12, 2, 16, 0, tzinfo=UTC)
AGENDA = [
    "Lista de asistencia y declaración de quórum",
    "Aprobación del orden del día",
    "Seguimiento del Plan de Acción Municipal",
    "Asuntos generales",
]
CONTACT = "Unidad de Transparencia\nPalacio Municipal s/n, Centro\nLunes a viernes, 9:00 a 15:00"
CHUNK = 20_000  # rows per INSERT … VALUES batch
PG_DATABASE = "h5_bench"
RAMP = 1.0  # seconds of load before the loaded bursts start
TARGET_RATIO = 0.80
WARM_PAGES = 10  # unmeasured requests of each kind before anything is measured
HOME = "home"
CSV = "votaciones.csv"


# ====================================================================== seeding
def monday_after_7th(year: int, month: int) -> date:
    """The session day of a month: its second Monday (the 8th to the 14th)."""
    day = date(year, month, 8)
    return day + timedelta(days=(-day.weekday()) % 7)


def motion_choices(k: int) -> list[str]:
    """The five seats' choices on session k's motion (seat positions 1–5)."""
    choices = [Choice.A_FAVOR.value] * 5
    if k % 7 == 3:  # rejected by majority
        choices[:3] = [Choice.EN_CONTRA.value] * 3
    if k % 4 == 1:
        choices[1] = Choice.EN_CONTRA.value
    if k % 5 == 2:
        choices[3] = Choice.ABSTENCION.value
    return choices


@dataclass
class Rows:
    """Rows to insert, per model, and the next id of each."""

    by_model: dict[Any, list[dict[str, Any]]] = field(default_factory=dict)
    next_id: dict[Any, int] = field(default_factory=dict)

    def add(self, model: Any, row: dict[str, Any]) -> int:
        """Append ``row`` to ``model``'s rows, with the next id unless the model has none."""
        if model in self.next_id:
            row["id"] = self.next_id[model]
            self.next_id[model] += 1
        self.by_model.setdefault(model, []).append(row)
        return row.get("id", 0)

    def count(self, model: Any) -> int:
        return len(self.by_model.get(model, []))


WITH_IDS = (
    Secretariat,
    Seat,
    Member,
    Meeting,
    Presence,
    Vote,
    Ballot,
    Agreement,
    AgreementChange,
    Commitment,
    CommitmentMilestone,
    CommitmentChange,
)
ORDER = (*WITH_IDS[:7], SeatBallot, *WITH_IDS[7:])  # parents before children


def secretariat_rows(rows: Rows, n: int) -> str:
    """Secretariat ``n`` (1-based) of the bulk seed, as described above; its slug."""
    name = f"Municipio {n:04d}"
    slug = slugify(name)
    sid = rows.add(
        Secretariat,
        {
            "name": name,
            "slug": slug,
            "contact": CONTACT,
            "links": "Portal municipal | https://municipio.gob.mx",
            "created_at": CREATED,
            "created_by": common.ADMIN,
        },
    )
    facilitator = rows.add(
        Member,
        {
            "secretariat_id": sid,
            "number": 1,
            "role": "facilitador",
            "full_name": f"Facilitadora {n}",
            "created_at": CREATED,
        },
    )
    seats: list[tuple[int, int, str, str]] = []  # (seat id, titular id, name, titular's name)
    for position, (key, label) in enumerate(DEFAULT_SEATS, start=1):
        seat = rows.add(
            Seat,
            {
                "secretariat_id": sid,
                "key": key,
                "name": label,
                "position": position,
                "created_at": CREATED,
            },
        )
        person = f"Titular {n}-{position}"
        titular = rows.add(
            Member,
            {
                "secretariat_id": sid,
                "number": position + 1,
                "role": "titular",
                "seat_id": seat,
                "full_name": person,
                "created_at": CREATED,
            },
        )
        seats.append((seat, titular, label, person))
    sequences: dict[int, int] = {}
    ordinals: dict[int, int] = {}
    for k in range(SESSIONS):
        year, month = FIRST_YEAR + k // 12, k % 12 + 1
        day = monday_after_7th(year, month)
        starts = datetime(day.year, day.month, day.day, 16, 0, tzinfo=UTC)  # 10:00 local
        ordinals[year] = ordinal = ordinals.get(year, 0) + 1
        meeting: dict[str, Any] = {
            "secretariat_id": sid,
            "number": k + 1,
            "kind": "ordinaria",
            "ordinal": ordinal,
            "title": session_title(SessionKind.ORDINARIA, ordinal, year),
            "starts_at": starts,
            "place": "Sala de Cabildo",
            "agenda": AGENDA,
            "created_at": starts - timedelta(days=8),
            "created_by": facilitator,
            "convened_at": starts - timedelta(days=7),
        }
        if k == UPCOMING:
            meeting["state"] = "convocada"
            meeting["convened_at"] = common.NOW - timedelta(days=2)
            meeting["created_at"] = common.NOW - timedelta(days=2, minutes=5)
        elif k == CANCELLED:
            meeting["state"] = "cancelada"
        else:
            meeting.update(state="concluida", roll_call_at=starts, seats_total=len(seats))
        meeting_id = rows.add(Meeting, meeting)
        if k in (UPCOMING, CANCELLED):
            continue
        absent = {k % len(seats)} if k % 3 == 0 else set()
        if k == NO_QUORUM:
            absent = {2, 3, 4}
        present = [s for p, s in enumerate(seats) if p not in absent]
        for p, (seat, titular, _, _) in enumerate(present):
            rows.add(
                Presence,
                {
                    "meeting_id": meeting_id,
                    "member_id": titular,
                    "seat_id": seat,
                    "at": starts + timedelta(minutes=p),
                },
            )
        meeting.update(quorum_required=3, seats_present=len(present))
        if k == NO_QUORUM:
            meeting["state"] = "sin_quorum"
            continue
        installed = starts + timedelta(minutes=10)
        meeting.update(
            installed_at=installed,
            concluded_at=starts + timedelta(hours=2),
            minutes_sent_at=starts + timedelta(days=5),
            minutes_sent_by=facilitator,
            minutes_sent_via="correo",
        )
        everyone = [Choice.A_FAVOR.value] * len(seats)
        motion = f"Aprobar el informe de avance del Plan de Acción, sesión {k + 1}"
        for v, (purpose, wording, choices) in enumerate(
            (
                ("orden_del_dia", "Aprobación del orden del día", everyone),
                ("general", motion, motion_choices(k)),
            )
        ):
            opened = installed + timedelta(minutes=5 + 30 * v)
            closed = opened + timedelta(minutes=10)
            cast = [(seat, choices[seats.index(seat)]) for seat in present]
            outcome = decide(tally(c for _, c in cast))
            counts = tally(c for _, c in cast)
            vote = rows.add(
                Vote,
                {
                    "secretariat_id": sid,
                    "meeting_id": meeting_id,
                    "kind": "sesion",
                    "purpose": purpose,
                    "text": wording,
                    "state": "cerrada",
                    "created_at": opened,
                    "created_by": facilitator,
                    "opened_at": opened,
                    "closed_at": closed,
                    "eligible_seats": sorted(s[0] for s in present),
                    "titular_present": sorted(s[0] for s in present),
                    "outcome": outcome.value,
                    "result": {
                        "tally": {
                            "a_favor": counts.a_favor,
                            "en_contra": counts.en_contra,
                            "abstencion": counts.abstencion,
                        },
                        "seats": [
                            {"seat": s[2], "choice": c, "voter": s[3], "role": "titular"}
                            for s, c in cast
                        ],
                    },
                    "a_favor": counts.a_favor,
                    "en_contra": counts.en_contra,
                    "abstencion": counts.abstencion,
                    "voted_seats": len(cast),
                    "complete_at": opened + timedelta(minutes=3),
                },
            )
            for p, ((seat, titular, _, _), choice) in enumerate(cast):
                ballot = {
                    "vote_id": vote,
                    "seat_id": seat,
                    "member_id": titular,
                    "role": "titular",
                    "choice": choice,
                    "at": opened + timedelta(seconds=20 + 15 * p),
                }
                rows.add(Ballot, dict(ballot))
                rows.add(SeatBallot, ballot)
            if purpose != "general" or outcome not in (
                Outcome.APROBADO_CONSENSO,
                Outcome.APROBADO_MAYORIA,
            ):
                continue
            sequences[year] = sequence = sequences.get(year, 0) + 1
            age = (common.NOW - starts).days
            status = "cumplido" if age > 180 else "en_proceso" if age > 90 else "pendiente"
            if k % 10 == 4:
                status = "cancelado"
            agreement = rows.add(
                Agreement,
                {
                    "secretariat_id": sid,
                    "year": year,
                    "sequence": sequence,
                    "code": f"ACU-{year}-{sequence:03d}",
                    "meeting_id": meeting_id,
                    "vote_id": vote,
                    "text": f"Publicar el avance trimestral del Plan de Acción (sesión {k + 1})",
                    "responsible_seat_id": seats[k % len(seats)][0],
                    "due_date": (starts + timedelta(days=60)).date(),
                    "status": status,
                    "created_at": closed,
                    "created_by": facilitator,
                },
            )
            change = {"agreement_id": agreement, "member_id": facilitator, "note": None}
            rows.add(AgreementChange, {**change, "at": closed, "kind": "registro"})
            if status != "pendiente":
                rows.add(
                    AgreementChange,
                    {
                        **change,
                        "at": closed + timedelta(days=30),
                        "kind": "estado",
                        "status": status,
                        "note": "Oficio de seguimiento",
                    },
                )
    for c in range(COMMITMENTS):
        done = (c + n) % (MILESTONES + 1)
        weights = [1 + (c + m) % 3 for m in range(MILESTONES)]
        level = level_of(Milestone(w, m < done) for m, w in enumerate(weights))
        commitment = rows.add(
            Commitment,
            {
                "secretariat_id": sid,
                "number": c + 1,
                "title": f"Compromiso {c + 1}: datos abiertos de obra pública",
                "problem": "La información de obra pública no es accesible.",
                "objective": "Publicar cada obra con su avance y su costo.",
                "institution": "Dirección de Obras Públicas",
                "responsible_seat_id": seats[c % len(seats)][0],
                "supporters": "Academia y sociedad civil",
                "starts_on": date(2025, 3, 1),
                "ends_on": date(2026, 12, 15),
                "ogp_values": "transparencia,rendición de cuentas",
                "level": level.value,
                "level_manual": False,
                "created_at": CREATED,
                "created_by": facilitator,
            },
        )
        rows.add(
            CommitmentChange,
            {
                "commitment_id": commitment,
                "at": CREATED,
                "member_id": facilitator,
                "kind": "registro",
                "level": "no_iniciado",
            },
        )
        for m, weight in enumerate(weights):
            rows.add(
                CommitmentMilestone,
                {
                    "commitment_id": commitment,
                    "number": m + 1,
                    "text": f"Hito {m + 1}: entregable verificable",
                    "due_date": date(2025 + m // 2, 6 + 6 * (m % 2) - (m % 2), 30),
                    "weight": weight,
                    "done": m < done,
                    "done_at": CREATED + timedelta(days=120 * (m + 1)) if m < done else None,
                    "evidence": "https://municipio.gob.mx/evidencia" if m < done else None,
                    "created_at": CREATED,
                },
            )
    return slug


@dataclass(frozen=True)
class Seeded:
    """What the seed made."""

    slugs: list[str]
    rows: dict[str, int]
    seconds: float


async def seed(database_url: str, count: int) -> Seeded:
    """The burst secretariat through the services, then ``count`` bulk-inserted ones."""
    began = time.perf_counter()
    await common.seed(database_url, common.council(votes.VOTERS), then=votes.add_silent_seat)
    engine = make_engine(database_url)
    db = make_sessionmaker(engine)
    rows = Rows()
    async with db() as session:
        for model in WITH_IDS:
            rows.next_id[model] = (await session.scalar(select(func.max(model.id)))) or 0
            rows.next_id[model] += 1
    slugs = [secretariat_rows(rows, n) for n in range(1, count + 1)]
    async with db.begin() as session:
        for model in ORDER:
            batch = rows.by_model.get(model, [])
            keys = {key for row in batch for key in row}  # one INSERT shape per model
            batch = [{key: row.get(key) for key in keys} for row in batch]
            for start in range(0, len(batch), CHUNK):
                await session.execute(insert(model), batch[start : start + CHUNK])
        if engine.dialect.name == "postgresql":  # explicit ids do not move the sequences
            for model in WITH_IDS:
                table = model.__tablename__
                await session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
    await engine.dispose()
    counted = {model.__tablename__: rows.count(model) for model in ORDER}
    return Seeded(slugs, counted, time.perf_counter() - began)


# ====================================================================== the web load
@dataclass(frozen=True)
class Request:
    """One request of the load: its kind, start (``time.monotonic()``), seconds, answer."""

    kind: str
    start: float
    seconds: float
    status: int
    size: int
    error: str

    @property
    def end(self) -> float:
        return self.start + self.seconds


@dataclass(frozen=True)
class Load:
    """What the load process did."""

    started: float
    ended: float
    seconds: float  # the load's nominal length
    clients: int
    cut: int
    requests: list[Request]


def split_cpus(pin: bool) -> tuple[set[int], set[int]]:
    """The CPUs for the bot's process and for the load's: apart when there are two or
    more (readers' clients run on their own machines, not on the bot's CPU), else all."""
    cpus = sorted(os.sched_getaffinity(0))
    if not pin or len(cpus) < 2:
        return set(cpus), set(cpus)
    return {cpus[0]}, set(cpus[1:])


async def web_load(
    base: str,
    paths: dict[str, list[str]],
    clients: int,
    seconds: float,
    folder: Path,
    cpus: set[int],
) -> tuple[asyncio.subprocess.Process, float]:
    """Start ``bench/web_load.py``; the process and the moment its clients started."""
    (folder / "paths.json").write_text(json.dumps(paths))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "bench" / "web_load.py"),
        "--cpus",
        ",".join(map(str, sorted(cpus))),
        "--base",
        base,
        "--paths",
        str(folder / "paths.json"),
        "--clients",
        str(clients),
        "--seconds",
        str(seconds),
        "--out",
        str(folder / "requests.json"),
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), 30)
    if not line.startswith(b"started "):
        raise SystemExit(f"the load process did not start: {line!r}")
    return process, float(line.split()[1])


async def load_result(process: asyncio.subprocess.Process, seconds: float, folder: Path) -> Load:
    """Wait for the load process to end; its requests."""
    code = await asyncio.wait_for(process.wait(), seconds + 60)
    if code != 0:
        raise SystemExit(f"the load process failed (exit code {code})")
    data = json.loads((folder / "requests.json").read_text())
    return Load(
        data["started"],
        data["ended"],
        seconds,
        data["clients"],
        data["cut"],
        [Request(*r) for r in data["requests"]],
    )


# ====================================================================== the microsite
async def availability(http: httpx.AsyncClient, slug: str) -> dict[str, str]:
    """Each URL kind's path pattern, if it answers 200 on a seeded secretariat."""
    kinds = {HOME: "/{slug}/", CSV: "/{slug}/datos/votaciones.csv"}
    available: dict[str, str] = {}
    for kind, pattern in kinds.items():
        response = await http.get(pattern.format(slug=slug))
        if response.status_code == 200:
            available[kind] = pattern
        elif response.status_code != 404:
            raise SystemExit(f"{kind}: {pattern} answered {response.status_code}")
    return available


async def warm_site(http: httpx.AsyncClient, paths: dict[str, list[str]]) -> None:
    """A few unmeasured requests of each kind: templates compiled, caches filled."""
    for kind_paths in paths.values():
        for path in kind_paths[:WARM_PAGES]:
            (await http.get(path)).raise_for_status()


_LINK = re.compile(r'href="([^"]+\.(?:csv|json))"')


async def export_files(http: httpx.AsyncClient, slug: str) -> list[str]:
    """The open-data files of a secretariat, relative to ``/<slug>/``: the links of
    ``/<slug>/datos``, else the datasets ``domain.open_data`` names (``datos/<name>.csv``
    and ``.json``) and ``datos/datapackage.json``."""
    home = f"/{slug}/"
    response = await http.get(f"{home}datos")
    if response.status_code == 200:
        page = response.url.path
        links = {urlsplit(urljoin(page, href)).path for href in _LINK.findall(response.text)}
        mine = sorted(link.removeprefix(home) for link in links if link.startswith(home))
        if mine:
            return mine
    names = [f"datos/{d.name}.{ext}" for d in open_data.DATASETS for ext in ("csv", "json")]
    return [*names, "datos/datapackage.json"]


async def export_sizes(http: httpx.AsyncClient, slug: str, files: list[str]) -> dict[str, int]:
    """Bytes of each of ``files`` of ``slug`` that answers 200."""
    sizes: dict[str, int] = {}
    for name in files:
        response = await http.get(f"/{slug}/{name}")
        if response.status_code == 200:
            sizes[name.removeprefix("datos/")] = len(response.content)
    return sizes


# ====================================================================== figures
@dataclass(frozen=True)
class Burst:
    """One measured burst and what the bot process spent on it."""

    name: str
    loaded: bool
    result: votes.Result
    began: float  # time.monotonic()
    ended: float
    cpu: float  # seconds of CPU of the whole bot process (every thread)
    gc: float  # seconds in the garbage collector
    full_gcs: int  # of them, full (generation 2) collections


class GcMeter:
    """Time spent in the garbage collector while it is installed (``gc.callbacks``)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.full = 0
        self._began = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
            return
        self.seconds += time.perf_counter() - self._began
        self.full += info.get("generation") == 2

    def __enter__(self) -> GcMeter:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *_: object) -> None:
        gc.callbacks.remove(self)


@dataclass
class Figures:
    """Everything one run measured."""

    backend: str = ""
    seeded: Seeded | None = None
    available: dict[str, str] = field(default_factory=dict)
    bursts: list[Burst] = field(default_factory=list)
    loads: list[Load] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cpus: tuple[set[int], set[int]] = (set(), set())  # the bot's, the load's
    page_cpu: float = 0.0  # CPU seconds of the bot process during the loads, bursts excepted
    typical: str = ""
    sizes: dict[str, int] = field(default_factory=dict)
    total_bytes: int = 0
    total_basis: str = ""
    loadavg: list[tuple[str, tuple[float, float, float]]] = field(default_factory=list)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:>8.1f}"


def overlaps(request: Request, windows: list[tuple[float, float]]) -> bool:
    return any(request.start < end and request.end > start for start, end in windows)


def page_rows(loads: list[Load], windows: list[tuple[float, float]]) -> Iterator[str]:
    """One line per URL kind and window, over every load."""
    span = sum(load.seconds for load in loads)
    requests = [r for load in loads for r in load.requests]
    for kind in sorted({r.kind for r in requests}):
        mine = [r for r in requests if r.kind == kind]
        for label, chosen in (
            ("all", mine),
            ("during a burst", [r for r in mine if overlaps(r, windows)]),
            ("bot idle", [r for r in mine if not overlaps(r, windows)]),
        ):
            if not chosen:
                yield f"{kind:<16} {label:<15} {0:>8}"
                continue
            took = [r.seconds for r in chosen]
            failed = sum(1 for r in chosen if r.status != 200)
            rate = f"{len(chosen) / span:>7.1f}" if label == "all" else f"{'':>7}"
            yield (
                f"{kind:<16} {label:<15} {len(chosen):>8} {rate} "
                f"{ms(common.percentile(took, 50))} {ms(common.percentile(took, 99))} "
                f"{ms(max(took))} {failed:>6}"
            )


def burst_rows(bursts: list[Burst]) -> Iterator[str]:
    """One line per burst; a loaded one with its ratio to the unloaded ones around it."""
    for n, b in enumerate(bursts):
        r = b.result
        ratio = ""
        if b.loaded:
            around = statistics.mean((bursts[n - 1].result.rate, bursts[n + 1].result.rate))
            ratio = f"{r.rate / around:.3f}"
        yield (
            f"{b.name:<20} {r.ballots:>7} {r.seconds:>8.2f} {r.rate:>10.1f} "
            f"{r.percentile(50):>8.1f} {r.percentile(99):>8.1f} {ratio:>9} "
            f"{b.cpu / r.ballots * 1000:>9.2f} {b.gc * 1000:>6.0f} {b.full_gcs:>4}"
        )


def report(f: Figures, args: Any) -> int:
    """Print the tables; the exit code."""
    assert f.seeded is not None
    failures: list[str] = []
    s = f.seeded
    print(
        f"\n{args.secretariats} secretariats x {SESSIONS} sessions on {f.backend}, seeded in "
        f"{s.seconds:.1f} s: " + ", ".join(f"{n:,} {table}" for table, n in s.rows.items())
    )
    bot_cpus, load_cpus = f.cpus
    print(
        f"CPUs: the bot's process (with the fake Bot API) on {sorted(bot_cpus)}, "
        f"the web load on {sorted(load_cpus)}"
    )
    for moment, (one, five, fifteen) in f.loadavg:
        print(f"load average {moment}: {one:.2f} {five:.2f} {fifteen:.2f} (2 cores, shared)")

    missing = [k for k in (HOME, CSV) if k not in f.available]
    print(
        f"\nweb load: {len(f.loads)} x {args.seconds:g} s of {args.clients} clients in a "
        "separate process, 127.0.0.1, keep-alive, each asking for the next page as soon as "
        f"the previous arrived; a burst {RAMP:g} s into each"
        + (f"; not available (404): {', '.join(missing)}" if missing else "")
    )
    header = (
        f"{'url':<16} {'window':<15} {'requests':>8} {'req/s':>7} {'p50 ms':>8} "
        f"{'p99 ms':>8} {'max ms':>8} {'failed':>6}"
    )
    print(header)
    print("-" * len(header))
    windows = [(b.began, b.ended) for b in f.bursts if b.loaded]
    for line in page_rows(f.loads, windows):
        print(line)
    requests = [r for load in f.loads for r in load.requests]
    if requests:
        print(
            f"CPU of the bot process per page: {f.page_cpu / len(requests) * 1000:.1f} ms "
            "(its CPU during the loads, the bursts' excepted, over the pages served)"
        )
    failed = [r for r in requests if r.status != 200]
    if failed:
        kinds = sorted({(r.kind, r.status, r.error[:60]) for r in failed})
        failures.append(f"{len(failed)} web requests failed: {kinds[:5]}")
    cut = sum(load.cut for load in f.loads)
    if cut:
        failures.append(f"{cut} load clients were cut at the end")
    if not requests:
        failures.append("the load made no request")

    print(
        f"\nballots: bursts of {args.ballots} presses ({len(votes.VOTERS)} voters x "
        f"{args.ballots // len(votes.VOTERS)}, alternating), Telegram's limits enforced; "
        "A without, B under the web load"
    )
    header = (
        f"{'burst':<20} {'ballots':>7} {'seconds':>8} {'ballots/s':>10} {'p50 ms':>8} "
        f"{'p99 ms':>8} {'vs A, A':>9} {'CPU ms/b':>9} {'gc ms':>6} {'full':>4}"
    )
    print(header)
    print("-" * len(header))
    for line in burst_rows(f.bursts):
        print(line)
    for b in f.bursts:
        if b.result.refused:
            failures.append(f"{b.name}: {b.result.refused} presses not registered")
    unloaded = statistics.mean(b.result.rate for b in f.bursts if not b.loaded)
    loaded = statistics.mean(b.result.rate for b in f.bursts if b.loaded)
    ratio = loaded / unloaded
    print(
        f"ratio loaded / unloaded (means): {loaded:.1f} / {unloaded:.1f} = {ratio:.3f} "
        f"(target >= {TARGET_RATIO:.2f})"
    )
    cpu = {
        loaded: sum(b.cpu for b in f.bursts if b.loaded is loaded)
        / sum(b.result.ballots for b in f.bursts if b.loaded is loaded)
        for loaded in (False, True)
    }
    print(
        f"CPU of the bot process per ballot, loaded / unloaded: {cpu[True] * 1000:.2f} / "
        f"{cpu[False] * 1000:.2f} ms = {cpu[True] / cpu[False]:.3f} (what the site cost the "
        "process itself, whatever else the machine ran)"
    )
    for note in f.notes:
        print(f"note: {note}")
    if ratio < TARGET_RATIO:
        failures.append(f"ballot throughput under the web load: ratio {ratio:.3f}")

    print(f"\nopen data export of {f.typical} (one seeded secretariat: {SESSIONS} sessions)")
    if not f.sizes:
        print("not available (no dataset answered 200)")
    else:
        header = f"{'file':<28} {'bytes':>10}"
        print(header)
        print("-" * len(header))
        for name, size in sorted(f.sizes.items()):
            print(f"{name:<28} {size:>10,}")
        print(f"{'total':<28} {sum(f.sizes.values()):>10,}")
        print(
            f"all {args.secretariats} secretariats: {f.total_bytes:,} bytes "
            f"({f.total_bytes / 1e6:.1f} MB), {f.total_basis}"
        )
    return common.missed(failures)


# ====================================================================== the run
def keep_fake_connections(fake: FakeBotAPI) -> None:
    """Let the fake keep idle keep-alive connections open for the rest of the run.

    The fake's uvicorn closes a connection idle for 5 s (its default). This bench leaves
    the bot's Telegram connections idle for about that long between bursts, and now and
    then PTB's pool sends a press's answer on a connection at the very moment the fake
    closes it: ``httpx.ReadError``, the press unanswered, a failure that is neither the
    bot's nor the site's. Connections opened from now on stay open for 10 minutes.
    """
    server = getattr(fake, "_server", None)
    config = getattr(server, "config", None)
    if config is not None and hasattr(config, "timeout_keep_alive"):
        config.timeout_keep_alive = 600


@contextmanager
def profiled(path: Path | None, name: str) -> Iterator[None]:
    """With ``--profile``, pyinstrument's samples of the bot's loop during burst ``name``,
    appended to ``path`` as text (pyinstrument is not a dependency: install it to look)."""
    if path is None:
        yield
        return
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.001, async_mode="disabled")
    profiler.start()
    try:
        yield
    finally:
        profiler.stop()
        with path.open("a") as out:
            out.write(f"\n===== {name}\n")
            out.write(profiler.output_text(unicode=True, show_all=False))


@asynccontextmanager
async def database(postgres: str | None) -> Any:
    """A temporary SQLite file, or ``h5_bench`` created through ``postgres``; its URL."""
    if postgres is None:
        with common.sqlite_database() as url:
            yield "SQLite", url
        return
    url = await votes.postgres_database(postgres, create=True, name=PG_DATABASE)
    try:
        yield "PostgreSQL", url
    finally:
        await votes.postgres_database(postgres, create=False, name=PG_DATABASE)


async def run(args: Any) -> int:
    figures = Figures(loadavg=[("before", os.getloadavg())])
    # Before any thread starts (the fake's server, the database's): they inherit it.
    bot_cpus, load_cpus = split_cpus(args.pin)
    os.sched_setaffinity(0, bot_cpus)
    figures.cpus = (bot_cpus, load_cpus)
    rounds = args.ballots // len(votes.VOTERS)

    async def seeding(url: str) -> None:
        figures.seeded = await seed(url, args.secretariats)

    async def scenario(fake: FakeBotAPI, app: StmApplication) -> None:
        assert app.web is not None
        assert figures.seeded is not None
        keep_fake_connections(fake)
        base = f"http://127.0.0.1:{app.web.port}"
        slugs = figures.seeded.slugs
        ballots = await votes.open_vote(fake)
        press = votes.presser(fake, ballots)
        pressed = 0

        async def burst(name: str, loaded: bool) -> Burst:
            nonlocal pressed
            offset = pressed
            began, cpu = time.monotonic(), time.process_time()
            with profiled(args.profile, name), GcMeter() as collector:
                result = await votes.burst(
                    fake, lambda v, n: press(v, n + offset), rounds, votes.REGISTERED, name
                )
            pressed += rounds
            measured = Burst(
                f"{name} under web load" if loaded else f"{name} unloaded",
                loaded,
                result,
                began,
                time.monotonic(),
                time.process_time() - cpu,
                collector.seconds,
                collector.full,
            )
            figures.bursts.append(measured)
            return measured

        await votes.burst(fake, press, rounds, "", "warm-up")  # not measured
        pressed = rounds
        limits = httpx.Limits(max_connections=4)
        async with httpx.AsyncClient(
            base_url=base, timeout=30, limits=limits, trust_env=False
        ) as http:
            figures.available = await availability(http, slugs[0])
            paths = {
                kind: [pattern.format(slug=slug) for slug in slugs]
                for kind, pattern in figures.available.items()
            }
            if not paths:
                raise SystemExit("no page of the microsite answers 200")
            await warm_site(http, paths)

            await burst("A1", loaded=False)
            for i in range(1, args.rounds + 1):
                with tempfile.TemporaryDirectory(prefix="stm-bench-web-") as tmp:
                    cpu = time.process_time()
                    process, started = await web_load(
                        base, paths, args.clients, args.seconds, Path(tmp), load_cpus
                    )
                    await asyncio.sleep(RAMP)
                    loaded = await burst(f"B{i}", loaded=True)
                    if loaded.ended > started + args.seconds:
                        figures.notes.append(
                            f"B{i} outlasted the {args.seconds:g} s of requests (clients "
                            "held by BotFirst stayed connected until answered)"
                        )
                    figures.loadavg.append((f"under load {i}", os.getloadavg()))
                    figures.loads.append(await load_result(process, args.seconds, Path(tmp)))
                    figures.page_cpu += time.process_time() - cpu - loaded.cpu
                await burst(f"A{i + 1}", loaded=False)
            fake.assert_no_internal_errors()

            figures.typical = slugs[len(slugs) // 2]
            files = await export_files(http, figures.typical)
            figures.sizes = await export_sizes(http, figures.typical, files)
            sample = (
                slugs
                if args.export_sample in (0, len(slugs))
                else [
                    slugs[i * len(slugs) // args.export_sample] for i in range(args.export_sample)
                ]
            )
            total = 0
            for slug in sample:
                total += sum((await export_sizes(http, slug, files)).values())
            if len(sample) == len(slugs):
                figures.total_bytes, figures.total_basis = total, "exact (every file fetched)"
            else:
                figures.total_bytes = round(total * len(slugs) / len(sample))
                figures.total_basis = (
                    f"extrapolated from {len(sample)} evenly spaced secretariats "
                    f"({total:,} bytes), all seeded alike"
                )

    async with database(args.postgres) as (backend, url):
        figures.backend = backend
        await votes.with_bot(url, votes.VOTERS, lambda: seeding(url), scenario)
    return report(figures, args)


def main() -> None:
    parser = common.command_line(__doc__)
    parser.add_argument("--secretariats", type=int, default=1000, help="secretariats to seed")
    parser.add_argument(
        "--ballots", type=int, default=500, help="presses per burst (a multiple of 10)"
    )
    parser.add_argument("--clients", type=int, default=50, help="concurrent web clients")
    parser.add_argument(
        "--rounds", type=int, default=3, help="web loads, each with a burst (A B A B … A)"
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the web load")
    parser.add_argument(
        "--export-sample",
        type=int,
        default=20,
        help="secretariats whose export is fetched for the total (0: all of them)",
    )
    parser.add_argument(
        "--no-pin",
        dest="pin",
        action="store_false",
        help="let both processes run on every CPU (default: the load on CPUs of its own)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        help="append pyinstrument's profile of the bot's loop during each burst to this file",
    )
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=os.environ.get("TEST_DATABASE_URL") or votes.DEFAULT_PG,
        help=f"run on PostgreSQL: {PG_DATABASE} is created through this database",
    )
    args = parser.parse_args()
    if args.ballots < len(votes.VOTERS) or args.ballots % len(votes.VOTERS):
        parser.error(f"--ballots must be a positive multiple of {len(votes.VOTERS)}")
    if args.secretariats < 1 or not 0 <= args.export_sample <= args.secretariats:
        parser.error("--secretariats must be at least 1, --export-sample 0..secretariats")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if not 1 <= args.clients <= 200 or not 0 < args.seconds <= 60:
        parser.error("--clients must be 1..200 and --seconds 0..60")
    common.execute(run(args))


if __name__ == "__main__":
    main()
