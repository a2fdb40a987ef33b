"""Outgoing e-mail to the state garante (R15a): one SMTP attempt, classified, never logged.

When minutes are signed and the secretariat has a ``garante_correo``, the signed file and
a JSON summary of the session go to the garante at once. The mail server's acceptance
(its Message-ID and the caller's clock at that moment) is the minutes' *sending*; a
failed delivery is retried with backoff. This module does the SMTP part only::

    config = parse_mail_config(environ["SMTP_URL"], environ["SMTP_FROM"])   # at start-up
    message = build_message(config, to=garante, subject=..., body=..., attachments=[
        Attachment("acta.pdf", pdf, "application/pdf"),
        Attachment("sesion.json", summary, "application/json"),
    ])
    try:
        accepted = await send(config, message)        # one attempt
    except MailFailed as failure:                     # failure.permanent: don't retry
        ...                                           # else retry: domain.minutes.retry_delay(n)
    else:
        record(sent_at=context.now(), message_id=accepted.message_id)

Why the split: :func:`send` makes exactly one attempt and says whether another could
succeed (:attr:`MailFailed.permanent`); retrying is the caller's job, scheduled as a named
job from stored state like every reminder, so a restart loses no retry and this module
needs no clock, no sleep and no database. The message is built once and re-sent as is,
so every attempt carries the same Message-ID and the garante can drop duplicates.

``SMTP_URL`` holds a password: it is never printed, never logged and never part of an
error message (:class:`MailConfig` hides it from ``repr``), and it is never sent over a
connection without TLS unless the server is this machine (a local relay).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import re
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, formatdate, make_msgid
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qsl, unquote, urlsplit

import aiosmtplib

__all__ = [
    "Accepted",
    "Attachment",
    "MailConfig",
    "MailConfigError",
    "MailFailed",
    "Security",
    "build_message",
    "parse_mail_config",
    "send",
]

Security = Literal["starttls", "tls", "none"]

DEFAULT_PORTS: dict[str, int] = {"smtp": 587, "smtps": 465}
DEFAULT_TIMEOUT = 60.0  # aiosmtplib's default; a large PDF needs time
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST = re.compile(rf"(?:{_LABEL}\.)*{_LABEL}")
_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_DOMAIN = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")
_MAILBOX = re.compile(r"\s*(?:(?P<name>[^<>]*?)\s*<(?P<addr>[^<>]*)>|(?P<bare>[^<>\s]+))\s*")
_ENCODING_HINT = (
    "si la contraseña tiene / ? # @ : o %, escríbelos codificados (%2F %3F %23 %40 %3A %25)"
)
_NO = frozenset({"no", "false", "0", "off"})
_YES = frozenset({"si", "sí", "yes", "true", "1", "on"})


class MailConfigError(Exception):
    """``SMTP_URL``/``SMTP_FROM`` cannot be used; the message is one line, without password.

    Not a ``SettingsError``: :mod:`bot.settings` imports this module and turns it into one,
    so start-up reports it like any other setting (one line, exit code 2).
    """


@dataclass(frozen=True)
class MailConfig:
    """Where and how to send, validated once at start-up by :func:`parse_mail_config`."""

    host: str
    port: int
    username: str
    password: str = field(repr=False)  # never printed, never logged
    security: Security
    sender: str  # a From header: ``dir@dominio`` or ``Nombre <dir@dominio>``
    timeout: float = DEFAULT_TIMEOUT  # seconds, per SMTP step
    ca_file: Path | None = None  # a private CA that signed the server's certificate

    @property
    def sender_address(self) -> str:
        """The bare address of :attr:`sender` (the envelope sender, the Message-ID domain)."""
        return _parse_mailbox(self.sender)[1]


@dataclass(frozen=True)
class Attachment:
    """A file to attach, e.g. ``Attachment("acta.pdf", pdf_bytes, "application/pdf")``."""

    filename: str
    data: bytes = field(repr=False)
    media_type: str = "application/octet-stream"


@dataclass(frozen=True)
class Accepted:
    """The server took responsibility for the message: the evidence of the sending.

    ``accepted_at`` is left to the caller, who reads its own clock right after
    :func:`send` returns; ``response`` is the server's reply to the message data (often
    with its queue id). ``refused`` lists recipients the server refused while accepting
    the others (only possible with more than one recipient).
    """

    message_id: str
    accepted_at: datetime | None
    response: str
    refused: tuple[str, ...] = ()


class MailFailed(Exception):
    """One attempt failed; ``reason`` is short Spanish safe to show the facilitator.

    ``permanent`` means retrying the same message cannot help (the server refused the
    recipient, the sender or the content with a 5xx code, or the credentials): someone
    must fix the address or the configuration first. Anything else (4xx, no connection,
    timeout, TLS handshake) is temporary and worth retrying later. ``detail`` is the
    server's reply or the network error for the log; it never holds the password.
    """

    def __init__(self, reason: str, permanent: bool, *, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.detail = detail

    def __repr__(self) -> str:
        return f"MailFailed({self.reason!r}, permanent={self.permanent})"


def parse_mail_config(smtp_url: str, smtp_from: str, *, ca_file: str = "") -> MailConfig | None:
    """``SMTP_URL``, ``SMTP_FROM`` (and a CA file) → a config, or ``None`` when e-mail is off.

    ``smtp://usuario:contraseña@servidor:587`` uses STARTTLS, ``smtps://…:465`` TLS from
    the first byte; ``smtp://…?starttls=no`` a plain local relay. User and password are
    percent-decoded (``stm%40zamora.gob.mx``). Errors name the part that is wrong but
    never echo the URL, whose password may sit anywhere in a malformed one.
    """
    url = smtp_url.strip()
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        raise MailConfigError(
            "SMTP_URL no es una URL válida (smtp://usuario:contraseña@servidor:587)."
        ) from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.netloc:
        raise MailConfigError(
            "SMTP_URL debe empezar con smtp:// (STARTTLS, puerto 587) "
            "o smtps:// (TLS directo, puerto 465)."
        )
    if parts.fragment or parts.path not in ("", "/"):
        raise MailConfigError(
            f"SMTP_URL debe ser smtp://usuario:contraseña@servidor:puerto, sin ruta; "
            f"{_ENCODING_HINT}."
        )
    security = _security(scheme, parts.query)
    try:
        port = DEFAULT_PORTS[scheme] if parts.port is None else parts.port
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise MailConfigError(
            f"El puerto de SMTP_URL debe ser un número entre 1 y 65535; {_ENCODING_HINT}."
        )
    host = (parts.hostname or "").rstrip(".")
    if not host or not (_HOST.fullmatch(host) or _is_ip(host)):
        raise MailConfigError(
            "SMTP_URL no dice a qué servidor conectarse (smtp://usuario:contraseña@servidor:587)."
        )
    username = unquote(parts.username or "")
    password = unquote(parts.password or "")
    if bool(username) != bool(password):
        raise MailConfigError(
            "SMTP_URL debe traer usuario y contraseña juntos (smtp://usuario:contraseña@…) "
            "o ninguno de los dos."
        )
    if username and security == "none" and not _is_loopback(host):
        raise MailConfigError(
            f"SMTP_URL mandaría la contraseña sin cifrar a {host}: quita ?starttls=no "
            "(sin cifrar solo se permite con un relé en esta máquina, 127.0.0.1)."
        )
    return MailConfig(
        host=host,
        port=port,
        username=username,
        password=password,
        security=security,
        sender=_sender(smtp_from),
        ca_file=_ca_file(ca_file, security),
    )


def build_message(
    config: MailConfig,
    *,
    to: str,
    subject: str,
    body: str,
    attachments: Sequence[Attachment],
    date: datetime | None = None,
) -> EmailMessage:
    """A complete message, ready to send and to re-send unchanged on every retry.

    Text is UTF-8 (quoted-printable body, RFC 2047 subject), so accents survive any relay
    and no server has to support 8-bit mail; attachments are base64. Pass ``date`` (the
    caller's clock, aware) to keep the Date header on the same clock as the record of
    the sending; without it the header uses the system clock.
    """
    recipient, _ = _parse_mailbox(to, what="El destinatario")
    message = EmailMessage()
    message["From"] = config.sender
    message["To"] = recipient
    message["Subject"] = subject
    if date is None:
        message["Date"] = formatdate(usegmt=True)
    elif date.tzinfo is None or date.utcoffset() is None:
        raise ValueError("date must be timezone-aware")
    else:
        message["Date"] = format_datetime(date)
    message["Message-ID"] = make_msgid(domain=config.sender_address.rpartition("@")[2])
    message.set_content(body, cte="quoted-printable")
    for attachment in attachments:
        maintype, slash, subtype = attachment.media_type.partition("/")
        if not (maintype and slash and subtype):
            raise ValueError(f"media_type must be type/subtype: {attachment.media_type!r}")
        message.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return message


async def send(config: MailConfig, message: EmailMessage) -> Accepted:
    """One delivery attempt; the server's acceptance, or :class:`MailFailed`.

    Connects (TLS first for ``tls``, STARTTLS demanded for ``starttls``, neither for
    ``none``), logs in when the config has a user, sends and says goodbye. A failure
    after the server has accepted the message (say, on QUIT) is ignored: the message
    is delivered and resending it would only make a duplicate. When this returns or
    raises, the socket is closed.
    """
    message_id = message["Message-ID"]
    if not message_id:
        raise ValueError("message has no Message-ID: build it with build_message()")
    client = aiosmtplib.SMTP(
        hostname=config.host,
        port=config.port,
        timeout=config.timeout,
        use_tls=config.security == "tls",
        start_tls=config.security == "starttls",  # False: no opportunistic STARTTLS either
        tls_context=_tls_context(config.ca_file) if config.security != "none" else None,
    )
    transport: asyncio.BaseTransport | None = None
    try:
        await client.connect()  # greeting, TLS; AUTH below, so we hold the transport first
        transport = client.transport
        if config.username:
            await client.login(config.username, config.password)
        refused, response = await client.send_message(message)
    except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
        await _hang_up(client, transport)
        raise _failure(exc) from exc
    except BaseException:  # cancelled: drop the connection, the message was not accepted
        _drop(client, transport)
        raise
    with contextlib.suppress(TimeoutError, aiosmtplib.SMTPException, OSError):
        await client.quit()  # whatever happens now cannot undo the acceptance
    await _hang_up(client, transport)
    return Accepted(
        message_id=str(message_id),
        accepted_at=None,
        response=response,
        refused=tuple(refused),
    )


# -- parsing ---------------------------------------------------------------------------


def _security(scheme: str, query: str) -> Security:
    """``smtps`` → tls; ``smtp`` → starttls, or none with ``?starttls=no``."""
    try:
        options = dict(parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query)))
    except ValueError:
        options = {"": ""}
    if set(options) - {"starttls"}:
        raise MailConfigError(f"SMTP_URL solo admite la opción ?starttls=no; {_ENCODING_HINT}.")
    if "starttls" not in options:
        return "tls" if scheme == "smtps" else "starttls"
    if scheme == "smtps":
        raise MailConfigError(
            "SMTP_URL: ?starttls=… solo sirve con smtp://; smtps:// ya cifra desde el inicio."
        )
    value = options["starttls"].strip().lower()
    if value in _NO:
        return "none"
    if value in _YES:
        return "starttls"
    raise MailConfigError("SMTP_URL: ?starttls= debe ser no (relé local sin cifrar) o si.")


def _sender(smtp_from: str) -> str:
    """``SMTP_FROM`` as a normalized From header (``Nombre <dir@dominio>`` or ``dir@dominio``)."""
    if not smtp_from.strip():
        raise MailConfigError(
            "Falta SMTP_FROM: la dirección remitente del correo al garante "
            "(p. ej. SMTP_FROM='Secretariado Técnico <stm@municipio.gob.mx>')."
        )
    try:
        return _parse_mailbox(smtp_from, what="SMTP_FROM")[0]
    except ValueError as exc:
        raise MailConfigError(str(exc)) from None


def _parse_mailbox(value: str, *, what: str = "La dirección") -> tuple[str, str]:
    """``Nombre <dir@dominio>`` or ``dir@dominio`` → (header value, bare address).

    Stricter than :func:`email.utils.parseaddr`, which accepts almost anything: one
    mailbox, an ASCII address with a dotted domain, no line breaks.
    """
    match = _MAILBOX.fullmatch(value)
    if match is None or any(ch in value for ch in "\r\n\0"):
        raise ValueError(
            f"{what} debe ser una sola dirección: dir@dominio o Nombre <dir@dominio>."
        )
    name = (match["name"] or "").strip()
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = name[1:-1].strip()
    address = (match["addr"] if match["bare"] is None else match["bare"]).strip()
    local, at, domain = address.rpartition("@")
    if not (at and _LOCAL_PART.fullmatch(local) and _DOMAIN.fullmatch(domain)) or '"' in name:
        raise ValueError(
            f"{what} no es una dirección de correo válida (dir@dominio o Nombre <dir@dominio>)."
        )
    if name:
        return str(Address(display_name=name, username=local, domain=domain)), address
    return address, address


def _ca_file(ca_file: str, security: Security) -> Path | None:
    """The private CA as a path that exists and holds certificates, or ``None``."""
    if not ca_file.strip():
        return None
    path = Path(ca_file.strip())
    if security == "none":
        raise MailConfigError("SMTP_CA_FILE no sirve con ?starttls=no: esa conexión no se cifra.")
    if not path.is_file():
        raise MailConfigError(f"SMTP_CA_FILE no es un archivo: {str(path)!r}.")
    try:
        _tls_context(path)
    except (ssl.SSLError, OSError, ValueError):
        raise MailConfigError(
            f"SMTP_CA_FILE no contiene certificados PEM legibles: {str(path)!r}."
        ) from None
    return path


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _is_loopback(host: str) -> bool:
    """This machine: ``localhost``, 127.0.0.0/8 or ``::1``; nothing else sees the traffic."""
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# -- sending ---------------------------------------------------------------------------


def _tls_context(ca_file: Path | None) -> ssl.SSLContext | None:
    """Verify against ``ca_file`` only, or ``None`` for aiosmtplib's default (system CAs)."""
    if ca_file is None:
        return None
    return ssl.create_default_context(cafile=str(ca_file))


async def _hang_up(client: aiosmtplib.SMTP, transport: asyncio.BaseTransport | None) -> None:
    """Drop the connection and let the loop release the socket before we return."""
    _drop(client, transport)
    await asyncio.sleep(0)  # the transport closes its socket in a callback: run it now


def _drop(client: aiosmtplib.SMTP, transport: asyncio.BaseTransport | None) -> None:
    """Close at once, TLS included: after QUIT or a failure there is nothing left to say.

    A graceful TLS close waits for the server's reply to ours; a caller whose loop ends
    meanwhile (a script, a test) would leave the socket to the garbage collector.
    """
    if isinstance(transport, asyncio.WriteTransport):  # plain TCP or TLS: both can abort
        transport.abort()
    client.close()


def _failure(exc: BaseException) -> MailFailed:
    """Classify one aiosmtplib/network error (the order matters: subclasses first)."""
    detail = _detail(exc)
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        if exc.code >= 500:
            return MailFailed(
                "El servidor de correo rechazó el usuario o la contraseña de SMTP_URL.",
                True,
                detail=detail,
            )
        return MailFailed(
            "El servidor de correo no pudo validar la cuenta por ahora.", False, detail=detail
        )
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [refusal.code for refusal in exc.recipients] or [550]
        permanent = any(code >= 500 for code in codes)
        return MailFailed(
            "El servidor de correo rechazó la dirección del garante."
            if permanent
            else "El servidor de correo no aceptó al destinatario por ahora.",
            permanent,
            detail=detail,
        )
    if isinstance(exc, aiosmtplib.SMTPSenderRefused | aiosmtplib.SMTPRecipientRefused):
        sender = isinstance(exc, aiosmtplib.SMTPSenderRefused)
        who = "el remitente (SMTP_FROM)" if sender else "la dirección del garante"
        return _by_code(exc.code, f"El servidor de correo rechazó {who}.", detail)
    if isinstance(exc, aiosmtplib.SMTPDataError):
        return _by_code(exc.code, "El servidor de correo rechazó el mensaje.", detail)
    if isinstance(exc, aiosmtplib.SMTPTimeoutError | TimeoutError):
        return MailFailed("El servidor de correo no respondió a tiempo.", False, detail=detail)
    tls_error = _tls_cause(exc)
    if tls_error is not None:
        if isinstance(tls_error, ssl.SSLCertVerificationError):
            return MailFailed(
                "El certificado del servidor de correo no es de confianza "
                "(¿falta SMTP_CA_FILE o cambió el certificado?).",
                False,
                detail=detail,
            )
        return MailFailed(
            "No se pudo establecer la conexión cifrada con el servidor de correo.",
            False,
            detail=detail,
        )
    if isinstance(exc, aiosmtplib.SMTPConnectResponseError):
        return MailFailed(
            "El servidor de correo no aceptó la conexión por ahora.", False, detail=detail
        )
    if isinstance(exc, aiosmtplib.SMTPConnectError | aiosmtplib.SMTPServerDisconnected):
        return MailFailed("No se pudo conectar con el servidor de correo.", False, detail=detail)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return _by_code(exc.code, "El servidor de correo rechazó el envío.", detail)
    if isinstance(exc, aiosmtplib.SMTPException) and "starttls" in exc.message.lower():
        # aiosmtplib has no type for it. Not permanent: a server that stops offering
        # STARTTLS may be a downgrade in the network path; nothing was sent in clear.
        return MailFailed(
            "El servidor de correo no ofreció cifrado (STARTTLS); no se envió nada.",
            False,
            detail=detail,
        )
    if isinstance(exc, OSError):
        return MailFailed("No se pudo conectar con el servidor de correo.", False, detail=detail)
    return MailFailed("El servidor de correo respondió algo inesperado.", False, detail=detail)


def _by_code(code: int, refused: str, detail: str) -> MailFailed:
    """5xx is a refusal that a retry cannot change; 4xx asks us to come back later."""
    if code >= 500:
        return MailFailed(refused, True, detail=detail)
    return MailFailed("El servidor de correo pidió intentar más tarde.", False, detail=detail)


def _tls_cause(exc: BaseException) -> ssl.SSLError | None:
    """The TLS error behind ``exc`` (aiosmtplib wraps it in SMTPConnectError for smtps)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return seen
        seen = seen.__cause__
    return None


def _detail(exc: BaseException) -> str:
    """The server's reply or the network error, for the log (one line)."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        text = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
    elif isinstance(exc, aiosmtplib.SMTPResponseException):
        text = f"{exc.code} {exc.message}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return " ".join(text.split())
