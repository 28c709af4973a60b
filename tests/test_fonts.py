"""No character of the sheets is dropped silently: the build knows which ones the engine's fonts lack, warns
about each student they concern (and fails with --strict), and prints them with the fonts of a font folder.

Typst runs with the system's fonts hidden (--ignore-system-fonts), as on a bare machine, whatever this one
has; the CJK font is the OFL subset in tests/data/fonts (中张伟李 only). LaTeX tests skip without TeX.
"""

import io
import shutil
import unicodedata
from pathlib import Path

import pytest
from conftest import DATA, FONTS, ROOT, latex_unavailable, run_cli
from pypdf import PdfReader

import exercises
import exercises.render.fonts as fonts
from exercises.bank import BankError
from exercises.build import BuildError, BuildOptions, build
from exercises.registry import all_templates
from exercises.render.coverage import MissingGlyphs
from exercises.render.fonts import FontSetup, to_unicode_text, typst_missing
from exercises.render.pdf import latex_program
from exercises.render.question import render_question
from exercises.render.texescape import escape_latex
from exercises.render.texfonts import font_environment, missing_in_log

ROSTER = str(ROOT / "examples" / "roster.csv")
BANK = DATA / "build_bank.yaml"
BARE = FontSetup(system=False)
NO_WORLD_TEX = latex_unavailable(world=True)
WORLD = pytest.mark.skipif(NO_WORLD_TEX is not None, reason=str(NO_WORLD_TEX))


def text_of(pdf: Path) -> str:
    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    return unicodedata.normalize("NFC", " ".join(page.extract_text() for page in reader.pages))


def test_typst_knows_what_its_own_fonts_lack():
    assert typst_missing("张伟 Ελένη Παπαδοπούλου José Núñez Zoë ‘ok’ — …", BARE) == {"张", "伟"}
    assert typst_missing("张伟李王", FontSetup(tuple(FONTS), system=False)) == {"王"}
    assert typst_missing("", BARE) == set() and typst_missing(" \t\u200b\n", BARE) == set()  # nothing to print


def test_two_characters_of_one_glyph_both_print(monkeypatch):
    """The Ångström sign prints with the glyph of Å: the PDF maps that glyph to one of them only, so the
    other is confirmed in a second round, probed apart."""
    monkeypatch.setattr(fonts, "_MAX_ROUNDS", 1)
    assert len(typst_missing("\u212b\u00c5", BARE)) == 1
    monkeypatch.undo()
    assert typst_missing("\u212b\u00c5", BARE) == set()


def test_to_unicode_maps_are_read_whole():
    cmap = (b"2 beginbfchar\n<0001> <0041>\n<0002> <D83DDE00>\nendbfchar\n"
            b"2 beginbfrange\n<0003> <0005> <0061>\n<0006> <0007> [<4F60> <00660069>]\nendbfrange\n")
    assert to_unicode_text(cmap) == "A\U0001F600abc你fi"


def test_every_template_prints_with_typsts_own_fonts():
    """What the templates write (statements, solutions, figures' labels) needs no system font."""
    seen = set()
    for template in all_templates():
        for seed in range(5):
            seen |= set(render_question(exercises.generate(template, seed=seed), "typ", solution=True))
    assert any(ord(ch) > 0x7E for ch in seen)
    assert typst_missing(seen, BARE) == set()


def test_a_name_no_font_has_is_named_in_the_warning(tmp_path):
    result = build("week-04", BuildOptions(roster_path=ROSTER, out=str(tmp_path), formats="pdf", system_fonts=False))
    gaps = result.missing_glyphs
    assert gaps == MissingGlyphs("Typst", "", (("s1003", "张伟", "张伟"),))
    message = gaps.message()
    assert "s1003 张伟: 张 (U+5F20), 伟 (U+4F1F)" in message
    assert "fonts-noto-cjk" in message and "--font-path DIR" in message
    assert "张伟" not in text_of(result.out_dir / "students" / "s1003.pdf")  # the warning is right: it is blank
    assert "Ελένη Παπαδοπούλου" in text_of(result.out_dir / "students" / "s1004.pdf")


def test_the_fix_fits_the_engine_and_the_script():
    typst = MissingGlyphs("Typst", "", (("s1", "Salmā سلمى", "سلمى"),)).message()
    assert "s1 Salmā سلمى: س (U+0633), ل (U+0644), م (U+0645), ى (U+0649)" in typst
    assert "fonts-noto-core" in typst and "--font-path DIR" in typst and "cjk" not in typst
    latex = MissingGlyphs("XeLaTeX", "✓", (("", "", "张"),)).message()
    assert "every sheet (title, course, date or instructions): ✓ (U+2713)" in latex
    assert "the sheet (no roster): 张 (U+5F20)" in latex
    assert "texlive-lang-chinese" in latex and "these symbols: build them with --engine typst" in latex


def test_with_a_font_folder_the_name_prints(tmp_path):
    result = build("week-04", BuildOptions(roster_path=ROSTER, out=str(tmp_path), formats="pdf", system_fonts=False,
                                           font_paths=FONTS))
    assert result.missing_glyphs is None
    for pdf in ("students/s1003.pdf", "students/s1003-key.pdf", "quiz.pdf", "key.pdf"):
        assert "张伟" in text_of(result.out_dir / pdf), pdf


def test_cli_warns_once_and_strict_exits_1_with_every_file_written(tmp_path):
    args = ("build", "week-04", "--roster", ROSTER, "--out", str(tmp_path), "--ignore-system-fonts")
    done = run_cli(*args)
    assert done.returncode == 0 and "built week-04 for 6 students" in done.stdout
    assert done.stderr.count("warning:") == 1 and "s1003 张伟" in done.stderr
    (tmp_path / "week-04" / "quiz.pdf").unlink()
    strict = run_cli(*args, "--strict")
    assert strict.returncode == 1 and "s1003 张伟" in strict.stderr
    assert (tmp_path / "week-04" / "quiz.pdf").is_file() and (tmp_path / "week-04" / "students" / "s1003.pdf").is_file()
    fixed = run_cli(*args, "--strict", "--font-path", FONTS[0])
    assert fixed.returncode == 0 and fixed.stderr == ""


def test_a_title_no_font_has_is_reported_once_for_every_sheet(tmp_path):
    bank = tmp_path / "bank.yaml"
    bank.write_text(BANK.read_text(encoding="utf-8").replace("Test quiz: convolutions", "测验 王: convolutions"),
                    encoding="utf-8")
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name\na1,张伟\na2,王芳\na3,Ada\n", encoding="utf-8")
    result = build("week-t", BuildOptions(bank_path=str(bank), roster_path=str(roster), out=str(tmp_path / "out"),
                                          formats="pdf", system_fonts=False, font_paths=FONTS))
    assert result.missing_glyphs.shared == "测王验"
    assert result.missing_glyphs.students == (("a2", "王芳", "芳"),)  # 王 is already on every sheet's list


def test_the_bank_names_font_folders_beside_it(tmp_path):
    shutil.copytree(FONTS[0], tmp_path / "course-fonts")
    bank = tmp_path / "bank.yaml"
    bank.write_text(BANK.read_text(encoding="utf-8") + "fonts: [course-fonts]\n", encoding="utf-8")
    result = build("week-t", BuildOptions(bank_path=str(bank), roster_path=ROSTER, out=str(tmp_path / "out"),
                                          formats="pdf", system_fonts=False))
    assert result.missing_glyphs is None
    assert "张伟" in text_of(result.out_dir / "students" / "s1003.pdf")
    bank.write_text(BANK.read_text(encoding="utf-8") + "fonts:\n  - course-fonts\n  - missing\n", encoding="utf-8")
    with pytest.raises(BankError, match=r"bank.yaml:\d+:\d+: fonts: no folder 'missing'"):
        build("week-t", BuildOptions(bank_path=str(bank), out=str(tmp_path / "out"), formats="md"))


def test_bad_font_options_are_one_line_exit_2(tmp_path):
    done = run_cli("build", "week-t", "--bank", str(BANK), "--out", str(tmp_path), "--font-path", str(tmp_path / "x"))
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "no such folder" in done.stderr
    with pytest.raises(BuildError, match="--engine typst only"):
        build("week-t", BuildOptions(bank_path=str(BANK), out=str(tmp_path), formats="tex", engine="latex",
                                     system_fonts=False))
    assert not (tmp_path / "week-t").exists()


def test_cnnquiz_fonts_lists_families_and_scripts():
    done = run_cli("fonts", "--ignore-system-fonts", "--font-path", FONTS[0])
    assert done.returncode == 0, done.stderr
    rows = {line.split("  ")[0]: line for line in done.stdout.splitlines()}
    assert "embedded in Typst" in rows["Libertinus Serif"] and "Greek, Cyrillic" in rows["Libertinus Serif"]
    assert "font folder" in rows["Cnnquiz Test CJK"] and rows["Cnnquiz Test CJK"].endswith("Chinese (Han)")
    assert "No font covers: " in done.stdout and "Korean (Hangul)" in done.stdout.splitlines()[-1]


def test_latex_sheets_try_the_font_folders_cjk_font_first(tmp_path):
    build("week-t", BuildOptions(bank_path=str(BANK), roster_path=ROSTER, out=str(tmp_path), formats="tex",
                                 font_paths=FONTS))
    tex = (tmp_path / "week-t" / "quiz.tex").read_text(encoding="utf-8")
    ours = tex.index("\\setCJKmainfont{CnnquizTestCJK-Regular.otf}")
    assert ours < tex.index("\\setCJKmainfont{WenQuanYi Micro Hei}")
    assert tex.count("{") == tex.count("}")


def test_tex_sees_the_font_folders_through_osfontdir(monkeypatch):
    monkeypatch.setenv("OSFONTDIR", "/usr/share/fonts")
    env = font_environment(FontSetup(tuple(FONTS)))
    assert env == {"OSFONTDIR": f"{Path(FONTS[0]).resolve()}//:/usr/share/fonts"}
    assert font_environment(FontSetup()) == {}


def test_xetex_logs_name_the_missing_characters():
    log = ("Missing character: There is no 王 (U+738B) in font [CnnquizTestCJK-Regular.otf]/\n"
           "Missing character: There is no ض in font DejaVu Serif/OT:script=latn;l\n")
    assert missing_in_log(log) == {"王", "ض"}


@WORLD
def test_xelatex_warns_about_what_its_fonts_lack(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name\na1,张伟\na2,王芳\na3,سلمى\na4,José\n", encoding="utf-8")
    result = build("week-t", BuildOptions(bank_path=str(BANK), roster_path=str(roster), out=str(tmp_path / "out"),
                                          formats="pdf", engine="latex", font_paths=FONTS))
    gaps = result.missing_glyphs
    assert gaps.engine == "XeLaTeX" and gaps.shared == ""
    assert [(sid, chars) for sid, _, chars in gaps.students] == [("a2", "王芳"), ("a3", "سلمى")]
    assert "--engine typst" in gaps.message()
    assert "张伟" in text_of(result.out_dir / "students" / "a1.pdf")  # with the font folder's CJK font


@WORLD
def test_cnnquiz_fonts_for_latex_names_the_font_folders_cjk_font():
    done = run_cli("fonts", "--engine", "latex", "--font-path", FONTS[0])
    assert done.returncode == 0, done.stderr
    assert "CJK font (xeCJK): CnnquizTestCJK-Regular.otf (font folder)" in done.stdout
    assert "Chinese (Han)" in done.stdout.split("xelatex prints:")[1].splitlines()[0]


def latex_sheets(tmp_path: Path, roster: Path) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Week 7's LaTeX sheets for a roster (its instructions have a ⋆, which LaTeX prints as math) and the names."""
    out = build("week-07", BuildOptions(roster_path=str(roster), out=str(tmp_path), formats="tex")).out_dir
    sources = {kind: (out / f"{kind}.tex").read_text(encoding="utf-8") for kind in ("key", "quiz")}
    names = [(line.split(",")[0], line.split(",")[1]) for line in roster.read_text(encoding="utf-8").splitlines()[1:]]
    return sources, names


def test_latex_coverage_probes_only_what_xelatex_typesets(tmp_path, monkeypatch):
    """pdflatex gets the sheets of a Latin class: nothing is probed, nothing is missing; for other names, xelatex's
    probe gets the characters of the LaTeX sheets, not those of the bank's plain text (its ⋆ is typeset as math)."""
    import exercises.render.coverage as coverage
    import exercises.render.pdf as pdf

    monkeypatch.setattr(pdf, "_pdflatex_ready", lambda: True)
    monkeypatch.setattr(pdf.shutil, "which", lambda name: f"/usr/bin/{name}")
    probed: list[set[str]] = []
    monkeypatch.setattr(coverage, "xelatex_missing", lambda source, chars, fonts: probed.append(set(chars)) or set())
    latin = tmp_path / "latin.csv"
    latin.write_text("student_id,name\na1,Ada Lovelace\na2,José Núñez\n", encoding="utf-8")
    sources, names = latex_sheets(tmp_path / "latin", latin)
    assert "⋆" not in sources["quiz"] and "\\ensuremath{\\star}" in sources["quiz"]
    shared = [escape_latex(text) for text in ("Quiz 7", "Deep Learning", "2026-12-22", "⋆ is cross-correlation")]
    assert coverage.find_missing(sources, names, shared, "latex", BARE) is None and probed == []
    sources, names = latex_sheets(tmp_path / "world", Path(ROSTER))
    assert coverage.find_missing(sources, names, shared, "latex", BARE) is None
    assert len(probed) == 1 and {"张", "伟", "Ε"} <= probed[0] and "⋆" not in probed[0]


@WORLD
def test_a_latex_build_of_weeks_6_and_7_is_strict_clean(tmp_path):
    """Their instructions' ⋆ prints (as math): no warning, and --strict passes."""
    for week in ("week-06", "week-07"):
        done = run_cli("build", week, "--roster", ROSTER, "--out", str(tmp_path), "--engine", "latex", "--strict",
                       "--font-path", FONTS[0], "--format", "pdf")
        assert done.returncode == 0 and done.stderr == "", done.stderr
        assert f"built {week} for 6 students" in done.stdout
        assert "⋆" in text_of(tmp_path / week / "students" / "s1001.pdf")


def test_the_summary_counts_one_student_in_the_singular(tmp_path):
    roster = tmp_path / "one.csv"
    roster.write_text("student_id,name\na1,Ada\n", encoding="utf-8")
    done = run_cli("build", "week-t", "--bank", str(BANK), "--roster", str(roster), "--out", str(tmp_path),
                   "--format", "md")
    assert done.returncode == 0 and "built week-t for 1 student in" in done.stdout, done.stdout + done.stderr


@pytest.mark.skipif(latex_unavailable() is not None, reason=str(latex_unavailable()))
def test_a_latin_class_goes_to_pdflatex_unprobed(tmp_path, monkeypatch):
    """Week 7 (a ⋆ in its instructions) for a Latin class compiles with pdflatex, and no XeLaTeX probe runs."""
    import exercises.render.coverage as coverage

    probed = []
    monkeypatch.setattr(coverage, "xelatex_missing", lambda *args: probed.append(args) or set())
    latin = tmp_path / "latin.csv"
    latin.write_text("student_id,name\na1,Ada Lovelace\n", encoding="utf-8")
    result = build("week-07", BuildOptions(roster_path=str(latin), out=str(tmp_path), formats="pdf,tex",
                                           engine="latex"))
    assert result.missing_glyphs is None and probed == []
    assert latex_program((result.out_dir / "quiz.tex").read_text(encoding="utf-8")) == "pdflatex"
