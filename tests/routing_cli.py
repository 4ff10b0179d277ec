"""Run the routing command line (`python -m routing`) as a user would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_cli(*arguments: object, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """The finished command: exit status, stdout and stderr as text."""
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "routing", *map(str, arguments)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )
