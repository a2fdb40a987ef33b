"""The buzón and participa forms (R19 f, g; R21) over HTTP against the running bot: the
folio, the facilitator's Telegram notice and its ``Marcar como atendido`` button, and
every bad submission (CSRF, honeypot, limits, floods) storing nothing and sending
nothing."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot import inbox_notices
from domain.inbox import Form, Submission
from storage.models import InboxMessage, Member
from storage.services import inbox
from tests.harness import ADMIN_ID, Harness, bind, create_secretariat, setup_zamora
from web import csrf
from web.flood import FloodGate, Limits, client_key

_TOKEN = re.compile(r'name="token" value="([^"]+)"')
MESSAGE = "La sesión de noviembre no se transmitió <script>alert(1)</script> & nadie avisó."
CONTACT = "vecina.anonima@correo.mx"


@asynccontextmanager
async def client(harness: Harness) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=harness.web_url, follow_redirects=False) as web:
        yield web


async def token(web: httpx.AsyncClient, path: str) -> str:
    page = await web.get(path)
    assert page.status_code == 200, page.text
    match = _TOKEN.search(page.text)
    assert match, page.text
    return match[1]


async def buzon(web: httpx.AsyncClient, slug: str = "zamora", **fields: str) -> httpx.Response:
    """A fresh buzón page filled with ``fields`` over a good queja, and submitted."""
    data = {"categoria": "queja", "mensaje": MESSAGE, "contacto": CONTACT, "sitio_web": ""}
    data["token"] = await token(web, f"/{slug}/buzon")
    data.update(fields)
    return await web.post(f"/{slug}/buzon", data=data)


async def stored(harness: Harness) -> list[InboxMessage]:
    async with harness.db() as session:
        return list(await session.scalars(select(InboxMessage).order_by(InboxMessage.id)))


async def count(harness: Harness) -> int:
    async with harness.db() as session:
        return await session.scalar(select(func.count()).select_from(InboxMessage)) or 0


async def notice_to(harness: Harness, chat_id: int, since: int) -> tuple[int, str, list]:
    """The facilitator's notice: its message id, HTML and buttons."""
    call = await harness.fake.wait_for("sendMessage", since=since, chat_id=chat_id)
    await harness.app.quiet()  # noticed_at is recorded after Telegram's answer
    message_id = call.result["message_id"]
    return message_id, call.params["text"], harness.fake.buttons(chat_id, message_id)


def sent_to(harness: Harness, chat_id: int, since: int) -> list:
    return [
        c for c in harness.fake.calls_to("sendMessage", since) if c.params["chat_id"] == chat_id
    ]


async def test_form_pages_are_accessible_and_never_cached(harness: Harness) -> None:
    await setup_zamora(harness, link_group=False)
    async with client(harness) as web:
        page = await web.get("/zamora/buzon")
        other = await web.get("/zamora/participa")
    assert page.status_code == other.status_code == 200
    assert page.headers["cache-control"] == "no-store"  # a token is never shared
    html = page.text
    assert html.count("<h1") == 1
    assert '<fieldset class="campo" id="campo-categoria">' in html
    assert "<legend>" in html
    for value in ("duda", "queja", "sugerencia"):
        assert f'name="categoria" value="{value}"' in html
    assert '<label for="campo-mensaje">' in html
    assert 'maxlength="2000"' in html
    assert 'aria-describedby="ayuda-contacto"' in html
    # the honeypot: hidden by CSS, skipped by the keyboard, never autofilled, labelled
    trap = re.search(r'<div class="trampa" aria-hidden="true">(.*?)</div>', html, re.S)
    assert trap
    assert 'tabindex="-1"' in trap[1]
    assert 'autocomplete="off"' in trap[1]
    assert "vacío" in trap[1]
    assert "Aviso de privacidad" in html
    assert "nunca se publica" in html
    assert 'aria-current="page"' in html
    async with client(harness) as web:
        again = await web.get("/zamora/buzon")
    assert _TOKEN.search(html)[1] != _TOKEN.search(again.text)[1]  # a new nonce each time
    for field in ("nombre", "sector", "contacto", "mensaje"):
        assert f'<label for="campo-{field}">' in other.text
    assert "nunca se publican" in other.text


async def test_a_message_gets_a_folio_and_reaches_the_facilitator(harness: Harness) -> None:
    z = await setup_zamora(harness, link_group=False)
    await harness.app.quiet()
    since = harness.fake.mark()
    async with client(harness) as web:
        page_token = await token(web, "/zamora/buzon")
        data = {
            "categoria": "queja",
            "mensaje": MESSAGE,
            "contacto": CONTACT,
            "sitio_web": "",
            "token": page_token,
        }
        sent = await web.post("/zamora/buzon", data=data)
        assert sent.status_code == 303
        assert sent.headers["location"] == "/zamora/folio/BZN-2026-0001"
        receipt = await web.get(sent.headers["location"])
        assert receipt.status_code == 200
        assert '<p class="folio">BZN-2026-0001</p>' in receipt.text
        assert "Queja" in receipt.text
        assert "recibido" in receipt.text
        # R21: the folio page says nothing of who wrote, nor what
        assert CONTACT not in receipt.text
        assert "transmitió" not in receipt.text
        # a double click: the same page again is the same folio, nothing new
        again = await web.post("/zamora/buzon", data=data | {"mensaje": "otra cosa"})
        assert again.status_code == 303
        assert again.headers["location"] == "/zamora/folio/BZN-2026-0001?repetido=1"
        assert "ya se había enviado" in (await web.get(again.headers["location"])).text
    rows = await stored(harness)
    assert len(rows) == 1
    row = rows[0]
    assert (row.folio, row.form, row.year, row.sequence) == ("BZN-2026-0001", "buzon", 2026, 1)
    assert (row.category, row.text, row.contact, row.status) == (
        "queja",
        MESSAGE,
        CONTACT,
        "recibido",
    )
    assert row.received_at == harness.clock()
    message_id, text, keyboard = await notice_to(harness, z.facilitator, since)
    assert "BZN-2026-0001" in text
    assert "Queja" in text
    assert "2026-11-27 10:00" in text
    assert "&lt;script&gt;" in text  # escaped for Telegram's HTML
    assert CONTACT in text  # the facilitator, and only they, sees the contact
    assert keyboard == [("Marcar como atendido", f"bz:{row.id}")]
    assert len(sent_to(harness, z.facilitator, since)) == 1  # once, despite the double click
    (row,) = await stored(harness)
    assert row.noticed_at == harness.clock()
    assert (row.notice_chat_id, row.notice_message_id) == (z.facilitator, message_id)

    # someone else presses the facilitator's button: an alert, nothing changes
    titular = z.titulars["academia"]
    query = await harness.press(titular, z.facilitator, message_id, f"bz:{row.id}", forge=True)
    answer = harness.fake.answer_for(query)
    assert answer is not None
    assert answer.show_alert
    assert "no es para ti" in (answer.text or "")
    # the facilitator of another secretariat is someone else too
    other = 7001
    harness.fake.add_user(other, "Otra", "Facilitadora")
    await bind(harness, other, await create_secretariat(harness, "Jacona"))
    query = await harness.press(other, z.facilitator, message_id, f"bz:{row.id}", forge=True)
    assert "no es para ti" in (harness.fake.answer_for(query).text or "")
    # a forged id
    query = await harness.press(z.facilitator, z.facilitator, message_id, "bz:999999", forge=True)
    assert "ya no es válido" in (harness.fake.answer_for(query).text or "")
    (unchanged,) = await stored(harness)
    assert (unchanged.status, unchanged.answered_at, unchanged.answered_by) == (
        "recibido",
        None,
        None,
    )

    harness.clock.advance(hours=2)
    mark = harness.fake.mark()
    query = await harness.press(z.facilitator, z.facilitator, message_id, f"bz:{row.id}")
    answer = harness.fake.answer_for(query)
    assert answer is not None
    assert not answer.show_alert
    assert "atendido" in (answer.text or "")
    edit = await harness.fake.wait_for("editMessageText", since=mark, chat_id=z.facilitator)
    assert "Atendido el 2026-11-27 12:00" in edit.params["text"]
    assert harness.fake.buttons(z.facilitator, message_id) == []
    (done,) = await stored(harness)
    async with harness.db() as session:
        facilitator = await session.scalar(
            select(Member.id).where(Member.telegram_user_id == z.facilitator)
        )
    assert (done.status, done.answered_at, done.answered_by) == (
        "atendido",
        harness.clock(),
        facilitator,
    )
    async with client(harness) as web:
        page = await web.get("/zamora/folio/BZN-2026-0001")
        assert "estado-atendido" in page.text
        assert (await web.get("/zamora/folio/BZN-2026-0002")).status_code == 404
        assert (await web.get("/jacona/folio/BZN-2026-0001")).status_code == 404

    # a second press (a stale client still shows the button): an alert, nothing changes
    harness.clock.advance(hours=1)
    mark = harness.fake.mark()
    query = await harness.press(
        z.facilitator, z.facilitator, message_id, f"bz:{row.id}", forge=True
    )
    answer = harness.fake.answer_for(query)
    assert answer is not None
    assert answer.show_alert
    assert "ya estaba atendido desde el 2026-11-27 12:00" in (answer.text or "")
    assert harness.fake.calls_to("editMessageText", mark) == []
    (same,) = await stored(harness)
    assert same.answered_at == done.answered_at


async def test_participa_and_numbering_per_form_and_year(harness: Harness) -> None:
    z = await setup_zamora(harness, link_group=False)
    await harness.app.quiet()
    since = harness.fake.mark()
    async with client(harness) as web:
        data = {
            "nombre": "Ana Pérez",
            "sector": "Academia (El Colegio de Michoacán)",
            "contacto": "351 123 4567",
            "mensaje": "",
            "token": await token(web, "/zamora/participa"),
        }
        sent = await web.post("/zamora/participa", data=data)
        assert sent.headers["location"] == "/zamora/folio/PAR-2026-0001"
        page = (await web.get(sent.headers["location"])).text
        assert "Su solicitud para participar quedó registrada" in page
        assert "Ana" not in page
        assert "351 123 4567" not in page
        assert (await buzon(web)).headers["location"] == "/zamora/folio/BZN-2026-0001"
        assert (await buzon(web)).headers["location"] == "/zamora/folio/BZN-2026-0002"
        harness.clock.current = harness.clock.current.replace(year=2027, month=1, day=1)
        assert (await buzon(web)).headers["location"] == "/zamora/folio/BZN-2027-0001"
    _, text, _ = await notice_to(harness, z.facilitator, since)
    assert "PAR-2026-0001" in text
    assert "Ana Pérez" in text
    assert "Academia (El Colegio de Michoacán)" in text
    assert "351 123 4567" in text
    await harness.app.quiet()
    folios = [m.folio for m in await stored(harness)]
    assert folios == ["PAR-2026-0001", "BZN-2026-0001", "BZN-2026-0002", "BZN-2027-0001"]
    assert len(sent_to(harness, z.facilitator, since)) == 4


async def test_bad_submissions_store_nothing_and_send_nothing(harness: Harness) -> None:
    z = await setup_zamora(harness, link_group=False)
    harness.fake.add_user(7001, "Otra", "Facilitadora")
    await bind(harness, 7001, await create_secretariat(harness, "Jacona"))
    await harness.app.quiet()
    since = harness.fake.mark()
    async with client(harness) as web:
        # no token, a forged one, one of another secretariat, one of the other form
        fresh = await token(web, "/zamora/buzon")
        head, _, mac = fresh.rpartition(".")
        forged = f"{head}.{'A' if mac[0] != 'A' else 'B'}{mac[1:]}"
        for bad in (
            "",
            "basura",
            forged,
            await token(web, "/jacona/buzon"),
            await token(web, "/zamora/participa"),
            csrf.issue(b"otra llave", slug="zamora", form="buzon", now=harness.clock()),
        ):
            refused = await buzon(web, token=bad)
            assert refused.status_code == 403, bad
            assert "No pudimos verificar" in refused.text
            assert 'class="errores"' in refused.text
            # the visitor's values come back, escaped, with a fresh token
            assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; nadie" in refused.text
            assert "<script>" not in refused.text
            assert _TOKEN.search(refused.text)[1] != bad
        # expired: the page stayed open more than two hours
        old = await token(web, "/zamora/buzon")
        harness.clock.advance(hours=2, seconds=1)
        expired = await web.post(
            "/zamora/buzon",
            data={"categoria": "duda", "mensaje": "¿Cuándo?", "token": old},
        )
        assert expired.status_code == 403
        assert "caducó" in expired.text
        assert 'value="duda" checked' in expired.text
        # a form posted from another site
        crossed = await web.post(
            "/zamora/buzon",
            data={"categoria": "duda", "mensaje": "x", "token": await token(web, "/zamora/buzon")},
            headers={"Sec-Fetch-Site": "cross-site"},
        )
        assert crossed.status_code == 403
        assert "solo puede enviarse desde su página" in crossed.text
        # the honeypot: a neutral page
        trapped = await buzon(web, sitio_web="https://spam.example")
        assert trapped.status_code == 200
        assert "Gracias" in trapped.text
        assert "folio" not in trapped.text.lower().split("<main", 1)[1]
        # fields: missing, too long, a category that does not exist, an unusable contact
        missing = await buzon(web, categoria="", mensaje="   ")
        assert missing.status_code == 400
        assert "Revise el formulario" in missing.text
        assert '<a href="#campo-categoria">' in missing.text
        assert '<a href="#campo-mensaje">Escriba su mensaje.</a>' in missing.text
        assert 'aria-describedby="ayuda-mensaje error-mensaje" aria-invalid="true"' in missing.text
        assert '<p class="error" id="error-mensaje">Escriba su mensaje.</p>' in missing.text
        assert 'aria-describedby="error-categoria"' in missing.text
        assert f'value="{CONTACT}"' in missing.text
        assert "<title>Error: Buzón" in missing.text
        long = await buzon(web, mensaje="á" * 2001)
        assert long.status_code == 400
        assert "admite hasta 2 000 caracteres; tiene 2 001" in long.text
        assert (await buzon(web, categoria="felicitacion")).status_code == 400
        assert (await buzon(web, contacto="en la plaza")).status_code == 400
        participa = await web.post(
            "/zamora/participa",
            data={"nombre": "x" * 121, "token": await token(web, "/zamora/participa")},
        )
        assert participa.status_code == 400
        for field in ("nombre", "sector", "contacto"):
            assert f'<a href="#campo-{field}">' in participa.text
        # the body: too big (read or announced), not a form, not UTF-8
        big = await buzon(web, mensaje="ñ" * 3000)
        assert big.status_code == 413
        assert "excede el tamaño" in big.text

        async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as read
            for _ in range(40):
                yield b"mensaje=" + b"x" * 1000 + b"&"

        streamed = await web.post(
            "/zamora/buzon",
            content=chunks(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert streamed.status_code == 413
        as_json = await web.post("/zamora/buzon", json={"categoria": "duda"})
        assert as_json.status_code == 400
        broken = await web.post(
            "/zamora/buzon",
            content=b"categoria=duda&mensaje=%FF%FE&token=x",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert broken.status_code == 400
        many = "&".join(f"f{i}=1" for i in range(30)).encode()
        fields = await web.post(
            "/zamora/buzon",
            content=many,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert fields.status_code == 400
        # an unknown secretariat
        assert (await web.post("/no-existe/buzon", data={})).status_code == 404
    await harness.app.quiet()
    assert await count(harness) == 0
    assert sent_to(harness, z.facilitator, since) == []


async def test_a_flood_from_one_address_is_refused(harness: Harness) -> None:
    z = await setup_zamora(harness, link_group=False)
    await harness.app.quiet()
    since = harness.fake.mark()
    async with client(harness) as web:
        for n in range(1, 6):
            sent = await buzon(web, mensaje=f"Mensaje {n}")
            assert sent.status_code == 303, sent.text
        flooded = await buzon(web, mensaje="Mensaje 6")
        assert flooded.status_code == 429
        assert "Demasiados envíos" in flooded.text
        assert "no se registró" in flooded.text
        assert 0 < int(flooded.headers["retry-after"]) <= 600
        # over the limit, even a wrong form is told to wait
        assert (await buzon(web, mensaje="")).status_code == 429
        # the other form of the same secretariat shares the address's allowance
        participa = await web.post(
            "/zamora/participa",
            data={
                "nombre": "Ana",
                "sector": "Academia",
                "contacto": "351 123 4567",
                "token": await token(web, "/zamora/participa"),
            },
        )
        assert participa.status_code == 429
        await harness.app.quiet()
        assert await count(harness) == 5
        harness.clock.advance(minutes=10)
        assert (await buzon(web, mensaje="Mensaje 7")).status_code == 303
    await harness.app.quiet()
    assert await count(harness) == 6
    assert len(sent_to(harness, z.facilitator, since)) == 6


async def test_the_site_never_waits_for_telegram_and_owed_notices_resume(
    harness: Harness,
) -> None:
    z = await setup_zamora(harness, link_group=False)
    await harness.app.quiet()
    since = harness.fake.mark()
    harness.fake.hold(z.facilitator)  # Telegram hangs for the facilitator's chat
    async with client(harness) as web:
        sent = await asyncio.wait_for(buzon(web), 5)
        assert sent.status_code == 303  # the citizen has the folio meanwhile
    assert sent_to(harness, z.facilitator, since) == []
    harness.fake.release(z.facilitator)
    await notice_to(harness, z.facilitator, since)

    # a facilitator who blocked the bot: the notice stays owed, and goes out at start-up
    harness.fake.block(z.facilitator)
    async with client(harness) as web:
        assert (await buzon(web)).headers["location"] == "/zamora/folio/BZN-2026-0002"
    await harness.app.quiet()
    owed = [m for m in await stored(harness) if m.noticed_at is None]
    assert [m.folio for m in owed] == ["BZN-2026-0002"]
    # a row stored while the bot was down (no notice was ever attempted)
    async with harness.db.begin() as session:
        await inbox.store(
            session,
            now=harness.clock(),
            secretariat_id=owed[0].secretariat_id,
            submission=Submission(Form.BUZON, "duda", "¿Hay sesión en diciembre?"),
            nonce="n" * 22,
        )
    harness.fake.unblock(z.facilitator)
    mark = harness.fake.mark()
    await inbox_notices.resume(harness.app)
    await harness.app.quiet()
    texts = [c.params["text"] for c in sent_to(harness, z.facilitator, mark)]
    assert len(texts) == 2
    assert "BZN-2026-0002" in texts[0]
    assert "BZN-2026-0003" in texts[1]
    assert "no dejó contacto" in texts[1]
    assert all(m.noticed_at is not None for m in await stored(harness))
    mark = harness.fake.mark()
    await inbox_notices.resume(harness.app)  # nothing owed: nothing sent again
    await harness.app.quiet()
    assert sent_to(harness, z.facilitator, mark) == []
    assert ADMIN_ID not in {m.notice_chat_id for m in await stored(harness)}

    # a long notice comes in parts, the button on the last; pressing it answers the
    # message, the button goes, and one line says so (the parts are not redrawn)
    mark = harness.fake.mark()
    async with client(harness) as web:
        assert (await buzon(web, mensaje="&" * 2000)).status_code == 303
    await harness.app.quiet()
    parts = sent_to(harness, z.facilitator, mark)
    assert len(parts) > 1
    last = parts[-1].result["message_id"]
    (long_row,) = [m for m in await stored(harness) if m.folio == "BZN-2026-0004"]
    assert long_row.notice_message_id == last
    mark = harness.fake.mark()
    await harness.press(z.facilitator, z.facilitator, last, f"bz:{long_row.id}")
    assert harness.fake.buttons(z.facilitator, last) == []
    (line,) = sent_to(harness, z.facilitator, mark)
    assert "Folio BZN-2026-0004 atendido el 2026-11-27 10:00" in line.params["text"]


# ---------------------------------------------------------------- the parts, directly

KEY = csrf.derive_key("123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0")
NOW = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)


def test_tokens_are_bound_to_page_and_time() -> None:
    issued = csrf.issue(KEY, slug="zamora", form="buzon", now=NOW)
    verified = csrf.verify(KEY, issued, slug="zamora", form="buzon", now=NOW)
    assert isinstance(verified, csrf.Verified)
    assert len(verified.nonce) >= 22  # 128 random bits, URL-safe
    assert verified.nonce in issued
    later = NOW + csrf.VALIDITY
    assert csrf.verify(KEY, issued, slug="zamora", form="buzon", now=later) == verified
    too_late = later + timedelta(seconds=1)
    expired = csrf.verify(KEY, issued, slug="zamora", form="buzon", now=too_late)
    assert expired is csrf.Problem.EXPIRED
    for slug, form, now in (
        ("jacona", "buzon", NOW),
        ("zamora", "participa", NOW),
        ("zamora", "buzon", NOW - timedelta(minutes=6)),  # issued "in the future"
    ):
        assert csrf.verify(KEY, issued, slug=slug, form=form, now=now) is csrf.Problem.INVALID
    other_key = csrf.derive_key("987654321:otro")
    assert csrf.verify(other_key, issued, slug="zamora", form="buzon", now=NOW) is (
        csrf.Problem.INVALID
    )
    assert csrf.issue(KEY, slug="zamora", form="buzon", now=NOW) != issued
    # the key is derived: the bot token itself never signs anything
    assert KEY != b"123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"


@given(st.text(max_size=300))
def test_no_string_is_a_token_unless_we_signed_it(text: str) -> None:
    assert csrf.verify(KEY, text, slug="zamora", form="buzon", now=NOW) is csrf.Problem.INVALID


def test_tampering_with_any_part_is_refused() -> None:
    issued = csrf.issue(KEY, slug="zamora", form="buzon", now=NOW)
    parts = issued.split(".")
    for index in range(len(parts)):
        changed = list(parts)
        changed[index] = changed[index][:-1] + ("0" if changed[index][-1] != "0" else "1")
        assert csrf.verify(KEY, ".".join(changed), slug="zamora", form="buzon", now=NOW) is (
            csrf.Problem.INVALID
        )


def test_cross_site_posts_are_recognised() -> None:
    assert csrf.cross_site({"sec-fetch-site": "cross-site"})
    for value in ("same-origin", "same-site", "none", ""):
        assert not csrf.cross_site({"sec-fetch-site": value})
    assert not csrf.cross_site({})


def test_the_flood_gate_counts_per_address_secretariat_and_overall() -> None:
    gate = FloodGate(Limits(per_address=2, per_secretariat=3, overall=4))
    minute = timedelta(minutes=1)
    assert gate.admit("10.0.0.1", 1, NOW) is None
    assert gate.admit("10.0.0.1", 1, NOW + minute) is None
    assert gate.admit("10.0.0.1", 1, NOW + 2 * minute) == 8 * 60  # until the first expires
    assert gate.admit("10.0.0.1", 2, NOW + 2 * minute) is None  # another secretariat
    assert gate.admit("10.0.0.2", 1, NOW + 2 * minute) is None
    assert gate.admit("10.0.0.3", 1, NOW + 2 * minute) is not None  # secretariat 1 is full
    assert gate.admit("10.0.0.3", 3, NOW + 2 * minute) is not None  # the whole site is full
    assert gate.admit("10.0.0.1", 1, NOW + 10 * minute) is None  # the window moved on
    assert gate.retry_after("10.0.0.9", 5, NOW + 30 * minute) is None


def test_the_flood_gate_memory_is_bounded() -> None:
    gate = FloodGate(Limits(per_address=5, per_secretariat=10**9, overall=10**9, max_addresses=50))
    for n in range(1000):
        assert gate.admit(f"10.0.{n // 256}.{n % 256}", 1, NOW) is None
    assert gate.remembered <= 50


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),  # the same subscriber's block
        ("::ffff:192.0.2.7", "192.0.2.7"),
        (None, "desconocido"),
        ("testclient", "testclient"),
    ],
)
def test_client_keys(host: str | None, key: str) -> None:
    assert client_key(host) == key
