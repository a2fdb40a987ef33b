"""DeliveryRateLimiter in a real PTB Application against the fake Bot API.

Timing is asserted on the fake's recorded answers (``Call.at``, its monotonic clock) and on
the order of calls, never on how long a test took. Most tests use small limits (0.2 s per
chat, 20 messages/s) so the suite stays fast; one checks the real 1 s per-chat default.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import timedelta
from itertools import pairwise
from typing import Any

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    ExtBot,
)

from bot.background import Background
from bot.ratelimit import DeliveryRateLimiter, _retry_seconds
from tests.fakebot import Call, FakeBotAPI
from tests.fakebot.fixtures import polling
from tests.harness import TOKEN

ANA, BETO, CARMEN = 101, 102, 103
GROUP = -1001234567890


def fast(**overrides: Any) -> DeliveryRateLimiter:
    """Telegram's limits scaled down so tests take a second, not a minute."""
    params: dict[str, Any] = {
        "overall_rate": 20,
        "private_interval": 0.2,
        "group_rate": 3,
        "group_period": 1.0,
        "group_interval": 0.1,
        "margin": 0.02,
        "backoff_base": 0.1,
        "max_retries": 3,
    }
    params.update(overrides)
    return DeliveryRateLimiter(**params)


def application(
    fake: FakeBotAPI, limiter: DeliveryRateLimiter
) -> Application[Any, Any, Any, Any, Any, Any]:
    """Built like the project builds it: token, base URLs and the rate limiter."""
    return (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(fake.url + "/bot")
        .base_file_url(fake.url + "/file/bot")
        .rate_limiter(limiter)
        .build()
    )


@asynccontextmanager
async def running_bot(
    fake: FakeBotAPI, limiter: DeliveryRateLimiter
) -> AsyncIterator[ExtBot[Any]]:
    """An initialized application's bot (no polling)."""
    async with application(fake, limiter) as app:
        yield app.bot


def sends(fake: FakeBotAPI, chat_id: int, method: str = "sendMessage") -> list[Call]:
    """Every call of ``method`` to ``chat_id``, whatever its outcome, in answer order."""
    return [c for c in fake.calls_to(method) if c.params.get("chat_id") == chat_id]


def most_in_any_window(times: Iterable[float], period: float) -> int:
    """The largest number of ``times`` inside one window ``(t - period, t]``."""
    ordered = sorted(times)
    return max((sum(1 for s in ordered if t - period < s <= t) for t in ordered), default=0)


async def eventually(condition: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109
    """Wait (polling) until ``condition()`` holds; fail after ``timeout`` seconds."""
    for _ in range(int(timeout / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in time")


@pytest.fixture
def people(fake: FakeBotAPI) -> FakeBotAPI:
    """Three users who started the bot, and the secretariat's group."""
    fake.add_user(ANA, "Ana", started=True)
    fake.add_user(BETO, "Beto", started=True)
    fake.add_user(CARMEN, "Carmen", started=True)
    fake.add_group(GROUP, "STM Zamora")
    return fake


# =============================================================== throttling
async def test_one_private_chat_is_spaced_and_keeps_its_order(people: FakeBotAPI) -> None:
    async with running_bot(people, fast(private_interval=0.3, private_burst=1)) as bot:
        await asyncio.gather(
            *(bot.send_message(ANA, f"parte {i}") for i in range(4)),
            bot.send_message(BETO, "otra persona"),
        )
    to_ana = sends(people, ANA)
    assert [c.params["text"] for c in to_ana] == [f"parte {i}" for i in range(4)]
    assert min(b.at - a.at for a, b in pairwise(to_ana)) >= 0.3
    # Another chat does not wait for Ana's spacing.
    assert sends(people, BETO)[0].index < to_ana[1].index


async def test_a_private_chat_gets_a_short_burst_then_one_per_interval(
    people: FakeBotAPI,
) -> None:
    # The fake models Telegram's tolerance the same way: three at once, then 1 per 0.3 s.
    # The limiter refills one per 0.4 s, as production aims below Telegram's figure: the
    # fake stamps a request when it arrives, and on a loaded machine the burst can reach it
    # later than the limiter released it, so an exact 0.3 s refill drew a 429 (and a resend)
    # on CI.
    people.enforce_rate_limits(private=(1, 0.3), private_burst=3)
    async with running_bot(people, fast(private_interval=0.4, private_burst=3)) as bot:
        await asyncio.gather(*(bot.send_message(ANA, f"parte {i}") for i in range(6)))
    to_ana = sends(people, ANA)
    assert [c.params["text"] for c in to_ana] == [f"parte {i}" for i in range(6)]
    assert all(c.ok for c in to_ana)
    assert people.too_many_requests == 0
    gaps = [b.at - a.at for a, b in pairwise(to_ana)]
    assert max(gaps[:2]) < 0.3  # the burst leaves together
    assert to_ana[3].at - to_ana[0].at >= 0.3  # the bucket refills one per interval
    assert min(gaps[3:]) >= 0.3  # then one per interval (plus the margin)


async def test_default_private_chat_bucket_is_three_then_one_per_second(
    people: FakeBotAPI,
) -> None:
    async with running_bot(people, DeliveryRateLimiter()) as bot:
        await asyncio.gather(*(bot.send_message(ANA, f"{i}") for i in range(4)))
    first, _second, third, fourth = sends(people, ANA)
    assert third.at - first.at < 0.9  # an answer's second and third message leave at once
    assert fourth.at - first.at >= 0.9


async def test_overall_limit_holds_across_chats(fake: FakeBotAPI) -> None:
    fake.enforce_rate_limits(overall=(10, 1.0), private=(1, 0.2), group=(3, 1.0))
    chats = range(201, 216)
    for chat in chats:
        fake.add_user(chat, f"Persona {chat}", started=True)
    # The limiter aims below Telegram's figure, as in production, so that scheduling
    # jitter on a loaded machine cannot bunch 11 requests into the server's window.
    async with running_bot(fake, fast(overall_rate=8)) as bot:
        await asyncio.gather(*(bot.send_message(chat, "hola") for chat in chats))
    delivered = fake.calls_to("sendMessage")
    assert [c.ok for c in delivered] == [True] * len(chats)
    assert fake.too_many_requests == 0
    assert most_in_any_window((c.at for c in delivered), 1.0) <= 10


async def test_group_gets_its_per_minute_window_and_spacing(people: FakeBotAPI) -> None:
    people.enforce_rate_limits(group=(3, 1.0))
    # 3 per 1.2 s against Telegram's (scaled) 3 per 1 s: headroom for scheduling jitter.
    async with running_bot(people, fast(group_rate=3, group_period=1.2)) as bot:
        await asyncio.gather(*(bot.send_message(GROUP, f"aviso {i}") for i in range(5)))
    posts = sends(people, GROUP)
    assert [c.params["text"] for c in posts] == [f"aviso {i}" for i in range(5)]
    assert all(c.ok for c in posts)
    assert people.too_many_requests == 0
    assert most_in_any_window((c.at for c in posts), 1.0) <= 3
    assert min(b.at - a.at for a, b in pairwise(posts)) >= 0.1


# =============================================================== retries
async def test_429_is_retried_after_retry_after_and_blocks_only_that_chat(
    people: FakeBotAPI,
) -> None:
    people.fail_next("sendMessage", 429, retry_after=1)
    async with running_bot(people, fast()) as bot:
        first = asyncio.create_task(bot.send_message(ANA, "convocatoria"))
        await people.wait_for("sendMessage", ok=False, chat_id=ANA)
        await bot.send_message(BETO, "mientras tanto")
        message = await first
    refused, delivered = sends(people, ANA)
    assert (refused.status, delivered.status) == (429, 200)
    assert delivered.at - refused.at >= 1.0
    assert sends(people, BETO)[0].index < delivered.index
    assert message.text == "convocatoria"
    assert [m.text for m in people.messages[ANA]] == ["convocatoria"]


async def test_429s_in_several_chats_pause_everyone(people: FakeBotAPI) -> None:
    people.fail_next("sendMessage", 429, retry_after=1, times=2)
    limiter = fast()
    async with running_bot(people, limiter) as bot:
        tasks = [asyncio.create_task(bot.send_message(chat, "hola")) for chat in (ANA, BETO)]
        await eventually(lambda: limiter.stats.too_many_requests == 2)
        await bot.send_message(CARMEN, "después")
        await asyncio.gather(*tasks)
    assert limiter.stats.global_pauses == 1
    last_429 = max(c.at for c in people.calls_to("sendMessage") if c.status == 429)
    assert sends(people, CARMEN)[0].at - last_429 >= 1.0
    assert all(len(people.messages[chat]) == 1 for chat in (ANA, BETO, CARMEN))


async def test_429_gives_up_after_max_retries(people: FakeBotAPI) -> None:
    people.fail_next("sendMessage", 429, retry_after=1, times=2)
    async with running_bot(people, fast(max_retries=1, margin=0.0)) as bot:
        with pytest.raises(RetryAfter):
            await bot.send_message(ANA, "hola")
    assert [c.status for c in sends(people, ANA)] == [429, 429]


@pytest.mark.parametrize("status", [500, 502])
async def test_server_errors_are_retried_with_exponential_backoff(
    people: FakeBotAPI, status: int
) -> None:
    people.fail_next("sendMessage", status, times=2)
    limiter = fast(backoff_base=0.1, private_interval=0.01)
    async with running_bot(people, limiter) as bot:
        message = await bot.send_message(ANA, "hola")
    calls = sends(people, ANA)
    assert [c.status for c in calls] == [status, status, 200]
    assert calls[1].at - calls[0].at >= 0.1
    assert calls[2].at - calls[1].at >= 0.2
    assert message.text == "hola"
    assert limiter.stats.transient_errors == 2


async def test_server_errors_give_up_after_max_retries(people: FakeBotAPI) -> None:
    people.fail_next("sendMessage", 500, times=5)
    async with running_bot(people, fast(max_retries=2, backoff_base=0.01)) as bot:
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.send_message(ANA, "hola")
        assert len(sends(people, ANA)) == 3
        # rate_limit_args overrides max_retries for one call: the two failures left use it up.
        with pytest.raises(NetworkError):
            await bot.send_message(ANA, "hola", rate_limit_args=1)
        assert len(sends(people, ANA)) == 5
        assert (await bot.send_message(ANA, "hola")).text == "hola"


async def test_forbidden_and_bad_request_are_never_retried(fake: FakeBotAPI) -> None:
    fake.add_user(301, "Nunca", started=False)
    fake.add_user(302, "Bloqueó", started=True, blocked=True)
    fake.add_user(303, "Normal", started=True)
    async with running_bot(fake, fast()) as bot:
        with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
            await bot.send_message(301, "hola")
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(302, "hola")
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await bot.send_message(303, "<x>", parse_mode="HTML")
    assert [len(sends(fake, chat)) for chat in (301, 302, 303)] == [1, 1, 1]


# =============================================================== what is not limited
async def test_button_answers_and_other_calls_do_not_wait_behind_sends(
    people: FakeBotAPI,
) -> None:
    async def answer(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer("Recibido")

    app = application(people, fast(private_interval=0.3))
    app.add_handler(CallbackQueryHandler(answer))
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Asisto", callback_data="si")]])
    async with polling(app):
        queue = [
            asyncio.create_task(app.bot.send_message(ANA, f"parte {i}", reply_markup=keyboard))
            for i in range(5)
        ]
        await people.wait_for("sendMessage", ok=True, chat_id=ANA)
        query_id = people.press(ANA, data="si")
        await app.bot.set_my_commands([("ayuda", "Ayuda")])
        await people.wait_for("answerCallbackQuery", callback_query_id=query_id)
        await asyncio.gather(*queue)
    to_ana = sends(people, ANA)
    answered = people.calls_to("answerCallbackQuery")[0]
    commands = people.calls_to("setMyCommands")[0]
    # Both went through while Ana's queue still had at least three messages to go.
    assert answered.index < to_ana[2].index
    assert commands.index < to_ana[2].index
    assert people.answer_for(query_id) is not None


# =============================================================== the limiter alone
async def test_timeouts_are_retried_unless_disabled() -> None:
    attempts: list[str] = []

    async def flaky(endpoint: str, _data: dict[str, Any]) -> bool:
        attempts.append(endpoint)
        if len(attempts) == 1:
            raise TimedOut
        return True

    limiter = fast(backoff_base=0.01)
    data = {"chat_id": ANA, "text": "hola"}
    assert await limiter.process_request(
        flaky, ("sendMessage", data), {}, "sendMessage", data, None
    )
    assert attempts == ["sendMessage", "sendMessage"]

    attempts.clear()
    strict = fast(backoff_base=0.01, retry_timeouts=False)
    with pytest.raises(TimedOut):
        await strict.process_request(flaky, ("sendMessage", data), {}, "sendMessage", data, None)
    assert attempts == ["sendMessage"]


async def test_unlimited_endpoints_are_called_once_and_at_once() -> None:
    calls: list[str] = []

    async def refuse(endpoint: str, _data: dict[str, Any]) -> bool:
        calls.append(endpoint)
        raise NetworkError("Bad Gateway")

    limiter = fast()
    data = {"callback_query_id": "1"}
    with pytest.raises(NetworkError):
        await limiter.process_request(
            refuse, ("answerCallbackQuery", data), {}, "answerCallbackQuery", data, None
        )
    assert calls == ["answerCallbackQuery"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"overall_rate": 0},
        {"group_period": 0},
        {"private_interval": -1},
        {"max_retries": -1},
        {"backoff_base": 2.0, "backoff_max": 1.0},
    ],
)
def test_nonsense_parameters_are_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="must"):
        DeliveryRateLimiter(**kwargs)


def test_ptb_timedelta_is_honoured() -> None:
    """RetryAfter durations are read without PTB's int/timedelta deprecation warning."""
    assert _retry_seconds(RetryAfter(timedelta(seconds=3))) == 3.0
    assert _retry_seconds(RetryAfter(2)) == 2.0


# =============================================================== replies before background
async def test_an_updates_reply_takes_the_next_slot_ahead_of_background_sends(
    fake: FakeBotAPI,
) -> None:
    """Issue 10: a fan-out queued in the background never makes someone's answer wait."""
    chats = range(301, 321)
    for chat in chats:
        fake.add_user(chat, f"P{chat}", started=True)
    fake.add_user(ANA, "Ana", started=True)
    background = Background()
    async with running_bot(fake, fast(overall_rate=5, overall_period=1.0)) as bot:
        for chat in chats:  # 20 messages at 5/s: four seconds of background work
            background.spawn(bot.send_message(chat, "convocatoria"), name=f"fan-out:{chat}")
        await asyncio.sleep(0.3)  # the fan-out is under way
        await bot.send_message(ANA, "tu respuesta")  # an update's own reply
        await background.idle()
    order = [c.params["chat_id"] for c in fake.calls_to("sendMessage")]
    assert order.index(ANA) <= 4  # the next free slot, not the 21st
    assert sorted(order) == sorted([*chats, ANA])  # nothing lost
