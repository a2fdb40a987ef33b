"""E-mail to the garante (R15a): settings, the message, and real sends to 127.0.0.1.

Every send goes to :class:`tests.smtp.LocalSMTP` (aiosmtpd in a thread) or to a local
socket that refuses or never answers; nothing leaves this machine.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import traceback
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from bot.mail import (
    Accepted,
    Attachment,
    MailConfig,
    MailConfigError,
    MailFailed,
    build_message,
    parse_mail_config,
    send,
)
from tests.smtp import Certificates, LocalSMTP, make_certificates, mute_listener, refusing_port

PASSWORD = "Hunter2Qx"
USER = "stm@zamora.gob.mx"
SENDER = "Secretariado Técnico Municipal <stm@zamora.gob.mx>"
GARANTE = "garante@imaip.org.mx"
SUBJECT = "Acta firmada de la Primera Sesión Ordinaria 2026 — Zamora"
BODY = "Se adjunta el acta firmada de la sesión y su resumen.\nAtentamente, el Secretariado."
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
SUMMARY = json.dumps(
    {"sesion": "Primera Sesión Ordinaria 2026", "municipio": "Zamora", "acuerdos": 3},
    ensure_ascii=False,
).encode()
ATTACHMENTS = (
    Attachment("acta-primera-sesion-2026.pdf", PDF, "application/pdf"),
    Attachment("resumen-sesión.json", SUMMARY, "application/json"),
)


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    """A test CA and a server certificate for 127.0.0.1."""
    return make_certificates(tmp_path_factory.mktemp("smtp-tls"))


@pytest.fixture
def relay() -> Iterator[LocalSMTP]:
    """A plain local relay, no AUTH."""
    with LocalSMTP() as server:
        yield server


@pytest.fixture
def submission(certificates: Certificates) -> Iterator[LocalSMTP]:
    """Port-587 style: STARTTLS required, then AUTH."""
    with LocalSMTP(starttls=certificates, auth=(USER, PASSWORD)) as server:
        yield server


@pytest.fixture
def smtps(certificates: Certificates) -> Iterator[LocalSMTP]:
    """Port-465 style: TLS from the first byte, then AUTH."""
    with LocalSMTP(implicit_tls=certificates, auth=(USER, PASSWORD)) as server:
        yield server


def config_for(
    server: LocalSMTP, *, password: str = PASSWORD, ca_file: Path | None = None
) -> MailConfig:
    url = server.url(username=USER, password=password) if server.auth else server.url()
    config = parse_mail_config(url, SENDER, ca_file=str(ca_file or ""))
    assert config is not None
    return config


def text_of(message: EmailMessage) -> str:
    """The plain-text body, line ends as written (SMTP carries them as CRLF)."""
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content()).replace("\r\n", "\n")


def acta(config: MailConfig) -> EmailMessage:
    return build_message(config, to=GARANTE, subject=SUBJECT, body=BODY, attachments=ATTACHMENTS)


# -- SMTP_URL / SMTP_FROM ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            f"smtp://{USER.replace('@', '%40')}:{PASSWORD}@smtp.zamora.gob.mx",
            ("smtp.zamora.gob.mx", 587, USER, PASSWORD, "starttls"),
        ),
        (
            f"smtps://stm:{PASSWORD}@smtp.zamora.gob.mx",
            ("smtp.zamora.gob.mx", 465, "stm", PASSWORD, "tls"),
        ),
        (
            f"smtp://stm:{PASSWORD}@smtp.zamora.gob.mx:2525/",
            ("smtp.zamora.gob.mx", 2525, "stm", PASSWORD, "starttls"),
        ),
        ("SMTP://Relay.Zamora.GOB.MX", ("relay.zamora.gob.mx", 587, "", "", "starttls")),
        (
            "smtp://relay.zamora.gob.mx?starttls=si",
            ("relay.zamora.gob.mx", 587, "", "", "starttls"),
        ),
        ("smtp://127.0.0.1:25?starttls=no", ("127.0.0.1", 25, "", "", "none")),
        # a plain relay elsewhere is allowed as long as no password travels
        ("smtp://relay.intranet.mx:25?starttls=no", ("relay.intranet.mx", 25, "", "", "none")),
        (
            f"smtp://stm:{PASSWORD}@localhost:25?starttls=no",
            ("localhost", 25, "stm", PASSWORD, "none"),
        ),
        (f"smtp://stm:{PASSWORD}@[::1]:25?starttls=NO", ("::1", 25, "stm", PASSWORD, "none")),
        (
            "smtp://stm%40zamora.gob.mx:p%40ss%3Aw%2Fo%23r%3Fd%25%20x@smtp.zamora.gob.mx:587",
            ("smtp.zamora.gob.mx", 587, USER, "p@ss:w/o#r?d% x", "starttls"),
        ),
        (
            "smtp://stm:contrase%C3%B1a@smtp.zamora.gob.mx",
            ("smtp.zamora.gob.mx", 587, "stm", "contraseña", "starttls"),
        ),
        (
            "smtp://stm:a+b@smtp.zamora.gob.mx",
            ("smtp.zamora.gob.mx", 587, "stm", "a+b", "starttls"),
        ),
    ],
)
def test_valid_urls(url: str, expected: tuple[str, int, str, str, str]) -> None:
    config = parse_mail_config(url, SENDER)
    assert config is not None
    assert (config.host, config.port, config.username, config.password, config.security) == (
        expected
    )
    assert config.sender == SENDER
    assert config.ca_file is None


@pytest.mark.parametrize("url", ["", "   ", "\n"])
def test_no_url_means_no_email(url: str) -> None:
    assert parse_mail_config(url, "") is None


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        (f"http://stm:{PASSWORD}@smtp.zamora.gob.mx", "debe empezar con smtp://"),
        (f"submission://stm:{PASSWORD}@smtp.zamora.gob.mx", "debe empezar con smtp://"),
        ("smtp://", "debe empezar con smtp://"),
        ("smtp:smtp.zamora.gob.mx", "debe empezar con smtp://"),
        (f"smtp://stm:{PASSWORD}@[::1", "no es una URL válida"),
        (f"smtp://stm:{PASSWORD}@smtp.zamora.gob.mx:99999", "puerto"),
        (f"smtp://stm:{PASSWORD}@smtp.zamora.gob.mx:0", "puerto"),
        (f"smtp://stm:{PASSWORD}@smtp.zamora.gob.mx:smtp", "puerto"),
        # unencoded special characters in the password break the URL apart
        (f"smtp://stm:{PASSWORD}/x@smtp.zamora.gob.mx", "codificados"),
        (f"smtp://stm:{PASSWORD}#x@smtp.zamora.gob.mx", "codificados"),
        (f"smtp://stm:{PASSWORD}?x@smtp.zamora.gob.mx", "codificados"),
        (f"smtp://stm:1{PASSWORD}x?y@smtp.zamora.gob.mx", "codificados"),
        (f"smtp://stm:{PASSWORD}@smtp.zamora.gob.mx/extra", "sin ruta"),
        (f"smtp://stm:{PASSWORD}@smtp.zamora.gob.mx?tls=1", "solo admite la opción ?starttls=no"),
        (f"smtp://stm:{PASSWORD}@smtp.zamora.gob.mx?starttls", "solo admite"),
        (f"smtp://stm:{PASSWORD}@smtp.zamora.gob.mx?starttls=quiza", "?starttls= debe ser no"),
        (f"smtps://stm:{PASSWORD}@smtp.zamora.gob.mx?starttls=no", "solo sirve con smtp://"),
        (f"smtp://stm:{PASSWORD}@:587", "a qué servidor"),
        (f"smtp://stm:{PASSWORD}@smtp_zamora.gob.mx", "a qué servidor"),
        ("smtp://stm@smtp.zamora.gob.mx", "usuario y contraseña juntos"),
        ("smtp://stm:@smtp.zamora.gob.mx", "usuario y contraseña juntos"),
        (f"smtp://:{PASSWORD}@smtp.zamora.gob.mx", "usuario y contraseña juntos"),
        # credentials never travel in clear beyond this machine
        (f"smtp://stm:{PASSWORD}@smtp.zamora.gob.mx:25?starttls=no", "sin cifrar a smtp.zamora"),
        (f"smtp://stm:{PASSWORD}@10.0.0.25:25?starttls=no", "sin cifrar a 10.0.0.25"),
        (f"smtp://stm:{PASSWORD}@127.0.0.1.example.mx:25?starttls=no", "sin cifrar"),
    ],
)
def test_invalid_urls_say_what_is_wrong_without_the_password(url: str, fragment: str) -> None:
    with pytest.raises(MailConfigError) as caught:
        parse_mail_config(url, SENDER)
    message = str(caught.value)
    assert fragment in message
    assert PASSWORD not in message
    assert "\n" not in message
    # nor in the traceback: a chained ValueError from urllib could quote the URL
    assert PASSWORD not in "".join(traceback.format_exception(caught.value))


@pytest.mark.parametrize(
    ("smtp_from", "sender"),
    [
        ("stm@zamora.gob.mx", "stm@zamora.gob.mx"),
        ("  <stm@zamora.gob.mx>  ", "stm@zamora.gob.mx"),
        (SENDER, SENDER),
        ('"Secretariado Técnico" <stm@zamora.gob.mx>', "Secretariado Técnico <stm@zamora.gob.mx>"),
        (
            "Ayuntamiento de Zamora, Mich. <stm@zamora.gob.mx>",
            '"Ayuntamiento de Zamora, Mich." <stm@zamora.gob.mx>',
        ),
        ("gobierno.abierto+stm@zamora.gob.mx", "gobierno.abierto+stm@zamora.gob.mx"),
    ],
)
def test_valid_senders(smtp_from: str, sender: str) -> None:
    config = parse_mail_config("smtp://smtp.zamora.gob.mx", smtp_from)
    assert config is not None
    assert config.sender == sender


@pytest.mark.parametrize(
    ("smtp_from", "fragment"),
    [
        ("", "Falta SMTP_FROM"),
        ("   ", "Falta SMTP_FROM"),
        ("stm", "SMTP_FROM no es una dirección"),
        ("stm@zamora", "SMTP_FROM no es una dirección"),
        ("stm@@zamora.gob.mx", "SMTP_FROM no es una dirección"),
        ("stm..x@zamora.gob.mx", "SMTP_FROM no es una dirección"),
        ("Nombre <stm@zamora.gob.mx", "SMTP_FROM debe ser una sola dirección"),
        ("a@zamora.gob.mx, b@zamora.gob.mx", "SMTP_FROM debe ser una sola dirección"),
        ("a@zamora.gob.mx,b@zamora.gob.mx", "SMTP_FROM no es una dirección"),
        ("stm@zamora.gob.mx\r\nBcc: x@y.mx", "SMTP_FROM debe ser una sola dirección"),
        ("stmñ@zamora.gob.mx", "SMTP_FROM no es una dirección"),
    ],
)
def test_invalid_senders(smtp_from: str, fragment: str) -> None:
    with pytest.raises(MailConfigError, match="^" + fragment):
        parse_mail_config(f"smtp://stm:{PASSWORD}@smtp.zamora.gob.mx", smtp_from)


def test_password_is_never_printed() -> None:
    config = parse_mail_config(f"smtps://stm:{PASSWORD}@smtp.zamora.gob.mx", SENDER)
    assert config is not None
    assert config.password == PASSWORD
    assert PASSWORD not in repr(config)
    assert PASSWORD not in str(config)
    assert PASSWORD not in f"{config}"


def test_private_ca_file(certificates: Certificates, tmp_path: Path) -> None:
    url = f"smtp://stm:{PASSWORD}@smtp.zamora.gob.mx"
    config = parse_mail_config(url, SENDER, ca_file=f" {certificates.ca_file} ")
    assert config is not None
    assert config.ca_file == certificates.ca_file

    with pytest.raises(MailConfigError, match="SMTP_CA_FILE no es un archivo"):
        parse_mail_config(url, SENDER, ca_file=str(tmp_path / "no-existe.pem"))
    junk = tmp_path / "junk.pem"
    junk.write_text("esto no es un certificado\n", encoding="utf-8")
    with pytest.raises(MailConfigError, match="no contiene certificados PEM"):
        parse_mail_config(url, SENDER, ca_file=str(junk))
    with pytest.raises(MailConfigError, match="no sirve con \\?starttls=no"):
        parse_mail_config(
            "smtp://127.0.0.1:25?starttls=no", SENDER, ca_file=str(certificates.ca_file)
        )


# -- the message -------------------------------------------------------------------------


@pytest.fixture
def zamora() -> MailConfig:
    config = parse_mail_config(f"smtp://stm:{PASSWORD}@smtp.zamora.gob.mx", SENDER)
    assert config is not None
    return config


def test_message_headers_and_body(zamora: MailConfig) -> None:
    message = build_message(
        zamora, to=GARANTE, subject=SUBJECT, body=BODY, attachments=ATTACHMENTS
    )
    assert message["From"] == SENDER
    assert message["To"] == GARANTE
    assert message["Subject"] == SUBJECT
    assert message["Date"] is not None
    assert parsedate_to_datetime(message["Date"]).tzinfo is not None
    message_id = message["Message-ID"]
    assert message_id.startswith("<")
    assert message_id.endswith("@zamora.gob.mx>")
    assert text_of(message) == BODY + "\n"


def test_message_is_seven_bit_and_reads_back_the_same(zamora: MailConfig) -> None:
    message = build_message(
        zamora, to=GARANTE, subject=SUBJECT, body=BODY, attachments=ATTACHMENTS
    )
    wire = message.as_bytes(policy=policy.SMTP)
    wire.decode("ascii")  # no relay needs 8BITMIME or SMTPUTF8 for this message
    assert b"=?utf-8?" in wire  # the subject is RFC 2047 encoded, not raw UTF-8
    again = message_from_bytes(wire, policy=policy.default)
    assert again["Subject"] == SUBJECT
    assert again["From"] == SENDER
    assert text_of(again) == BODY + "\n"


def test_attachments_are_base64_with_their_names(zamora: MailConfig) -> None:
    message = build_message(
        zamora, to=GARANTE, subject=SUBJECT, body=BODY, attachments=ATTACHMENTS
    )
    parts = list(message.iter_attachments())
    assert [part.get_filename() for part in parts] == [a.filename for a in ATTACHMENTS]
    assert [part.get_content_type() for part in parts] == ["application/pdf", "application/json"]
    assert all(part["Content-Transfer-Encoding"] == "base64" for part in parts)
    assert [part.get_content() for part in parts] == [PDF, SUMMARY]
    assert base64.b64decode(parts[0].get_payload()) == PDF


def test_date_from_the_callers_clock(zamora: MailConfig) -> None:
    signed_at = datetime(2026, 2, 12, 13, 5, tzinfo=timezone(timedelta(hours=-6)))
    message = build_message(
        zamora, to=GARANTE, subject=SUBJECT, body=BODY, attachments=(), date=signed_at
    )
    assert message["Date"] == "Thu, 12 Feb 2026 13:05:00 -0600"
    with pytest.raises(ValueError, match="aware"):
        build_message(
            zamora,
            to=GARANTE,
            subject="x",
            body="x",
            attachments=(),
            date=datetime(2026, 2, 12),  # noqa: DTZ001 (naive on purpose)
        )


def test_each_message_has_its_own_id(zamora: MailConfig) -> None:
    ids = {
        build_message(zamora, to=GARANTE, subject="x", body="x", attachments=())["Message-ID"]
        for _ in range(20)
    }
    assert len(ids) == 20


@pytest.mark.parametrize(
    "to", ["", "garante", "a@imaip.org.mx, b@imaip.org.mx", "garante@imaip.org.mx\nBcc: x@y.mx"]
)
def test_bad_recipient_is_refused_before_sending(zamora: MailConfig, to: str) -> None:
    with pytest.raises(ValueError, match="destinatario"):
        build_message(zamora, to=to, subject="x", body="x", attachments=())


def test_named_recipient_and_bad_media_type(zamora: MailConfig) -> None:
    message = build_message(
        zamora, to="Garante Estatal <garante@imaip.org.mx>", subject="x", body="x", attachments=()
    )
    assert message["To"].addresses[0].addr_spec == GARANTE
    with pytest.raises(ValueError, match="media_type"):
        build_message(
            zamora, to=GARANTE, subject="x", body="x", attachments=[Attachment("a", b"", "pdf")]
        )


# -- real sends to 127.0.0.1 -------------------------------------------------------------


async def test_plain_local_relay(relay: LocalSMTP) -> None:
    config = config_for(relay)
    assert config.security == "none"
    message = acta(config)

    accepted = await send(config, message)

    [received] = await relay.wait_for_messages(1)
    assert isinstance(accepted, Accepted)
    assert accepted.message_id == message["Message-ID"] == received.message["Message-ID"]
    assert accepted.accepted_at is None  # the caller stamps it with its own clock
    assert "queued" in accepted.response
    assert accepted.refused == ()
    assert received.mail_from == USER
    assert received.rcpt_tos == (GARANTE,)
    assert received.login is None
    assert received.tls is False
    assert received.message["Subject"] == SUBJECT
    assert received.message["From"] == SENDER


async def test_attachments_arrive_intact(relay: LocalSMTP) -> None:
    config = config_for(relay)
    await send(config, acta(config))
    [received] = await relay.wait_for_messages(1)
    parts = list(received.message.iter_attachments())
    assert [(p.get_filename(), p.get_content_type(), p.get_content()) for p in parts] == [
        ("acta-primera-sesion-2026.pdf", "application/pdf", PDF),
        ("resumen-sesión.json", "application/json", SUMMARY),
    ]
    assert text_of(received.message) == BODY + "\n"


async def test_credentials_in_clear_only_to_loopback() -> None:
    with LocalSMTP(auth=(USER, PASSWORD)) as server:
        config = config_for(server)
        assert config.security == "none"
        await send(config, acta(config))
        [received] = await server.wait_for_messages(1)
    assert received.login == USER


async def test_starttls_with_auth_and_private_ca(
    submission: LocalSMTP, certificates: Certificates
) -> None:
    config = config_for(submission, ca_file=certificates.ca_file)
    assert config.security == "starttls"
    message = acta(config)

    accepted = await send(config, message)

    [received] = await submission.wait_for_messages(1)
    assert received.tls is True
    assert received.login == USER
    assert accepted.message_id == received.message["Message-ID"]
    assert [p.get_content() for p in received.message.iter_attachments()] == [PDF, SUMMARY]


async def test_implicit_tls_with_auth(smtps: LocalSMTP, certificates: Certificates) -> None:
    config = config_for(smtps, ca_file=certificates.ca_file)
    assert config.security == "tls"

    accepted = await send(config, acta(config))

    [received] = await smtps.wait_for_messages(1)
    assert received.tls is True
    assert received.login == USER
    assert accepted.message_id == received.message["Message-ID"]


async def test_temporary_refusal_then_the_same_message_is_accepted(relay: LocalSMTP) -> None:
    config = config_for(relay)
    message = acta(config)
    relay.refuse_next(1, "451 4.3.0 Try again later")

    with pytest.raises(MailFailed) as caught:
        await send(config, message)
    assert caught.value.permanent is False
    assert "intentar más tarde" in caught.value.reason
    assert caught.value.detail == "451 4.3.0 Try again later"
    assert relay.messages == []

    accepted = await send(config, message)  # the retry re-sends the very same message
    [received] = await relay.wait_for_messages(1)
    assert accepted.message_id == message["Message-ID"] == received.message["Message-ID"]
    assert relay.refused == ["451 4.3.0 Try again later"]


@pytest.mark.parametrize(
    ("stage", "reply", "permanent", "reason"),
    [
        ("rcpt", "550 5.1.1 Mailbox unavailable", True, "rechazó la dirección del garante"),
        ("rcpt", "452 4.2.2 Mailbox full", False, "por ahora"),
        ("data", "550 5.7.1 Message rejected", True, "rechazó el mensaje"),
        ("data", "554 5.6.0 Message content rejected", True, "rechazó el mensaje"),
        ("data", "421 4.4.2 Closing connection", False, "intentar más tarde"),
        ("mail", "553 5.7.1 Sender address rejected", True, "remitente (SMTP_FROM)"),
        ("mail", "451 4.7.1 Greylisted", False, "intentar más tarde"),
    ],
)
async def test_refusals_are_classified(
    relay: LocalSMTP, stage: str, reply: str, permanent: bool, reason: str
) -> None:
    config = config_for(relay)
    relay.refuse_next(1, reply, at=stage)  # type: ignore[arg-type]

    with pytest.raises(MailFailed) as caught:
        await send(config, acta(config))

    assert caught.value.permanent is permanent
    assert reason in caught.value.reason
    assert reply.split()[0] in caught.value.detail
    assert relay.refused == [reply]
    assert relay.messages == []


async def test_wrong_password_is_permanent_and_not_repeated(
    submission: LocalSMTP, certificates: Certificates
) -> None:
    wrong = "Wr0ngPassw0rd"
    config = config_for(submission, password=wrong, ca_file=certificates.ca_file)

    with pytest.raises(MailFailed) as caught:
        await send(config, acta(config))

    failure = caught.value
    assert failure.permanent is True
    assert "usuario o la contraseña" in failure.reason
    assert failure.detail.startswith("535")
    for text in (failure.reason, failure.detail, str(failure), repr(failure)):
        assert wrong not in text
        assert PASSWORD not in text
    assert submission.messages == []


async def test_nothing_listening_is_temporary() -> None:
    with refusing_port() as port:
        config = parse_mail_config(f"smtp://127.0.0.1:{port}?starttls=no", SENDER)
        assert config is not None
        with pytest.raises(MailFailed) as caught:
            await send(config, acta(config))
    assert caught.value.permanent is False
    assert "No se pudo conectar" in caught.value.reason


async def test_silent_server_times_out_and_is_temporary() -> None:
    with mute_listener() as port:
        config = parse_mail_config(f"smtps://stm:{PASSWORD}@127.0.0.1:{port}", SENDER)
        assert config is not None
        config = dataclasses.replace(config, timeout=0.2)
        with pytest.raises(MailFailed) as caught:
            await send(config, acta(config))
    assert caught.value.permanent is False
    assert "no respondió a tiempo" in caught.value.reason


@pytest.mark.parametrize("mode", ["starttls", "implicit_tls"])
async def test_untrusted_certificate_is_a_temporary_tls_failure(
    certificates: Certificates, mode: str
) -> None:
    with LocalSMTP(auth=(USER, PASSWORD), **{mode: certificates}) as server:
        config = config_for(server)  # no ca_file: the system CAs don't know our test CA
        with pytest.raises(MailFailed) as caught:
            await send(config, acta(config))
        assert server.messages == []
    assert caught.value.permanent is False
    assert "certificado" in caught.value.reason
    assert "CERTIFICATE_VERIFY_FAILED" in caught.value.detail


async def test_no_starttls_offered_sends_nothing_in_clear() -> None:
    with LocalSMTP(auth=(USER, PASSWORD)) as server:  # plain, though AUTH is on offer
        config = parse_mail_config(
            f"smtp://stm:{PASSWORD}@127.0.0.1:{server.port}", SENDER
        )  # STARTTLS demanded
        assert config is not None
        with pytest.raises(MailFailed) as caught:
            await send(config, acta(config))
        assert server.messages == []
    assert caught.value.permanent is False
    assert "STARTTLS" in caught.value.reason


def test_mail_failed_is_readable() -> None:
    failure = MailFailed("El servidor de correo no respondió a tiempo.", False)
    assert str(failure) == failure.reason
    assert repr(failure) == (
        "MailFailed('El servidor de correo no respondió a tiempo.', permanent=False)"
    )
