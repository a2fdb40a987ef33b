"""A round-robin HTTP/1.1 load balancer on 127.0.0.1, for replicas behind one webhook URL.

What nginx or Caddy does in front of the replicas in ``compose.yaml``, reduced to what the
tests need: each request (not each connection — the fake Bot API keeps one connection
alive) goes to the next upstream in turn; an upstream that refuses the connection is
skipped (a killed replica), and when none answers the client gets 502, which Telegram (the
fake) retries. Requests and responses must carry ``Content-Length`` (Telegram's webhook
POSTs and Starlette's answers do); each forwarded request asks for ``Connection: close``
so the response ends at EOF.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Balancer:
    """Forward each request to ``upstreams`` (ports on 127.0.0.1) in turn."""

    upstreams: list[int]
    #: Requests answered, per upstream port.
    served: Counter[int] = field(default_factory=Counter)
    port: int = 0
    _server: asyncio.Server | None = None
    _next: int = 0

    async def start(self) -> Balancer:
        self._server = await asyncio.start_server(self._client, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)
            self._server = None

    async def __aenter__(self) -> Balancer:
        return await self.start()

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                headers = [line for line in lines[1:] if line]
                length = next(
                    (
                        int(h.split(":", 1)[1])
                        for h in headers
                        if h.lower().startswith("content-length:")
                    ),
                    0,
                )
                body = await reader.readexactly(length)
                kept = [h for h in headers if not h.lower().startswith("connection:")]
                forwarded = (
                    "\r\n".join([lines[0], *kept, "Connection: close", "", ""]).encode("latin-1")
                    + body
                )
                response = await self._forward(forwarded)
                writer.write(response)
                await writer.drain()
                if b"\r\nconnection: close" in response.split(b"\r\n\r\n", 1)[0].lower():
                    return
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _forward(self, request: bytes) -> bytes:
        for _ in range(len(self.upstreams)):
            port = self.upstreams[self._next % len(self.upstreams)]
            self._next += 1
            try:
                up_reader, up_writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                continue  # that replica is down: the next one
            try:
                up_writer.write(request)
                await up_writer.drain()
                response = await asyncio.wait_for(up_reader.read(), 30)
            except (OSError, TimeoutError):
                continue
            finally:
                up_writer.close()
                with contextlib.suppress(Exception):
                    await up_writer.wait_closed()
            if response:
                self.served[port] += 1
                return response
        return b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
