"""How many messages the public forms take, per address, per secretariat and overall.

Each stored message is a notice in the facilitator's Telegram (R19 f, g): a script must
not be able to fill it. A client address may leave ``per_address`` messages per
``window`` in one secretariat; a secretariat takes ``per_secretariat`` per window from
everyone together, and the whole site ``overall`` — so many addresses at once still
cannot bury a facilitator or the bot's Telegram quota. The counts live in memory (one
process serves the site) on the site's clock (``Site.now``, which tests move), and the
memory is bounded: at most ``max_addresses`` addresses are remembered, the least
recently seen forgotten first, each with at most ``per_address`` moments.

The address is ``request.client.host``: uvicorn puts the proxy's ``X-Forwarded-For`` there
only when the operator named that proxy in ``WEB_FORWARDED_ALLOW_IPS``. IPv6 clients are
counted per /64, the block one subscriber usually holds, so rotating addresses inside it
does not multiply the allowance.
"""

from __future__ import annotations

import ipaddress
import math
from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["FloodGate", "Limits", "client_key"]


@dataclass(frozen=True)
class Limits:
    """Messages per ``window``."""

    per_address: int = 5
    per_secretariat: int = 60
    overall: int = 300
    window: timedelta = timedelta(minutes=10)
    max_addresses: int = 10_000


def client_key(host: str | None) -> str:
    """The address a limit counts: IPv4 as is, IPv6 by its /64, anything else verbatim."""
    if not host:
        return "desconocido"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host[:100]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


class FloodGate:
    """Sliding-window counters; :meth:`admit` checks and counts in one step."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._addresses: OrderedDict[tuple[str, int], deque[datetime]] = OrderedDict()
        self._secretariats: dict[int, deque[datetime]] = {}
        self._overall: deque[datetime] = deque()

    def _expire(self, moments: deque[datetime], now: datetime) -> deque[datetime]:
        start = now - self.limits.window
        while moments and moments[0] <= start:
            moments.popleft()
        return moments

    def _wait(self, moments: deque[datetime], now: datetime) -> int:
        """Whole seconds until the oldest counted moment leaves the window."""
        left = (moments[0] + self.limits.window - now).total_seconds()
        return max(1, math.ceil(left))

    def retry_after(self, address: str, secretariat_id: int, now: datetime) -> int | None:
        """Seconds to wait when this address may not leave a message now, else ``None``.

        Counts nothing: the forms ask before checking fields (a client over its limit
        is told so whatever it sent) and :meth:`admit` once a message is valid.
        """
        limits = self.limits
        checks = (
            (self._addresses.get((address, secretariat_id)), limits.per_address),
            (self._secretariats.get(secretariat_id), limits.per_secretariat),
            (self._overall, limits.overall),
        )
        waits = [
            self._wait(moments, now)
            for moments, limit in checks
            if moments is not None and len(self._expire(moments, now)) >= limit
        ]
        return max(waits) if waits else None

    def admit(self, address: str, secretariat_id: int, now: datetime) -> int | None:
        """Count one message and return ``None``, or the seconds to wait (nothing counted).

        Synchronous on purpose: no other request runs between the check and the count.
        """
        wait = self.retry_after(address, secretariat_id, now)
        if wait is not None:
            return wait
        key = (address, secretariat_id)
        mine = self._addresses.pop(key, None) or deque()
        mine.append(now)
        self._addresses[key] = mine  # the most recently seen last
        while len(self._addresses) > self.limits.max_addresses:
            self._addresses.popitem(last=False)
        self._secretariats.setdefault(secretariat_id, deque()).append(now)
        self._overall.append(now)
        self._forget_idle(now)
        return None

    def _forget_idle(self, now: datetime) -> None:
        """Drop the oldest addresses and secretariats whose window is over (bounded work)."""
        for _ in range(2):
            if not self._addresses:
                break
            key, moments = next(iter(self._addresses.items()))
            if self._expire(moments, now):
                break
            del self._addresses[key]
        for sid in [s for s, m in self._secretariats.items() if not self._expire(m, now)]:
            del self._secretariats[sid]

    @property
    def remembered(self) -> int:
        """Addresses currently counted (for tests of the memory bound)."""
        return len(self._addresses)
