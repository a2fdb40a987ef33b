"""Benchmark: rendering a long session's acta (R14) and issuing its signed PDF, time and memory.

Two parts, chosen with ``--only render|bot`` (default: both, ``render`` first).

**render** measures ``bot/minutes_files.py`` alone. The record is the tests' long session
(``tests/bot/test_minutes_files.py: big_record``): 40 agenda items with 2 notes each, the
agenda vote and 30 more votes of 7 seats each, 30 agreements. Measured with
``time.perf_counter()``, each step in the calling thread (the bot runs the same
functions, one after the other, in its one rendering process: ``bot.minutes_flow.render``):

* **draft**: ``render_docx`` and ``render_pdf`` of that record, each and both in a row;
* **signed**: ``signed_pdf`` of that draft PDF with 6 signers, without a seal and with a
  PAdES seal made on the fly (a throw-away CA and seal certificate, EC P-256, in a
  temporary PKCS#12 file loaded once with ``load_seal``, timed apart).

The first render in a process pays for importing WeasyPrint and for fontconfig's set-up;
it is printed apart ("cold"), and each step then runs ``--rounds`` times (default 5):
printed are the median, the max and the nearest-rank p90. Memory: each step once more
under ``tracemalloc`` (its peak of Python allocations; Pango's and HarfBuzz's own memory
is not traced) and the process's ``ru_maxrss`` after the step (a high-water mark, so it
only grows). Ratios: the PDF over the ``.docx``, the sealed over the unsealed signed file.

**bot** measures the same end to end: the real bot against the fake Bot API with
Telegram's limits enforced (``common.limited_fake()``: 30 messages/s overall, 1/s per
private chat after a burst of 3, 20/min per group, 429 beyond), over a temporary SQLite
file and a temporary ``data_dir``, its clock a ``tests.clock.FakeClock`` at ``common.NOW``
(Friday 2026-11-27 10:00 in Mexico City) moved by hand as the e2e tests do. Each round:

1. *Setup* (not measured; its duration is printed). The secretariat seeded through
   ``common.seed``: the facilitator, five titulars (roster #2-#6, one per seat), five
   substitutes, an observer, all linked, and the official group. Then, through the bot
   and the fake as in ``tests/e2e/test_minutes.py`` (``held_session``):
   ``/convocar ordinaria 2026-12-07 10:00 Sala de Cabildo`` with 40 agenda lines and
   "Enviar convocatoria"; the clock to Monday 12-07 10:05; ``/iniciar``, ``/presente 2``
   ... ``/presente 6``, ``/instalar``; the agenda vote, every seat "A favor", ``/cerrar``;
   29 more ``/votar Punto k: ...`` with the five ballots mixing "A favor", "En contra" and
   "Abstención", each closed with ``/cerrar`` (30 votes in all); 2 ``/nota k ...`` per
   item (80 notes, the render part's texts); 2 h later ``/concluir``; 20 h later the
   drafting. At Telegram's pace (one message a second in the facilitator's chat) these
   ~200 commands would take minutes a round, so the setup runs the bot as the e2e tests
   do (``tests.harness.start_harness``: the production wiring, its rate limiter spaced
   for a test's pace, the fake's limits off). That bot is stopped (its queued notices
   drained), the fake's limits are turned on and the bot is started again, built with
   ``build_application`` as production does (``DeliveryRateLimiter``) on the same
   database and ``data_dir``; after 1.1 s (start-up menus) and one unmeasured ``/ayuda``,
   the measured steps follow.
2. *Measured*, one step at a time, each chat's bucket full before it (3.2 s apart), every
   latency from the injection of the update into the fake (``time.monotonic()``) to the
   fake recording the call (``Call.at``, learnt at once through ``common.Watch``):

   (a) the facilitator's ``/acta 1`` -> the draft's ``.pdf`` ``sendDocument``, its
       ``.docx``, and the message with the buttons (the last of the three);
   (b) "Circular para firma" -> its ``answerCallbackQuery``, and -> the last of the six
       signatories' (facilitator and the five titulars present) documents to sign;
       then five of them press "Firmo el acta" (not measured);
   (c) the last signatory's "Firmo el acta" -> its ``answerCallbackQuery``; -> the
       facilitator's signed copy (``sendDocument`` ``acta-sesion-1-firmada.pdf``); ->
       the last of the 12 R20 copies (facilitator, titulars, substitutes, group);
   (d) while (a) renders: ``/ayuda`` from the observer right after ``/acta 1``, then
       from the observer and the substitutes in turn (one at a time, 0.2 s apart) until
       (a)'s last message: each reply's latency, against the same ``/ayuda`` with
       nothing else going on (six samples before ``/acta``): rendering that stalled the
       event loop would show here (in a thread it did, through the interpreter lock: p90
       235 ms, max 0.5 s; hence the rendering process).

``--rounds-bot`` rounds (default 3), each on a fresh database, data folder and fake;
printed per figure are the median and the max over the rounds ((d): all samples pooled,
with the p90), how many 429s the fake answered while measuring, and the process's peak
RSS (``ru_maxrss`` of this process; the rendering process is a child, not counted). Before
the rounds the rendering process is started and renders ``big_record`` once, so no round
pays the cold start.

No targets, so the exit code is 0::

    .venv/bin/python bench/minutes.py [--rounds 5] [--rounds-bot 3] [--only render|bot]
"""

from __future__ import annotations

import asyncio
import io
import logging
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, this file's directory comes first on sys.path, where bench/scheduler.py
# would shadow the ``scheduler`` package: the project root goes first, the folder out.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]
sys.path.insert(0, str(ROOT))

from pypdf import PdfReader  # noqa: E402

from bench import common  # noqa: E402
from bot import minutes_files, minutes_flow  # noqa: E402
from bot.app import build_application  # noqa: E402
from bot.context import StmApplication  # noqa: E402
from bot.settings import Settings  # noqa: E402
from domain.minutes import FileKind, SignatureLine, fingerprint  # noqa: E402
from tests.bot.test_minutes_files import big_record, make_p12  # noqa: E402
from tests.clock import FakeClock  # noqa: E402
from tests.fakebot import Call, FakeBotAPI  # noqa: E402
from tests.harness import Harness, start_harness  # noqa: E402

SIGNERS = tuple(
    SignatureLine(
        f"Persona {i} del asiento, con nombre completo de varias palabras",
        "facilitador" if i == 0 else "titular",
        None if i == 0 else f"Asiento {i}",
        f"2026-12-0{1 + i % 3} 1{i}:0{i} America/Mexico_City",
    )
    for i in range(6)
)
PASSWORD = b"sello-de-prueba"
Predicate = Callable[[Call], bool]


def megabytes(n: float) -> str:
    return f"{n / 1_048_576:7.1f} MB"


def kilobytes(n: float) -> str:
    return f"{n / 1024:.0f} KB"


def max_rss() -> int:
    """The process's peak resident set, in bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def timed(step: Callable[[], object], rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        step()
        samples.append(time.perf_counter() - start)
    return samples


def traced_peak(step: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        step()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def render_part(rounds: int) -> None:
    """Run every step, print one row each, then the ratios."""
    record = big_record()
    digest = fingerprint(record)
    start = time.perf_counter()
    pdf = minutes_files.render_pdf(record, version=1, fingerprint=digest)
    cold = time.perf_counter() - start
    docx = minutes_files.render_docx(record, version=1, fingerprint=digest)
    sha = minutes_files.sha256_hex(pdf)

    with tempfile.TemporaryDirectory() as folder:
        p12, _ = make_p12(Path(folder), PASSWORD)
        start = time.perf_counter()
        seal = minutes_files.load_seal(p12, PASSWORD)
        load = time.perf_counter() - start

    def sign(with_seal: bool) -> bytes:
        return minutes_files.signed_pdf(
            pdf,
            FileKind.PDF,
            record_title=record.title,
            secretariat=record.secretariat,
            number=record.number,
            version=1,
            version_sha256=sha,
            signatures=SIGNERS,
            issued_at="2026-12-03 08:05 (America/Mexico_City)",
            seal=seal if with_seal else None,
        )

    steps: dict[str, Callable[[], object]] = {
        "draft .docx": lambda: minutes_files.render_docx(record, version=1, fingerprint=digest),
        "draft .pdf": lambda: minutes_files.render_pdf(record, version=1, fingerprint=digest),
        "draft .docx + .pdf": lambda: (
            minutes_files.render_docx(record, version=1, fingerprint=digest),
            minutes_files.render_pdf(record, version=1, fingerprint=digest),
        ),
        "signed, no seal": lambda: sign(False),
        "signed, PAdES seal": lambda: sign(True),
    }
    signed, sealed = sign(False), sign(True)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(
        f"record: {len(record.agenda)} items x 2 notes, {len(record.votes)} votes x "
        f"{len(record.votes[0].seats)} seats; draft: {pages} pages, PDF {kilobytes(len(pdf))}, "
        f".docx {kilobytes(len(docx))}; signed {kilobytes(len(signed))}, sealed "
        f"{kilobytes(len(sealed))}"
    )
    print(f"cold first render_pdf (imports, fontconfig): {cold:6.2f} s; load_seal: {load:.3f} s")
    print(f"{rounds} rounds each\n")
    print(f"{'step':<22}{'median':>9}{'p90':>9}{'max':>9}   {'tracemalloc peak':>16}  max RSS")
    medians = {}
    for name, step in steps.items():
        samples = timed(step, rounds)
        medians[name] = statistics.median(samples)
        peak = traced_peak(step)
        print(
            f"{name:<22}{medians[name]:8.2f}s{common.percentile(samples, 90):8.2f}s"
            f"{max(samples):8.2f}s   {megabytes(peak):>16}  {megabytes(max_rss())}"
        )
    print()
    print(f"pdf / docx (median):            {medians['draft .pdf'] / medians['draft .docx']:5.1f}")
    ratio = medians["signed, PAdES seal"] / medians["signed, no seal"]
    print(f"sealed / unsealed signed file:  {ratio:5.2f}")


# ====================================================================== the bot part
TITULARS = tuple(range(700_002, 700_007))  # roster #2..#6, one per seat of common.SEATS
SUBSTITUTES = tuple(range(700_007, 700_012))  # roster #7..#11
OBSERVER = 700_012  # roster #12
SIGNATORIES = (common.FACILITATOR, *TITULARS)  # the facilitator and every seat present
LAST_SIGNER = TITULARS[-1]
R20 = (common.FACILITATOR, *TITULARS, *SUBSTITUTES, common.GROUP_ID)  # the signed copies
UNRELATED = (OBSERVER, *SUBSTITUTES)  # nothing of theirs moves while /acta renders
ITEMS = 40
EXTRA_VOTES = 29  # after the agenda's: 30 votes in all
CHOICES = ("A favor", "En contra", "Abstención")
CONVOCAR = "/convocar ordinaria 2026-12-07 10:00 Sala de Cabildo\n" + "\n".join(
    f"Asunto número {n} del orden del día" for n in range(1, ITEMS + 1)
)
AYUDA_GAP = 0.2  # seconds between two /ayuda while /acta renders (six members in turn)
REFILL = 3.2  # seconds for a private chat's bucket (3, one a second) to be full again
TIMEOUT = 60.0


def notes_of(item: int) -> tuple[str, str]:
    """The render part's notes (``big_record``): one long, one short."""
    long = f"Primera nota del asunto {item}. " + "Texto de la relatoría. " * 12
    return long.strip(), f"Segunda nota del asunto {item}."


def document_to(chat_id: int, ending: str, *, buttons: bool = False) -> Predicate:
    """A delivered ``sendDocument`` to ``chat_id`` whose file name ends with ``ending``."""
    return lambda c: (
        c.method == "sendDocument"
        and c.ok
        and common.chat_of(c) == chat_id
        and str(c.result["document"]["file_name"]).endswith(ending)
        and (not buttons or "reply_markup" in c.params)
    )


def answer_of(query_id: str) -> Predicate:
    return lambda c: (
        c.method == "answerCallbackQuery" and str(c.params.get("callback_query_id")) == query_id
    )


def with_buttons(chat_id: int) -> Predicate:
    message = common.message_to(chat_id)
    return lambda c: message(c) and "reply_markup" in c.params


async def arrival(future: asyncio.Future[Call], what: str) -> Call:
    try:
        return await asyncio.wait_for(future, TIMEOUT)
    except TimeoutError:
        raise AssertionError(f"no {what} within {TIMEOUT:.0f} s") from None


# ---------------------------------------------------------------------- the setup (not measured)
async def ballots(h: Harness, since: int, vote: int) -> None:
    """Every titular presses its ballot of the vote opened after ``since``, all at once.

    The agenda (``vote`` 0) is approved unanimously; the others mix the three choices.
    """
    queries = []
    for seat, uid in enumerate(TITULARS):
        call = next(
            c
            for c in h.fake.sent_to(uid, since)
            if c.method == "sendMessage" and "Votación #" in (c.text or "")
        )
        message_id = call.result["message_id"]
        choice = CHOICES[(vote + seat) % len(CHOICES)] if vote else CHOICES[0]
        data = dict(h.fake.buttons(uid, message_id))[choice]
        queries.append(h.fake.press(uid, chat_id=uid, message_id=message_id, data=data))
    await asyncio.gather(*(h.settled(q) for q in queries))
    for query in queries:
        answer = h.fake.answer_for(query)
        assert answer is not None
        assert "registrado" in (answer.text or ""), answer


async def hold_session(h: Harness) -> None:
    """Session #1 convened, held with every seat, 30 votes, 80 notes, concluded."""
    f = common.FACILITATOR
    preview = await h.send(f, CONVOCAR)
    assert "Vista previa" in (preview.text or ""), preview.text
    send = dict(h.fake.buttons(f, preview.result["message_id"]))["Enviar convocatoria"]
    await h.press(f, f, preview.result["message_id"], send)
    h.clock.advance(days=10, minutes=5)  # Monday 2026-12-07 10:05 in Zamora
    await h.say(f, "/iniciar")
    for number in range(2, 2 + len(TITULARS)):
        assert "Persona" in await h.say(f, f"/presente {number}")
    since = h.fake.mark()
    installed = await h.say(f, "/instalar")
    assert f"quórum: {len(TITULARS)} de {len(TITULARS)}" in installed, installed
    await ballots(h, since, 0)
    await h.say(f, "/cerrar")
    for k in range(1, EXTRA_VOTES + 1):
        since = h.fake.mark()
        text = f"Punto {k}: propuesta número {k} sobre el compromiso {k % 7}"
        await h.say(f, f"/votar {text}")
        await ballots(h, since, k)
        await h.say(f, "/cerrar")
    for item in range(1, ITEMS + 1):
        for note in notes_of(item):
            assert "Nota agregada" in await h.say(f, f"/nota {item} {note}")
    h.clock.advance(hours=2)
    await h.say(f, "/concluir")
    h.clock.advance(hours=20)  # the next morning the facilitator drafts the minutes


# ---------------------------------------------------------------------- the measured steps
class Measured(NamedTuple):
    """One round's figures (seconds) and what the bot produced."""

    steps: dict[str, float]
    idle: list[float]  # /ayuda with nothing else going on
    during: list[float]  # /ayuda while /acta 1 renders
    files: tuple[bytes, bytes, bytes]  # the draft's PDF and .docx, the signed PDF
    too_many: int  # 429s from the fake while measuring


async def ayuda(fake: FakeBotAPI, watch: common.Watch, member: int) -> float:
    """``/ayuda`` from ``member``: seconds to its reply."""
    reply = watch.expect(common.message_to(member, "/"))
    started = time.monotonic()
    fake.send_text(member, "/ayuda")
    return (await arrival(reply, f"/ayuda reply to {member}")).at - started


async def ayudas_until(
    fake: FakeBotAPI, watch: common.Watch, done: asyncio.Future[Call]
) -> list[float]:
    """``/ayuda`` from the unrelated members in turn, one at a time, until ``done``."""
    samples: list[float] = []
    while True:
        started = time.monotonic()
        samples.append(await ayuda(fake, watch, UNRELATED[len(samples) % len(UNRELATED)]))
        if done.done():
            return samples
        await asyncio.sleep(max(0.0, started + AYUDA_GAP - time.monotonic()))


async def measure(fake: FakeBotAPI, app: StmApplication) -> Measured:
    """(a)-(d) on the held session, one step at a time, each chat's bucket full before."""
    f = common.FACILITATOR
    watch = common.Watch(fake, asyncio.get_running_loop())
    steps: dict[str, float] = {}
    try:
        await asyncio.sleep(1.1)  # start-up menus went out
        await ayuda(fake, watch, OBSERVER)  # warm-up (connections, caches), not measured
        idle = []
        for member in UNRELATED:
            started = time.monotonic()
            idle.append(await ayuda(fake, watch, member))
            await asyncio.sleep(max(0.0, started + AYUDA_GAP - time.monotonic()))
        await asyncio.sleep(REFILL)
        mark = fake.mark()

        # (a) the draft, and (d) other chats meanwhile
        action = watch.expect(lambda c: c.method == "sendChatAction" and common.chat_of(c) == f)
        pdf = watch.expect(document_to(f, ".pdf"))
        docx = watch.expect(document_to(f, ".docx"))
        final = watch.expect(with_buttons(f))
        started = time.monotonic()
        fake.send_text(f, "/acta 1")
        during = await ayudas_until(fake, watch, final)
        steps["(a) /acta 1 -> sendChatAction (handler runs)"] = (
            await arrival(action, "chat action")
        ).at - started
        pdf_call = await arrival(pdf, "draft PDF")
        docx_call = await arrival(docx, "draft .docx")
        final_call = await arrival(final, "draft message with buttons")
        steps["(a) /acta 1 -> draft .pdf"] = pdf_call.at - started
        steps["(a) /acta 1 -> draft .docx"] = docx_call.at - started
        steps["(a) /acta 1 -> message with buttons"] = final_call.at - started
        await app.quiet()
        await asyncio.sleep(REFILL)

        # (b) circulation to the signatories
        message_id = final_call.result["message_id"]
        circulate = dict(fake.buttons(f, message_id))["Circular para firma"]
        sent = {s: watch.expect(document_to(s, ".pdf", buttons=True)) for s in SIGNATORIES}
        started = time.monotonic()
        query = fake.press(f, chat_id=f, message_id=message_id, data=circulate)
        answered = watch.expect(answer_of(query))
        steps["(b) Circular -> answerCallbackQuery"] = (
            await arrival(answered, "Circular answer")
        ).at - started
        copies = {s: await arrival(sent[s], f"document to sign, to {s}") for s in SIGNATORIES}
        steps["(b) Circular -> last signatory's document"] = (
            max(c.at for c in copies.values()) - started
        )
        await app.quiet()

        # the other signatures (not measured)
        for signer in SIGNATORIES[:-1]:
            message_id = copies[signer].result["message_id"]
            data = dict(fake.buttons(signer, message_id))["Firmo el acta"]
            query = fake.press(signer, chat_id=signer, message_id=message_id, data=data)
            answer = await arrival(watch.expect(answer_of(query)), f"signature of {signer}")
            assert "firma quedó registrada" in str(answer.params.get("text")), answer.params
        await app.quiet()
        await asyncio.sleep(REFILL)

        # (c) the last signature: the signed file, then the R20 copies
        signed = {chat: watch.expect(document_to(chat, "-firmada.pdf")) for chat in R20}
        message_id = copies[LAST_SIGNER].result["message_id"]
        data = dict(fake.buttons(LAST_SIGNER, message_id))["Firmo el acta"]
        started = time.monotonic()
        query = fake.press(LAST_SIGNER, chat_id=LAST_SIGNER, message_id=message_id, data=data)
        answered = watch.expect(answer_of(query))
        steps["(c) last Firmo -> answerCallbackQuery"] = (
            await arrival(answered, "last signature's answer")
        ).at - started
        delivered = {chat: await arrival(signed[chat], f"signed copy to {chat}") for chat in R20}
        steps["(c) last Firmo -> facilitator's signed copy"] = delivered[f].at - started
        steps[f"(c) last Firmo -> last of {len(R20)} R20 copies"] = (
            max(c.at for c in delivered.values()) - started
        )
        await app.quiet()
    finally:
        watch.close()
    fake.assert_no_internal_errors()
    too_many = sum(1 for c in fake.calls[mark:] if c.status == 429)
    files = tuple(
        fake.file(c.result["document"]["file_id"]).data
        for c in (pdf_call, docx_call, delivered[f])
    )
    return Measured(steps, idle, during, files, too_many)  # type: ignore[arg-type]


class Round(NamedTuple):
    setup: float  # seconds
    measured: Measured


async def bot_round() -> Round:
    """A fresh database, data folder and fake: the session held, then (a)-(d) measured."""
    with (
        common.sqlite_database() as database_url,
        tempfile.TemporaryDirectory(prefix="stm-bench-data-") as folder,
        common.limited_fake() as fake,
    ):
        data_dir = Path(folder)
        common.add_people(fake, (common.FACILITATOR, *TITULARS, *SUBSTITUTES, OBSERVER))
        fake.add_group(common.GROUP_ID, common.GROUP_TITLE)
        started = time.perf_counter()
        await common.seed(database_url, common.council((*TITULARS, *SUBSTITUTES, OBSERVER)))
        clock = FakeClock(common.NOW)
        fake.rate_limiter = None  # the setup at the e2e tests' pace (see the docstring)
        admins = {common.ADMIN}
        async with start_harness(fake, database_url, clock, admins=admins, data_dir=data_dir) as h:
            await hold_session(h)
        setup = time.perf_counter() - started
        fake.enforce_rate_limits(private_burst=3)  # as common.limited_fake() does
        settings = Settings(
            token=common.TOKEN,
            api_url=fake.url,
            database_url=database_url,
            admins=frozenset(admins),
            data_dir=data_dir,
            web_port=None,  # the minutes' path only (bench/web.py measures the site)
        )
        app = build_application(settings, clock=clock)  # production's DeliveryRateLimiter
        return Round(setup, await common.polling(app, lambda: measure(fake, app)))


async def bot_part(rounds: int) -> None:
    """``rounds`` fresh rounds; per figure the median and the max over them."""
    results: list[Round] = []
    for n in range(1, rounds + 1):
        result = await bot_round()
        results.append(result)
        last = list(result.measured.steps.values())[-1]
        print(
            f"round {n}: setup {result.setup:5.1f} s (not measured); last R20 copy {last:.2f} s",
            flush=True,
        )
    pdf, docx, signed = results[0].measured.files
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(
        f"record through the bot: {ITEMS} items x 2 notes, {EXTRA_VOTES + 1} votes x "
        f"{len(TITULARS)} seats; draft: {pages} pages, PDF {kilobytes(len(pdf))}, .docx "
        f"{kilobytes(len(docx))}; signed {kilobytes(len(signed))}"
    )
    too_many = sum(r.measured.too_many for r in results)
    print(f"{rounds} round(s); 429s from the fake while measuring: {too_many}\n")
    print(f"{'from injection to the fake recording':<48}{'median':>9}{'max':>9}")
    for name in results[0].measured.steps:
        samples = [r.measured.steps[name] for r in results]
        print(f"{name:<48}{statistics.median(samples):8.2f}s{max(samples):8.2f}s")
    print()
    print(f"{'/ayuda of an unrelated member':<36}{'n':>4}{'median':>10}{'p90':>10}{'max':>10}")
    for name, samples in (
        ("(d) idle, before /acta", [s for r in results for s in r.measured.idle]),
        ("(d) right after /acta 1", [r.measured.during[0] for r in results]),
        ("(d) while /acta 1 renders (all)", [s for r in results for s in r.measured.during]),
    ):
        print(
            f"{name:<36}{len(samples):>4}{statistics.median(samples) * 1000:7.0f} ms"
            f"{common.percentile(samples, 90) * 1000:7.0f} ms{max(samples) * 1000:7.0f} ms"
        )
    print(f"\nprocess peak RSS (ru_maxrss): {megabytes(max_rss()).strip()}")


def warm_up() -> float:
    """The rendering process's start and first render (spawn, imports, fontconfig).

    The bot renders in one spawned process (``bot.minutes_flow.render``); it is started
    here so that no round pays for it, as in a bot that has drafted once already.
    """
    start = time.perf_counter()
    asyncio.run(
        minutes_flow.render(
            minutes_files.render_pdf, big_record(), version=1, fingerprint="0" * 64
        )
    )
    return time.perf_counter() - start


def main() -> int:
    parser = common.command_line(__doc__)
    parser.add_argument("--rounds", type=int, default=5, help="rounds of each render step")
    parser.add_argument("--rounds-bot", type=int, default=3, help="fresh rounds of the bot")
    parser.add_argument("--only", choices=("render", "bot"), help="one part (default: both)")
    args = parser.parse_args()
    if args.rounds < 1 or args.rounds_bot < 1:
        parser.error("--rounds and --rounds-bot must be at least 1")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # Without libharfbuzz-subset WeasyPrint logs a warning per font per render.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    started = time.perf_counter()
    if args.only in (None, "render"):
        print("== render: bot/minutes_files.py in the calling thread\n")
        render_part(args.rounds)
    if args.only in (None, "bot"):
        print("\n== bot: the real bot against the fake Bot API, Telegram's limits on\n")
        print(f"rendering process start + first render_pdf (not measured): {warm_up():.2f} s")
        asyncio.run(bot_part(args.rounds_bot))
    minutes_flow.stop_rendering()
    print(f"\nrun took {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
