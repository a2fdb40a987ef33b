"""The demo's secretariat, made by the bot itself before the visitor arrives.

Everything here goes through the bot's real handlers, exactly as people would use them
(admin ``/nuevo_stm``, the facilitator opening the invitation, ``/alta`` of each member,
each member opening their link, ``/vincular`` in the group), so the database holds what
the real bot would have recorded.

Why in this process, with the clock set back: signing needs a *held* session, and a
session can only be convened 5 business days ahead (R7) and installed on its day (R9).
So the whole history is played through :func:`bot.app.build_application` with a
:class:`ShiftedClock` three weeks in the past: convened then, held on its (past) day with
a roll call of 4 of 5 seats (academia by its substitute, R3), the agenda approved (R10),
one vote, a note, concluded. The clock then catches up with the present, this
application stops and the real ``python -m bot`` process takes over the same database
with the real clock: what the visitor does (convene, answer, vote, sign) is live.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import TypeHandler

from bot import linking
from bot.app import ALLOWED_UPDATES, build_application
from bot.clock import system_clock
from bot.context import StmApplication
from bot.ratelimit import DeliveryRateLimiter
from bot.settings import Settings
from demo import cast
from domain.calendar import BusinessCalendar
from domain.notice import earliest_session_date
from storage.db import make_engine, make_sessionmaker
from tests.fakebot import FakeBotAPI

TIME_ZONE = "America/Mexico_City"  # the secretariat's default (R8)
PLACE = "Sala de Cabildo del Palacio Municipal"
AGENDA = (
    "Lista de asistencia y declaración de quórum",
    "Seguimiento del Plan de Acción Municipal",
    "Calendario de sesiones ordinarias 2027",
)
SECOND_VOTE = "Aprobar el calendario de sesiones ordinarias 2027"
#: Roster numbers as ``/alta`` gives them: 1 the facilitator, 2–6 the titulars in
#: ``cast.TITULARS`` order, 7 the substitute, 8 the observer.
_PRESENT_NUMBERS = (2, 3, 4, 7, 8)


class SeedingError(RuntimeError):
    """The bot did not answer as the seeding expected (the message says which step)."""


class ShiftedClock:
    """The system clock plus an offset: the past for seeding, the present afterwards."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return system_clock() + self.offset

    def set(self, moment: datetime) -> None:
        """From now on the clock reads ``moment`` (and runs on from there)."""
        self.offset = moment - system_clock()

    def reset(self) -> None:
        """Back to the real time."""
        self.offset = timedelta()


@dataclass(frozen=True)
class HeldSession:
    """What the seeding made: session #1, held on ``day``, convened on ``convened``."""

    convened: date
    day: date


def past_session_days(today: date) -> tuple[datetime, date]:
    """When to convene (10:00 local) and hold session #1 so it is over before ``today``.

    Three weeks back leaves room for R7's 5 business days and a day in last week or the
    one before; holidays can push the session later, so step back a week until it fits.
    """
    tz = ZoneInfo(TIME_ZONE)
    calendar = BusinessCalendar()
    convened = today - timedelta(days=21)
    while True:
        sent = datetime.combine(convened, time(10, 0), tz)
        day = calendar.next_business_day(earliest_session_date(5, sent, calendar, TIME_ZONE))
        if day < today - timedelta(days=1):
            return sent, day
        convened -= timedelta(days=7)


class _Driver:
    """Messages and presses through the fake, each awaited until fully handled."""

    def __init__(self, fake: FakeBotAPI, app: StmApplication) -> None:
        self.fake = fake
        self.app = app
        self.processed: set[int | str] = set()
        app.add_handler(TypeHandler(Update, self._record), group=1000)

    async def _record(self, update: object, _context: object) -> None:
        assert isinstance(update, Update)
        self.processed.add(update.update_id)
        if update.callback_query is not None:
            self.processed.add(update.callback_query.id)

    async def _settled(self, key: int | str) -> None:
        for _ in range(4000):
            if key in self.processed:
                break
            await asyncio.sleep(0.005)
        else:
            raise SeedingError(f"the bot did not handle update {key}")
        await asyncio.wait_for(self.app.quiet(), 30)

    async def say(self, user: cast.Persona, text: str, *, expect: str) -> str:
        """``user`` writes ``text`` in its chat (or ``chat_id``); the answer must hold
        ``expect``."""
        return await self.say_in(user, text, user.chat_id, expect=expect)

    async def say_in(self, user: cast.Persona, text: str, chat_id: int, *, expect: str) -> str:
        """``say`` in another chat (the group)."""
        since = self.fake.mark()
        in_chat = None if chat_id == user.chat_id else chat_id
        await self._settled(self.fake.send_text(user.chat_id, text, chat_id=in_chat))
        answers = [c.text or "" for c in self.fake.sent_to(chat_id, since)]
        if not any(expect in answer for answer in answers):
            raise SeedingError(f"{text.splitlines()[0]!r}: expected {expect!r}, got {answers!r}")
        return next(answer for answer in answers if expect in answer)

    async def press(self, user: cast.Persona, label: str) -> None:
        """``user`` presses the newest button ``label`` of its private chat."""
        await self._settled(self.fake.press(user.chat_id, button_text=label))

    async def press_all(self, users: Iterable[cast.Persona], label: str) -> None:
        """Each of ``users`` presses ``label``."""
        for user in users:
            await self.press(user, label)


def _token(answer: str) -> str:
    marker = f"https://t.me/{cast.BOT_USERNAME}?start="
    if marker not in answer:
        raise SeedingError(f"no invitation link in {answer!r}")
    return answer.split(marker, 1)[1].split()[0]


async def _onboard(d: _Driver) -> None:
    """Admin → facilitator → roster → links opened → group linked (README, five steps)."""
    f = cast.FACILITATOR
    invitation = await d.say(cast.ADMIN, f"/nuevo_stm {cast.MUNICIPALITY}", expect="start=")
    await d.say(f, f"/start {_token(invitation)}", expect="Listo")
    entries = [(p, f"titular {p.seat}") for p in cast.TITULARS]
    entries += [(cast.SUBSTITUTE, "suplente academia"), (cast.OBSERVER, "observador")]
    for person, what in entries:
        answer = await d.say(f, f"/alta {what} {person.name}", expect="start=")
        await d.say(person, f"/start {_token(answer)}", expect="Listo")
    await d.say_in(f, "/vincular", cast.GROUP.chat_id, expect="canal oficial")
    # R15: last week's session may fall in the previous month; with the act's default
    # deadline its minutes would greet the visitor as overdue on the 1st of a month.
    await d.say(f, "/ajustar plazo_acta mes_siguiente", expect="")


async def _hold_session(d: _Driver, clock: ShiftedClock, sent: datetime, day: date) -> None:
    """Session #1: convened at ``sent``, held on ``day`` 10:00–12:05, then concluded."""
    f = cast.FACILITATOR
    agenda = "\n".join(f"{n}. {item}" for n, item in enumerate(AGENDA, 1))
    text = f"/convocar ordinaria {day.isoformat()} 10:00 {PLACE}\n{agenda}"
    await d.say(f, text, expect="Vista previa")
    await d.press(f, "Enviar convocatoria")
    titulars = {p.seat: p for p in cast.TITULARS}
    for seat in ("gobierno", "garante", "sociedad_civil"):
        await d.press(titulars[seat], "Asistiré")
    await d.press(titulars["academia"], "Asistirá mi suplente")
    await d.press(cast.SUBSTITUTE, "Asistiré en representación")
    await d.press(titulars["ciudadania"], "No asistiré")
    clock.set(datetime.combine(day, time(10, 5), ZoneInfo(TIME_ZONE)))
    await d.say(f, "/iniciar", expect="")
    for number in _PRESENT_NUMBERS:
        await d.say(f, f"/presente {number}", expect="")
    await d.say(f, "/instalar", expect="Sesión instalada con quórum: 4 de 5")
    voters = [p for p in cast.PRESENT if p.kind != "observador"]
    await d.press_all(voters, "A favor")  # the agenda (R10)
    await d.say(f, "/cerrar", expect="")
    await d.say(f, f"/votar {SECOND_VOTE}", expect="")
    await d.press_all(voters[:3], "A favor")
    await d.press(voters[3], "Abstención")
    await d.say(f, "/cerrar", expect="")
    await d.say(f, "/nota 1 Se pasó lista; la ciudadanía no asistió.", expect="Nota agregada")
    await d.say(f, "/nota 2 La academia presentó el avance del PAM.", expect="Nota agregada")
    clock.set(datetime.combine(day, time(12, 5), ZoneInfo(TIME_ZONE)))
    await d.say(f, "/concluir", expect="")


def add_people(fake: FakeBotAPI) -> None:
    """The demo's Telegram users and the secretariat's group, in the fake."""
    for person in cast.PERSONAS:
        if not person.is_group:
            fake.add_user(person.chat_id, person.first_name, person.last_name)
    fake.add_group(
        cast.GROUP.chat_id,
        cast.GROUP_TITLE,
        members=[p.chat_id for p in cast.GROUP_MEMBERS],
    )


async def seed(fake: FakeBotAPI, settings: Settings, clock: ShiftedClock) -> HeldSession:
    """Onboard the secretariat and hold session #1 in the past; the clock ends at now."""
    sent, day = past_session_days(system_clock().astimezone(ZoneInfo(TIME_ZONE)).date())
    db = make_sessionmaker(make_engine(settings.database_url))
    # The production limiter without the pauses: the fake enforces no limits here.
    limiter = DeliveryRateLimiter(
        overall_rate=1000,
        private_interval=0.0,
        group_rate=1000,
        group_interval=0.0,
        backoff_base=0.05,
    )
    app = build_application(settings, clock=clock, db=db, rate_limiter=limiter)
    driver = _Driver(fake, app)
    clock.set(sent - timedelta(minutes=30))
    await app.initialize()
    try:
        assert app.post_init is not None
        assert app.updater is not None
        await app.post_init(app)
        await app.updater.start_polling(
            poll_interval=0.0, timeout=timedelta(seconds=1), allowed_updates=ALLOWED_UPDATES
        )
        await app.start()
        await _onboard(driver)
        # The facilitator's grouped "X vinculó su cuenta" notice is due a minute after
        # the last linking (bot/linking.py): owed now, so it is dated with the onboarding.
        await linking.flush_owed(app)
        await asyncio.wait_for(app.quiet(), 30)
        clock.set(sent)
        await _hold_session(driver, clock, sent, day)
    finally:
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        if app.post_stop is not None:
            await app.post_stop(app)
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
        await app.shutdown()
        clock.reset()
    return HeldSession(convened=sent.date(), day=day)
