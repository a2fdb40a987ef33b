"""The public channel and communiqués end to end (R18, R21).

``canal_publico`` is checked with Telegram when it is set; every closed vote's result,
every registered agreement, every signed minutes file and every communiqué reach the
channel exactly once, through the outbox, and are re-sent after a restart when Telegram
had not accepted them; nothing of R21's never-published list is ever posted there.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from bot import voting
from storage.models import ChannelPost, Communique, Secretariat, SignedMinutes, Vote
from tests.clock import FakeClock
from tests.e2e.test_minutes import SIGNERS, circulated_session, sign
from tests.e2e.test_sessions import SUPLENTE
from tests.e2e.test_votes import _open_electronic, _vote
from tests.fakebot import FakeBotAPI
from tests.fakebot.models import Call
from tests.harness import ADMIN_ID, Harness, Zamora, setup_zamora, start_harness

CHANNEL = -1003004005006
CHANNEL_NAME = "@stm_zamora"


def channel_posts(h: Harness, since: int = 0) -> list[Call]:
    """What the bot published in the channel (accepted sends only)."""
    return [
        c for c in h.fake.sent_to(CHANNEL, since) if c.method in ("sendMessage", "sendDocument")
    ]


def failed_posts(h: Harness, since: int = 0) -> list[Call]:
    """Sends to the channel Telegram refused."""
    return [
        c
        for c in h.fake.calls[since:]
        if c.method in ("sendMessage", "sendDocument")
        and not c.ok
        and c.params.get("chat_id") == CHANNEL
    ]


async def with_channel(h: Harness, z: Zamora) -> None:
    """The channel exists with the bot as an administrator that may post; set it."""
    h.fake.add_channel(CHANNEL, "STM Zamora informa", username=CHANNEL_NAME[1:])
    answer = await h.say(z.facilitator, f"/ajustar canal_publico {CHANNEL_NAME}")
    assert f"{CHANNEL_NAME}" in answer, answer
    assert str(CHANNEL) in answer


async def stored_channel(h: Harness) -> tuple[str, int | None]:
    async with h.db() as session:
        secretariat = await session.scalar(select(Secretariat))
        assert secretariat is not None
        return secretariat.public_channel, secretariat.public_channel_id


async def count(h: Harness, model: type, *where: object) -> int:
    async with h.db() as session:
        query = select(func.count()).select_from(model)
        for condition in where:
            query = query.where(condition)  # type: ignore[arg-type]
        return int(await session.scalar(query) or 0)


# ---------------------------------------------------------------- the setting


async def test_canal_publico_is_checked_with_telegram(harness: Harness) -> None:
    """R18: refused with the reason until the bot administers the channel and may post."""
    h = harness
    z = await setup_zamora(h)
    refusals = {
        "@no_existe": "Telegram no encuentra el canal @no_existe",
        "@grupo_zamora": "no es un canal",
        CHANNEL_NAME: "El bot no está en el canal",
    }
    h.fake.add_group(-1005550001, "Grupo de Zamora", username="grupo_zamora", bot_admin=True)
    h.fake.add_channel(CHANNEL, "STM Zamora informa", username="stm_zamora", bot_status="left")
    for value, reason in refusals.items():
        assert reason in await h.say(z.facilitator, f"/ajustar canal_publico {value}")
    h.fake.set_bot_status(CHANNEL, "member")
    assert "pero no como administrador" in await h.say(
        z.facilitator, f"/ajustar canal_publico {CHANNEL_NAME}"
    )
    h.fake.set_bot_status(CHANNEL, "administrator")
    h.fake.set_bot_can_post(CHANNEL, False)
    assert "sin permiso de publicar mensajes" in await h.say(
        z.facilitator, f"/ajustar canal_publico {CHANNEL}"
    )
    assert "no es un valor válido" in await h.say(z.facilitator, "/ajustar canal_publico zamora")
    # the bot asked Telegram about itself, in the resolved chat
    asked = [c for c in h.fake.calls if c.method == "getChatMember"]
    assert asked
    assert {c.params["user_id"] for c in asked} == {h.fake.bot_id}
    assert await stored_channel(h) == ("", None)  # every refusal changed nothing
    assert "solo lo puede usar" in await h.say(
        z.titulars["garante"], f"/ajustar canal_publico {CHANNEL_NAME}"
    )

    h.fake.set_bot_can_post(CHANNEL, True)
    answer = await h.say(z.facilitator, f"/ajustar canal_publico {CHANNEL_NAME}")
    assert f"sin definir → {CHANNEL_NAME}" in answer
    assert await stored_channel(h) == (CHANNEL_NAME, CHANNEL)  # typed and resolved
    assert f"Canal público (canal_publico): {CHANNEL_NAME}" in await h.say(
        z.facilitator, "/ajustes"
    )
    assert "→ -1003004005006" in await h.say(z.facilitator, f"/ajustar canal_publico {CHANNEL}")
    assert await stored_channel(h) == (str(CHANNEL), CHANNEL)

    answer = await h.say(z.facilitator, "/ajustar canal_publico -")
    assert "Ya no se publica en ningún canal público" in answer
    assert await stored_channel(h) == ("", None)
    # no channel: a closed vote and a communiqué owe nothing to any channel
    since = await _open_electronic(h, z, "Aprobar el calendario de sesiones 2027")
    for uid in z.titulars.values():
        await _vote(h, uid, since, "A favor")
    assert await count(h, Vote, Vote.state == "cerrada") == 1
    answer = await h.say(z.facilitator, "/comunicado Sesión ordinaria el 15 de enero.")
    assert "Canal público: no hay uno configurado" in answer
    assert await count(h, ChannelPost) == 0
    assert channel_posts(h) == []


# ---------------------------------------------------------------- every kind, once


async def test_results_agreements_minutes_and_communiques_reach_the_channel_once(
    harness: Harness,
) -> None:
    h = harness
    z, since, people = await circulated_session(h)  # two votes closed, no channel yet
    assert await count(h, ChannelPost) == 0  # nothing owed without canal_publico
    await with_channel(h, z)
    assert channel_posts(h) == []  # nothing earlier is published retroactively

    # an agreement from the button on the approved vote's result; a second press adds none
    result = next(
        c for c in h.fake.sent_to(z.facilitator) if "Resultado de la votación #2" in (c.text or "")
    )
    message_id = result.result["message_id"]
    data = dict(h.fake.buttons(z.facilitator, message_id))["Registrar acuerdo"]
    await h.press(z.facilitator, z.facilitator, message_id, data)
    await h.press(z.facilitator, z.facilitator, message_id, data, forge=True)
    (post,) = channel_posts(h)
    assert "Acuerdo ACU-2026-001" in (post.text or "")
    assert "Aprobar el calendario de sesiones 2027" in (post.text or "")
    assert "Sesión #1, votación #2" in (post.text or "")
    assert "Responsable: sin asignar" in (post.text or "")
    # a typed agreement
    mark = h.fake.mark()
    assert "ACU-2026-002" in await h.say(z.facilitator, "/acuerdo Publicar el calendario")
    (post,) = channel_posts(h, mark)
    assert "Acuerdo ACU-2026-002" in (post.text or "")

    # the signed minutes: the file, with session number, date and SHA-256
    mark = h.fake.mark()
    for key in SIGNERS:
        await sign(h, people[key], since)
    (document,) = channel_posts(h, mark)
    assert document.method == "sendDocument"
    assert document.result["document"]["file_name"] == "acta-sesion-1-firmada.pdf"
    async with h.db() as session:
        signed = await session.scalar(select(SignedMinutes))
    assert signed is not None
    assert signed.sha256 is not None
    caption = document.text or ""
    assert "sesión #1 del 2026-12-07" in caption
    assert signed.sha256 in caption
    data_sent = h.fake.file(document.result["document"]["file_id"]).data
    assert h.app.files.get(signed.sha256) == data_sent  # the signed file itself

    # a communiqué: the group and the channel; the same text again is a double send
    mark = h.fake.mark()
    text = "Se invita a la ciudadanía a la sesión del 15 de enero.\nHabrá transmisión en vivo."
    answer = await h.say(z.facilitator, f"/comunicado {text}")
    assert "Comunicado núm. 1 registrado" in answer
    assert "Grupo oficial «STM Zamora»: se publica ahora" in answer
    assert f"Canal público {CHANNEL_NAME}: se publica ahora" in answer
    (post,) = channel_posts(h, mark)
    assert "Comunicado núm. 1" in (post.text or "")
    assert text in (post.text or "")
    group = [c for c in h.fake.sent_to(z.group, mark) if "Comunicado núm. 1" in (c.text or "")]
    assert len(group) == 1
    assert "ya se publicó como el comunicado núm. 1" in await h.say(
        z.facilitator, f"/comunicado {text}  "
    )
    assert "Comunicado núm. 2" in await h.say(z.facilitator, "/comunicado Otro aviso.")

    # a vote's result with every seat's ballot (sector and name)
    mark = h.fake.mark()
    vote_since = await _open_electronic(h, z, "Aprobar el informe trimestral")
    for uid in [*z.titulars.values(), SUPLENTE]:
        await _vote(h, uid, vote_since, "A favor")
    (post,) = [p for p in channel_posts(h, mark) if "Resultado" in (p.text or "")]
    text = post.text or ""
    assert "Resultado de la votación #3: Aprobado por consenso" in text
    assert "Academia: A favor — Lorenza Capiz Hernández" in text
    assert "Gobierno municipal: A favor — Felipe Armando Umaña Melo" in text
    # closing again (the deadline job, a second /cerrar) publishes nothing more
    assert await voting.close_and_publish(h.app, 3) is None
    await h.app.quiet()
    assert len([p for p in channel_posts(h, mark) if "Resultado" in (p.text or "")]) == 1

    # one row per subject, each marked with Telegram's message id
    async with h.db() as session:
        rows = list(await session.scalars(select(ChannelPost).order_by(ChannelPost.id)))
    assert [r.kind for r in rows] == [
        "acuerdo",
        "acuerdo",
        "acta",
        "comunicado",
        "comunicado",
        "votacion",
    ]
    assert all(r.sent_at is not None and r.attempts == 1 and r.last_error is None for r in rows)
    assert sorted(r.message_id for r in rows) == sorted(
        c.result["message_id"] for c in channel_posts(h)
    )
    assert len(channel_posts(h)) == 6


# ---------------------------------------------------------------- failures and restarts


async def test_a_failed_post_is_told_once_and_resent_after_a_restart(
    fake: FakeBotAPI, database_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    """The bot was removed from the channel: the facilitator hears it once; once it is back,
    a restart publishes what was owed, once and in order."""
    data = tmp_path / "data"
    async with start_harness(fake, database_url, clock, admins={ADMIN_ID}, data_dir=data) as h:
        z = await setup_zamora(h)
        await with_channel(h, z)
        fake.set_bot_status(CHANNEL, "left")  # removed; canal_publico still names it
        mark = fake.mark()
        await h.say(z.facilitator, "/comunicado Primer aviso.")
        await h.say(z.facilitator, "/comunicado Segundo aviso.")
        assert len(failed_posts(h, mark)) == 2
        told = [
            c for c in fake.sent_to(z.facilitator, mark) if "No pude publicar" in (c.text or "")
        ]
        assert len(told) == 1  # once, not once per post
        assert "bot is not a member of the channel chat" in (told[0].text or "")
        async with h.db() as session:
            rows = list(await session.scalars(select(ChannelPost).order_by(ChannelPost.id)))
        assert [(r.sent_at, r.attempts) for r in rows] == [(None, 1), (None, 1)]
        assert all("not a member" in (r.last_error or "") for r in rows)
    fake.set_bot_status(CHANNEL, "administrator")  # added back
    mark = fake.mark()
    async with start_harness(fake, database_url, clock, admins={ADMIN_ID}, data_dir=data) as h:
        await h.app.quiet()
        first, second = channel_posts(h, mark)  # each once, in the order they were owed
        assert "Comunicado núm. 1" in (first.text or "")
        assert "Primer aviso." in (first.text or "")
        assert "Segundo aviso." in (second.text or "")
        assert not [c for c in fake.sent_to(z.facilitator, mark) if "No pude" in (c.text or "")]
    mark = fake.mark()
    async with start_harness(fake, database_url, clock, admins={ADMIN_ID}, data_dir=data) as h:
        await h.app.quiet()
        assert channel_posts(h, mark) == []  # sent once: never again
        assert await count(h, ChannelPost, ChannelPost.sent_at.is_not(None)) == 2


async def test_a_broken_channel_is_not_retried_forever_and_resetting_it_rearms(
    fake: FakeBotAPI, database_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    async with start_harness(fake, database_url, clock, admins={ADMIN_ID}, data_dir=data) as h:
        z = await setup_zamora(h)
        await with_channel(h, z)
        fake.set_bot_status(CHANNEL, "kicked")
        await h.say(z.facilitator, "/comunicado Aviso importante.")
    attempts = []
    for _ in range(3):  # start-ups with the bot still out of the channel
        mark = fake.mark()
        async with start_harness(fake, database_url, clock, admins={ADMIN_ID}, data_dir=data) as h:
            await h.app.quiet()
            attempts.append(len(failed_posts(h, mark)))
            assert not [
                c for c in fake.sent_to(z.facilitator, mark) if "No pude" in (c.text or "")
            ]
    assert attempts == [1, 1, 0]  # MAX_ATTEMPTS = 3 in all, then it waits
    fake.set_bot_status(CHANNEL, "administrator")
    async with start_harness(fake, database_url, clock, admins={ADMIN_ID}, data_dir=data) as h:
        mark = fake.mark()
        await h.say(z.facilitator, f"/ajustar canal_publico {CHANNEL_NAME}")  # set again
        (post,) = channel_posts(h, mark)
        assert "Aviso importante." in (post.text or "")
        async with h.db() as session:
            row = await session.scalar(select(ChannelPost))
        assert row is not None
        assert (row.attempts, row.last_error) == (1, None)
        assert row.message_id == post.result["message_id"]


# ---------------------------------------------------------------- /comunicado


@pytest.mark.parametrize(
    ("who", "text", "expected"),
    [
        ("titular", "/comunicado Aviso.", "solo lo puede usar"),
        ("group", "/comunicado Aviso.", "se usa en el chat privado"),
        ("facilitator", "/comunicado", "Se usa así"),
        ("facilitator", "/comunicado    ", "Se usa así"),
        ("facilitator", "/comunicado " + "a" * 3501, "tiene 3501 caracteres; el máximo es 3500"),
    ],
)
async def test_comunicado_refusals_change_nothing(
    harness: Harness, who: str, text: str, expected: str
) -> None:
    h = harness
    z = await setup_zamora(h)
    await with_channel(h, z)
    mark = h.fake.mark()
    if who == "group":
        answer = await h.say(z.facilitator, text, chat_id=z.group)
    else:
        answer = await h.say(z.titulars["garante"] if who == "titular" else z.facilitator, text)
    assert expected in answer, answer
    assert await count(h, Communique) == 0
    assert await count(h, ChannelPost) == 0
    assert channel_posts(h, mark) == []
    assert [c for c in h.fake.sent_to(z.group, mark) if "Comunicado" in (c.text or "")] == []


# ---------------------------------------------------------------- R21


#: Names that look like usernames or phone numbers are display NAMES (public acts); the
#: Telegram ids and @usernames behind them are what must never be published.
PRIVATE_ROSTER = {
    "gobierno": (7301554920, "@juanito_99", "", "juan_real_tg"),
    "garante": (7301554921, "55 1234 5678", "", "roberto_tel"),
    "sociedad_civil": (7301554922, "José de Jesús", "Michel Sahagún", "pepe_michel"),
    "academia": (7301554923, "Lorenza", "Capiz Hernández", "lore_capiz"),
    "ciudadania": (7301554924, "Leonardo Francisco", "Vallejo Gaytán", "leo_vallejo"),
}
PRIVATE_FACILITATOR = (7301554919, "Claudia Yanira", "Solís Cázares", "clau_solis")
PRIVATE_EXTRA = {SUPLENTE: "marta_suplente", 3009: "olga_observa"}


async def test_nothing_of_r21s_list_reaches_the_channel(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """R21: posts show names and seats only — never a Telegram id, an @username or an
    e-mail the bot knows, even when a person's name looks like one."""
    h = harness
    usernames = {uid: user for uid, _, _, user in PRIVATE_ROSTER.values()}
    usernames[PRIVATE_FACILITATOR[0]] = PRIVATE_FACILITATOR[3]
    usernames.update(PRIVATE_EXTRA)
    monkeypatch.setattr("tests.harness.TITULARS", {k: v[:3] for k, v in PRIVATE_ROSTER.items()})
    monkeypatch.setattr("tests.harness.FACILITATOR", PRIVATE_FACILITATOR[:3])
    add_user = h.fake.add_user

    def with_username(user_id: int, first: str, last: str | None = None, *a, **kw):  # type: ignore[no-untyped-def]
        kw.setdefault("username", usernames.get(user_id))
        return add_user(user_id, first, last, *a, **kw)

    monkeypatch.setattr(h.fake, "add_user", with_username)
    z, since, people = await circulated_session(h)
    assert "juan_real_tg" in str(h.fake.users[z.titulars["gobierno"]].to_json())  # seeded
    await h.say(z.facilitator, "/ajustar garante_correo actas@garante.example.mx")
    await with_channel(h, z)
    result = next(
        c for c in h.fake.sent_to(z.facilitator) if "Resultado de la votación #2" in (c.text or "")
    )
    message_id = result.result["message_id"]
    data = dict(h.fake.buttons(z.facilitator, message_id))["Registrar acuerdo"]
    await h.press(z.facilitator, z.facilitator, message_id, data)
    await h.say(z.facilitator, "/acuerdo Informar a @juanito_99 del calendario")
    for key in SIGNERS:
        await sign(h, people[key], since)
    await h.say(z.facilitator, "/comunicado La sesión se transmitirá en vivo.")
    vote_since = await _open_electronic(h, z, "Aprobar el informe trimestral")
    for uid in [*z.titulars.values(), SUPLENTE]:
        await _vote(h, uid, vote_since, "A favor")

    posts = channel_posts(h)
    assert len(posts) == 5
    published = []
    for post in posts:
        published.append(post.html or "")
        published.append(post.text or "")
        if post.method == "sendDocument":
            pdf = h.fake.file(post.result["document"]["file_id"]).data
            reader = PdfReader(io.BytesIO(pdf))
            published.append("\n".join(page.extract_text() or "" for page in reader.pages))
    everything = "\n".join(published)
    # names and seats are public acts: shown, even when they look like a username or phone
    assert "Gobierno municipal: A favor — @juanito_99" in everything
    assert "Organismo garante local: A favor — 55 1234 5678" in everything
    secret_ids = [str(uid) for uid, *_ in PRIVATE_ROSTER.values()] + [str(PRIVATE_FACILITATOR[0])]
    for value in [*secret_ids, *usernames.values(), "actas@garante.example.mx"]:
        assert value.lower() not in everything.lower(), value
