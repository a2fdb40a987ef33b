"""Calendar files: the .ics attached to every convocation, and the microsite's feed.

Built with ``icalendar`` (RFC 5545 escaping, folding and VTIMEZONE generation are easy to
get subtly wrong by hand). Events carry the secretariat's time zone, so phones in
another zone still show the right local time.

One session is one event everywhere: the convocation's attachment and the feed people
subscribe to (``/<slug>/agenda.ics``, R19 b) give it the same ``UID``
(:func:`session_uid`), so a calendar that has both shows it once, and the feed's later
revision (a cancellation: ``STATUS:CANCELLED``, ``SEQUENCE:1``) replaces the event the
attachment added.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vDuration

__all__ = ["DURATION", "FeedEvent", "agenda_feed", "convocation_ics", "session_uid"]

#: Sessions have no declared end; two hours is the usual length and only sizes the block.
DURATION = timedelta(hours=2)
PRODID = "-//stm-bot//Secretariado Técnico Municipal//ES"


def session_uid(meeting_id: int, bot_username: str) -> str:
    """The session's ``UID``, the same in the convocation's attachment and in the feed."""
    return f"stm-{meeting_id}@{bot_username}"


def _timezone(zone: ZoneInfo, first_year: int, last_year: int) -> Timezone:
    # Whole years around the events, so the VTIMEZONE has its STANDARD (and DST) parts.
    return Timezone.from_tzinfo(
        zone, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1)
    )


def _event(
    *,
    uid: str,
    title: str,
    secretariat_name: str,
    starts_at: datetime,
    zone: ZoneInfo,
    place: str,
    agenda: Sequence[str],
    stamp: datetime,
    sequence: int,
) -> Event:
    local = starts_at.astimezone(zone)
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
    return event


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
    year = starts_at.astimezone(zone).year
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(_timezone(zone, year, year))
    calendar.add_component(
        _event(
            uid=uid,
            title=title,
            secretariat_name=secretariat_name,
            starts_at=starts_at,
            zone=zone,
            place=place,
            agenda=agenda,
            stamp=stamp,
            sequence=sequence,
        )
    )
    return calendar.to_ical()


@dataclass(frozen=True)
class FeedEvent:
    """One session in the feed (R19 b).

    ``revised_at`` is when the event last changed (convened, or cancelled): it is the
    event's ``DTSTAMP`` and ``LAST-MODIFIED``, so fetching the feed twice gives the same
    bytes while nothing changed. ``status`` and ``sequence`` come from
    ``domain.public_record.feed_status`` / ``feed_sequence``.
    """

    uid: str
    title: str
    starts_at: datetime
    place: str
    agenda: tuple[str, ...]
    status: str  # CONFIRMED | CANCELLED
    sequence: int
    revised_at: datetime
    url: str = ""


def agenda_feed(
    *,
    secretariat_name: str,
    time_zone: str,
    events: Sequence[FeedEvent],
    today: date,
    refresh: timedelta = timedelta(hours=1),
) -> bytes:
    """The secretariat's sessions as one subscribable calendar (R19 b).

    Without ``METHOD`` (a published feed, not a message), so ``DTSTAMP`` is each event's
    last revision. ``X-WR-CALNAME``/``NAME`` name it in the subscriber's list;
    ``REFRESH-INTERVAL`` (RFC 7986) and ``X-PUBLISHED-TTL`` ask for hourly refreshes. The
    VTIMEZONE spans every event's year (``today``'s when there is none).
    """
    zone = ZoneInfo(time_zone)
    years = [e.starts_at.astimezone(zone).year for e in events] or [today.year]
    name = f"STM de {secretariat_name} — sesiones"
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", time_zone)
    calendar.add(
        "x-wr-caldesc",
        f"Sesiones convocadas por el Secretariado Técnico Municipal de {secretariat_name}.",
    )
    calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(refresh))
    calendar.add_component(_timezone(zone, min(years), max(years)))
    for item in events:
        event = _event(
            uid=item.uid,
            title=item.title,
            secretariat_name=secretariat_name,
            starts_at=item.starts_at,
            zone=zone,
            place=item.place,
            agenda=item.agenda,
            stamp=item.revised_at,
            sequence=item.sequence,
        )
        event.add("last-modified", item.revised_at)
        event.add("status", item.status)
        event.add("transp", "OPAQUE")
        if item.url:
            event.add("url", item.url)
        calendar.add_component(event)
    return calendar.to_ical()
