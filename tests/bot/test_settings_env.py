"""Deployment settings: clear one-line errors and exit code 2, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from bot.settings import DEFAULT_API_URL, DEFAULT_DATABASE_URL, Settings, SettingsError

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
ROOT = Path(__file__).resolve().parents[2]


def test_defaults() -> None:
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert settings.api_url == DEFAULT_API_URL
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.admins == frozenset()
    assert settings.invitation_ttl == timedelta(days=7)
    assert TOKEN not in repr(settings)


def test_all_variables() -> None:
    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": "http://127.0.0.1:8081/",
            "DATABASE_URL": "postgresql+asyncpg://stm@db/stm",
            "BOT_ADMINS": " 11, 22 ,",
            "LOG_LEVEL": "debug",
            "INVITATION_TTL_DAYS": "3",
        }
    )
    assert settings.api_url == "http://127.0.0.1:8081"
    assert settings.admins == {11, 22}
    assert settings.log_level == "DEBUG"
    assert settings.invitation_ttl == timedelta(days=3)


def test_env_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(
        f'# comment\nexport TELEGRAM_BOT_TOKEN="{TOKEN}"\nBOT_ADMINS=5\nLOG_LEVEL=ERROR\n',
        encoding="utf-8",
    )
    settings = Settings.from_env({"LOG_LEVEL": "WARNING"}, env_file=env)
    assert settings.token == TOKEN
    assert settings.admins == {5}
    assert settings.log_level == "WARNING"


@pytest.mark.parametrize(
    ("environ", "fragment"),
    [
        ({}, "Falta TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": "abc"}, "no tiene la forma"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": "ftp://x"}, "TELEGRAM_API_URL"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_ADMINS": "ana"}, "BOT_ADMINS"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "INVITATION_TTL_DAYS": "0"}, "INVITATION_TTL_DAYS"),
    ],
)
def test_bad_settings(environ: dict[str, str], fragment: str) -> None:
    with pytest.raises(SettingsError, match=fragment):
        Settings.from_env(environ)


def start_bot(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -m bot`` as an operator starts it, until it exits."""
    return subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_start_without_a_valid_token_exits_2_with_one_line(
    token: str | None, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env["PYTHONPATH"] = str(ROOT)
    if token is not None:
        env["TELEGRAM_BOT_TOKEN"] = token
    done = start_bot(env, tmp_path)  # no .env there
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "TELEGRAM_BOT_TOKEN" in lines[0]
    assert "Traceback" not in done.stderr


def test_minutes_variables(tmp_path: Path) -> None:
    """Issue 11: DATA_DIR, SMTP_URL + SMTP_FROM (R15a), FIRMA_P12 + its password."""
    seal = tmp_path / "sello.p12"
    seal.write_bytes(b"not checked here: bot.minutes_files.load_seal reads it")
    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "DATA_DIR": str(tmp_path / "datos"),
            "SMTP_URL": "smtp://stm%40zamora:s3cr%2Ft@mail.example.mx:587",
            "SMTP_FROM": "STM Zamora <stm@zamora.example.mx>",
            "FIRMA_P12": str(seal),
            "FIRMA_P12_PASSWORD": "clave-del-sello",
        }
    )
    assert settings.data_dir == tmp_path / "datos"
    assert settings.mail is not None
    assert (settings.mail.host, settings.mail.port, settings.mail.security) == (
        "mail.example.mx",
        587,
        "starttls",
    )
    assert settings.seal_p12 == seal
    assert "s3cr/t" not in repr(settings)
    assert "clave-del-sello" not in repr(settings)
    default = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert default.mail is None
    assert default.seal_p12 is None


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"SMTP_URL": "http://mail.example.mx", "SMTP_FROM": "a@b.mx"}, "SMTP_URL"),
        ({"FIRMA_P12": "/no/existe.p12"}, "FIRMA_P12"),
    ],
)
def test_minutes_variables_refused(variables: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message) as refused:
        Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, **variables})
    assert "\n" not in str(refused.value)


def test_a_seal_with_the_wrong_password_stops_the_start_with_one_line(tmp_path: Path) -> None:
    """FIRMA_P12 is checked when the bot starts, not when the first acta is signed."""
    from tests.bot.test_minutes_files import make_p12

    path, _ = make_p12(tmp_path, b"la-buena")
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT),
        TELEGRAM_BOT_TOKEN=TOKEN,
        FIRMA_P12=str(path),
        FIRMA_P12_PASSWORD="otra",
    )
    done = start_bot(env, tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("stm-bot: ")
    assert "otra" not in lines[0]


def test_microsite_variables() -> None:
    """Issue 13 (R19): WEB_HOST, WEB_PORT (``no`` = not served), PUBLIC_URL, proxies."""
    default = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert (default.web_host, default.web_port, default.public_url) == ("127.0.0.1", 8080, "")
    assert default.site_url == "http://127.0.0.1:8080"
    assert default.forwarded_allow_ips == ""
    behind = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "WEB_HOST": "0.0.0.0",
            "WEB_PORT": "9000",
            "PUBLIC_URL": "https://stm.zamora.gob.mx/",
            "WEB_FORWARDED_ALLOW_IPS": "127.0.0.1",
        }
    )
    assert (behind.web_host, behind.web_port) == ("0.0.0.0", 9000)
    assert behind.site_url == "https://stm.zamora.gob.mx"
    assert behind.forwarded_allow_ips == "127.0.0.1"
    assert Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "WEB_PORT": "no"}).web_port is None


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"WEB_PORT": "ochenta"}, "WEB_PORT"),
        ({"WEB_PORT": "70000"}, "WEB_PORT"),
        ({"PUBLIC_URL": "stm.zamora.gob.mx"}, "PUBLIC_URL"),
        ({"PUBLIC_URL": "ftp://stm.zamora.gob.mx"}, "PUBLIC_URL"),
    ],
)
def test_microsite_variables_refused(variables: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message) as refused:
        Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, **variables})
    assert "\n" not in str(refused.value)


def test_log_format() -> None:
    """Issue 14: ``LOG_FORMAT`` is ``text`` (default) or ``json``."""
    assert Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN}).log_format == "text"
    assert Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "LOG_FORMAT": "JSON"}).log_format == (
        "json"
    )
    with pytest.raises(SettingsError, match="LOG_FORMAT"):
        Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "LOG_FORMAT": "xml"})
