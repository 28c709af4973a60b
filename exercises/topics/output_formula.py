"""output-size's formula part: the general output size as a formula, asked exactly as the layer is set.

With the padding given as a number of zeros the formula is in n, k, p, s (and d when the layer is
dilated, a for a transposed one's output_padding). With the padding given as a word there is no p:
'valid' asks for the size without padding (in n, k, s), 'full' for the size with d(k - 1) zeros on
each side (in n, k, s), 'same' (stride 1 only) for a formula in n and k, which is n itself. Each
form has its own domain, so a counterexample never uses a value the layer does not allow, and a
formula written with what the word fixes (p = 0 for 'valid', s = 1 for 'same') is read as meant.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from exercises.misconceptions import Mistake, expect
from exercises.model import Call, Neg, Op, Plus, Product, Prose, Sym, prose
from grader.answers import Formula

# Variables: n, k, p (per side), s, and d when the question is dilated, a (output_padding, as in
# Dumoulin and Visin's guide to convolution arithmetic) when a transposed one has it.
RANGES = {"n": (1, 40), "k": (1, 9), "p": (0, 4), "s": (1, 4), "d": (1, 3), "a": (0, 3)}
MEANING = {"n": "input size", "k": "kernel size", "p": "padding on each side", "s": "stride", "d": "dilation",
           "a": "output_padding"}

FEEDBACK = {
    "padding-forgotten": "You left out the padding: the zeros on both sides make the input longer "
                         "(a transposed convolution crops them instead).",
    "stride-ignored": "You used stride 1: with stride s the window moves s positions at a time, so divide the "
                      "room it has by s.",
    "output-padding-forgotten": "You left out output_padding: it adds that many positions on one side.",
    "ceil-vs-floor": "You rounded the wrong way: PyTorch rounds down unless ceil_mode is on (and with ceil_mode "
                     "a last partial window still counts).",
    "off-by-one": "You are off by one: the first window position counts too, hence the + 1.",
    "full-instead-of-valid": "You computed the 'full' size (the kernel hanging over the borders): here a window "
                             "must lie inside the (padded) input.",
    "dilation-ignored": "You ignored the dilation: a kernel of size k with dilation d spans d(k − 1) + 1 positions.",
    "conv-formula-for-transpose": "You used the convolution formula: a transposed convolution goes the other way, "
                                  "(n − 1)s − 2p + d(k − 1) + output_padding + 1.",
    "floor-forgotten": "You left out the rounding: when the windows do not tile the input exactly, the division "
                       "is not whole, and PyTorch rounds it down with floor.",
}


def size_formula(transpose: bool = False, extra: Any = "output_padding") -> Any:
    """PyTorch's output size as math: ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1 for a convolution or pooling,
    (n − 1)s − 2p + d(k − 1) + `extra` + 1 for a transposed convolution (`extra` its output_padding)."""
    n, k, pad, s, d = (Sym(name) for name in "nkpsd")
    span = Product(d, Plus(k, -1))
    if transpose:
        return Plus(Product(Plus(n, -1), s), Neg(Product(2, pad)), span, extra, 1)
    return Plus(Call("floor", Op("/", Plus(n, Product(2, pad), Neg(span), -1), s)), 1)


def mode(p: dict[str, Any]) -> str:
    """'zeros' (padding given as a number), or the word: 'valid', 'same', 'full'."""
    return p["padding"] if isinstance(p["padding"], str) else "zeros"


def formula_variables(p: dict[str, Any]) -> tuple[str, ...]:
    """The variables the formula is asked in: exactly those that vary among such layers."""
    extra = ("d",) if p["dilation"] > 1 else ()
    if p["layer"] == "transpose":
        return ("n", "k", "p", "s", *extra, *(("a",) if p["output_padding"] else ()))
    return {"zeros": ("n", "k", "p", "s"), "same": ("n", "k")}.get(mode(p), ("n", "k", "s")) + extra


def formula(p: dict[str, Any], *, padding: bool = True, stride: bool = True, plus_one: bool = True,
            full: bool = False, rounding: str = "floor", dilation: bool = True, output_padding: bool = True,
            transpose: bool = True) -> str:
    """The output-size formula in student syntax; the keywords switch parts off to make a mistake."""
    dilated = dilation and "d" in formula_variables(p)
    if p["layer"] == "transpose" and transpose:
        text = "(n - 1)" + ("*s" if stride else "") + (" - 2*p" if padding else "")
        text += " + d*(k - 1)" if dilated else " + k"  # d(k - 1) + 1 is k when d = 1
        text += " + a" if output_padding and "a" in formula_variables(p) else ""
        if dilated:
            return text + (" + 1" if plus_one else "")
        return text + ("" if plus_one else " - 1")
    reach = "d*(k - 1)" if dilated else "(k - 1)"
    if mode(p) == "same":  # stride 1: d(k - 1) zeros in all, so the output keeps the input's size
        if padding and not full:
            return "n"
        return f"n + {reach}" if full else f"n - {reach}"
    full = full or (mode(p) == "full" and padding)  # 'full' pads d(k - 1) on each side
    pad = " + 2*p" if padding and mode(p) == "zeros" else ""
    if dilated:
        inner = f"n{pad} + d*(k - 1) - 1" if full else f"n{pad} - d*(k - 1) - 1"
    else:
        inner = f"n{pad} + k - 2" if full else f"n{pad} - k"
    if stride:
        inner = f"{rounding}(({inner})/s)" if rounding else f"({inner})/s"
    return inner + (" + 1" if plus_one else "")


def formula_where(p: dict[str, Any]) -> tuple[str, ...]:
    """The layers the formula must hold for: the kernel fits the (padded) input."""
    reach = "d*(k - 1)" if "d" in formula_variables(p) else "(k - 1)"
    if p["layer"] == "transpose":
        return (f"(n - 1)*s + {reach} + 1 >= 2*p + 1",)
    return {"zeros": (f"{reach} + 1 <= n + 2*p",), "valid": (f"{reach} + 1 <= n",)}.get(mode(p), ())


def formula_prompt(p: dict[str, Any]) -> Prose:
    """What is asked, exactly: the variables, and which layers the formula must hold for."""
    names = formula_variables(p)
    meaning = {**MEANING, "p": MEANING["p"] if p["layer"] != "transpose" else "padding"}
    listed = ", ".join(f"{{{v}}} ({meaning[v]})" for v in names)
    zeros = Product(Sym("d"), Plus(Sym("k"), -1)) if "d" in names else Plus(Sym("k"), -1)
    layers = {
        "zeros": "any such layer",
        "valid": "any such layer with 'valid' padding (no zeros added)",
        "same": "any such layer with 'same' padding (stride 1, as PyTorch requires)",
        "full": "any such layer with 'full' padding ({zeros} zeros on each side)",
    }[mode(p) if p["layer"] != "transpose" else "zeros"]
    rounds = p["layer"] != "transpose" and mode(p) != "same"
    text = f"Give the output size as a formula in {listed}, valid for {layers}" + (
        " (type floor(...) to round down)." if rounds else ".")
    return prose(text, **{v: Sym(v) for v in names}, **({"zeros": zeros} if "{zeros}" in text else {}))


def _mistake(applies: Callable[[dict[str, Any]], bool], **switches: Any) -> Callable:
    def compute(p: dict[str, Any]) -> str | None:
        return formula(p, **switches) if applies(p) else None
    return compute


def _strided(p: dict[str, Any]) -> bool:
    return p["layer"] == "transpose" or mode(p) != "same"


def _windowed(p: dict[str, Any]) -> bool:
    return p["layer"] != "transpose" and mode(p) != "same"


FORMULA_MISTAKES = (
    Mistake("padding-forgotten", FEEDBACK["padding-forgotten"],
            _mistake(lambda p: p["layer"] == "transpose" or mode(p) != "valid", padding=False)),
    Mistake("stride-ignored", FEEDBACK["stride-ignored"], _mistake(_strided, stride=False)),
    Mistake("off-by-one", FEEDBACK["off-by-one"], _mistake(_strided, plus_one=False)),
    Mistake("full-instead-of-valid", FEEDBACK["full-instead-of-valid"],
            _mistake(lambda p: p["layer"] == "conv" and mode(p) != "full", full=True)),
    Mistake("ceil-vs-floor", FEEDBACK["ceil-vs-floor"], _mistake(_windowed, rounding="ceil")),
    Mistake("floor-forgotten", FEEDBACK["floor-forgotten"], _mistake(_windowed, rounding="")),
    Mistake("dilation-ignored", FEEDBACK["dilation-ignored"],
            _mistake(lambda p: "d" in formula_variables(p) and _strided(p), dilation=False)),
    Mistake("conv-formula-for-transpose", FEEDBACK["conv-formula-for-transpose"],
            _mistake(lambda p: p["layer"] == "transpose", transpose=False)),
    Mistake("output-padding-forgotten", FEEDBACK["output-padding-forgotten"],
            _mistake(lambda p: "a" in formula_variables(p), output_padding=False)),
)


def formula_given(p: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """What a worded padding fixes, so that a formula written with p (or s) is read as meant."""
    reach = "d*(k - 1)" if "d" in formula_variables(p) else "(k - 1)"
    if p["layer"] == "transpose":
        return ()
    return {"valid": (("p", "0"),), "full": (("p", reach),), "same": (("p", f"{reach}/2"), ("s", "1"))}.get(
        mode(p), ())


def formula_answer(p: dict[str, Any]) -> Formula:
    """The formula part's answer spec: the key, its domain, and the mistakes that apply."""
    variables = formula_variables(p)
    return expect(Formula, formula(p), p, FORMULA_MISTAKES, variables=variables,  # type: ignore[return-value]
                  ranges=tuple((v, *RANGES[v]) for v in variables), where=formula_where(p), given=formula_given(p))
