"""The microsite is served by the bot's own process (R19): index, home, contact, links,
health, errors and headers, over HTTP against the running application."""

from __future__ import annotations

import httpx

from tests.harness import FACILITATOR, Harness, setup_zamora


async def test_index_home_contact_links_and_health(harness: Harness) -> None:
    z = await setup_zamora(harness)
    async with httpx.AsyncClient(base_url=harness.web_url) as web:
        index = await web.get("/")
        assert index.status_code == 200
        assert '<html lang="es-MX">' in index.text
        assert 'href="/zamora/"' in index.text
        home = await web.get("/zamora/")
        assert home.status_code == 200
        assert home.text.count("<h1") == 1
        assert "Zamora" in home.text
        for path in ("actas", "compromisos", "agenda", "contacto", "datos", "enlaces"):
            assert f'href="/zamora/{path}"' in home.text
        assert (await web.get("/zamora")).status_code == 308
        assert (await web.get("/healthz")).text == "ok"
        # R19 (c, e): settings shown on their pages, escaped.
        await harness.say(
            z.facilitator, "/ajustar contacto Oficina del STM <b>Palacio</b> | Tel. 351 000 0000"
        )
        await harness.say(
            z.facilitator,
            "/ajustar enlaces Portal municipal | https://zamora.gob.mx; "
            "OGP | https://www.opengovpartnership.org",
        )
        contact = await web.get("/zamora/contacto")
        assert "Oficina del STM &lt;b&gt;Palacio&lt;/b&gt;<br>" in contact.text
        links = await web.get("/zamora/enlaces")
        assert 'href="https://zamora.gob.mx"' in links.text
        assert ">OGP<" in links.text
        refused = await harness.say(z.facilitator, "/ajustar enlaces Malo | javascript:alert(1)")
        assert "no es válido" in refused or "Valores" in refused or "valor" in refused
        assert "javascript" not in (await web.get("/zamora/enlaces")).text
        missing = await web.get("/no-existe/")
        assert missing.status_code == 404
        assert "Página no encontrada" in missing.text
        assert "script-src" not in home.headers["content-security-policy"]
        assert home.headers["x-content-type-options"] == "nosniff"
        css = await web.get("/static/estilo.css")
        assert css.status_code == 200
    assert FACILITATOR
