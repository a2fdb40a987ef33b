"""The fake Telegram Bot API server and its test-facing API.

:class:`FakeBotAPI` runs a real HTTP server (Starlette on uvicorn) on ``127.0.0.1`` in a
background thread, so the real python-telegram-bot ``Application`` talks to it exactly as it
would to ``api.telegram.org``::

    with FakeBotAPI() as fake:
        app = (
            ApplicationBuilder()
            .token(fake.token)
            .base_url(fake.bot_base_url)
            .base_file_url(fake.file_base_url)
            .build()
        )

Requests arrive at ``/bot<token>/<method>`` and downloads at ``/file/bot<token>/<file_path>``.
Tests inject updates (``send_text``, ``press``, ``inject``) that the bot receives through
long-polling ``getUpdates`` (or, once ``setWebhook`` is called, POSTed to the webhook from
the server's thread, with the secret header), and read back every call (``calls``,
``wait_for``, ``sent_to``) and the resulting chat state (``messages``, ``buttons``,
``commands_for``, ...).

Threading: the server mutates :class:`~tests.fakebot.state.BotState` from its own thread while
tests read it from theirs; all access is under ``state.lock`` and everything returned to tests
is a snapshot or frozen.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from email import policy
from email.parser import BytesParser
from types import TracebackType
from typing import Any, Literal, Protocol
from urllib.parse import parse_qsl

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .flood import LIMITED_METHODS, FloodControl, Limit
from .methods import METHODS, MethodSpec, canonical_method, decode_params
from .models import (
    ApiError,
    Call,
    CallbackAnswer,
    FakeFile,
    FakeGroup,
    FakeUser,
    StoredMessage,
    UploadedFile,
    bad_request,
)
from .state import DEFAULT_TOKEN, BotState, CallbackQueryRecord, bot_command_length

__all__ = ["FakeBotAPI", "RateLimitPolicy"]

_SENT_METHODS = ("sendMessage", "sendDocument", "editMessageText")
_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class RateLimitPolicy(Protocol):
    """Hook for an optional flood-control mode; :class:`~tests.fakebot.flood.FloodControl`
    (Telegram's limits, see :meth:`FakeBotAPI.enforce_rate_limits`) is the built-in one.

    ``check`` is called for every decoded call, with the state lock held, before the method
    runs. Return ``None`` to let the call through (and count it), or the ``retry_after``
    seconds to answer ``429 Too Many Requests: retry after N``.
    """

    def check(self, method: str, params: Mapping[str, Any], now: float) -> int | None:
        """Decide whether this call exceeds the limits."""
        ...


class _Server(uvicorn.Server):
    """uvicorn's server, but ``stop()`` wakes its main loop instead of waiting for a tick."""

    wake: asyncio.Event | None = None

    async def main_loop(self) -> None:
        self.wake = asyncio.Event()
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 1) % 864000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=0.1)
            should_exit = await self.on_tick(counter)


@dataclass(eq=False)  # identity hashing: pollers live in a set
class _Poller:
    """A pending long-poll; ``superseded`` is set when a newer getUpdates arrives."""

    event: asyncio.Event
    superseded: bool = False


class _ClientGone(Exception):
    """The HTTP client hung up while we were long-polling: answer nobody, record nothing."""


def _norm(value: Any) -> Any:
    """Normalise ids for equality filters: ``"101"`` and ``101`` compare equal."""
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return value


def _dict_of(value: Any) -> dict[str, Any] | None:
    """Accept plain dicts or PTB objects (``to_dict``) for scopes and similar arguments."""
    if value is None:
        return None
    if hasattr(value, "to_dict"):
        return value.to_dict()
    return dict(value)


async def _read_request(request: Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """Collect parameters from the query string and a urlencoded, multipart or JSON body."""
    fields: dict[str, Any] = dict(request.query_params)
    files: dict[str, UploadedFile] = {}
    body = await request.body()
    content_type = request.headers.get("content-type", "")
    mime = content_type.split(";", 1)[0].strip().lower()
    if not body:
        return fields, files
    if mime == "application/json":
        try:
            data = json.loads(body)
        except ValueError:
            raise bad_request("fake server: invalid JSON body") from None
        if not isinstance(data, dict):
            raise bad_request("fake server: JSON body must be an object")
        fields.update(data)
    elif mime == "application/x-www-form-urlencoded":
        fields.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    elif mime == "multipart/form-data":
        header = b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n"
        message = BytesParser(policy=policy.HTTP).parsebytes(header + body)
        if not message.is_multipart():
            raise bad_request("fake server: malformed multipart body")
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            if not isinstance(name, str):
                raise bad_request("fake server: multipart part without a name")
            filename = part.get_filename()
            if filename is None:
                fields[name] = payload.decode(part.get_content_charset() or "utf-8")
            else:
                files[name] = UploadedFile(
                    field_name=name,
                    filename=filename.replace("%22", '"'),
                    content_type=part.get_content_type(),
                    data=payload,
                )
    else:
        raise bad_request(f"fake server: unsupported Content-Type {content_type!r}")
    return fields, files


class FakeBotAPI:
    """A fake Telegram Bot API on ``127.0.0.1:<random port>`` that behaves like Telegram.

    Args:
        token: the bot token the server accepts (others get ``401 Unauthorized``). Its numeric
            prefix is the bot's user id.
        bot_username: the bot's ``username`` (getMe, message ``from``, ``/cmd@bot``).
        bot_first_name: the bot's display name.
        long_poll_cap: getUpdates never waits longer than this many seconds, whatever
            ``timeout`` the bot asks for, so idle loops and shutdown stay fast.
        strict_html: reject HTML Telegram would merely tolerate (bare ``&``, unknown
            attributes...); see :mod:`tests.fakebot.html`.
        check_param_names: reject parameters the Bot API method does not have (Telegram
            ignores them silently, which hides typos).
        clock: wall-clock source for message dates (seconds since the epoch).
        rate_limits: enforce Telegram's flood limits from the start (and after every
            ``reset``); same as :meth:`enforce_rate_limits` with ``private_burst=3``
            (Telegram tolerates a short burst in one chat, then about one per second).
        monotonic: the clock of ``Call.at`` and of flood control (seconds, only differences
            matter); inject one to make flood-control tests independent of real time.
        webhook_connections: in webhook mode, how many updates may be on their way to the
            webhook at once (one connection each). Telegram opens up to ``setWebhook``'s
            ``max_connections`` (default 40); the default here, 1, posts them one at a time
            in order, which is what the tests rely on. May be changed while running.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "stm_prueba_bot",
        bot_first_name: str = "STM Prueba",
        long_poll_cap: float = 2.0,
        strict_html: bool = True,
        check_param_names: bool = True,
        clock: Callable[[], float] = time.time,
        rate_limits: bool = False,
        monotonic: Callable[[], float] = time.monotonic,
        webhook_connections: int = 1,
    ) -> None:
        if webhook_connections < 1:
            raise ValueError("webhook_connections is at least 1")
        self.state = BotState(
            token=token,
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            clock=clock,
            strict_html=strict_html,
        )
        self.long_poll_cap = long_poll_cap
        self.check_param_names = check_param_names
        self.monotonic = monotonic
        self.webhook_connections = webhook_connections
        self._rate_limits_by_default = rate_limits
        #: Optional flood control (see :class:`RateLimitPolicy`); ``None`` = unlimited.
        self.rate_limiter: RateLimitPolicy | None = (
            FloodControl(private_burst=3) if rate_limits else None
        )
        self._too_many_requests = 0
        #: ``file_path`` of every download served, in order.
        self.downloads: list[str] = []
        #: Long-polls whose client hung up before the answer (not recorded as calls).
        self.abandoned_polls = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pollers: set[_Poller] = set()
        self._stopping = False
        self._port: int | None = None
        self._held: set[Any] = set()
        self._hold_all = False
        self._held_calls = 0
        self._listeners: list[Callable[[Call], None]] = []
        self._webhook_wake: asyncio.Event | None = None
        self.app = Starlette(
            routes=[
                Route("/bot{token}/{method}", self._api, methods=["GET", "POST"]),
                Route("/file/bot{token}/{file_path:path}", self._download, methods=["GET"]),
                Route("/{path:path}", self._not_found, methods=["GET", "POST"]),
            ]
        )

    # ================================================================== lifecycle
    @property
    def token(self) -> str:
        """The accepted bot token."""
        return self.state.token

    @property
    def bot_id(self) -> int:
        """The bot's user id (prefix of the token)."""
        return self.state.bot_id

    @property
    def bot_username(self) -> str:
        """The bot's username, without ``@``."""
        return self.state.bot_username

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>`` of the running server."""
        if self._port is None:
            raise RuntimeError("FakeBotAPI is not running; call start() first")
        return f"http://127.0.0.1:{self._port}"

    @property
    def bot_base_url(self) -> str:
        """Value for ``ApplicationBuilder().base_url(...)``."""
        return f"{self.url}/bot"

    @property
    def file_base_url(self) -> str:
        """Value for ``ApplicationBuilder().base_file_url(...)``."""
        return f"{self.url}/file/bot"

    def start(self) -> FakeBotAPI:
        """Start the server thread and wait until it accepts connections."""
        if self._thread is not None:
            raise RuntimeError("FakeBotAPI already started")
        self._stopping = False
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=0,
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="off",
            ws="none",
            http="h11",
            timeout_graceful_shutdown=2,
        )
        self._server = _Server(config)
        self._thread = threading.Thread(target=self._run, name="fakebot-uvicorn", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self._server.should_exit = True
                self._thread.join(timeout=5)
                self._thread = self._server = None
                raise RuntimeError("FakeBotAPI failed to start (see the thread's traceback)")
            time.sleep(0.005)
        self._port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        assert self._server is not None
        self._loop = asyncio.get_running_loop()
        self._webhook_wake = asyncio.Event()
        pusher = asyncio.create_task(self._push_webhook(self._webhook_wake))
        try:
            await self._server.serve()
        finally:
            pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pusher
            self._webhook_wake = None

    def stop(self) -> None:
        """Stop the server; pending long-polls are answered at once so this takes < 1 s."""
        if self._thread is None or self._server is None:
            return
        self._stopping = True
        self._server.should_exit = True
        self._notify()
        self._thread.join(timeout=10)
        if self._thread.is_alive():
            raise RuntimeError("FakeBotAPI server thread did not stop")
        self._thread = self._server = self._loop = None
        self._port = None

    def reset(self) -> None:
        """Forget users, chats, calls, commands... but keep the server (and its port) running.

        Lets a module-scoped server serve many tests without paying a restart each time.
        Update ids keep increasing across resets, so a long-poll left over from the previous
        test can never confirm (drop) the next test's updates with its stale ``offset``.
        """
        with self.state.lock:
            old = self.state
            self.state = BotState(
                token=old.token,
                bot_username=old.bot_username,
                bot_first_name=old.bot_first_name,
                clock=old.clock,
                strict_html=old.strict_html,
                next_update_id=old.next_update_id,
            )
        self.downloads.clear()
        self.abandoned_polls = 0
        self.rate_limiter = FloodControl(private_burst=3) if self._rate_limits_by_default else None
        self._too_many_requests = 0

    def __enter__(self) -> FakeBotAPI:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _notify(self) -> None:
        """Wake long-polls (callable from any thread)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(self._wake_pollers)

    def _wake_pollers(self) -> None:
        for poller in self._pollers:
            poller.event.set()
        if self._webhook_wake is not None:
            self._webhook_wake.set()
        if self._stopping and self._server is not None and self._server.wake is not None:
            self._server.wake.set()

    # ================================================================== flood control
    def enforce_rate_limits(
        self,
        *,
        overall: tuple[int, float] = (30, 1.0),
        private: tuple[int, float] = (1, 1.0),
        group: tuple[int, float] = (20, 60.0),
        private_burst: int = 1,
    ) -> FloodControl:
        """Answer ``429 Too Many Requests: retry after N`` beyond Telegram's limits.

        Each limit is ``(count, period in seconds)``: ``overall`` for all chats together,
        ``private`` per private chat, ``group`` per group/supergroup/channel; only
        message-producing methods count (see :mod:`tests.fakebot.flood`). Refused messages
        are not delivered. Replaces any earlier policy; ``fake.rate_limiter = None`` turns
        flood control off again. Returns the policy (its ``accepted``/``rejected`` counts).
        """
        policy = FloodControl(
            overall=Limit(*overall),
            private=Limit(*private),
            group=Limit(*group),
            private_burst=private_burst,
        )
        with self.state.lock:
            self.rate_limiter = policy
        return policy

    @property
    def too_many_requests(self) -> int:
        """How many calls flood control refused with 429 (injected ``fail_next`` not counted)."""
        with self.state.lock:
            return self._too_many_requests

    # ================================================================== HTTP layer
    def _record(
        self,
        method: str,
        params: Mapping[str, Any],
        *,
        result: Any = None,
        error: ApiError | None = None,
    ) -> JSONResponse:
        """Build the Telegram-shaped answer and append it to ``calls``."""
        if error is None:
            body: dict[str, Any] = {"ok": True, "result": result}
            status = 200
        else:
            body = error.payload()
            status = error.error_code
        with self.state.lock:
            call = Call(
                index=len(self.state.calls),
                method=method,
                params=dict(params),
                ok=error is None,
                status=status,
                response=body,
                at=self.monotonic(),
            )
            self.state.calls.append(call)
            listeners = list(self._listeners)
        for listener in listeners:
            listener(call)
        return JSONResponse(body, status_code=status)

    def listen(self, listener: Callable[[Call], None]) -> Callable[[], None]:
        """Call ``listener(call)`` for every call recorded from now on; returns the undo.

        It runs in the server's thread as each call is recorded: benchmarks use it with
        ``loop.call_soon_threadsafe`` to learn of an answer the moment it arrives, instead
        of polling ``calls``.
        """
        with self.state.lock:
            self._listeners.append(listener)

        def stop() -> None:
            with self.state.lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return stop

    async def _not_found(self, request: Request) -> Response:
        return JSONResponse(
            {"ok": False, "error_code": 404, "description": "Not Found"}, status_code=404
        )

    async def _download(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return JSONResponse(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401
            )
        file_path = request.path_params["file_path"]
        with self.state.lock:
            stored = self.state.file_by_path(file_path)
            if stored is not None:
                self.downloads.append(file_path)
        if stored is None:
            return await self._not_found(request)
        return Response(stored.data, media_type=stored.mime_type)

    async def _api(self, request: Request) -> Response:
        raw_method = request.path_params["method"]
        if request.path_params["token"] != self.token:
            return self._record(raw_method, {}, error=ApiError(401, "Unauthorized"))
        method = canonical_method(raw_method)
        if method is None:
            return self._record(raw_method, {}, error=ApiError(404, "Not Found"))
        try:
            raw, files = await _read_request(request)
        except ApiError as err:
            return self._record(method, {}, error=err)
        spec = METHODS.get(method)
        if spec is None:
            return self._record(
                method, raw, error=bad_request(f"fake server: method {method} is not implemented")
            )
        try:
            params = decode_params(spec, raw, files, check_names=self.check_param_names)
        except ApiError as err:
            return self._record(method, {**raw, **files}, error=err)
        try:
            await self._wait_while_held(method, params)
            self._before_call(method, params)
            if method == "getUpdates":
                return await self._long_poll(request, spec, params)
            with self.state.lock:
                result = spec.handler(self.state, params)
            if method == "setWebhook":
                self._wake_pollers()  # updates already waiting go to the webhook now
        except _ClientGone:
            self.abandoned_polls += 1
            return Response(status_code=499)
        except ApiError as err:
            return self._record(method, params, error=err)
        except Exception:
            text = traceback.format_exc()
            with self.state.lock:
                self.state.internal_errors.append(text)
            return self._record(
                method,
                params,
                error=ApiError(500, f"Internal Server Error: fake server bug: {text}"),
            )
        return self._record(method, params, result=result)

    async def _wait_while_held(self, method: str, params: Mapping[str, Any]) -> None:
        """A held chat's messages wait here (see :meth:`hold`)."""
        if method not in LIMITED_METHODS:
            return
        chat = _norm(params.get("chat_id"))
        counted = False
        try:
            while True:
                with self.state.lock:
                    if chat not in self._held and not self._hold_all:
                        return
                    if not counted:
                        self._held_calls += 1
                        counted = True
                await asyncio.sleep(0.005)
        finally:
            if counted:
                with self.state.lock:
                    self._held_calls -= 1

    def hold(self, chat_id: int) -> None:
        """Make every message to ``chat_id`` hang until :meth:`release` (a chat that is slow).

        Telegram can be slow for one chat (a 429's ``retry_after``, a group's per-minute
        window): tests hold a chat to prove no other chat's answer waits for it, without
        measuring time. Held calls are not recorded until they go through.
        """
        with self.state.lock:
            self._held.add(_norm(chat_id))

    def release(self, chat_id: int) -> None:
        """Let a held chat's messages through, in the order they arrived."""
        with self.state.lock:
            self._held.discard(_norm(chat_id))

    def hold_all(self) -> None:
        """Hold every chat's messages (Telegram stalling mid-burst) until :meth:`release_all`.

        A held call has fully arrived: released, it is delivered even if its client has
        died meanwhile, as Telegram processes a request it has received.
        """
        with self.state.lock:
            self._hold_all = True

    def release_all(self) -> None:
        """End :meth:`hold_all` (chats held one by one stay held)."""
        with self.state.lock:
            self._hold_all = False

    @property
    def held_calls(self) -> int:
        """Calls waiting now because their chat (or everything) is held."""
        with self.state.lock:
            return self._held_calls

    def _before_call(self, method: str, params: Mapping[str, Any]) -> None:
        """Injected failures first, then the optional flood control."""
        with self.state.lock:
            failure = self.state.pop_failure(method)
            if failure is not None:
                raise failure
            if self.rate_limiter is not None:
                retry_after = self.rate_limiter.check(method, params, self.monotonic())
                if retry_after is not None:
                    self._too_many_requests += 1
                    raise ApiError(
                        429,
                        f"Too Many Requests: retry after {retry_after}",
                        retry_after=retry_after,
                    )

    async def _long_poll(
        self, request: Request, spec: MethodSpec, params: dict[str, Any]
    ) -> Response:
        """getUpdates: answer as soon as updates exist, else after min(timeout, cap).

        A newer getUpdates terminates an older pending one with 409 Conflict (as Telegram
        does when two bot instances poll), unless the older client already hung up, which
        is what PTB does on shutdown (it cancels the poll and sends a final ``timeout=0``).
        """
        for other in self._pollers:
            other.superseded = True
            other.event.set()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(max(params.get("timeout", 0), 0), self.long_poll_cap)
        poller = _Poller(asyncio.Event())
        self._pollers.add(poller)
        try:
            while True:
                if poller.superseded:
                    if await self._client_gone(request, grace=0.1):
                        raise _ClientGone
                    raise ApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; make sure that only "
                        "one bot instance is running",
                    )
                with self.state.lock:
                    updates = spec.handler(self.state, params)
                remaining = deadline - loop.time()
                if updates or self._stopping or remaining <= 0:
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(poller.event.wait(), timeout=min(remaining, 0.25))
                poller.event.clear()
                if await request.is_disconnected():
                    raise _ClientGone
        finally:
            self._pollers.discard(poller)
        if updates and await request.is_disconnected():
            raise _ClientGone
        with self.state.lock:
            self.state.delivered.update(u["update_id"] for u in updates)
        return self._record("getUpdates", params, result=updates)

    async def _push_webhook(self, wake: asyncio.Event) -> None:
        """Telegram's side of webhook mode: while ``setWebhook``'s URL is set, each pending
        update is POSTed to it, with the secret header, until it answers 200 (anything
        else, or no answer, is retried, as Telegram does). At most ``webhook_connections``
        are on their way at once: with 1, one after the other in order."""
        in_flight: dict[int, asyncio.Task[None]] = {}
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
        async with httpx.AsyncClient(timeout=10, limits=limits) as client:
            try:
                while not self._stopping:
                    wake.clear()
                    free = self.webhook_connections - len(in_flight)
                    with self.state.lock:
                        state = self.state
                        url, secret = state.webhook_url, state.webhook_secret
                        waiting = (
                            state.take_updates(None, len(in_flight) + free, None)
                            if url and free > 0
                            else []
                        )
                    pending = [u for u in waiting if u["update_id"] not in in_flight][:free]
                    if not pending:
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(wake.wait(), timeout=0.25)
                        continue
                    for update in pending:
                        uid = update["update_id"]
                        task = asyncio.create_task(
                            self._post_update(client, state, url, secret, update)
                        )
                        in_flight[uid] = task

                        def posted(_: object, uid: int = uid) -> None:
                            in_flight.pop(uid, None)  # its connection is free again
                            wake.set()

                        task.add_done_callback(posted)
            finally:
                for task in list(in_flight.values()):
                    task.cancel()
                await asyncio.gather(*in_flight.values(), return_exceptions=True)

    async def _post_update(
        self,
        client: httpx.AsyncClient,
        state: BotState,
        url: str,
        secret: str,
        update: dict[str, Any],
    ) -> None:
        """One POST of ``update``; accepted (200), it is no longer pending."""
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        try:
            status = (await client.post(url, json=update, headers=headers)).status_code
        except httpx.HTTPError:
            status = 0
        with self.state.lock:
            state.webhook_posts.append((update["update_id"], status))
            if status == 200:
                state.updates = [u for u in state.updates if u["update_id"] != update["update_id"]]
                state.delivered.add(update["update_id"])
        if status != 200:
            await asyncio.sleep(0.2)  # its connection waits before the update is tried again

    @staticmethod
    async def _client_gone(request: Request, grace: float) -> bool:
        deadline = time.monotonic() + grace
        while True:
            if await request.is_disconnected():
                return True
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(0.01)

    # ================================================================== world setup
    def add_user(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        *,
        started: bool = False,
        blocked: bool = False,
        language_code: str | None = "es",
        is_bot: bool = False,
    ) -> FakeUser:
        """Register a user. The bot may only write to users that ``started`` it."""
        if user_id <= 0:
            raise ValueError("user ids are positive")
        user = FakeUser(
            id=user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            is_bot=is_bot,
            started=started,
            blocked=blocked,
        )
        with self.state.lock:
            self.state.users[user_id] = user
        return user

    def add_group(
        self,
        chat_id: int,
        title: str,
        *,
        type: Literal["group", "supergroup"] = "supergroup",
        username: str | None = None,
        owner: int | None = None,
        admins: tuple[int, ...] | list[int] = (),
        members: tuple[int, ...] | list[int] = (),
        bot_admin: bool = False,
    ) -> FakeGroup:
        """Register a group (negative id) the bot is a member (or admin) of."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        group = FakeGroup(
            id=chat_id,
            title=title,
            type=type,
            username=username,
            owner=owner,
            admins=set(admins),
            members=set(members),
            bot_status="administrator" if bot_admin else "member",
        )
        with self.state.lock:
            for uid in group.admins | group.members | ({owner} if owner else set()):
                self._user(uid)
            self.state.groups[chat_id] = group
        return group

    def add_channel(
        self,
        chat_id: int,
        title: str,
        *,
        username: str | None = None,
        owner: int | None = None,
        bot_status: Literal["member", "administrator", "left", "kicked"] = "administrator",
        can_post_messages: bool = True,
    ) -> FakeGroup:
        """Register a channel (negative id, ``-100…``); by default the bot administers it
        with ``can_post_messages``. Bots join channels only as administrators in Telegram;
        ``"member"`` models one demoted to a plain subscriber."""
        if chat_id >= 0:
            raise ValueError("channel chat ids are negative")
        channel = FakeGroup(
            id=chat_id,
            title=title,
            type="channel",
            username=username,
            owner=owner,
            bot_status=bot_status,
            bot_can_post=can_post_messages,
        )
        with self.state.lock:
            if owner is not None:
                self._user(owner)
            self.state.groups[chat_id] = channel
        return channel

    def set_bot_status(
        self, chat_id: int, status: Literal["member", "administrator", "left", "kicked"]
    ) -> None:
        """Change the bot's membership in a group (e.g. ``"kicked"`` to test 403s)."""
        with self.state.lock:
            self._group(chat_id).bot_status = status

    def set_bot_can_post(self, chat_id: int, can_post_messages: bool) -> None:
        """Grant or withdraw the bot's ``can_post_messages`` in a channel."""
        with self.state.lock:
            self._group(chat_id).bot_can_post = can_post_messages

    def remove_bot(
        self, chat_id: int, by_user: int, status: Literal["left", "kicked"] = "kicked"
    ) -> int:
        """``by_user`` removes the bot from a group (or it leaves): its membership changes
        and Telegram sends a ``my_chat_member`` update, as it does. Returns the update_id."""
        with self.state.lock:
            group = self._group(chat_id)
            old = group.bot_status
            group.bot_status = status
            bot = self.state.bot_user_json()
            new: dict[str, Any] = {"user": bot, "status": status}
            if status == "kicked":
                new["until_date"] = 0
            update_id = self.state.enqueue(
                {
                    "my_chat_member": {
                        "chat": self.state.chat_json(chat_id),
                        "from": self._user(by_user).to_json(),
                        "date": self.state.now(),
                        "old_chat_member": {"user": bot, "status": old},
                        "new_chat_member": new,
                    }
                }
            )
        self._notify()
        return update_id

    def block(self, user_id: int) -> None:
        """The user blocks the bot: sending to them now answers 403."""
        with self.state.lock:
            self._user(user_id).blocked = True

    def unblock(self, user_id: int) -> None:
        """The user unblocks the bot."""
        with self.state.lock:
            self._user(user_id).blocked = False

    @property
    def users(self) -> dict[int, FakeUser]:
        """Snapshot of the known users."""
        with self.state.lock:
            return {uid: replace(u) for uid, u in self.state.users.items()}

    @property
    def groups(self) -> dict[int, FakeGroup]:
        """Snapshot of the known groups."""
        with self.state.lock:
            return {
                gid: replace(g, admins=set(g.admins), members=set(g.members))
                for gid, g in self.state.groups.items()
            }

    def _user(self, user_id: int) -> FakeUser:
        user = self.state.users.get(user_id)
        if user is None:
            raise AssertionError(f"unknown user {user_id}: call fake.add_user() first")
        return user

    def _group(self, chat_id: int) -> FakeGroup:
        group = self.state.groups.get(chat_id)
        if group is None:
            raise AssertionError(f"unknown group {chat_id}: call fake.add_group() first")
        return group

    # ================================================================== injecting updates
    def inject(self, update: Mapping[str, Any]) -> int:
        """Queue a raw update (``update_id`` assigned if missing); returns the update_id."""
        with self.state.lock:
            update_id = self.state.enqueue(dict(update))
        self._notify()
        return update_id

    def _incoming_chat(self, user: FakeUser, chat_id: int | None) -> int:
        """Validate that ``user`` can write in ``chat_id`` and update started/membership."""
        if user.blocked:
            raise AssertionError(
                f"user {user.id} blocked the bot and cannot write to it; call fake.unblock()"
            )
        if chat_id is None or chat_id == user.id:
            user.started = True
            return user.id
        group = self._group(chat_id)
        if group.bot_status not in ("member", "administrator"):
            raise AssertionError(f"the bot is not in group {chat_id}: it would get nothing")
        if user.id not in group.admins and user.id != group.owner:
            group.members.add(user.id)
        return chat_id

    def _user_message(
        self,
        user_id: int,
        chat_id: int | None,
        reply_to_message_id: int | None,
        **content: Any,
    ) -> int:
        with self.state.lock:
            user = self._user(user_id)
            chat = self._incoming_chat(user, chat_id)
            message = self.state.store(
                StoredMessage(
                    chat_id=chat,
                    message_id=self.state.new_message_id(chat),
                    date=self.state.now(),
                    sender_id=user_id,
                    **content,
                )
            )
            payload = self.state.message_json(message)
            if reply_to_message_id is not None:
                replied = self.state.get_message(chat, reply_to_message_id)
                if replied is None:
                    raise AssertionError(f"no message {reply_to_message_id} in chat {chat}")
                payload["reply_to_message"] = self.state.message_json(replied)
            update_id = self.state.enqueue({"message": payload})
        self._notify()
        return update_id

    def send_text(
        self,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        *,
        entities: list[dict[str, Any]] | None = None,
        reply_to_message_id: int | None = None,
    ) -> int:
        """The user writes ``text`` (private chat unless ``chat_id``); returns the update_id.

        A leading ``/cmd`` or ``/cmd@bot`` gets its ``bot_command`` entity, as Telegram adds.
        A private message marks the user as having started the bot.
        """
        if entities is None:
            length = bot_command_length(text)
            entities = [{"type": "bot_command", "offset": 0, "length": length}] if length else []
        return self._user_message(
            user_id,
            chat_id,
            reply_to_message_id,
            text=text,
            html=text,
            entities=tuple(entities),
        )

    def send_raw_message(
        self, user_id: int, chat_id: int | None, fields: Mapping[str, Any]
    ) -> int:
        """The user's client produces a message carrying arbitrary ``fields`` (service
        messages such as ``{"migrate_to_chat_id": -100...}`` or ``{"new_chat_members": ...}``).

        ``migrate_to_chat_id`` also marks the group as migrated, so later sends to the old id
        answer 400 "group chat was upgraded to a supergroup chat" with
        ``parameters.migrate_to_chat_id``, as Telegram does. Returns the update_id.
        """
        target = fields.get("migrate_to_chat_id")
        if target is not None and chat_id is not None:
            with self.state.lock:
                self._group(chat_id).migrated_to = int(target)
        return self._user_message(user_id, chat_id, None, extra=dict(fields))

    @staticmethod
    async def sleep(seconds: float) -> None:
        """``asyncio.sleep``, for polling loops in tests that only hold the fake."""
        await asyncio.sleep(seconds)

    def send_document(
        self,
        user_id: int,
        data: bytes,
        filename: str,
        chat_id: int | None = None,
        *,
        caption: str | None = None,
        mime_type: str | None = None,
    ) -> int:
        """The user sends a file; the bot can getFile/download it. Returns the update_id."""
        with self.state.lock:
            stored = self.state.add_file(data, filename, mime_type)
        return self._user_message(
            user_id, chat_id, None, document=stored, caption=caption, html=caption
        )

    def press(
        self,
        user_id: int,
        *,
        chat_id: int | None = None,
        message_id: int | None = None,
        data: str | None = None,
        button_text: str | None = None,
        forge: bool = False,
    ) -> str:
        """The user presses an inline button; returns the callback query id.

        Identify the button by ``data`` (callback_data) or ``button_text``. ``message_id``
        defaults to the newest bot message in the chat that has such a button. Unless
        ``forge``, the button must currently be on that message (``AssertionError``
        otherwise); ``forge=True`` sends any ``data``, as a malicious client could.
        """
        if (data is None) == (button_text is None):
            raise ValueError("pass exactly one of data= or button_text=")
        with self.state.lock:
            user = self._user(user_id)
            if user.blocked:
                raise AssertionError(f"user {user_id} blocked the bot; call fake.unblock()")
            chat = user_id if chat_id is None else chat_id
            message = self._find_pressed_message(chat, message_id, data, button_text, forge)
            if button_text is not None:
                data = self._button_data(message, button_text, chat)
            elif not forge:
                assert message is not None
                available = [d for _, d in message.buttons if d is not None]
                if data not in available:
                    raise AssertionError(
                        f"message {message.message_id} in chat {chat} has no button with "
                        f"callback_data {data!r}; its buttons: {message.buttons!r}"
                    )
            if message is not None:
                message_json = self.state.message_json(message)
            else:  # forged press on a message the fake does not know: "inaccessible"
                message_json = {
                    "chat": self.state.chat_json(chat),
                    "message_id": message_id or 0,
                    "date": 0,
                }
            query_id = str(self.state.next_callback_id)
            self.state.next_callback_id += 1
            self.state.callback_queries[query_id] = CallbackQueryRecord(
                id=query_id,
                user_id=user_id,
                chat_id=chat,
                message_id=message_json["message_id"],
                data=data,
            )
            self.state.enqueue(
                {
                    "callback_query": {
                        "id": query_id,
                        "from": user.to_json(),
                        "message": message_json,
                        "chat_instance": str(8_000_000_000_000_000_000 + abs(chat)),
                        "data": data,
                    }
                }
            )
        self._notify()
        return query_id

    def _find_pressed_message(
        self,
        chat: int,
        message_id: int | None,
        data: str | None,
        button_text: str | None,
        forge: bool,
    ) -> StoredMessage | None:
        if message_id is not None:
            message = self.state.get_message(chat, message_id)
            if message is None and not forge:
                raise AssertionError(f"no message {message_id} in chat {chat}")
            return message
        bot_messages = [m for m in self.state.chats.get(chat, {}).values() if m.from_bot]
        for message in reversed(bot_messages):
            for text, callback_data in message.buttons:
                if (data is not None and callback_data == data) or text == button_text:
                    return message
        if forge and bot_messages:
            return bot_messages[-1]
        raise AssertionError(
            f"no bot message in chat {chat} has a button "
            f"{data if data is not None else button_text!r}; buttons by message: "
            f"{ {m.message_id: m.buttons for m in bot_messages} }"
        )

    @staticmethod
    def _button_data(message: StoredMessage | None, button_text: str, chat: int) -> str:
        buttons = message.buttons if message is not None else []
        for text, callback_data in buttons:
            if text == button_text:
                if callback_data is None:
                    raise AssertionError(f"button {button_text!r} is not a callback button")
                return callback_data
        raise AssertionError(f"no button {button_text!r} in chat {chat}; buttons: {buttons!r}")

    # ================================================================== reading calls
    @property
    def calls(self) -> list[Call]:
        """Snapshot of every recorded call (successful and failed), in answer order."""
        with self.state.lock:
            return list(self.state.calls)

    def mark(self) -> int:
        """Current number of calls: pass it as ``since`` to only look at later calls."""
        with self.state.lock:
            return len(self.state.calls)

    def calls_to(self, method: str, since: int = 0) -> list[Call]:
        """Recorded calls of one method (any outcome) from index ``since``."""
        return [c for c in self.calls[since:] if c.method.lower() == method.lower()]

    @staticmethod
    def _matches(call: Call, method: str, ok: bool | None, filters: Mapping[str, Any]) -> bool:
        if call.method.lower() != method.lower() or (ok is not None and call.ok != ok):
            return False
        for key, expected in filters.items():
            if key not in call.params or _norm(call.params[key]) != _norm(expected):
                return False
        return True

    async def wait_for(
        self,
        method: str,
        since: int = 0,
        timeout: float = 5.0,  # noqa: ASYNC109 - the documented test-facing signature
        *,
        ok: bool | None = None,
        **filters: Any,
    ) -> Call:
        """Wait for the first call of ``method`` with index >= ``since`` matching ``filters``.

        ``filters`` are equality checks on decoded params (``chat_id=101`` matches ``"101"``);
        ``ok`` restricts to successful/failed calls. Raises ``AssertionError`` listing the
        calls seen on timeout.
        """
        deadline = time.monotonic() + timeout
        while True:
            calls = self.calls
            for call in calls[since:]:
                if self._matches(call, method, ok, filters):
                    return call
            if time.monotonic() >= deadline:
                seen = "\n  ".join(c.short() for c in calls[since:] if c.method != "getUpdates")
                raise AssertionError(
                    f"no {method} call matching ok={ok} {filters!r} within {timeout}s "
                    f"(since #{since}); calls seen:\n  {seen or '(none)'}"
                )
            await asyncio.sleep(0.01)

    def sent_to(self, chat_id: int | str, since: int = 0) -> list[Call]:
        """Successful sendMessage/sendDocument/editMessageText calls to ``chat_id``."""
        target = _norm(chat_id)
        return [
            call
            for call in self.calls[since:]
            if call.ok
            and call.method in _SENT_METHODS
            and isinstance(call.result, dict)
            and (call.result["chat"]["id"] == target or _norm(call.params["chat_id"]) == target)
        ]

    async def wait_delivered(
        self,
        update_id: int,
        timeout: float = 5.0,  # noqa: ASYNC109 - same style as wait_for
    ) -> None:
        """Wait until getUpdates handed ``update_id`` to the bot."""
        deadline = time.monotonic() + timeout
        while True:
            with self.state.lock:
                if update_id in self.state.delivered:
                    return
            if time.monotonic() >= deadline:
                raise AssertionError(f"update {update_id} was not fetched within {timeout}s")
            await asyncio.sleep(0.01)

    def webhook(self) -> dict[str, Any]:
        """What ``setWebhook`` set: ``url``, ``secret_token``, ``allowed_updates``."""
        with self.state.lock:
            return {
                "url": self.state.webhook_url,
                "secret_token": self.state.webhook_secret,
                "allowed_updates": list(self.state.allowed_updates or []),
            }

    def webhook_posts(self) -> list[tuple[int, int]]:
        """Updates POSTed to the webhook, in order: ``(update_id, status)`` (0 = no answer)."""
        with self.state.lock:
            return list(self.state.webhook_posts)

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by the bot (via getUpdates ``offset``)."""
        with self.state.lock:
            return [dict(u) for u in self.state.updates]

    @property
    def internal_errors(self) -> list[str]:
        """Tracebacks of bugs in the fake itself (each answered 500)."""
        with self.state.lock:
            return list(self.state.internal_errors)

    def assert_no_internal_errors(self) -> None:
        """Fail loudly if the fake crashed while answering (a bug here, not in the bot)."""
        errors = self.internal_errors
        if errors:
            raise AssertionError("fake Bot API crashed:\n" + "\n".join(errors))

    # ================================================================== reading state
    @property
    def messages(self) -> dict[int, list[StoredMessage]]:
        """Bot messages currently in each chat (edited in place, deleted ones gone).

        Every known chat is a key, so ``fake.messages[user_id]`` is ``[]`` rather than a
        ``KeyError`` when the bot never wrote there.
        """
        with self.state.lock:
            chats = set(self.state.users) | set(self.state.groups) | set(self.state.chats)
            return {
                chat: [m for m in self.state.chats.get(chat, {}).values() if m.from_bot]
                for chat in chats
            }

    def history(self, chat_id: int) -> list[StoredMessage]:
        """Every message a chat currently holds, the users' and the bot's, oldest first.

        What a Telegram client shows (edits in place, deleted messages gone): the
        sandbox of ``make demo`` (demo/) draws a chat from it.
        """
        with self.state.lock:
            return list(self.state.chats.get(chat_id, {}).values())

    def message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        """Any stored message (bot's or user's), or ``None`` if absent/deleted."""
        with self.state.lock:
            return self.state.get_message(chat_id, message_id)

    def last_message(self, chat_id: int) -> StoredMessage:
        """The newest bot message in ``chat_id`` (``AssertionError`` if none)."""
        messages = self.messages.get(chat_id, [])
        if not messages:
            raise AssertionError(f"the bot has no messages in chat {chat_id}")
        return messages[-1]

    def buttons(self, chat_id: int, message_id: int | None = None) -> list[tuple[str, str | None]]:
        """Inline buttons ``(text, callback_data)`` of a message (default: newest bot one)."""
        if message_id is None:
            return self.last_message(chat_id).buttons
        message = self.message(chat_id, message_id)
        if message is None:
            raise AssertionError(f"no message {message_id} in chat {chat_id}")
        return message.buttons

    def pinned(self, chat_id: int) -> list[int]:
        """Pinned message ids of a chat, oldest first."""
        with self.state.lock:
            return list(self.state.pinned.get(chat_id, []))

    @property
    def callback_answers(self) -> dict[str, CallbackAnswer]:
        """answerCallbackQuery answers by callback query id."""
        with self.state.lock:
            return dict(self.state.callback_answers)

    def answer_for(self, callback_query_id: str) -> CallbackAnswer | None:
        """How the bot answered a press, or ``None`` if (not yet) answered."""
        with self.state.lock:
            return self.state.callback_answers.get(callback_query_id)

    def file(self, file_id: str) -> FakeFile:
        """A stored file by id."""
        with self.state.lock:
            return self.state.files[file_id]

    def commands_for(self, scope: Any = None, language_code: str = "") -> list[dict[str, str]]:
        """Commands stored for exactly this scope and language (like getMyCommands).

        ``scope`` is a ``BotCommandScope`` dict (or PTB object); ``None`` means default.
        """
        with self.state.lock:
            try:
                key = self.state.scope_key(_dict_of(scope), language_code)
            except ApiError as err:
                raise ValueError(f"bad scope {scope!r}: {err.description}") from None
            return [dict(c) for c in self.state.commands.get(key, [])]

    def menu_for(
        self, chat_id: int, user_id: int | None = None, language_code: str = ""
    ) -> list[dict[str, str]]:
        """The command menu a user would actually see, resolving scopes like Telegram.

        Private chats: chat, all_private_chats, default. Groups (``user_id`` needed for the
        member and admin scopes): chat_member, chat_administrators, chat,
        all_chat_administrators, all_group_chats, default. Each scope is tried with
        ``language_code`` first, then without.
        """
        with self.state.lock:
            group = self.state.groups.get(chat_id)
            if group is None:
                scopes: list[tuple[str, int | None, int | None]] = [
                    ("chat", chat_id, None),
                    ("all_private_chats", None, None),
                ]
            else:
                is_admin = user_id is not None and (
                    user_id in group.admins or user_id == group.owner
                )
                scopes = []
                if user_id is not None:
                    scopes.append(("chat_member", chat_id, user_id))
                if is_admin:
                    scopes.append(("chat_administrators", chat_id, None))
                scopes.append(("chat", chat_id, None))
                if is_admin:
                    scopes.append(("all_chat_administrators", None, None))
                scopes.append(("all_group_chats", None, None))
            scopes.append(("default", None, None))
            languages = [language_code, ""] if language_code else [""]
            for kind, chat, user in scopes:
                for lang in languages:
                    commands = self.state.commands.get((kind, chat, user, lang))
                    if commands:
                        return [dict(c) for c in commands]
            return []

    # ================================================================== error injection
    def fail_next(
        self,
        method: str,
        error_code: int,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with an error (before validation).

        ``429`` defaults to ``retry_after=1`` and Telegram's "Too Many Requests: retry after
        N" description; other codes get their standard phrase.
        """
        canonical = canonical_method(method)
        if canonical is None:
            raise ValueError(f"unknown Bot API method {method!r}")
        if error_code == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            description = (
                f"Too Many Requests: retry after {retry_after}"
                if error_code == 429
                else _DEFAULT_DESCRIPTIONS.get(error_code, "Error")
            )
        with self.state.lock:
            self.state.add_failure(
                canonical, ApiError(error_code, description, retry_after=retry_after), times
            )
