"""Plain text in LaTeX: its special characters escaped, the few math symbols of the prose written as math.

Its own module, below the LaTeX printer and the figure back ends that both use it."""

_ESCAPES = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    # symbols that no text font encoding of pdfTeX holds: typeset as math, so a Latin sheet needs no XeLaTeX
    "−": r"\ensuremath{-}",
    "→": r"\ensuremath{\to}",
    "↦": r"\ensuremath{\mapsto}",
    "⋆": r"\ensuremath{\star}",
    "×": r"\ensuremath{\times}",
    "·": r"\ensuremath{\cdot}",
    "≈": r"\ensuremath{\approx}",
    "…": r"\ldots{}",
    "∗": r"\ensuremath{\ast}",
    "≤": r"\ensuremath{\le}",
    "≥": r"\ensuremath{\ge}",
    "≠": r"\ensuremath{\ne}",
    "ᵀ": r"\ensuremath{^{\top}}",
    "⊗": r"\ensuremath{\otimes}",
    "⌊": r"\ensuremath{\lfloor}",
    "⌋": r"\ensuremath{\rfloor}",
    "⌈": r"\ensuremath{\lceil}",
    "⌉": r"\ensuremath{\rceil}",
}

_TABLE = str.maketrans(_ESCAPES)


def escape_latex(text: str) -> str:
    """Escape LaTeX's special characters in plain text (and write math symbols as math)."""
    return text.translate(_TABLE)
