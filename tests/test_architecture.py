"""The house stands: imports flow one way (grader ← exercises ← web), with no circles and no big rooms.

Every import counts, at the top of a module, inside a function or under TYPE_CHECKING: a lazy import
still ties two modules together. An edge goes to the module named (`from a.b import c` reaches
`a.b.c` when that is a module, else `a.b`), never to the packages above it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("grader", "exercises", "web")
MAX_LINES = 500


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported module
    where: str  # file:line, for the message


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {module_name(path): path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))}


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The project module an import names (or the nearest one above it), None outside the project."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> list[Import]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        for name in names:
            target = _resolve(name, modules)
            if target and target != module:
                found.append(Import(module, target, f"{path.relative_to(ROOT)}:{node.lineno}"))
    return list(dict.fromkeys(found))  # `from a import b, c` is one import


def all_imports(modules: dict[str, Path]) -> list[Import]:
    return [imp for module, path in modules.items() for imp in imports_of(module, path, modules)]


def find_cycle(imports: list[Import]) -> list[Import] | None:
    """One import cycle (as the imports that close it), or None."""
    graph: dict[str, list[Import]] = {}
    for imp in imports:
        graph.setdefault(imp.source, []).append(imp)
    state: dict[str, int] = {}  # 1 on the current path, 2 finished
    path: list[Import] = []

    def visit(module: str) -> list[Import] | None:
        state[module] = 1
        for imp in graph.get(module, ()):
            if state.get(imp.target) == 1:
                start = next((i for i, p in enumerate(path) if p.source == imp.target), len(path))
                return path[start:] + [imp]
            if imp.target not in state:
                path.append(imp)
                if cycle := visit(imp.target):
                    return cycle
                path.pop()
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state and (cycle := visit(module)):
            return cycle
    return None


def find_cycles(imports: list[Import], limit: int = 20) -> list[list[Import]]:
    """Cycles one after the other: each found, its closing import set aside, the search run again."""
    cycles, left = [], list(imports)
    while len(cycles) < limit and (cycle := find_cycle(left)):
        cycles.append(cycle)
        left.remove(cycle[-1])
    return cycles


def describe(imports: list[Import]) -> str:
    return "; ".join(f"{imp.where}: {imp.source} imports {imp.target}" for imp in imports)


MODULES = project_modules()
IMPORTS = all_imports(MODULES)


def test_no_import_cycle():
    cycles = find_cycles(IMPORTS)
    assert not cycles, "import cycles:\n" + "\n".join(describe(cycle) for cycle in cycles)


TOP = ("exercises.cli", "exercises.commands")  # the command sits above every layer (DESIGN.md): `serve` and
# `grade --db` import web inside the command


def on_top(module: str) -> bool:
    return module == TOP[0] or module == TOP[1] or module.startswith(TOP[1] + ".")


@pytest.mark.parametrize(("lower", "upper"), [("grader", "exercises"), ("grader", "web"), ("exercises", "web")])
def test_lower_layers_import_nothing_from_upper_ones(lower, upper):
    offending = [imp for imp in IMPORTS if imp.source.split(".")[0] == lower and imp.target.split(".")[0] == upper
                 and not on_top(imp.source)]
    assert not offending, f"{lower} must not import {upper}: {describe(offending)}"


def test_nothing_below_imports_the_command():
    offending = [imp for imp in IMPORTS if on_top(imp.target) and not on_top(imp.source)]
    assert not offending, f"the command is the top of the house: {describe(offending)}"


def test_printers_know_no_topic():
    offending = [imp for imp in IMPORTS
                 if imp.source.startswith("exercises.render") and imp.target.startswith("exercises.topics")]
    assert not offending, f"the printers must not import templates: {describe(offending)}"


def test_figure_model_knows_no_format():
    offending = [imp for imp in IMPORTS
                 if imp.source.startswith("exercises.figures") and imp.target.startswith("exercises.render")]
    assert not offending, f"the figure model must not import printers: {describe(offending)}"


def test_no_module_of_the_packages_is_a_big_room():
    lines = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in MODULES.items()}
    big = {name: n for name, n in lines.items() if n > MAX_LINES}
    assert not big, f"modules over {MAX_LINES} lines: {big}"


# -- the checker itself catches what it must ------------------------------------------------------


def _write(tmp_path: Path, files: dict[str, str]) -> dict[str, Path]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return {name.removesuffix(".py").removesuffix("/__init__").replace("/", "."): tmp_path / name for name in files}


def test_a_circle_through_lazy_and_type_checking_imports_is_found(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    modules = _write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/build.py": "def f():\n    from pkg.sheets import render\n",
        "pkg/sheets.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.build import Variant\n",
        "pkg/model.py": "import pkg.sheets\n",
    })
    cycle = find_cycle(all_imports(modules))
    assert cycle is not None
    assert {imp.source for imp in cycle} == {"pkg.build", "pkg.sheets"}
    assert "pkg/sheets.py:3" in describe(cycle)


def test_a_package_importing_its_kinds_is_no_circle(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    modules = _write(tmp_path, {
        "kinds/__init__.py": "from kinds.base import Answer\nfrom kinds.integer import Integer\n",
        "kinds/base.py": "",
        "kinds/integer.py": "from kinds.base import Answer\nfrom . import base\n",
    })
    assert find_cycle(all_imports(modules)) is None
    modules["kinds.base"].write_text("from kinds import Integer\n", encoding="utf-8")  # back up to the package
    assert find_cycle(all_imports(modules)) is not None
