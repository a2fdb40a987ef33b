"""The fake as Telegram in webhook mode (issue 14): setWebhook, POSTs with the secret
header, retries until 200, getUpdates refused with 409, deleteWebhook back to polling."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .server import FakeBotAPI


@dataclass
class Receiver:
    """A webhook endpoint in the test's loop: records what arrives, fails on demand."""

    url: str = ""
    received: list[tuple[str | None, dict[str, Any]]] = field(default_factory=list)
    failures: int = 0

    async def endpoint(self, request: Request) -> Response:
        self.received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        if self.failures:
            self.failures -= 1
            return Response(status_code=500)
        return Response(status_code=200)

    async def wait(self, count: int) -> None:
        for _ in range(500):
            if len(self.received) >= count:
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"{len(self.received)} of {count} webhook requests arrived")


class _Endpoint(Protocol):
    url: str

    async def endpoint(self, request: Request) -> Response: ...


E = TypeVar("E", bound=_Endpoint)


@contextlib.asynccontextmanager
async def serving(hook: E) -> AsyncIterator[E]:
    """``hook.endpoint`` served at ``/telegram/hook`` on a free port; ``hook.url`` set."""
    app = Starlette(routes=[Route("/telegram/hook", hook.endpoint, methods=["POST"])])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started:
            break
        await asyncio.sleep(0.01)
    hook.url = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}/telegram/hook"
    try:
        yield hook
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with serving(Receiver()) as hook:
        yield hook


async def test_updates_are_posted_with_the_secret_and_retried_until_accepted(
    fake: FakeBotAPI, api: httpx.AsyncClient, receiver: Receiver
) -> None:
    fake.add_user(5, "Ana")
    first = fake.send_text(5, "/start")  # waiting before the hook: delivered once it is set
    receiver.failures = 1  # the first POST gets a 500: Telegram tries again
    answer = await api.post(
        "setWebhook",
        json={"url": receiver.url, "secret_token": "abc_123", "allowed_updates": ["message"]},
    )
    assert answer.json() == {"ok": True, "result": True}
    assert fake.webhook() == {
        "url": receiver.url,
        "secret_token": "abc_123",
        "allowed_updates": ["message"],
    }
    second = fake.send_text(5, "/ayuda")
    await receiver.wait(3)
    assert [(secret, body["update_id"]) for secret, body in receiver.received] == [
        ("abc_123", first),
        ("abc_123", first),
        ("abc_123", second),
    ]
    assert receiver.received[-1][1]["message"]["text"] == "/ayuda"
    for _ in range(100):  # the last 200 is recorded just after the receiver answered
        if len(fake.webhook_posts()) == 3:
            break
        await asyncio.sleep(0.01)
    assert fake.webhook_posts() == [(first, 500), (first, 200), (second, 200)]
    assert fake.pending_updates() == []

    polled = await api.post("getUpdates", json={"timeout": 0})
    assert polled.status_code == 409
    assert "webhook is active" in polled.json()["description"]
    info = (await api.post("getWebhookInfo")).json()["result"]
    assert info["url"] == receiver.url
    assert info["pending_update_count"] == 0
    assert "secret_token" not in info  # Telegram never gives the secret back

    assert (await api.post("deleteWebhook")).json()["result"] is True
    third = fake.send_text(5, "/privacidad")
    polled = await api.post("getUpdates", json={"timeout": 0})
    assert [u["update_id"] for u in polled.json()["result"]] == [third]
    assert len(receiver.received) == 3  # polling again: nothing more was posted


async def test_set_webhook_refuses_what_telegram_refuses(
    fake: FakeBotAPI, api: httpx.AsyncClient
) -> None:
    plain = await api.post("setWebhook", json={"url": "http://example.org/telegram/x"})
    assert plain.status_code == 400
    bad = await api.post(
        "setWebhook", json={"url": "https://example.org/telegram/x", "secret_token": "a b"}
    )
    assert bad.status_code == 400
    assert fake.webhook()["url"] == ""


@dataclass
class Gate:
    """A webhook endpoint that holds each POST until ``width`` are on their way at once."""

    width: int
    url: str = ""
    active: int = 0
    peak: int = 0
    received: list[int] = field(default_factory=list)
    full: asyncio.Event = field(default_factory=asyncio.Event)

    async def endpoint(self, request: Request) -> Response:
        self.active += 1
        self.peak = max(self.peak, self.active)
        try:
            self.received.append((await request.json())["update_id"])
            if self.active >= self.width:
                self.full.set()
            with contextlib.suppress(TimeoutError):  # fewer arrive: the assertion tells
                await asyncio.wait_for(self.full.wait(), 5)
            return Response(status_code=200)
        finally:
            self.active -= 1


@pytest.mark.parametrize("width", [1, 4])
async def test_webhook_connections_bound_the_posts_on_their_way_at_once(
    fake: FakeBotAPI, api: httpx.AsyncClient, width: int
) -> None:
    """The default posts one update at a time, in order; ``webhook_connections`` as many
    at once as it says (Telegram: ``max_connections``), never more; each accepted once."""
    fake.add_user(5, "Ana")
    fake.webhook_connections = width
    try:
        async with serving(Gate(width)) as gate:
            sent = [fake.send_text(5, f"mensaje {k}") for k in range(3 * width)]
            assert (await api.post("setWebhook", json={"url": gate.url})).json()["result"]
            for _ in range(500):
                if not fake.pending_updates() and len(fake.webhook_posts()) == len(sent):
                    break
                await asyncio.sleep(0.01)
            assert sorted(gate.received) == sent  # each once: none retried, none lost
            assert gate.peak == width
            assert sorted(fake.webhook_posts()) == [(u, 200) for u in sent]
            if width == 1:
                assert gate.received == sent  # one at a time keeps the order
            assert (await api.post("deleteWebhook")).json()["result"] is True
    finally:
        fake.webhook_connections = 1
