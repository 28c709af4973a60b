"""Determinism across machines: pinned seeds give the same variants (parameters and answers) for every
template, and a bank's salt, quiz and student give the same seeds. A sampler change shows up here;
when it is intended, bump the template's version and regenerate with `pytest --update-golden`."""

import json

from test_golden import GOLDEN, check_golden

import exercises
from exercises.registry import all_templates
from exercises.seeding import derive_seed

SEEDS = (1, 2024, derive_seed("course-salt", "week-04", "s123456", 3))


def test_seeded_variants_are_golden(update_golden):
    variants = {f"{template_id}@{seed}": exercises.generate(template_id, seed=seed).to_json()
                for template_id in all_templates() for seed in SEEDS}
    check_golden("seeds.json", json.dumps(variants, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                 update_golden)


def test_golden_seeds_cover_every_template():
    recorded = json.loads((GOLDEN / "seeds.json").read_text(encoding="utf-8"))
    assert {key.split("@")[0] for key in recorded} == set(all_templates())
    assert all(entry["version"] == all_templates()[key.split("@")[0]].version for key, entry in recorded.items())
