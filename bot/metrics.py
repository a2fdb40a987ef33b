"""Prometheus metrics of one running bot (``/metrics`` on the microsite, issue 14).

One registry per application, not prometheus-client's global one: the tests and the
benchmarks run many applications in one process, and each must count only its own
updates. What is counted is chosen for an operator's dashboard and alerts: updates by
kind and how long their handlers took, Bot API calls by endpoint and outcome (429s
included, which should stay at zero), reminders sent and dropped, whether this process
runs the scheduler, and how much work is waiting (PTB's update queue, background tasks).

Kinds are bounded: a command is counted under its name only when it is one of ours
(``domain.roles.COMMANDS``), a button under its action letter; anything else is
``otro`` — so nobody can grow the series by typing made-up commands.
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from telegram import Update

from bot.buttons import Action
from domain.roles import COMMANDS

__all__ = ["CONTENT_TYPE", "Metrics", "update_kind"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_ACTIONS = frozenset(a.value for a in Action)
#: Handler latency buckets (seconds): replies are expected well under a second.
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def update_kind(update: object) -> str:
    """``/convocar``, ``boton:v``, ``mensaje``, ``miembro`` or ``otro`` (bounded)."""
    if not isinstance(update, Update):
        return "otro"
    if update.callback_query is not None:
        action = (update.callback_query.data or "").partition(":")[0]
        return f"boton:{action}" if action in _ACTIONS else "boton:otro"
    if update.my_chat_member is not None:
        return "miembro"
    message = update.effective_message
    text = (message.text or message.caption or "") if message is not None else ""
    if text.startswith("/"):
        name = text[1:].split(maxsplit=1)[0].partition("@")[0].lower() if text[1:] else ""
        return f"/{name}" if name in COMMANDS or name == "start" else "/otro"
    return "mensaje" if message is not None else "otro"


class Metrics:
    """The bot's counters, histograms and gauges, in their own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.updates = Counter(
            "stm_updates", "Updates handled, by kind of update.", ["kind"], registry=r
        )
        self.update_seconds = Histogram(
            "stm_update_seconds",
            "Time to handle one update (every handler group), by kind.",
            ["kind"],
            buckets=_BUCKETS,
            registry=r,
        )
        self.bot_api = Counter(
            "stm_bot_api_requests",
            "Bot API calls through the rate limiter, by endpoint and outcome (ok, 429, failed).",
            ["endpoint", "outcome"],
            registry=r,
        )
        self.shared_budget_wait = Counter(
            "stm_send_budget_wait_seconds",
            "Seconds sends waited for the outgoing budget the replicas share (PostgreSQL).",
            registry=r,
        )
        self.reminders = Counter(
            "stm_reminders", "Reminders, by outcome (sent, dropped).", ["outcome"], registry=r
        )
        self.leader = Gauge(
            "stm_scheduler_leader", "1 while this process runs the scheduler.", registry=r
        )
        self._queue = Gauge(
            "stm_update_queue_depth", "Updates received and not yet dispatched.", registry=r
        )
        self._running = Gauge(
            "stm_updates_in_progress", "Updates being handled right now.", registry=r
        )
        self._background = Gauge(
            "stm_background_tasks", "Background deliveries and fan-outs under way.", registry=r
        )

    def watch(
        self,
        *,
        queue: Callable[[], float],
        running: Callable[[], float],
        background: Callable[[], float],
    ) -> None:
        """Read the depths when scraped (nothing to keep up to date)."""
        self._queue.set_function(queue)
        self._running.set_function(running)
        self._background.set_function(background)

    def render(self) -> bytes:
        """The exposition text of every metric."""
        return generate_latest(self.registry)
