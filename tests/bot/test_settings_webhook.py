"""Webhook mode's settings (issue 14): checked together, one-line Spanish errors."""

from __future__ import annotations

import logging

import pytest

from bot.logs import install_redaction
from bot.settings import Settings, SettingsError

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
SECRET = "Zq9_secreto-del-webhook_4f7a"
URL = "https://stm.zamora.gob.mx/telegram/recibir"


def test_polling_is_the_default() -> None:
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert (settings.webhook_url, settings.webhook_secret, settings.webhook_path) == ("", "", "")


def test_webhook_variables() -> None:
    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_WEBHOOK_URL": f" {URL} ",
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
        }
    )
    assert settings.webhook_url == URL
    assert settings.webhook_secret == SECRET
    assert settings.webhook_path == "/telegram/recibir"
    assert SECRET not in repr(settings)  # never printed


def test_plain_http_only_on_this_machine() -> None:
    """Tests run the fake Bot API locally; anywhere else the Bot API demands https."""
    local = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_WEBHOOK_URL": "http://127.0.0.1:8080/telegram/x",
            "TELEGRAM_WEBHOOK_SECRET": "a",
        }
    )
    assert local.webhook_path == "/telegram/x"


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"TELEGRAM_WEBHOOK_SECRET": SECRET}, "TELEGRAM_WEBHOOK_SECRET sin TELEGRAM_WEBHOOK_URL"),
        ({"TELEGRAM_WEBHOOK_URL": URL}, "Falta TELEGRAM_WEBHOOK_SECRET"),
        (
            {"TELEGRAM_WEBHOOK_URL": "http://stm.zamora.gob.mx/telegram/x"},
            "TELEGRAM_WEBHOOK_URL debe ser una URL https",
        ),
        ({"TELEGRAM_WEBHOOK_URL": "stm.zamora.gob.mx/telegram/x"}, "URL https"),
        ({"TELEGRAM_WEBHOOK_URL": "https:///telegram/x"}, "URL https"),
        ({"TELEGRAM_WEBHOOK_URL": "https://stm.zamora.gob.mx/bot"}, "debe empezar con /telegram/"),
        ({"TELEGRAM_WEBHOOK_URL": "https://stm.zamora.gob.mx/telegram/"}, "/telegram/"),
        ({"TELEGRAM_WEBHOOK_URL": "https://stm.zamora.gob.mx/telegram/x?a=1"}, "/telegram/"),
        ({"TELEGRAM_WEBHOOK_URL": "https://stm.zamora.gob.mx/zamora/x"}, "/telegram/"),
        ({"TELEGRAM_WEBHOOK_URL": URL, "WEB_PORT": "no"}, "WEB_PORT=no no puede ir"),
    ],
)
def test_webhook_variables_refused(variables: dict[str, str], message: str) -> None:
    environ = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET, **variables}
    if "TELEGRAM_WEBHOOK_SECRET sin" in message:
        environ.pop("TELEGRAM_WEBHOOK_URL", None)
    if message.startswith("Falta"):
        environ.pop("TELEGRAM_WEBHOOK_SECRET")
    with pytest.raises(SettingsError, match=message) as refused:
        Settings.from_env(environ)
    assert "\n" not in str(refused.value)
    assert SECRET not in str(refused.value)


@pytest.mark.parametrize(
    "secret",
    ["con espacio", "ñandú", "a" * 257, "punto.y.coma;", "barra/"],
)
def test_secrets_the_bot_api_would_refuse_are_refused_without_repeating_them(
    secret: str,
) -> None:
    """setWebhook's ``secret_token``: 1–256 characters of A-Z a-z 0-9 _ -."""
    with pytest.raises(SettingsError, match="TELEGRAM_WEBHOOK_SECRET debe tener") as refused:
        Settings.from_env(
            {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_WEBHOOK_URL": URL,
                "TELEGRAM_WEBHOOK_SECRET": secret,
            }
        )
    assert secret not in str(refused.value)


def test_the_longest_secret_is_accepted() -> None:
    secret = "A" * 200 + "b_-9" * 14
    assert len(secret) == 256
    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_WEBHOOK_URL": URL,
            "TELEGRAM_WEBHOOK_SECRET": secret,
        }
    )
    assert settings.webhook_secret == secret


def test_the_secret_is_redacted_from_logs(caplog: pytest.LogCaptureFixture) -> None:
    """Like the bot token: a DEBUG line with setWebhook's body never shows it."""
    install_redaction(SECRET)
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("telegram.ext.ExtBot").debug("setWebhook secret_token=%s", SECRET)
    assert SECRET not in caplog.text
    assert "<redacted>" in caplog.text
