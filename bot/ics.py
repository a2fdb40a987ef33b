"""The .ics calendar file attached to every convocation.

Built with ``icalendar`` (RFC 5545 escaping, folding and VTIMEZONE generation are easy to
get subtly wrong by hand). The event carries the secretariat's time zone, so phones in
another zone still show the right local time.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

#: Sessions have no declared end; two hours is the usual length and only sizes the block.
DURATION = timedelta(hours=2)


def convocation_ics(
    *,
    uid: str,
    title: str,
    secretariat_name: str,
    starts_at: datetime,
    time_zone: str,
    place: str,
    agenda: list[str],
    stamp: datetime,
    sequence: int = 0,
) -> bytes:
    """A one-event calendar in the secretariat's zone; ``uid`` stays stable per session."""
    zone = ZoneInfo(time_zone)
    local = starts_at.astimezone(zone)
    calendar = Calendar()
    calendar.add("prodid", "-//stm-bot//Secretariado Técnico Municipal//ES")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    # A whole year around the event, so the VTIMEZONE has its STANDARD (and DST) parts.
    calendar.add_component(
        Timezone.from_tzinfo(
            zone, first_date=date(local.year, 1, 1), last_date=date(local.year + 1, 1, 1)
        )
    )
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("sequence", sequence)
    event.add("dtstart", local)
    event.add("dtend", local + DURATION)
    event.add("summary", f"{title} — STM de {secretariat_name}")
    event.add("location", place)
    event.add(
        "description",
        "Orden del día:\n" + "\n".join(f"{i}. {item}" for i, item in enumerate(agenda, 1)),
    )
    calendar.add_component(event)
    return calendar.to_ical()
