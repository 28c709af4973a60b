"""A course's own templates: Python files that the bank names (`templates: [templates/]`), imported once and
registered like the built-in ones.

Each file (or each `*.py` of a folder, except those starting with `_`) is imported as a module of its own.
Whatever goes wrong while importing it (a syntax error, a failing import, a template that breaks the
contract or takes a built-in's id) is one `CourseError` naming the file and line.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import traceback
from pathlib import Path

from exercises.registry import TemplateError, all_templates
from grader.errors import UserError

_LOADED: dict[Path, str] = {}  # resolved file → module name: loading a bank twice imports nothing twice


class CourseError(UserError, ValueError):
    """A course template file that cannot be used: `file:line: what is wrong`."""


def template_files(path: Path) -> list[Path]:
    """The template files a `templates:` entry names: the file itself, or a folder's `*.py` (sorted)."""
    if path.is_dir():
        return sorted(p for p in path.glob("*.py") if not p.name.startswith("_"))
    if path.suffix == ".py" and path.is_file():
        return [path]
    raise CourseError(f"{path}: not a folder of templates nor a .py file")


def load_template_file(path: Path) -> str:
    """Import one course template file (once) and return its module name."""
    path = path.resolve()
    if path in _LOADED:
        return _LOADED[path]
    all_templates()  # the built-ins first, so that a clash is reported against the course's file
    name = "cnnquiz_course_" + hashlib.sha256(str(path).encode()).hexdigest()[:12] + "_" + path.stem
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise CourseError(f"{path}: cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look modules up by name
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # noqa: BLE001 - reported as one line naming the file and line
        del sys.modules[name]
        raise CourseError(f"{_where(path, error)}: {_problem(error)}") from None
    _LOADED[path] = name
    return name


def load_templates(paths: list[Path]) -> tuple[str, ...]:
    """Import every template file of these `templates:` entries; the ids of the templates they define."""
    modules = {load_template_file(file) for path in paths for file in template_files(path)}
    return tuple(tid for tid, t in all_templates().items() if type(t).__module__ in modules)


def _where(path: Path, error: Exception) -> str:
    """`file:line` of the error inside the course's file (a syntax error's own line, else the last frame there)."""
    if isinstance(error, SyntaxError) and error.lineno:
        return f"{path}:{error.lineno}"
    frames = [f for f in traceback.extract_tb(error.__traceback__) if Path(f.filename).resolve() == path]
    return f"{path}:{frames[-1].lineno}" if frames else str(path)


def _problem(error: Exception) -> str:
    if isinstance(error, TemplateError):
        return str(error)
    if isinstance(error, SyntaxError):
        return f"syntax error: {error.msg}"
    return f"cannot load this template file: {type(error).__name__}: {error}"
