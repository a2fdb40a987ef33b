"""``make demo`` in a real browser: a visitor convenes, answers, votes and signs.

The demo runs exactly as ``python -m demo`` does for a visitor (a process of its own,
which seeds the secretariat and starts the real bot as a further process against the
fake Bot API); headless Chromium then uses the page like a person: switches persona,
types commands, presses the bots' buttons, downloads the signed minutes, opens the
microsite. Each step asserts what the page shows, including the bot's answer. At the
end Ctrl-C (SIGINT) must stop everything and remove the demo's temporary data. axe-core
checks the page (WCAG 2.x A/AA, no serious or critical violation).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Locator, Page, expect

from tests.browser.test_microsite_browser import BLOCKING, DESKTOP, axe_violations, opened

pytestmark = pytest.mark.asyncio(loop_scope="session")

ROOT = Path(__file__).resolve().parents[2]
_READY = re.compile(r"Demostración lista: (http://127\.0\.0\.1:\d+/)")
_SITE = re.compile(r"Micrositio público del bot: (http://127\.0\.0\.1:\d+/\S*)")
_DATA = re.compile(r"Datos temporales \(.*\): (\S+)")
#: Slow steps: the first PDF of the minutes (WeasyPrint) and the fan-out of a
#: convocation at Telegram's pace (the bot's real rate limiter).
SLOW = 60_000


@dataclass
class RunningDemo:
    """The ``python -m demo`` process and what it printed."""

    process: subprocess.Popen[bytes]
    output: Path
    url: str
    microsite: str
    data_dir: Path

    def printed(self) -> str:
        """Everything the demo printed so far."""
        return self.output.read_text(errors="replace")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningDemo]:
    """``python -m demo`` with any free ports, until the module is done (or Ctrl-C)."""
    output = tmp_path_factory.mktemp("demo") / "demo.out"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEMO_", "WEB_"))}
    env.update(DEMO_PORT="0", WEB_PORT="0", PYTHONPATH=str(ROOT))
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "demo"], cwd=ROOT, env=env, stdout=sink, stderr=sink
        )
    try:
        deadline = time.monotonic() + 120
        while not _READY.search(output.read_text(errors="replace")):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the demo did not start:\n{output.read_text(errors='replace')}")
            time.sleep(0.2)
        text = output.read_text(errors="replace")
        site, data = _SITE.search(text), _DATA.search(text)
        assert site, text
        assert data, text
        yield RunningDemo(process, output, _READY.search(text)[1], site[1], Path(data[1]))  # type: ignore[index]
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()


def bubble(page: Page, text: str) -> Locator:
    """The newest message of the shown chat that contains ``text``."""
    return page.locator("article.bubble", has_text=text).last


async def play(page: Page, key: str) -> None:
    """Switch to persona ``key`` and wait for its chat."""
    await page.locator(f'.persona[data-key="{key}"]').click()
    await expect(page.locator(f'.persona[data-key="{key}"]')).to_have_attribute(
        "aria-pressed", "true"
    )


async def write(page: Page, text: str) -> None:
    """Type ``text`` in the composer and send it."""
    await page.get_by_role("textbox").fill(text)
    await page.get_by_role("button", name="Enviar", exact=True).click()
    await expect(page.locator("#toast")).to_have_text("Enviado.")


async def press(page: Page, containing: str, label: str, answer: str | None = None) -> None:
    """Press ``label`` on the newest message with ``containing``; check the bot's toast."""
    message = bubble(page, containing)
    await expect(message).to_be_visible(timeout=SLOW)
    await message.get_by_role("button", name=label, exact=True).click()
    if answer is not None:
        await expect(page.locator("#toast")).to_contain_text(answer, timeout=SLOW)


async def test_demo_page_passes_axe(
    demo: RunningDemo, browser: Browser, artifacts: Path, axe_source: Path
) -> None:
    """axe-core on the page with a chat drawn (WCAG 2.x A/AA)."""
    async with opened(browser, viewport=DESKTOP) as page:
        await page.goto(demo.url)
        await expect(bubble(page, "Sesión concluida")).to_be_visible()
        violations = await axe_violations(page, axe_source)
    (artifacts / "demo-axe.json").write_text(
        json.dumps(violations, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    blocking = [f"[{v['impact']}] {v['id']} — {v['help']}" for v in violations]
    assert not [b for b, v in zip(blocking, violations, strict=True) if v["impact"] in BLOCKING]


async def test_visitor_convenes_answers_votes_and_signs(
    demo: RunningDemo, browser: Browser, artifacts: Path
) -> None:
    async with opened(browser, viewport=DESKTOP, accept_downloads=True) as page:
        await page.goto(demo.url)
        await expect(page).to_have_title(re.compile("Demostración de stm-bot"))
        assert await page.locator("html").get_attribute("lang") == "es-MX"
        # The facilitator's chat shows the seeded history: last week's session.
        await expect(page.locator("#chat-title")).to_contain_text("Mariana Guadalupe")
        await expect(bubble(page, "Sesión concluida: Primera Sesión Ordinaria")).to_be_visible()

        # 1. Convene with the guide's one-line example (R7: 5 business days ahead).
        await page.get_by_role("button", name="Escribir este ejemplo").click()
        assert (await page.locator("#text").input_value()).startswith("/convocar ordinaria ")
        await page.get_by_role("button", name="Enviar", exact=True).click()
        await press(page, "Vista previa de la convocatoria", "Enviar convocatoria", "Enviando")
        await expect(bubble(page, "Convocatoria enviada")).to_be_visible(timeout=SLOW)

        # 2. A titular answers the RSVP; the facilitator sees it in /quorum.
        await play(page, "gobierno")
        await expect(page.locator("#chat-title")).to_contain_text("Héctor Manuel")
        await press(page, "Segunda Sesión Ordinaria", "Asistiré", "quedó registrada: Asistiré")
        await play(page, "facilitador")
        await write(page, "/quorum 2")
        quorum = bubble(page, "Asientos confirmados")
        await expect(quorum).to_contain_text("Asientos confirmados: 1 de 5", timeout=SLOW)
        await expect(quorum).to_contain_text("confirma Héctor Manuel Ramírez Chávez (titular)")

        # 3. An electronic vote (R13): deadline by button, ballots by three titulars.
        await write(page, "/votar Aprobar el plan de trabajo 2027")
        await press(page, "votación electrónica", "48 h")
        for key in ("gobierno", "garante", "sociedad_civil"):
            await play(page, key)
            await press(page, "Aprobar el plan de trabajo 2027", "A favor", "A favor")
        await play(page, "facilitador")
        await write(page, "/cerrar")
        result = bubble(page, "Aprobar el plan de trabajo 2027")
        await expect(result).to_contain_text("Aprobado por consenso", timeout=SLOW)

        # 4. Minutes of last week's session: draft, circulate, every signatory signs.
        await write(page, "/acta 1")
        await press(page, "Circular para firma", "Circular para firma")
        await expect(bubble(page, "Circulé la versión")).to_be_visible(timeout=SLOW)
        signatories = ("facilitador", "gobierno", "garante", "sociedad_civil")
        for key in (*signatories, "suplente_academia"):
            await play(page, key)
            await press(page, "Firmo el acta", "Firmo el acta", "Tu firma quedó registrada")
        await expect(bubble(page, "Tu firma quedó registrada")).to_contain_text(
            "Eras la última firma", timeout=SLOW
        )
        signed = bubble(page, "Acta firmada de la Primera Sesión Ordinaria 2026")
        await expect(signed).to_be_visible(timeout=SLOW)
        link = signed.locator("a.document")
        async with page.expect_download() as downloading:
            await link.click()
        download = await downloading.value
        assert download.suggested_filename.endswith(".pdf")
        content = await asyncio.to_thread(Path(await download.path()).read_bytes)
        assert content.startswith(b"%PDF")
        await page.screenshot(path=str(artifacts / "demo-signed.png"), full_page=True)

        # The public record updated: the microsite lists the signed minutes (R19 a).
        async with page.expect_popup() as opening:
            await page.get_by_role("link", name="Abrir el micrositio público").click()
        site = await opening.value
        await site.goto(demo.microsite + "actas")
        await expect(site.locator("main")).to_contain_text("Primera Sesión Ordinaria 2026")
        await site.screenshot(path=str(artifacts / "demo-microsite-actas.png"), full_page=True)

    # Ctrl-C stops the page, the bot process and the fake, and removes the data.
    demo.process.send_signal(signal.SIGINT)
    assert demo.process.wait(30) == 0, demo.printed()
    assert "Demostración detenida" in demo.printed()
    assert not demo.data_dir.exists()
    for url in (demo.url, demo.microsite):
        port = int(url.split(":")[2].split("/")[0])
        with pytest.raises(ConnectionRefusedError):
            await asyncio.to_thread(socket.create_connection, ("127.0.0.1", port), 2)
    async with httpx.AsyncClient() as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(demo.url, timeout=2)
