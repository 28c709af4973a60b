"""Generation of question variants without rendering: 10,000 variants spread over all templates,
and `cnnquiz check` for 200 seeds per template.

Run: .venv/bin/python bench/bench_generate.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import median_seconds, print_table  # noqa: E402

from exercises.check import check_template  # noqa: E402
from exercises.registry import all_templates, generate  # noqa: E402

VARIANTS = 10_000


def generate_all() -> None:
    ids = list(all_templates())
    for i in range(VARIANTS):
        generate(ids[i % len(ids)], seed=i)


def check_all() -> None:
    for template in all_templates().values():
        assert not check_template(template, range(200))


if __name__ == "__main__":
    templates = all_templates()
    generate_all()  # warm up: imports, caches
    total = median_seconds(generate_all, 3)
    rows = [(f"generate {VARIANTS:,} variants ({len(templates)} templates)", f"{total:.2f} s")]
    for template_id in templates:
        seconds = median_seconds(lambda t=template_id: [generate(t, seed=s) for s in range(500)], 3)
        rows.append((f"  {template_id}: per variant", f"{seconds / 500 * 1e3:.2f} ms"))
    rows.append(("check: 200 seeds per template", f"{median_seconds(check_all, 1):.2f} s"))
    print_table("Generation", rows)
