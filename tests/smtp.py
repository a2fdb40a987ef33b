"""A real SMTP server on 127.0.0.1 for tests: aiosmtpd in a thread, on an ephemeral port.

Like the fake Bot API, the mail server is real and only the far end is ours: the code
under test speaks SMTP over TCP (and TLS) exactly as it would to the garante's provider::

    with LocalSMTP(starttls=certificates, auth=("stm", "s3cr3t")) as smtp:
        config = parse_mail_config(smtp.url(username="stm", password="s3cr3t"),
                                   "stm@zamora.gob.mx", ca_file=str(certificates.ca_file))
        await send(config, message)
        [received] = await smtp.wait_for_messages(1)

aiosmtpd's :class:`~aiosmtpd.controller.Controller` runs its own event loop in a thread, so
the test's loop never serves the connection it is waiting on. Its ``port=0`` is not
enough on its own (it would probe port 0 after binding), so :class:`_EphemeralController`
records the port the kernel chose before the controller probes it: no port guessing, no
race with other tests. Everything the server thread touches is guarded by one lock.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import ipaddress
import socket
import ssl
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, cast
from urllib.parse import quote

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = [
    "HOST",
    "Certificates",
    "LocalSMTP",
    "Received",
    "make_certificates",
    "mute_listener",
    "refusing_port",
]

HOST = "127.0.0.1"
Stage = Literal["mail", "rcpt", "data"]


@dataclass(frozen=True)
class Received:
    """One message the server accepted, as the envelope and the parsed message."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage
    raw: bytes
    login: str | None  # the user that authenticated, if any
    tls: bool  # the message travelled encrypted (STARTTLS or implicit TLS)


@dataclass(frozen=True)
class Certificates:
    """A throw-away CA and a server certificate for 127.0.0.1 and localhost (PEM files)."""

    ca_file: Path
    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        """The server side: presents the certificate, asks nothing of the client."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


def make_certificates(directory: Path) -> Certificates:
    """A CA and a server certificate it signed, written to ``directory``.

    Built with the extensions a strict verifier demands (CA basic constraints and key
    usage, key identifiers, a SAN with the IP address), so the client's normal
    verification path is what the tests exercise. EC keys: fast to make per session.
    """
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "STM test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address(HOST)), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(server_key.public_key()), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    certificates = Certificates(
        ca_file=directory / "ca.pem",
        cert_file=directory / "server.pem",
        key_file=directory / "server-key.pem",
    )
    certificates.ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    certificates.cert_file.write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    certificates.key_file.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return certificates


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


class _EphemeralController(Controller):
    """A Controller on port 0 that learns its real port before probing itself."""

    def _create_server(self) -> Any:
        return self._bind()

    async def _bind(self) -> asyncio.AbstractServer:
        server = await super()._create_server()
        self.port = server.sockets[0].getsockname()[1]
        return server


class LocalSMTP:
    """An SMTP server on 127.0.0.1 that keeps what it accepts and refuses on demand.

    ``starttls`` offers STARTTLS and requires it before any mail (and before AUTH);
    ``implicit_tls`` speaks TLS from the first byte (``smtps://``); neither is a plain
    relay. ``auth=(user, password)`` offers AUTH PLAIN/LOGIN and refuses mail from a
    session that did not log in. Use it as a context manager (or yield it from a fixture).
    """

    host = HOST

    def __init__(
        self,
        *,
        auth: tuple[str, str] | None = None,
        starttls: Certificates | None = None,
        implicit_tls: Certificates | None = None,
    ) -> None:
        if starttls is not None and implicit_tls is not None:
            raise ValueError("choose STARTTLS or implicit TLS, not both")
        self.auth = auth
        self.mode: Literal["plain", "starttls", "tls"] = (
            "starttls" if starttls is not None else "tls" if implicit_tls is not None else "plain"
        )
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._refusals: deque[tuple[Stage, str]] = deque()
        self.refused: list[str] = []  # the replies actually given, in order
        smtp_options: dict[str, Any] = {}
        if starttls is not None:
            smtp_options.update(
                tls_context=starttls.server_context(), require_starttls=True, auth_require_tls=True
            )
        else:
            # aiosmtpd only knows about STARTTLS; over implicit TLS (or a loopback relay)
            # AUTH must be offered without it.
            smtp_options.update(auth_require_tls=False)
        if auth is not None:
            smtp_options.update(authenticator=self._authenticate)
        self._controller = _EphemeralController(
            _Handler(self),
            hostname=HOST,
            port=0,
            ssl_context=implicit_tls.server_context() if implicit_tls is not None else None,
            server_hostname="localhost",  # the banner name; skips socket.getfqdn()
            **smtp_options,
        )
        self._running = False

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> LocalSMTP:
        """Bind, start the server thread and wait until it answers."""
        self._controller.start()
        self._running = True
        return self

    def stop(self) -> None:
        """Stop the server thread (idempotent)."""
        if self._running:
            self._running = False
            self._controller.stop()

    def __enter__(self) -> LocalSMTP:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- test-facing API -------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port the kernel chose (valid once started)."""
        return int(self._controller.port)

    def url(self, *, username: str = "", password: str = "") -> str:
        """An ``SMTP_URL`` for this server (credentials percent-encoded)."""
        scheme = "smtps" if self.mode == "tls" else "smtp"
        userinfo = f"{quote(username, safe='')}:{quote(password, safe='')}@" if username else ""
        query = "?starttls=no" if self.mode == "plain" else ""
        return f"{scheme}://{userinfo}{HOST}:{self.port}{query}"

    @property
    def messages(self) -> list[Received]:
        """A snapshot of the messages accepted so far."""
        with self._lock:
            return list(self._received)

    def refuse_next(
        self, count: int = 1, reply: str = "451 4.3.0 Try again later", *, at: Stage = "data"
    ) -> None:
        """Answer the next ``count`` messages with ``reply`` at MAIL, RCPT or DATA.

        ``"451 4.3.0 Try again later"`` at DATA is a temporary refusal, ``"550 5.1.1
        Mailbox unavailable"`` at RCPT a permanent one for the recipient.
        """
        if not reply[:1].isdigit() or reply[:1] not in "45":
            raise ValueError("a refusal is a 4xx or 5xx reply")
        with self._lock:
            self._refusals.extend([(at, reply)] * count)

    async def wait_for_messages(self, n: int, timeout: float = 5.0) -> list[Received]:  # noqa: ASYNC109
        """The first ``n`` messages, once they have arrived (TimeoutError otherwise)."""
        async with asyncio.timeout(timeout):
            while True:
                with self._lock:
                    if len(self._received) >= n:
                        return list(self._received[:n])
                await asyncio.sleep(0.01)

    # -- called in the server thread ---------------------------------------------------

    def _refusal(self, stage: Stage) -> str | None:
        with self._lock:
            if self._refusals and self._refusals[0][0] == stage:
                _, reply = self._refusals.popleft()
                self.refused.append(reply)
                return reply
        return None

    def _keep(self, received: Received) -> None:
        with self._lock:
            self._received.append(received)

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        assert self.auth is not None
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        username, password = self.auth
        ok = data.login == username.encode() and data.password == password.encode()
        return AuthResult(success=ok, handled=False, auth_data=data if ok else None)


class _Handler:
    """aiosmtpd hooks: refuse when asked, require AUTH when configured, keep the rest."""

    def __init__(self, owner: LocalSMTP) -> None:
        self.owner = owner

    async def handle_MAIL(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        mail_options: list[str],
    ) -> str:
        if self.owner.auth is not None and not session.authenticated:
            return "530 5.7.0 Authentication required"
        refusal = self.owner._refusal("mail")
        if refusal is not None:
            return refusal
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        refusal = self.owner._refusal("rcpt")
        if refusal is not None:
            return refusal
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        refusal = self.owner._refusal("data")
        if refusal is not None:
            return refusal
        raw = cast(bytes, envelope.original_content)
        transport = server.transport
        login = session.auth_data.login.decode() if session.auth_data is not None else None
        self.owner._keep(
            Received(
                mail_from=str(envelope.mail_from),
                rcpt_tos=tuple(envelope.rcpt_tos),
                message=cast(
                    EmailMessage, email.message_from_bytes(raw, policy=email.policy.default)
                ),
                raw=raw,
                login=login,
                tls=transport is not None and transport.get_extra_info("ssl_object") is not None,
            )
        )
        return "250 2.0.0 OK: queued"


@contextmanager
def refusing_port() -> Iterator[int]:
    """A port on 127.0.0.1 that is bound but not listening: connecting is refused.

    Held for the whole block, so no other process can start listening there meanwhile.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        yield sock.getsockname()[1]


@contextmanager
def mute_listener() -> Iterator[int]:
    """A port on 127.0.0.1 that accepts TCP connections but never says a word.

    The kernel completes the handshake from the backlog; the SMTP greeting never comes,
    so a client can only time out.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        sock.listen(8)
        yield sock.getsockname()[1]
