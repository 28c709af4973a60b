"""XeLaTeX and fonts: the font folders reach it through kpathsea's OSFONTDIR (the LaTeX sheet names a
folder's CJK font by its file name), and the characters the sheet's fonts lack are read from the
"Missing character" lines of a probe compiled with the sheet's own preamble. (pdfLaTeX needs neither:
the sheet goes to it only when every character is in its T1 fonts, see exercises.render.pdf.)
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import tempfile
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from exercises.render.fonts import FontSetup, printed_characters

PROBE_TIMEOUT = 120
_MISSING = re.compile(r"^Missing character: There is no (.+?) (?:\(U\+([0-9A-F]{4,6})\) )?in font", re.MULTILINE)


class ProbeError(RuntimeError):
    """XeLaTeX could not compile the probe (the sheet itself would fail the same way)."""


def font_environment(setup: FontSetup) -> dict[str, str]:
    """Environment variables that show TeX the setup's font folders (searched recursively) before its own."""
    if not setup.folders:
        return {}
    folders = [str(Path(folder).resolve()) + "//" for folder in setup.folders]
    default = os.environ.get("OSFONTDIR") or _default_osfontdir()
    return {"OSFONTDIR": os.pathsep.join([*folders, default] if default else folders)}


@functools.cache
def _default_osfontdir() -> str:
    try:
        found = subprocess.run(["kpsewhich", "-var-value", "OSFONTDIR"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return found.stdout.strip()


def xelatex_missing(source: str, characters: Iterable[str], setup: FontSetup) -> set[str]:
    """The characters that XeLaTeX, with the preamble of the LaTeX sheet `source`, prints with no glyph."""
    wanted = printed_characters("".join(characters))
    if not wanted:
        return set()
    return missing_in_log(_run_probe(source, "".join(sorted(wanted)), setup)) & wanted


def _run_probe(source: str, characters: str, setup: FontSetup, before: str = "") -> str:
    """The log of XeLaTeX on `source`'s preamble, then `before`, then each of `characters` set apart."""
    body = " ".join(("o" if unicodedata.combining(ch) else "") + ch for ch in characters)
    probe = f"{preamble(source)}\n{before}\n\\tracinglostchars=1\n{body}\n\\end{{document}}\n"
    env = dict(os.environ, **font_environment(setup))
    with tempfile.TemporaryDirectory(prefix="cnnquiz-fonts-") as tmp:
        tex = Path(tmp) / "probe.tex"
        tex.write_text(probe, encoding="utf-8")
        command = ["xelatex", "-no-pdf", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", tex.name]
        try:
            done = subprocess.run(command, cwd=tmp, env=env, capture_output=True, timeout=PROBE_TIMEOUT)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise ProbeError(f"xelatex could not check the sheet's fonts: {error}") from None
        log = tex.with_suffix(".log")
        text = log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""
    if done.returncode != 0:
        found = re.search(r"^! (.+)$", text, re.MULTILINE)
        raise ProbeError(f"xelatex could not check the sheet's fonts: {found.group(1) if found else 'no log'}")
    return text


def missing_in_log(log: str) -> set[str]:
    """The characters of a XeTeX log's "Missing character: There is no … in font …" lines."""
    missing = set()
    for shown, code in _MISSING.findall(log):
        missing.add(chr(int(code, 16)) if code else shown[:1])
    return missing


def preamble(source: str) -> str:
    """A LaTeX sheet's preamble and \\begin{document} (its fonts are chosen there)."""
    begin = source.find("\\begin{document}")
    if begin < 0:
        raise ProbeError("the LaTeX sheet has no \\begin{document}")
    return source[:begin] + "\\begin{document}"


def latex_listing(source: str, setup: FontSetup) -> list[str]:
    """`cnnquiz fonts` for LaTeX: the fonts XeLaTeX finds with the preamble of the LaTeX sheet `source`
    (the candidates that quiz.tex.j2 tries), and the scripts it prints."""
    from exercises.render.fonts import SCRIPTS, folder_fonts_for

    folder_cjk = [name for name, _ in folder_fonts_for("Chinese (Han)", setup)]
    candidates = ["DejaVu Serif", *folder_cjk, "WenQuanYi Micro Hei", "Noto Serif CJK SC"]
    checks = "".join(f"\\IfFontExistsTF{{{name}}}{{\\typeout{{cnnquiz-font:{name}}}}}{{}}\n" for name in candidates)
    checks += "\\IfFileExists{xeCJK.sty}{\\IfFileExists{ctexhook.sty}{\\typeout{cnnquiz-font:xeCJK}}{}}{}\n"
    log = _run_probe(source, "".join(SCRIPTS.values()), setup, checks + "\\typeout{cnnquiz-font:main \\fontname\\font}")
    found = set(re.findall(r"^cnnquiz-font:(.+)$", log, re.MULTILINE))
    main = next((name[5:] for name in found if name.startswith("main ")), "?").strip('"').split("/")[0]
    missing = missing_in_log(log)
    cjk = next((name for name in candidates[1:] if name in found), None) if "xeCJK" in found else None
    printed = [script for script, chars in SCRIPTS.items() if not set(chars) & missing]
    lines = ["LaTeX sheets whose characters are all in pdfTeX's T1 fonts compile with pdflatex (Latin Modern); "
             "the others with xelatex:",
             f"  main font: {main}",
             f"  CJK font (xeCJK): {cjk or 'none (needs texlive-lang-chinese and a CJK font)'}"
             + (" (font folder)" if cjk in folder_cjk else "")]
    lines.append(f"xelatex prints: {', '.join(printed) or 'none of the scripts'}")
    lacking = [script for script in SCRIPTS if script not in printed]
    if lacking:
        lines.append(f"and not: {', '.join(lacking)} (use --engine typst for these)")
    return lines
