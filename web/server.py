"""Serve the microsite with uvicorn inside the bot's own event loop.

``python -m bot`` polls Telegram and serves HTTP in one process, so both read the same
engine and clock. PTB's ``run_polling`` owns the signals (Ctrl+C, SIGTERM): uvicorn's own
signal capture is switched off and the application stops the server in ``post_stop``.
The socket is bound here, before uvicorn starts, so a busy port is one clear line for the
operator instead of uvicorn's ``sys.exit`` inside a task.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Generator

import uvicorn
from starlette.types import ASGIApp

log = logging.getLogger(__name__)


class WebError(Exception):
    """The site cannot listen where it was told to; the message is for the operator."""


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield  # the bot's run_polling handles SIGINT/SIGTERM and stops us


class WebServer:
    """One uvicorn server on an already bound socket."""

    def __init__(
        self, app: ASGIApp, *, host: str, port: int, forwarded_allow_ips: str = ""
    ) -> None:
        self.host = host
        self.requested_port = port
        config = uvicorn.Config(
            app,
            lifespan="off",
            access_log=False,
            log_level="warning",
            server_header=False,
            date_header=True,
            # Only a proxy named in WEB_FORWARDED_ALLOW_IPS may say who the client is
            # (the inbox's per-address limit reads it); by default nobody may.
            proxy_headers=bool(forwarded_allow_ips),
            forwarded_allow_ips=forwarded_allow_ips or "",
            timeout_keep_alive=5,
            limit_concurrency=1000,
            h11_max_incomplete_event_size=64 * 1024,
        )
        self._server = _Server(config)
        self._socket: socket.socket | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        """The port it listens on (the one the system chose when asked for 0)."""
        assert self._socket is not None, "not started"
        port: int = self._socket.getsockname()[1]
        return port

    async def start(self) -> None:
        """Bind and start serving; returns once requests are accepted."""
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # IPPROTO_TCP named explicitly: asyncio sets TCP_NODELAY on accepted connections
        # only then; without it each keep-alive answer waited ~40 ms for a delayed ACK.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.requested_port))
        except OSError as exc:
            sock.close()
            raise WebError(
                f"el micrositio no puede escuchar en {self.host}:{self.requested_port} "
                f"({exc.strerror}); cambia WEB_HOST/WEB_PORT, o WEB_PORT=no para no servirlo."
            ) from None
        sock.listen(2048)
        sock.setblocking(False)
        self._socket = sock
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]), name="web")
        while not self._server.started:
            if self._task.done():
                self._task.result()  # raises what stopped it
                raise WebError("el micrositio se detuvo al arrancar")
            await asyncio.sleep(0.01)
        log.info("micrositio en http://%s:%d", self.host, self.port)

    async def stop(self) -> None:
        """Finish the requests under way (uvicorn's graceful shutdown), then close."""
        if self._task is None:
            return
        self._server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        if self._socket is not None:
            self._socket.close()
