"""``bench/chain.py`` keeps working (issue 15): a tiny run, figures printed, none asserted."""

from __future__ import annotations

import subprocess
import sys

from tests.processes import ROOT, bot_env


def test_the_chain_benchmark_runs_and_verifies_its_chain() -> None:
    """A small N on SQLite only: every line printed, the chain ``íntegra`` (no timing)."""
    done = subprocess.run(
        [sys.executable, "bench/chain.py", "--acts", "120", "--samples", "20", "--no-postgres"],
        cwd=ROOT,
        env=bot_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split("]")[1].split(":")[0].strip() for line in lines] == [
        "build",
        "append, one act per unit of work (10 samples each)",
        "verify",
        "entry_hash alone",
    ], lines
    assert "130 entries" in lines[2]
    assert lines[2].endswith("íntegra")
