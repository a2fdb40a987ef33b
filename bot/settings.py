"""Deployment settings from the environment (and an optional ``.env``), validated once.

A missing or malformed value is a one-line error and exit code 2 (``SettingsError``
caught in ``bot.app.main``), never a traceback: the person starting the bot is a
municipal IT officer, not a Python developer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from bot.mail import MailConfig, MailConfigError, parse_mail_config

DEFAULT_API_URL = "https://api.telegram.org"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/stm.sqlite3"
DEFAULT_DATA_DIR = Path("data")
DEFAULT_WEB_HOST = "127.0.0.1"
DEFAULT_WEB_PORT = 8080
_TOKEN = re.compile(r"[0-9]{3,20}:[A-Za-z0-9_-]{30,64}")
#: What the Bot API accepts as ``secret_token`` in ``setWebhook``.
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
#: The webhook's path lives under a slug no secretariat can take (``RESERVED_SLUGS``).
WEBHOOK_PREFIX = "/telegram/"
_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


class SettingsError(Exception):
    """A setting that cannot be used; the message is the one line shown to the operator."""


@dataclass(frozen=True)
class Settings:
    """Everything the process needs to know about its deployment."""

    token: str = field(repr=False)  # never printed, never logged
    api_url: str = DEFAULT_API_URL
    database_url: str = DEFAULT_DATABASE_URL
    admins: frozenset[int] = frozenset()
    log_level: str = "INFO"
    #: ``text`` (default) or ``json``: one JSON object per line (``bot.logs``).
    log_format: str = "text"
    invitation_ttl: timedelta = timedelta(days=7)
    #: Where files are kept by SHA-256 (minutes versions, signed minutes): ``DATA_DIR``.
    data_dir: Path = DEFAULT_DATA_DIR
    #: E-mail to the garante (R15a): ``SMTP_URL`` + ``SMTP_FROM``; ``None`` = no e-mail.
    mail: MailConfig | None = None
    #: Optional PAdES seal for signed minutes: ``FIRMA_P12`` and ``FIRMA_P12_PASSWORD``.
    seal_p12: Path | None = None
    seal_password: str = field(default="", repr=False)
    #: The microsite (R19): where it listens (``WEB_HOST``, ``WEB_PORT``; ``None`` = not
    #: served, port 0 = any free port), the address people use (``PUBLIC_URL``) and which
    #: reverse proxies may say who the client is (``WEB_FORWARDED_ALLOW_IPS``).
    web_host: str = DEFAULT_WEB_HOST
    web_port: int | None = DEFAULT_WEB_PORT
    public_url: str = ""
    forwarded_allow_ips: str = ""
    #: ``/metrics`` asks for ``Authorization: Bearer <METRICS_TOKEN>`` when set; never logged.
    metrics_token: str = field(default="", repr=False)
    #: Webhook mode (issue 14): the https address the Bot API posts updates to
    #: (``TELEGRAM_WEBHOOK_URL``, served by the microsite under ``/telegram/``) and the
    #: secret it sends in ``X-Telegram-Bot-Api-Secret-Token``; ``""`` = polling.
    webhook_url: str = ""
    webhook_secret: str = field(default="", repr=False)  # never printed, never logged

    @property
    def webhook_path(self) -> str:
        """The path part of ``TELEGRAM_WEBHOOK_URL`` (``""`` in polling mode)."""
        return urlsplit(self.webhook_url).path if self.webhook_url else ""

    @property
    def site_url(self) -> str:
        """``PUBLIC_URL`` without its trailing slash, else the address the site listens on."""
        if self.public_url:
            return self.public_url
        return f"http://{self.web_host}:{self.web_port or DEFAULT_WEB_PORT}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str], env_file: Path | None = None) -> Settings:
        """Read the environment; values in ``environ`` win over those in ``env_file``."""
        values = dict(read_env_file(env_file)) if env_file is not None else {}
        values.update(environ)
        token = values.get("TELEGRAM_BOT_TOKEN", "").strip()
        if not token:
            raise SettingsError(
                "Falta TELEGRAM_BOT_TOKEN: pon el token que te dio @BotFather "
                "(export TELEGRAM_BOT_TOKEN=123456:ABC...)."
            )
        if not _TOKEN.fullmatch(token):
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN no tiene la forma de un token de @BotFather "
                "(números, dos puntos y al menos 30 letras, números, _ o -)."
            )
        api_url = values.get("TELEGRAM_API_URL", "").strip() or DEFAULT_API_URL
        parts = urlsplit(api_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise SettingsError(f"TELEGRAM_API_URL debe ser una URL http(s): {api_url!r}.")
        database_url = values.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
        if not database_url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise SettingsError(
                "DATABASE_URL debe empezar con sqlite+aiosqlite:// o postgresql+asyncpg://."
            )
        admins: set[int] = set()
        for item in values.get("BOT_ADMINS", "").replace(";", ",").split(","):
            if item.strip():
                if not item.strip().isdigit():
                    raise SettingsError(
                        f"BOT_ADMINS debe ser una lista de ids numéricos separados por comas: "
                        f"{item.strip()!r} no lo es."
                    )
                admins.add(int(item.strip()))
        level = values.get("LOG_LEVEL", "INFO").strip().upper() or "INFO"
        if level not in _LEVELS:
            raise SettingsError(f"LOG_LEVEL debe ser uno de {', '.join(_LEVELS)}.")
        log_format = values.get("LOG_FORMAT", "text").strip().lower() or "text"
        if log_format not in ("text", "json"):
            raise SettingsError("LOG_FORMAT debe ser text o json.")
        ttl_raw = values.get("INVITATION_TTL_DAYS", "7").strip() or "7"
        if not ttl_raw.isdigit() or not 1 <= int(ttl_raw) <= 90:
            raise SettingsError("INVITATION_TTL_DAYS debe ser un número de días entre 1 y 90.")
        data_dir = Path(values.get("DATA_DIR", "").strip() or DEFAULT_DATA_DIR)
        try:
            mail = parse_mail_config(
                values.get("SMTP_URL", "").strip(),
                values.get("SMTP_FROM", "").strip(),
                ca_file=values.get("SMTP_CA_FILE", "").strip(),
            )
        except MailConfigError as exc:
            raise SettingsError(str(exc)) from None
        seal_raw = values.get("FIRMA_P12", "").strip()
        seal_p12 = Path(seal_raw) if seal_raw else None
        if seal_p12 is not None and not seal_p12.is_file():
            raise SettingsError(f"FIRMA_P12 no es un archivo legible: {seal_raw!r}.")
        web_host = values.get("WEB_HOST", "").strip() or DEFAULT_WEB_HOST
        port_raw = values.get("WEB_PORT", "").strip() or str(DEFAULT_WEB_PORT)
        if port_raw.lower() in ("no", "off", "-"):
            web_port = None
        elif port_raw.isdigit() and int(port_raw) <= 65535:
            web_port = int(port_raw)
        else:
            raise SettingsError(
                "WEB_PORT debe ser un número de puerto (0 a 65535), o no para no servir el "
                f"micrositio: {port_raw!r}."
            )
        public_url = values.get("PUBLIC_URL", "").strip().rstrip("/")
        if public_url:
            public_parts = urlsplit(public_url)
            if public_parts.scheme not in ("http", "https") or not public_parts.netloc:
                raise SettingsError(
                    f"PUBLIC_URL debe ser una URL http(s), p. ej. https://stm.zamora.gob.mx: "
                    f"{public_url!r}."
                )
        webhook_url, webhook_secret = _webhook(values, web_port)
        return cls(
            token=token,
            api_url=api_url.rstrip("/"),
            database_url=database_url,
            admins=frozenset(admins),
            log_level=level,
            log_format=log_format,
            invitation_ttl=timedelta(days=int(ttl_raw)),
            data_dir=data_dir,
            mail=mail,
            seal_p12=seal_p12,
            seal_password=values.get("FIRMA_P12_PASSWORD", ""),
            web_host=web_host,
            web_port=web_port,
            public_url=public_url,
            forwarded_allow_ips=values.get("WEB_FORWARDED_ALLOW_IPS", "").strip(),
            metrics_token=values.get("METRICS_TOKEN", "").strip(),
            webhook_url=webhook_url,
            webhook_secret=webhook_secret,
        )


def _webhook(values: Mapping[str, str], web_port: int | None) -> tuple[str, str]:
    """``TELEGRAM_WEBHOOK_URL`` and ``TELEGRAM_WEBHOOK_SECRET``, checked together.

    Plain http is only for a Bot API on this machine (tests); the secret is what keeps
    forged updates out, so there is no webhook without one; the microsite's server is
    what receives the updates, so ``WEB_PORT=no`` cannot go with a webhook.
    """
    url = values.get("TELEGRAM_WEBHOOK_URL", "").strip()
    secret = values.get("TELEGRAM_WEBHOOK_SECRET", "").strip()
    if not url:
        if secret:
            raise SettingsError(
                "TELEGRAM_WEBHOOK_SECRET sin TELEGRAM_WEBHOOK_URL: pon también la URL del "
                "webhook, o quita el secreto para recibir por sondeo (polling)."
            )
        return "", ""
    parts = urlsplit(url)
    local = parts.scheme == "http" and parts.hostname == "127.0.0.1"
    if not (parts.scheme == "https" or local) or not parts.hostname:
        raise SettingsError(
            "TELEGRAM_WEBHOOK_URL debe ser una URL https, p. ej. "
            f"https://stm.zamora.gob.mx/telegram/recibir: {url!r}."
        )
    if (
        not parts.path.startswith(WEBHOOK_PREFIX)
        or len(parts.path) <= len(WEBHOOK_PREFIX)
        or parts.query
        or parts.fragment
    ):
        raise SettingsError(
            "La ruta de TELEGRAM_WEBHOOK_URL debe empezar con /telegram/ y seguir con un "
            f"nombre, sin ?consulta, p. ej. https://stm.zamora.gob.mx/telegram/recibir: {url!r}."
        )
    if not secret:
        raise SettingsError(
            "Falta TELEGRAM_WEBHOOK_SECRET: el webhook necesita un secreto de 1 a 256 letras, "
            "números, _ o - (p. ej. openssl rand -hex 32)."
        )
    if not _WEBHOOK_SECRET.fullmatch(secret):
        # The value itself is not repeated: it is a secret.
        raise SettingsError(
            "TELEGRAM_WEBHOOK_SECRET debe tener de 1 a 256 letras sin acentos, números, _ o -."
        )
    if web_port is None:
        raise SettingsError(
            "WEB_PORT=no no puede ir con TELEGRAM_WEBHOOK_URL: las actualizaciones llegan "
            "por el servidor del micrositio; pon un puerto en WEB_PORT."
        )
    return url, secret


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=value`` lines of a ``.env`` file; ``#`` comments and optional quotes.

    Eight lines instead of a dependency: we need no interpolation or multi-line values.
    """
    if not path.is_file():
        return {}
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values
