"""The template registry: a decorator that registers a template under a stable kebab-case id,
lookup by id (with 'did you mean'), and `generate`, which turns an id, a seed and pinned
parameters into a Question."""

from __future__ import annotations

import difflib
import functools
import importlib
import pkgutil
import re
from dataclasses import replace
from typing import Any, ClassVar

import numpy as np

from exercises.model import Question
from exercises.params import MISSING, Param, ParamError, check_params
from exercises.seeding import make_rng
from grader.errors import UserError

_REGISTRY: dict[str, Template] = {}
_ID = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


class Template:
    """A question family. Subclasses set the class attributes and implement the four hooks.

    `topic` groups templates in `cnnquiz list` and on the practice page: the lecture's topics come first, in
    the order of TOPIC_ORDER (below); a built-in template with a new topic adds it there (a test checks), any
    other topic is listed after them, by name.

    - `sample(rng, params)`: fill in every parameter that `params` (pinned values and
      defaults) does not already hold, with pleasant, non-degenerate random values;
    - `validate(params)`: cross-parameter checks on the complete set (raise ParamError);
    - `build(params)`: the exact Question, with misconceptions attached to its parts;
    - `verify(question)`: recompute every expected answer by an independent method and raise
      AssertionError on any disagreement.
    """

    id: ClassVar[str]
    version: ClassVar[int]
    topic: ClassVar[str]
    summary: ClassVar[str]
    params: ClassVar[dict[str, Param]]
    # Parameters a quiz slot draws once for all its students (unless the bank pins them or lists them
    # under `vary`), so that everyone answers the same kind of question, e.g. a concepts question's form.
    shared: ClassVar[tuple[str, ...]] = ()
    # Minutes a prepared student needs per part, by hand: one number for every part, or a mapping part id →
    # minutes (exercises/sitting.py: parts not listed, and templates that state none, take its default).
    minutes: ClassVar[float | dict[str, float] | None] = None

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def validate(self, params: dict[str, Any]) -> None:
        """Cross-parameter checks; the default accepts everything the specs accept."""

    def build(self, params: dict[str, Any]) -> Question:
        raise NotImplementedError

    def verify(self, question: Question) -> None:
        raise NotImplementedError

    def question(self, params: dict[str, Any], **content: Any) -> Question:
        """A Question of this template for `params` (build() calls it; generate() adds the seed)."""
        return Question(template=self.id, version=self.version, seed=None, params=params, **content)


class TemplateError(UserError, ValueError):
    """A template that breaks the contract (id, version, params, hooks) or clashes with another one."""


_HOOKS = ("sample", "build", "verify")


def _contract_problem(cls: type) -> str | None:
    """What is wrong with a template class, or None."""
    if not isinstance(cls, type) or not issubclass(cls, Template):
        return "@template decorates a subclass of exercises.registry.Template"
    template_id = getattr(cls, "id", None)
    if not isinstance(template_id, str) or not _ID.match(template_id):
        return f"template id {template_id!r} is not kebab-case (like 'my-question')"
    version = getattr(cls, "version", None)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        return f"{template_id}: version must be a whole number ≥ 1, got {version!r}"
    for name in ("topic", "summary"):
        if not isinstance(getattr(cls, name, None), str) or not getattr(cls, name).strip():
            return f"{template_id}: {name} must be a short text"
    params = getattr(cls, "params", None)
    if not isinstance(params, dict) or not all(isinstance(k, str) and isinstance(v, Param) for k, v in params.items()):
        return f"{template_id}: params must map parameter names to specs of exercises.params (Int, IntList …)"
    if not _minutes_ok(getattr(cls, "minutes", None)):
        return (f"{template_id}: minutes must be a number of minutes > 0 per part, or a mapping part id: minutes, "
                f"got {cls.minutes!r}")
    missing = [hook for hook in _HOOKS if getattr(cls, hook) is getattr(Template, hook)]
    if missing:
        return f"{template_id}: implement {', '.join(missing)} (verify recomputes the key by an independent method)"
    return None


def _minutes_ok(value: Any) -> bool:
    def positive(number: Any) -> bool:
        return isinstance(number, int | float) and not isinstance(number, bool) and number > 0

    if isinstance(value, dict):
        return bool(value) and all(isinstance(k, str) and positive(v) for k, v in value.items())
    return value is None or positive(value)


def template(cls: type[Template]) -> type[Template]:
    """Class decorator: register a Template subclass under its `id` (TemplateError if it breaks the contract)."""
    problem = _contract_problem(cls)
    if problem:
        raise TemplateError(problem)
    if cls.id in _REGISTRY:
        other = type(_REGISTRY[cls.id]).__module__
        owner = "a built-in template" if other.startswith("exercises.topics.") else f"the template in {other}"
        raise TemplateError(f"template id {cls.id!r} is already taken by {owner}; choose another id")
    _REGISTRY[cls.id] = cls()
    return cls


ENTRY_POINTS = "cnnquiz.templates"  # the entry-point group of templates shipped as Python packages


@functools.cache
def _load_topics() -> None:
    """Import every topic module once (a test may already have imported some of them directly), then the
    templates that installed packages declare in the `cnnquiz.templates` entry-point group."""
    import exercises.topics as topics

    for module in pkgutil.iter_modules(topics.__path__):
        importlib.import_module(f"exercises.topics.{module.name}")
    from importlib.metadata import entry_points

    for entry in entry_points(group=ENTRY_POINTS):
        try:
            entry.load()
        except Exception as error:  # noqa: BLE001 - one line naming the package's entry point
            raise TemplateError(f"entry point {ENTRY_POINTS} {entry.name} = {entry.value}: cannot load: "
                                f"{type(error).__name__}: {error}") from None


# The lecture's order of topics; `cnnquiz list` groups by topic in this order (others follow, by name): a new
# topic of a built-in template goes here (tests/test_cli.py fails until it does). The order is the lecture's,
# so it is written down rather than derived (module names are alphabetical, and a course's bank may order its
# weeks differently). Topics beyond the lecture sit where the book (Goodfellow et al., ch. 9) treats them:
# channels and stride with padding (9.5), backpropagation after the layers' parameters (the end of 9.5); the
# architectures lecture follows chapter 9.
TOPIC_ORDER = (
    "convolution", "convolution as matrix", "sparse, local and shared weights", "equivariance and invariance",
    "padding and output size", "channels and stride", "pooling", "receptive fields", "parameters",
    "backpropagation", "architectures", "concepts",
)


def _lecture_order(item: tuple[str, Template]) -> tuple:
    topic = item[1].topic
    rank = TOPIC_ORDER.index(topic) if topic in TOPIC_ORDER else len(TOPIC_ORDER)
    return rank, topic, item[0]


def all_templates() -> dict[str, Template]:
    """Every registered template by id, grouped by topic in the lecture's order, then by id."""
    _load_topics()
    return dict(sorted(_REGISTRY.items(), key=_lecture_order))


def get(template_id: str) -> Template:
    """The template with this id; ParamError with a suggestion if there is none."""
    _load_topics()
    if template_id in _REGISTRY:
        return _REGISTRY[template_id]
    templates = all_templates()
    close = difflib.get_close_matches(template_id, list(templates), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ParamError(f"unknown template {template_id!r}{hint}; `cnnquiz list` shows them all")


def resolve_params(tmpl: Template, seed: int, pinned: dict[str, Any]) -> dict[str, Any]:
    """Pinned values (checked), then defaults, then the seed draws the rest."""
    params = {name: spec.default for name, spec in tmpl.params.items() if spec.default is not MISSING}
    params.update(check_params(tmpl.id, tmpl.params, pinned))
    params = tmpl.sample(make_rng(seed), params)
    tmpl.validate(params)
    return params


def generate(template_id: str, seed: int = 0, **pinned: Any) -> Question:
    """Build the question of `template_id` for `seed`, with any parameters pinned."""
    tmpl = get(template_id)
    params = resolve_params(tmpl, seed, pinned)
    return replace(tmpl.build(params), seed=seed)


