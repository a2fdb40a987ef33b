"""The hash chain of recorded acts end to end (issue 15), on SQLite and PostgreSQL.

A real flow through the real application (convocation, RSVP, roll call, votes with
ballots, results, agreement changes, the minutes sent), then ``stm-bot verify`` as an
operator runs it; a ballot edited by hand in SQL makes it fail at exactly that entry.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
from sqlalchemy import select, text

from bot import chain_posts
from domain import act_chain as chain
from domain.act_chain import Act, Reason
from storage.models import Ballot, ChainEntry, ChannelPost, SeatBallot
from storage.services import act_chain, act_chain_public
from tests.e2e.test_cancellations import _answer, _request
from tests.e2e.test_minutes import GARANTE, SIGNERS, circulated_session, sign
from tests.e2e.test_public_channel import CHANNEL, with_channel
from tests.e2e.test_sessions import SUPLENTE, _convene, _rsvp, _with_substitute
from tests.e2e.test_votes import _vote
from tests.harness import Harness, Zamora
from tests.processes import bot_env, run_bot
from tests.smtp import LocalSMTP


async def chain_flow(h: Harness) -> Zamora:
    """Session #1: convened, one RSVP, 3 seats present, agenda vote, one more vote, an
    agreement registered and followed up, concluded, minutes sent by hand."""
    z = await _with_substitute(h)
    since = await _convene(h, z)
    assert "registrada: Asistiré" in await _rsvp(h, "gobierno", since, "Asistiré", z)
    await _rsvp(h, "garante", since, "No asistiré", z)
    h.clock.advance(days=10, minutes=5)
    await h.say(z.facilitator, "/iniciar")
    for number in (2, 3, 7):  # gobierno, garante titulars; academia's substitute
        await h.say(z.facilitator, f"/presente {number}")
    since = h.fake.mark()
    assert "Sesión instalada" in await h.say(z.facilitator, "/instalar")
    for uid in (z.titulars["gobierno"], z.titulars["garante"], SUPLENTE):
        await _vote(h, uid, since, "A favor")
    await h.say(z.facilitator, "/cerrar")
    since = h.fake.mark()
    await h.say(z.facilitator, "/votar Aprobar el calendario de sesiones 2027")
    await _vote(h, z.titulars["gobierno"], since, "A favor")
    await _vote(h, z.titulars["gobierno"], since, "En contra")  # changed: the last counts
    await _vote(h, z.titulars["garante"], since, "A favor")
    await _vote(h, SUPLENTE, since, "Abstención")
    await h.say(z.facilitator, "/cerrar")
    assert "ACU-2026-001" in await h.say(z.facilitator, "/acuerdo Publicar el calendario")
    assert "en proceso" in await h.say(
        z.facilitator, "/seguimiento ACU-2026-001 en_proceso Oficio STM/003"
    )
    h.clock.advance(hours=2)
    await h.say(z.facilitator, "/concluir")
    assert "enviada" in await h.say(z.facilitator, "/acta_enviada 1 Oficio 12")
    return z


def verify_cli(database_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``stm-bot verify`` in a child process, as an operator runs it (no token needed)."""
    environ = bot_env(DATABASE_URL=database_url)
    environ.pop("TELEGRAM_BOT_TOKEN", None)
    return run_bot(environ, cwd, "verify", timeout=120)


async def kinds(h: Harness) -> list[str]:
    async with h.db() as session:
        return list(await session.scalars(select(ChainEntry.kind).order_by(ChainEntry.position)))


async def entry_of(h: Harness, table: str, row_id: int) -> ChainEntry:
    async with h.db() as session:
        found = await session.scalar(
            select(ChainEntry).where(
                ChainEntry.source_table == table, ChainEntry.source_id == str(row_id)
            )
        )
    assert found is not None
    return found


async def test_every_act_is_chained_and_verify_names_a_hand_edited_ballot(
    harness: Harness, database_url: str, tmp_path: Path
) -> None:
    await chain_flow(harness)
    recorded = await kinds(harness)
    assert recorded[0] == Act.CONVOCATORIA
    assert recorded.count(Act.ASISTENCIA) == 2
    assert recorded.count(Act.PASE_DE_LISTA) == 3
    assert recorded.count(Act.VOTO) == 7  # every accepted press, in order
    assert recorded.count(Act.RESULTADO) == 2
    assert recorded.count(Act.ACUERDO) == 2  # registered, then followed up
    assert recorded[-1] == Act.ACTA_ENVIADA
    async with harness.db() as session:
        done = await act_chain.verify(session, 1)
        payloads = list(await session.scalars(select(ChainEntry.payload)))
    assert done.mismatch is None
    assert done.position == len(recorded)
    # R21: the published payloads carry no Telegram id and no voter name.
    published = "".join(payloads)
    for uid in harness.fake.users:
        assert f":{uid}," not in published
        assert f":{uid}}}" not in published
    assert "Marta" not in published
    assert "Oficio" not in published
    ok = verify_cli(database_url, tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == f"zamora: cabeza {done.position} {done.hash}: íntegra"

    # A ballot edited by hand in the history: verify fails at exactly that entry.
    async with harness.db() as session:
        ballot = await session.scalar(select(Ballot).order_by(Ballot.id.desc()).limit(1))
    assert ballot is not None
    entry = await entry_of(harness, "ballots", ballot.id)
    async with harness.db.begin() as session:
        await session.execute(
            text("UPDATE ballots SET choice = 'a_favor' WHERE id = :id"), {"id": ballot.id}
        )
    bad = verify_cli(database_url, tmp_path)
    assert bad.returncode == 1
    assert bad.stdout.strip() == (
        f"zamora: cabeza {done.position} {done.hash}: NO COINCIDE en la entrada "
        f"{entry.position} (voto, ballots/{ballot.id}): {Reason.ACT_CHANGED.value}"
    )
    async with harness.db.begin() as session:  # put it back: intact again
        await session.execute(
            text("UPDATE ballots SET choice = :c WHERE id = :id"),
            {"c": ballot.choice, "id": ballot.id},
        )
    async with harness.db() as session:
        assert (await act_chain.verify(session, 1)).mismatch is None
    environ = bot_env(DATABASE_URL=database_url)
    environ.pop("TELEGRAM_BOT_TOKEN", None)
    misuse = run_bot(environ, tmp_path, "verify", "todo", timeout=120)
    assert misuse.returncode == 2
    assert misuse.stderr.strip() == "stm-bot: uso: stm-bot verify"


async def test_editing_the_running_tally_fails_at_the_seats_latest_ballot(
    harness: Harness,
) -> None:
    """``UPDATE vote_seat_ballots`` is caught at the latest ballot entry of that seat."""
    z = await chain_flow(harness)
    async with harness.db() as session:
        latest = await session.scalar(
            select(Ballot)
            .where(Ballot.member_id == select(Ballot.member_id).limit(1).scalar_subquery())
            .order_by(Ballot.id.desc())
            .limit(1)
        )
    assert latest is not None
    assert z.facilitator
    entry = await entry_of(harness, "ballots", latest.id)
    async with harness.db.begin() as session:
        row = await session.get_one(SeatBallot, (latest.vote_id, latest.seat_id, latest.role))
        row.choice = "abstencion" if row.choice != "abstencion" else "a_favor"
    async with harness.db() as session:
        done = await act_chain.verify(session, 1)
    assert done.mismatch is not None
    assert (done.mismatch.position, done.mismatch.reason) == (entry.position, Reason.ACT_CHANGED)


async def test_editing_the_chain_itself_is_caught(harness: Harness) -> None:
    """A rewritten payload, a deleted entry, a deleted act: each named at its entry."""
    await chain_flow(harness)
    async with harness.db() as session:
        third = await session.scalar(select(ChainEntry).where(ChainEntry.position == 3))
    assert third is not None
    forged = json.dumps({**json.loads(third.payload), "respuesta": "asistire"})
    async with harness.db.begin() as session:
        await session.execute(
            text("UPDATE chain_entries SET payload = :p WHERE id = :id"),
            {"p": forged, "id": third.id},
        )
    async with harness.db() as session:
        mismatch = (await act_chain.verify(session, 1)).mismatch
    assert mismatch is not None
    assert mismatch.position == 3
    async with harness.db.begin() as session:
        await session.execute(
            text("UPDATE chain_entries SET payload = :p WHERE id = :id"),
            {"p": third.payload, "id": third.id},
        )
        await session.execute(text("DELETE FROM presences WHERE id = 1"))
    presence = await entry_of(harness, "presences", 1)
    async with harness.db() as session:
        mismatch = (await act_chain.verify(session, 1)).mismatch
    assert mismatch is not None
    assert (mismatch.position, mismatch.reason) == (presence.position, Reason.ACT_MISSING)


async def fetch_entry(h: Harness, position: int) -> dict[str, object]:
    """An exported entry as anyone downloads it from the microsite."""
    async with httpx.AsyncClient() as client:
        answer = await client.get(f"{h.web_url}/zamora/datos/cadena/{position}.json")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    entry: dict[str, object] = answer.json()
    return entry


async def test_verificar_an_exported_entry_authentic_forged_unknown(harness: Harness) -> None:
    h = harness
    await chain_flow(h)
    entry = await fetch_entry(h, 3)
    assert set(entry) == {
        "secretaria", "posicion", "tipo", "fecha", "acto", "hash_anterior", "hash",
    }  # fmt: skip
    assert entry["secretaria"] == "zamora"
    assert entry["tipo"] == "asistencia"
    visitor = 7777
    h.fake.add_user(visitor, "Vecina")  # anyone may verify: no role needed
    pasted = await h.say(visitor, "/verificar " + json.dumps(entry, ensure_ascii=False))
    assert "✅ Auténtica" in pasted, pasted
    assert "respuesta de asistencia" in pasted
    assert "La cadena verifica de esta entrada a la cabeza actual" in pasted
    # As a .json document, the same answer.
    mark = h.fake.mark()
    raw = json.dumps(entry, indent=2).encode()
    await h.settled(h.fake.send_document(visitor, raw, "cadena-3.json", caption="/verificar"))
    reply = await h.fake.wait_for("sendMessage", since=mark, chat_id=visitor)
    assert "✅ Auténtica" in (reply.text or "")
    # Forged: the act edited, the hash left as it was.
    acto = dict(entry["acto"])  # type: ignore[call-overload]
    acto["respuesta"] = "no_asistire" if acto["respuesta"] != "no_asistire" else "asistire"
    forged = {**entry, "acto": acto}
    answer = await h.say(visitor, "/verificar " + json.dumps(forged))
    assert "No es auténtica" in answer
    assert "su hash no corresponde a sus campos" in answer
    # Forged and re-hashed by the forger: the stored chain says otherwise.
    canonical = chain.canonical(acto)
    rehashed = {
        **forged,
        "hash": chain.entry_hash(
            str(entry["hash_anterior"]), 3, str(entry["tipo"]), str(entry["fecha"]), canonical
        ),
    }
    answer = await h.say(visitor, "/verificar " + json.dumps(rehashed))
    assert "no coincide con la entrada 3 registrada en: acto, hash" in answer
    # Unknown: a well-formed entry (its hash right) at a position the chain does not have;
    # and another secretariat's address.
    unknown = {
        **entry,
        "posicion": 9999,
        "hash": chain.entry_hash(
            str(entry["hash_anterior"]), 9999, str(entry["tipo"]), str(entry["fecha"]),
            chain.canonical(entry["acto"]),
        ),
    }  # fmt: skip
    answer = await h.say(visitor, "/verificar " + json.dumps(unknown))
    assert "Desconocida" in answer
    answer = await h.say(visitor, "/verificar " + json.dumps({**entry, "secretaria": "jacona"}))
    assert "No hay un secretariado con la dirección «jacona»" in answer
    # Not an entry at all: a refusal that changes nothing.
    async with h.db() as session:
        before = (await act_chain_public.head_of(session, 1)).position
    for text_in in ('{"posicion": 3}', "{no es json", '{"acto": 1.5}'):
        refused = await h.say(visitor, f"/verificar {text_in}")
        assert "Eso no es una entrada de la cadena de actos" in refused
    async with h.db() as session:
        assert (await act_chain_public.head_of(session, 1)).position == before
    # The act edited in the database: the entry is the stored one, the act is not.
    async with h.db.begin() as session:
        await session.execute(text("UPDATE attendance_answers SET answer = 'no_asistire'"))
    answer = await h.say(visitor, "/verificar " + json.dumps(entry))
    assert "el acto ya no está en la base de datos como se registró" in answer
    assert "⚠️ La cadena no verifica" in answer
    # A missing entry on the microsite is a 404, like any other page.
    async with httpx.AsyncClient() as client:
        missing = await client.get(f"{h.web_url}/zamora/datos/cadena/9999.json")
    assert missing.status_code == 404


async def test_the_chain_is_published_with_the_open_data(harness: Harness) -> None:
    h = harness
    await chain_flow(h)
    async with h.db() as session:
        head = await act_chain_public.head_of(session, 1)
    async with httpx.AsyncClient() as client:
        package = (await client.get(f"{h.web_url}/zamora/datos/datapackage.json")).json()
        rows = (await client.get(f"{h.web_url}/zamora/datos/cadena.json")).json()["registros"]
        page = (await client.get(f"{h.web_url}/zamora/datos")).text
    assert package["cadena"]["posicion"] == head.position
    assert package["cadena"]["hash"] == head.hash
    assert "cadena" in [r["name"] for r in package["resources"]]
    assert [r["posicion"] for r in rows] == list(range(1, head.position + 1))
    assert rows[-1]["hash"] == head.hash
    # Anyone can recompute every hash from the published rows alone.
    previous = chain.GENESIS
    for row in rows:
        assert row["hash_anterior"] == previous
        assert row["hash"] == chain.entry_hash(
            previous, row["posicion"], row["tipo"], row["fecha"], row["acto"]
        )
        previous = row["hash"]
    assert head.hash in page
    assert f"entrada {head.position}" in page


async def test_the_head_is_posted_daily_once_when_it_changed(harness: Harness) -> None:
    h = harness
    z = await chain_flow(h)
    async with h.db() as session:
        head = await act_chain_public.head_of(session, 1)
    # No channel yet: nothing is owed.
    assert await chain_posts.post_heads(h.app) == []
    await with_channel(h, z)
    # The flow ended at 12:05 local time, after hora_recordatorios (09:00): due now.
    mark = h.fake.mark()
    assert await chain_posts.post_heads(h.app) == [1]
    post = await h.fake.wait_for("sendMessage", since=mark, chat_id=CHANNEL)
    assert f"entrada {head.position}" in (post.text or "")
    assert head.hash in (post.text or "")
    # Again the same day, and after a restart-like re-check: nothing more.
    assert await chain_posts.post_heads(h.app) == []
    h.clock.advance(days=1)
    assert await chain_posts.post_heads(h.app) == []  # unchanged head: nothing posted
    await h.say(z.facilitator, "/plazo ACU-2026-001 2027-01-31")  # the head moves
    mark = h.fake.mark()
    assert await chain_posts.post_heads(h.app) == [1]  # changed since yesterday's post
    second = await h.fake.wait_for("sendMessage", since=mark, chat_id=CHANNEL)
    assert f"entrada {head.position + 1}" in (second.text or "")
    await h.say(z.facilitator, "/seguimiento ACU-2026-001 cumplido")  # moves again
    assert await chain_posts.post_heads(h.app) == []  # but one post a day at most
    h.clock.advance(days=1)
    mark = h.fake.mark()
    assert await chain_posts.post_heads(h.app) == [1]  # the next day it goes out
    third = await h.fake.wait_for("sendMessage", since=mark, chat_id=CHANNEL)
    assert f"entrada {head.position + 2}" in (third.text or "")
    async with h.db() as session:
        kinds_posted = list(
            await session.scalars(
                select(ChannelPost.subject_id).where(ChannelPost.kind == "cadena")
            )
        )
    assert sorted(kinds_posted) == [head.position, head.position + 1, head.position + 2]


async def test_cancellation_acts_are_chained(harness: Harness) -> None:
    """R11: the request, each seat's answer and the decision, each one entry."""
    h = harness
    z = await _with_substitute(h)
    since = await _request(h, z)
    await _answer(h, SUPLENTE, since, "Apruebo la cancelación")
    await _answer(h, z.titulars["gobierno"], since, "No apruebo")  # one "No" rejects
    recorded = await kinds(h)
    assert recorded == [
        Act.CONVOCATORIA,
        Act.CANCELACION_SOLICITADA,
        Act.CANCELACION_RESPUESTA,
        Act.CANCELACION_RESPUESTA,
        Act.CANCELACION_DECIDIDA,
    ]
    async with h.db() as session:
        assert (await act_chain.verify(session, 1)).mismatch is None
        payloads = list(await session.scalars(select(ChainEntry.payload)))
    assert "lluvias" not in "".join(payloads)  # the reason enters as its SHA-256 (R21)
    async with h.db.begin() as session:  # the decision rewritten by hand
        await session.execute(text("UPDATE cancellations SET state = 'aprobada'"))
    async with h.db() as session:
        mismatch = (await act_chain.verify(session, 1)).mismatch
    assert mismatch is not None
    assert (mismatch.position, mismatch.kind) == (5, Act.CANCELACION_DECIDIDA)


async def test_signatures_and_the_mailed_minutes_are_chained(
    mailing: Harness, smtp: LocalSMTP
) -> None:
    """R14, R15a: each signature of the exact version, then the minutes mailed."""
    h = mailing
    z, since, people = await circulated_session(h)
    assert GARANTE in await h.say(z.facilitator, f"/ajustar garante_correo {GARANTE}")
    for key in SIGNERS:
        assert "firma quedó registrada" in await sign(h, people[key], since)
    await smtp.wait_for_messages(1)
    await h.app.quiet()
    recorded = await kinds(h)
    assert recorded.count(Act.FIRMA) == len(SIGNERS)
    assert recorded[-1] == Act.ACTA_ENVIADA
    async with h.db() as session:
        done = await act_chain.verify(session, 1)
        last = await session.scalar(select(ChainEntry).where(ChainEntry.position == done.position))
    assert done.mismatch is None
    assert last is not None
    assert json.loads(last.payload)["via"] == "correo"
    assert GARANTE not in last.payload  # the note names the address: never chained (R21)
