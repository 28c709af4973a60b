"""Cold start of the CLI: `cnnquiz --help` and `cnnquiz show conv1d`, each a fresh process.

Run: .venv/bin/python bench/bench_cli.py
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import median_seconds, print_table  # noqa: E402

BIN = Path(sys.executable).parent / "cnnquiz"


def cold(*args: str) -> float:
    return median_seconds(lambda: subprocess.run([str(BIN), *args], check=True, capture_output=True), repeats=7)


if __name__ == "__main__":
    print_table("CLI cold start", [
        ("cnnquiz --help", f"{cold('--help'):.3f} s"),
        ("cnnquiz show conv1d", f"{cold('show', 'conv1d'):.3f} s"),
        ("cnnquiz show toeplitz --solution", f"{cold('show', 'toeplitz', '--solution'):.3f} s"),
        ("cnnquiz list", f"{cold('list'):.3f} s"),
    ])
