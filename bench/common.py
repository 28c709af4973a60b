"""Shared helpers for the benchmarks: timing with medians, and a table printer."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable


def median_seconds(run: Callable[[], object], repeats: int = 5) -> float:
    """The median wall time of `run` over `repeats` runs."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def print_table(title: str, rows: list[tuple[str, str]]) -> None:
    """A two-column table, with the machine's core count in the title."""
    print(f"{title} (median; {os.cpu_count()} cores)")
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
