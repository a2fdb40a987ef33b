"""Fixtures the end-to-end tests of mail to the garante share (R15a minutes, R17 proposals)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.mail import parse_mail_config
from tests.clock import FakeClock
from tests.fakebot import FakeBotAPI
from tests.harness import ADMIN_ID, Harness, start_harness
from tests.smtp import LocalSMTP


@pytest.fixture
def smtp() -> Iterator[LocalSMTP]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1, for as long as the test runs."""
    with LocalSMTP() as server:
        yield server


@pytest.fixture
async def mailing(
    fake: FakeBotAPI, database_url: str, clock: FakeClock, tmp_path: Path, smtp: LocalSMTP
) -> AsyncIterator[Harness]:
    """The bot with e-mail configured (SMTP_URL to the local server)."""
    config = parse_mail_config(smtp.url(), "STM Zamora <stm@zamora.example.mx>")
    async with start_harness(
        fake, database_url, clock, admins={ADMIN_ID}, data_dir=tmp_path / "data", mail=config
    ) as running:
        yield running
