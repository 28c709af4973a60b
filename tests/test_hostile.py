"""Hostile student input: every kind answers it (mostly `invalid`), quickly, and nothing runs.

"Nothing runs" is watched two ways while grading: an audit hook records any code execution,
compilation, import, file opening or process start (events Python raises for exactly these),
and builtins.eval/exec are replaced by functions that fail. Injection attempts also aim at a
sentinel file that must not appear. Time is bounded only loosely here (2 s, to catch hangs);
the real figures are in bench/bench_grade.py.
"""

import builtins
import os
import sys
import time
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader import Choice, Choices, Formula, Integer, Matrix, Misconception, Number, Tuple, Vector, grade

OPTIONS = (("sparse", "Sparse interactions"), ("dense", "Every output uses every input"),
           ("shared", "Parameter sharing"), ("equivariant", "Equivariance to translation"))
SPECS = {
    "integer": Integer(value=61706, misconceptions=(Misconception("m", "Off by one.", 61705),)),
    "number": Number(value=Fraction(7, 2)),
    "approximate": Number(value=Fraction(1, 3), rtol=Fraction(1, 100)),
    "vector": Vector(value=[-1, 99, 100, 1], misconceptions=(Misconception("m", "Flipped.", [1, 100, 99, -1]),)),
    "tuple": Tuple(value=(6, 4), names=("rows", "columns")),
    "matrix": Matrix(value=[[-1, 0], [0, -1], [1, 0]]),
    "choice": Choice(value="shared", options=OPTIONS),
    "choices": Choices(value=("sparse", "shared"), options=OPTIONS),
    "formula": Formula(value="floor((n + 2*p - k)/s) + 1", variables=("n", "k", "p", "s"),
                       ranges={"n": (1, 40), "k": (1, 7), "p": (0, 3), "s": (1, 4)}, where=("k <= n + 2*p",)),
}
SENTINEL = f"/tmp/cnnquiz-hostile-sentinel-{os.getpid()}"  # injections below try to create it

# (text, kinds for which it is benign and may get a real grade; every other kind must say "invalid")
HOSTILE = [
    # code injection and dunder access
    (f"__import__('os').system('touch {SENTINEL}')", ()),
    ("().__class__.__bases__[0].__subclasses__()", ()),
    ("[c for c in ().__class__.__base__.__subclasses__()]", ()),
    ("lambda: 0", ()),
    (f"open('{SENTINEL}', 'w').write('x')", ()),
    (f"exec(\"open('{SENTINEL}', 'w')\")", ()),
    ("eval('1+1')", ()),
    ("__builtins__.__dict__['eval']('1')", ()),
    ("getattr(n, '__class__')", ()),
    ("n.__class__", ()),
    ("import os; os.system('ls')", ()),
    ("{0.__class__}", ()),
    ("${7*7}", ("formula",)),  # template-injection syntax; as a formula it is just 49
    # huge numbers
    ("9**9**9", ()),
    ("10^10^10", ()),
    ("2^64^64", ()),
    ("(10^60)^64", ()),
    ("9" * 1_000_000, ()),
    ("1" + "0" * 5000, ()),
    ("1e999999", ()),
    ("1e-999999", ()),
    ("\\frac{1}{0}", ()),
    # deep nesting
    ("[" * 100_000 + "1" + "]" * 100_000, ()),
    ("[" * 5000 + "1" + "]" * 5000, ()),
    ("(" * 100_000 + "n" + ")" * 100_000, ()),
    ("(" * 100 + "n" + ")" * 100, ()),
    ("\\begin{bmatrix}" * 1000, ()),
    ("\\frac{" * 1000, ()),
    ("-" * 10_000 + "1", ("integer", "number", "approximate", "vector", "tuple", "matrix")),  # just -1 or 1
    # long strings
    ("x" * 1_000_000, ()),
    ("A" * 1_000_000, ()),
    ("1 " * 500_000, ()),
    ("A" * 19_000, ()),
    ("1, " * 5000, ("vector", "tuple", "matrix")),  # a long but readable list: wrong length
    # NUL bytes, invalid UTF-8 (decoded with surrogateescape), control characters
    ("1\x002", ()),
    ("\x00", ()),
    ("C\x00", ()),
    (b"\xff\xfe[1, 2]\xc3".decode("utf-8", "surrogateescape"), ()),
    (b"\xed\xa0\x80".decode("utf-8", "surrogateescape"), ()),
    ("\ud800", ()),
    ("\x1b[31m1\x1b[0m", ()),
    ("\u200f", ()),
    ("🙂", ()),
    # bidi and invisible marks, even around otherwise fine answers: what is read must be what is seen
    ("\u202e[-1, 99, 100, 1]\u202c", ()),
    ("\u2067C\u2069", ()),
    ("6\u200b1706", ()),
    ("[-1, 99, 100, 1]\ufeff", ()),
    ("&#8238;C", ()),
    ("1\u0301\u0301\u0301", ()),
]


class Watch:
    """Records, while on, the audit events that would mean student text ran or touched the system."""

    EVENTS = {"exec", "compile", "import", "open", "os.system", "subprocess.Popen", "os.exec", "os.posix_spawn",
              "os.spawn", "os.fork", "socket.connect", "ctypes.dlopen", "builtins.input", "shutil.rmtree", "os.remove"}

    def __init__(self):
        self.on = False
        self.seen = []
        sys.addaudithook(self.hook)  # audit hooks cannot be removed: this one is inert while off

    def hook(self, event, args):
        if self.on and event in self.EVENTS:
            self.seen.append((event, repr(args)[:200]))


WATCH = Watch()


@pytest.fixture
def watched(monkeypatch):
    """Grade with eval/exec disabled and the audit hook watching; fail if anything was recorded."""
    for spec in SPECS.values():  # warm up: lazy imports (sympy) happen now, not while watching
        grade(spec, spec.to_text())
        grade(spec, "1")
    grade(SPECS["formula"], "(n + 2p - k)/s + 1")
    grade(Formula(value="k*k*c + 1", variables=("k", "c")), "k^2 c + 2")

    def refuse(*args, **kwargs):
        raise AssertionError("eval/exec called while grading")

    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(builtins, "exec", refuse)
    WATCH.seen.clear()
    WATCH.on = True
    try:
        yield
    finally:
        WATCH.on = False
    assert WATCH.seen == []


def timed_grade(spec, text):
    started = time.perf_counter()
    result = grade(spec, text)
    elapsed = time.perf_counter() - started
    assert elapsed < 2, f"grading took {elapsed:.2f} s"
    return result


def assert_well_formed(result):
    assert result.status in {"correct", "partial", "incorrect", "invalid"}
    assert 0 <= result.score <= 1
    assert result.feedback and len(result.feedback) < 600
    assert all(ch.isprintable() or ch == "\n" for ch in result.feedback), repr(result.feedback)


@pytest.mark.parametrize(("text", "benign"), HOSTILE, ids=[f"hostile-{i}" for i in range(len(HOSTILE))])
def test_hostile_input_is_invalid_quickly_and_nothing_runs(text, benign, watched):
    for kind, spec in SPECS.items():
        result = timed_grade(spec, text)
        assert_well_formed(result)
        if kind not in benign:
            assert result.status == "invalid", (kind, result)
    assert not os.path.exists(SENTINEL)


def test_the_watch_sees_code_running():
    WATCH.seen.clear()
    WATCH.on = True
    try:
        code = compile("1 + 1", "<student>", "eval")
        eval(code)  # noqa: S307 - the point: the watch must see this
        open(os.devnull).close()
    finally:
        WATCH.on = False
    assert {"compile", "exec", "open"} <= {event for event, _ in WATCH.seen}
    WATCH.seen.clear()


def test_hidden_marks_are_refused_and_say_which():
    result = grade(SPECS["vector"], "\u202e[-1, 99, 100, 1]\u202c")
    assert result.status == "invalid" and "U+202E RIGHT-TO-LEFT OVERRIDE" in result.feedback
    assert grade(SPECS["choice"], "\ufeffC").status == "correct"  # a byte-order mark at the start is an artefact
    assert grade(SPECS["formula"], "${7*7}").status == "incorrect"


@pytest.mark.parametrize("value", [None, b"1", 1, ["1"]])
def test_non_text_is_invalid(value):
    for spec in SPECS.values():
        assert grade(spec, value).status == "invalid"


FORMULA_PIECES = st.sampled_from(["n", "k", "p", "s", "2", "0", "1.5", "+", "-", "*", "/", "^", "**", "(", ")",
                                  "{", "}", "⌊", "⌋", "⌈", "⌉", "floor(", "ceil(", "max(", ",", "\\frac", "\\lfloor",
                                  "\\rfloor", "\\left(", "\\right)", "\\cdot", " ", "np", "=", "$"])
NUMBER_PIECES = st.sampled_from(["1", "-", "0.5", "7/2", ",", ";", "\n", " ", "[", "]", "(", ")", "{", "}", "x", "&",
                                 "\\\\", "\\begin{bmatrix}", "\\end{bmatrix}", "\\frac{1}{2}", "e5", "y =", "A", "c",
                                 "none", "and", ".", "answer:", "\u2212", "\u200f", "\x00"])


@settings(max_examples=150, deadline=None)
@given(st.one_of(
    st.text(max_size=200),
    st.lists(FORMULA_PIECES, max_size=40).map("".join),
    st.lists(NUMBER_PIECES, max_size=40).map("".join),
    st.binary(max_size=200).map(lambda b: b.decode("utf-8", "surrogateescape")),
))
def test_grade_never_raises_for_any_kind(text):
    for spec in SPECS.values():
        assert_well_formed(grade(spec, text))
