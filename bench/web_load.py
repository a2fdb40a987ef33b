"""The web load of ``bench/web.py``: N clients GETting microsite pages for T seconds.

``bench/web.py`` starts this script in a process of its own, so the clients' HTTP parsing
and bookkeeping never run on the event loop of the bot they measure: what the bot process
does is only what a crowd of readers costs it. Each client is one keep-alive connection
(``httpx.AsyncClient``, one connection, no proxy from the environment) that asks for the
next page as soon as the previous one arrived: it takes the URL kinds in turn (the home
page, then ``votaciones.csv``...) and, for each, a secretariat drawn at random (a seeded
generator per client, so two runs ask for the same pages in the same order).

Bounded: the address must be ``http://127.0.0.1:<port>`` (nothing else is ever loaded);
no request starts after ``--seconds``; each has a 30 s timeout; the whole run is cut at
``--seconds`` + 35 s. On start it prints ``started <time.monotonic()>`` (the clock is the
system's, the same in every process, so the parent can place each request against the
bot's bursts) and at the end writes every request to ``--out`` as JSON::

    {"started": t0, "ended": t1, "clients": 50,
     "requests": [[kind, start, seconds, status, bytes, error], ...]}

``status`` 0 and ``error`` set mean the request failed before an answer (refused, reset,
timeout)::

    .venv/bin/python bench/web_load.py --base http://127.0.0.1:PORT --paths paths.json \\
        --clients 50 --seconds 10 --out requests.json [--cpus 1]

``paths.json`` is ``{"home": ["/slug/", ...], "votaciones.csv": ["/slug/datos/...", ...]}``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

TIMEOUT = 30.0  # seconds for one request
GRACE = 35.0  # seconds past the run's end before everything is cut
Record = tuple[str, float, float, int, int, str]


def loopback(base: str) -> str:
    """``base`` when it is ``http://127.0.0.1:<port>``; anything else is refused."""
    parts = urlsplit(base)
    if parts.scheme != "http" or parts.hostname != "127.0.0.1" or not parts.port:
        raise SystemExit(f"web_load: only http://127.0.0.1:<port> may be loaded, not {base!r}")
    return f"http://127.0.0.1:{parts.port}"


async def client(
    number: int, base: str, paths: dict[str, list[str]], until: float, out: list[Record]
) -> None:
    """One reader: the next page as soon as the previous one arrived, until ``until``."""
    rng = random.Random(number)
    kinds = sorted(paths)
    turn = number  # clients start on different kinds
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(
        base_url=base, timeout=TIMEOUT, limits=limits, trust_env=False
    ) as http:
        while time.monotonic() < until:
            kind = kinds[turn % len(kinds)]
            turn += 1
            path = rng.choice(paths[kind])
            began = time.monotonic()
            try:
                response = await http.get(path)
                body = response.content
            except httpx.HTTPError as exc:
                out.append((kind, began, time.monotonic() - began, 0, 0, repr(exc)))
                continue
            out.append(
                (kind, began, time.monotonic() - began, response.status_code, len(body), "")
            )


async def run(base: str, paths: dict[str, list[str]], clients: int, seconds: float) -> dict:
    started = time.monotonic()
    print(f"started {started!r}", flush=True)
    records: list[Record] = []
    tasks = [
        asyncio.create_task(client(n, base, paths, started + seconds, records))
        for n in range(clients)
    ]
    done, pending = await asyncio.wait(tasks, timeout=seconds + GRACE)
    for task in pending:
        task.cancel()
    for task in done:
        task.result()  # a bug in a client is loud
    return {
        "started": started,
        "ended": time.monotonic(),
        "clients": clients,
        "cut": len(pending),
        "requests": records,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--base", required=True, help="http://127.0.0.1:<port>")
    parser.add_argument("--paths", type=Path, required=True, help="JSON: kind -> paths")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--cpus", default="", help="run on these CPUs only: 1,2,...")
    args = parser.parse_args()
    if args.cpus:
        os.sched_setaffinity(0, {int(cpu) for cpu in args.cpus.split(",")})
    if not 1 <= args.clients <= 200 or not 0 < args.seconds <= 60:
        parser.error("--clients must be 1..200 and --seconds 0..60")
    paths = json.loads(args.paths.read_text())
    if not paths or not all(paths.values()):
        parser.error("--paths must name at least one kind, each with paths")
    result = asyncio.run(run(loopback(args.base), paths, args.clients, args.seconds))
    args.out.write_text(json.dumps(result))
    sys.exit(0)


if __name__ == "__main__":
    main()
