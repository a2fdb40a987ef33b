"""Fixtures for the microsite in a real browser: Debian's Chromium driven by Playwright.

No browser is ever downloaded (``playwright install`` is never run): Playwright drives
the system's ``chromium`` (``scripts/system-deps.sh --browser`` installs it). One
browser serves the whole run; every test gets its own application (``harness``) and its
own browser context.

Playwright's objects belong to the event loop that made them, so the browser, the
application under test and the tests all run in pytest-asyncio's *session* loop here:
``harness`` is redefined below with ``loop_scope="session"`` (same body as
tests/conftest.py's) and the test modules mark themselves
``pytest.mark.asyncio(loop_scope="session")``.

Skipping: only where Chromium is not installed, or (outside CI) where it cannot start.
With ``CI`` set, a Chromium that is installed but does not launch fails the run, and a
missing axe-core fails the accessibility test instead of skipping it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Error, async_playwright

from tests.clock import FakeClock
from tests.fakebot import FakeBotAPI
from tests.harness import ADMIN_ID, Harness, start_harness

HERE = Path(__file__).parent
#: Screenshots for people to look at (CI keeps the folder as an artefact; git ignores it).
ARTIFACTS = HERE.parent / "artifacts"
#: Installed by ``npm ci`` in tests/browser (``make test`` does it when npm exists).
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
IN_CI = bool(os.environ.get("CI"))


def chromium_path() -> str | None:
    """The system's Chromium (Debian: /usr/bin/chromium), or ``$CHROMIUM`` when set."""
    if explicit := os.environ.get("CHROMIUM"):
        return explicit
    return shutil.which("chromium") or shutil.which("chromium-browser")


def launch_args() -> list[str]:
    """Chromium refuses its sandbox as root (CI runs as root): ``--no-sandbox`` then."""
    args = ["--disable-dev-shm-usage", "--font-render-hinting=none"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")
    return args


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    """One headless Chromium for every browser test of the run."""
    path = chromium_path()
    if path is None:
        pytest.skip(
            "Chromium no está instalado (Debian: apt-get install chromium, o "
            "bash scripts/system-deps.sh --browser); las pruebas en navegador se omiten"
        )
    async with async_playwright() as playwright:
        try:
            launched = await playwright.chromium.launch(
                executable_path=path, headless=True, args=launch_args()
            )
        except Error as exc:
            reason = f"Chromium ({path}) está instalado pero no arrancó: {exc}"
            if IN_CI:
                pytest.fail(reason)
            pytest.skip(reason)
        try:
            yield launched
        finally:
            await launched.close()


@pytest_asyncio.fixture(loop_scope="session")
async def harness(
    fake: FakeBotAPI, database_url: str, clock: FakeClock, tmp_path: Path
) -> AsyncIterator[Harness]:
    """tests/conftest.py's ``harness``, in the session loop the browser lives in."""
    async with start_harness(
        fake, database_url, clock, admins={ADMIN_ID}, data_dir=tmp_path / "data"
    ) as running:
        yield running


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """``tests/artifacts/`` (created on first use)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def axe_source() -> Path:
    """axe-core's bundle; skips (with how to get it) only outside CI."""
    if not AXE.is_file():
        reason = (
            f"axe-core no está instalado ({AXE.relative_to(HERE.parent.parent)}): "
            "ejecute `npm ci` en tests/browser (make test lo hace cuando hay npm)"
        )
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    return AXE
