"""The public compliance pages over HTTP (R6, R15, R16; R19, R21): ``/cumplimiento`` and
``/<slug-of-state>/cumplimiento``, against the running application.

The record is the chat test's (``tests/e2e/test_compliance.py``): Zamora and Jacona in
Michoacán, made through the bot; a third secretariat, Tlaquepaque, is moved to Jalisco
with ``/ajustar estado``.
"""

from __future__ import annotations

import html
import re

import httpx

from tests.e2e.test_compliance import (
    JACONA_FACILITATOR,
    JACONA_GARANTE_SUPLENTE,
    JACONA_GROUP,
    ROBERTO,
    two_secretariats,
)
from tests.harness import ADMIN_ID, FACILITATOR, TITULARS, Harness, bind, create_secretariat

TLAQUEPAQUE_FACILITATOR = 2301


def _text(page: str) -> str:
    """The page's text as read: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


async def test_state_pages_months_without_session_and_no_personal_data(
    harness: Harness,
) -> None:
    h = harness
    z, _ = await two_secretariats(h)  # the clock stands on 2027-02-02
    h.fake.add_user(TLAQUEPAQUE_FACILITATOR, "Tania", "Tlaquepaque")
    token = await create_secretariat(h, "San Pedro Tlaquepaque")
    assert "Listo" in await bind(h, TLAQUEPAQUE_FACILITATOR, token)
    assert "Jalisco" in await h.say(TLAQUEPAQUE_FACILITATOR, "/ajustar estado JALISCO")
    async with httpx.AsyncClient(base_url=h.web_url) as web:
        # /cumplimiento: the states with secretariats, linked; every secretariat's summary
        overview = await web.get("/cumplimiento")
        assert overview.status_code == 200
        assert '<html lang="es-MX">' in overview.text
        assert 'href="/michoacan/cumplimiento">Michoacán</a>' in overview.text
        assert 'href="/jalisco/cumplimiento">Jalisco</a>' in overview.text
        assert "2 secretariados" in overview.text
        assert '<th scope="row"><a href="/zamora/">Zamora</a></th>' in overview.text
        assert '<th scope="col">Meses sin sesión ordinaria</th>' in overview.text
        assert "<caption>" in overview.text
        # the index links to it
        assert 'href="/cumplimiento"' in (await web.get("/")).text

        # /michoacan/cumplimiento: both Michoacán secretariats, month by month
        state = await web.get("/michoacan/cumplimiento")
        assert state.status_code == 200
        page = state.text
        assert page.count("<h1") == 1
        text = _text(page)
        assert "Cumplimiento de los Secretariados Técnicos Municipales en Michoacán" in text
        assert "STM de Jacona" in text
        assert "STM de Zamora" in text
        assert "Tlaquepaque" not in text  # Jalisco's
        # tables with caption and header scopes (readable without JavaScript or colour)
        assert "<caption>Cumplimiento mensual del STM de Zamora, de noviembre de 2026 a " in page
        assert '<th scope="row">enero de 2027</th>' in page
        # Jacona held no ordinary session in January: said in words, not only in colour
        jacona = text[text.index("STM de Jacona") : text.index("STM de Zamora")]
        assert "enero de 2027 Sin sesión ordinaria" in jacona
        assert "diciembre de 2026 1 sesión ordinaria 0 0 0 1 0 1" in jacona  # overdue, agreement
        assert "Acuerdos abiertos con plazo vencido: 1" in jacona
        zamora = text[text.index("STM de Zamora") :]
        assert "diciembre de 2026 1 sesión ordinaria 0 1 0 0 0 0" in zamora  # on time
        assert "enero de 2027 1 sesión ordinaria 0 0 1 0 0 0" in zamora  # late
        assert "febrero de 2027 (en curso) Aún sin sesión ordinaria (mes en curso)" in zamora
        assert "Meses sin sesión ordinaria (sin contar el mes en curso): 1 de 3" in zamora

        jalisco = _text((await web.get("/jalisco/cumplimiento")).text)
        assert "STM de San Pedro Tlaquepaque" in jalisco
        assert "Zamora" not in jalisco

        # an unknown state, or a state written otherwise than its address: Spanish 404
        for path in ("/texas/cumplimiento", "/Michoacan/cumplimiento", "/zamora/cumplimiento"):
            missing = await web.get(path)
            assert missing.status_code == 404, path
            assert "Página no encontrada" in missing.text

        # R21: no Telegram ids, profile names or group ids on any of these pages
        pages = [overview.text, page, (await web.get("/jalisco/cumplimiento")).text]
        forbidden = [
            str(uid)
            for uid in (
                ROBERTO,
                JACONA_FACILITATOR,
                JACONA_GARANTE_SUPLENTE,
                TLAQUEPAQUE_FACILITATOR,
                ADMIN_ID,
                z.facilitator,
                FACILITATOR[0],
                *(t[0] for t in TITULARS.values()),
            )
        ] + [str(z.group), str(JACONA_GROUP), str(-JACONA_GROUP), "Tania", "Sofía Suplente"]
        for body in pages:
            for needle in forbidden:
                assert needle not in body, needle
