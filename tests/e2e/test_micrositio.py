"""``/micrositio`` (R19): members get the secretariat's public address in chat — the one
``PUBLIC_URL`` names, or the local one with a warning that says who must set it."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.clock import FakeClock
from tests.fakebot import FakeBotAPI
from tests.harness import ADMIN_ID, Harness, bind, setup_zamora, start_harness, token_in

PUBLIC = "https://stm.zamora.gob.mx"
OBSERVER = 3009
STRANGER = 7777


async def test_members_get_the_local_address_and_are_told_to_set_public_url(
    harness: Harness,
) -> None:
    h = harness
    z = await setup_zamora(h)
    h.fake.add_user(OBSERVER, "Olga", "Observadora")
    await bind(h, OBSERVER, token_in(await h.say(z.facilitator, "/alta observador Olga Ramírez")))
    home = f"{h.web_url}/zamora/"
    for uid, chat in (
        (z.titulars["gobierno"], None),
        (OBSERVER, None),
        (z.facilitator, None),
        (z.titulars["academia"], z.group),  # members in the group too (commands.md)
    ):
        answer = await h.say(uid, "/micrositio", chat_id=chat)
        assert "Micrositio del STM de Zamora" in answer
        assert home in answer
        for path in ("actas", "datos", "buzon"):
            assert f"{home}{path}" in answer
        assert "dirección local" in answer
        assert "PUBLIC_URL" in answer
    # the address answered is the one the site really serves
    async with httpx.AsyncClient() as client:
        page = await client.get(home)
    assert page.status_code == 200
    assert "Zamora" in page.text


async def test_strangers_are_refused(harness: Harness) -> None:
    h = harness
    z = await setup_zamora(h)
    h.fake.add_user(STRANGER, "Curioso")
    assert "no encuentro tu cuenta" in await h.say(STRANGER, "/micrositio")
    assert "no encuentro tu cuenta" in await h.say(STRANGER, "/micrositio", chat_id=z.group)


async def test_public_url_is_the_address_in_chat(
    fake: FakeBotAPI, database_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    async with start_harness(
        fake,
        database_url,
        clock,
        admins={ADMIN_ID},
        data_dir=tmp_path / "data",
        public_url=PUBLIC,
    ) as h:
        z = await setup_zamora(h)
        for chat in (None, z.group):
            answer = await h.say(z.titulars["sociedad_civil"], "/micrositio", chat_id=chat)
            assert f"{PUBLIC}/zamora/\n" in answer
            assert f"Actas, evidencias y comunicados: {PUBLIC}/zamora/actas" in answer
            assert f"Datos abiertos: {PUBLIC}/zamora/datos" in answer
            assert f"{PUBLIC}/zamora/buzon" in answer
            assert "PUBLIC_URL" not in answer
            assert "127.0.0.1" not in answer
