"""Item analysis of a graded class: report.md and report.svg (hand-written SVG, no plotting library).

Statistics use the counted rows only: graded, not a repeated row of a student already seen, not
entirely blank. For each part: difficulty (mean score, 1 = everyone right), discrimination (the
Pearson correlation of the part's score with the rest-of-test score; undefined when either does
not vary), outcome counts, misconceptions and the most frequent wrong answers, compared within
the same variant (same expected answer) and written in one normal notation. Across the quiz: each
misconception with the students who made it (each student once), its parts, and who made it most.
An unreadable answer is a notation problem, not a misconception, and does not rank a part for
re-teaching.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import dataclass
from html import escape
from pathlib import Path

from grader.answers import Answer
from grader.batch import Gradebook, PartGrade

OUTCOMES = ("correct", "partial", "misconception", "incorrect", "invalid", "blank")
OUTCOME_TITLES = ("correct", "partial", "misconception", "other wrong", "unreadable", "blank")
WRONG = ("partial", "misconception", "incorrect", "invalid")
MISTAKEN = ("partial", "misconception", "incorrect")  # wrong and readable: what a misconception can explain
BINS = 10
TOP_WRONG = 5
TOP_STUDENTS = 5  # students listed per misconception, those who made it in the most parts first


@dataclass(frozen=True)
class WrongAnswer:
    text: str  # the answer in normal notation (or its trimmed text if it could not be read)
    expected: str  # the expected answer of that variant
    count: int
    diagnosis: str  # the misconception id, or the outcome


@dataclass(frozen=True)
class PartStats:
    column: str
    points: int
    answered: int  # counted rows that have this column (blank answers included)
    mean: float | None  # mean score in 0..1: the difficulty index
    discrimination: float | None
    outcomes: dict[str, int]
    misconceptions: list[tuple[str, int, str]]  # (id, students, the misconception's feedback), most frequent first
    wrong_answers: list[WrongAnswer]  # the most frequent, at most TOP_WRONG
    distinct_wrong: int
    variants: int  # distinct expected answers among the counted rows
    readable_mean: float | None  # mean score of the answers that could be read (unreadable ones left out)

    @property
    def to_reteach(self) -> bool:
        """Whether a readable answer (or a blank) fell short: parts everybody got right are not re-taught."""
        return self.readable_mean is not None and self.readable_mean < 1


@dataclass(frozen=True)
class MisconceptionStats:
    """One misconception across the quiz: who made it, where, and who made it most."""

    id: str
    feedback: str  # the misconception's own sentence, without any student's specifics
    students: int  # distinct students who made it in at least one part
    parts: list[tuple[str, int]]  # (column, students who made it there), in quiz order
    most: list[tuple[str, int]]  # (student id, parts in which they made it), at most TOP_STUDENTS, most first


@dataclass(frozen=True)
class ClassStats:
    rows: int
    counted: int
    attention: int
    percentages: list[float]
    histogram: list[int]  # BINS bins of 10 percentage points; 100 % falls in the last
    parts: list[PartStats]
    misconceptions: list[MisconceptionStats]  # across the quiz, most students first

    def summary(self) -> dict[str, float | None]:
        p = self.percentages
        return {
            "mean": statistics.fmean(p) if p else None,
            "median": statistics.median(p) if p else None,
            "lowest": min(p) if p else None,
            "highest": max(p) if p else None,
        }


def analyse(book: Gradebook) -> ClassStats:
    rows = book.counted
    percentages = [round(row.percentage or 0.0, 6) for row in rows]
    histogram = [0] * BINS
    for p in percentages:
        histogram[min(int(p // (100 / BINS)), BINS - 1)] += 1
    answered: dict[str, list[tuple[float, PartGrade]]] = {column: [] for column in book.columns}
    for row in rows:
        total = row.total or 0.0
        for part in row.parts:
            if part.text is not None:  # a missing column is a data problem, not an answer
                answered.setdefault(part.column, []).append((total, part))
    return ClassStats(len(book.rows), len(rows), len(book.attention), percentages, histogram,
                      [_part_stats(column, pairs) for column, pairs in answered.items()],
                      _misconceptions(rows, book.columns))


def _misconceptions(rows: list, columns: list[str]) -> list[MisconceptionStats]:
    """Each misconception named in a readable wrong answer, counted once per student across the quiz."""
    made: dict[str, dict[str, list[str]]] = {}  # id → student → columns
    feedback: dict[str, str] = {}
    for row in rows:
        student = row.student_id.strip() or row.key_id
        for part in row.parts:
            mistake = _misconception(part)
            if mistake is not None:
                made.setdefault(mistake, {}).setdefault(student, []).append(part.column)
                if mistake not in feedback:
                    feedback[mistake] = _feedback(part, mistake)
    order = {column: index for index, column in enumerate(columns)}
    found = []
    for mistake, by_student in made.items():
        parts = Counter(column for used in by_student.values() for column in set(used))
        most = sorted(((student, len(set(used))) for student, used in by_student.items()), key=lambda i: (-i[1], i[0]))
        found.append(MisconceptionStats(mistake, feedback[mistake], len(by_student),
                                        sorted(parts.items(), key=lambda i: (order.get(i[0], len(order)), i[0])),
                                        most[:TOP_STUDENTS]))
    return sorted(found, key=lambda m: (-m.students, m.id))


def _misconception(part: PartGrade) -> str | None:
    """The misconception a readable wrong answer was named after (an unreadable answer has none)."""
    if part.outcome in MISTAKEN and part.result and part.result.misconception:
        return part.result.misconception
    return None


def _feedback(part: PartGrade, mistake: str) -> str:
    """The misconception's own sentence (the result's feedback carries the student's specifics)."""
    known = {m.id: m.feedback for m in part.answer.misconceptions}
    return known.get(mistake) or (part.result.feedback if part.result else "")


def _part_stats(column: str, pairs: list[tuple[float, PartGrade]]) -> PartStats:
    """Statistics of one part from (row total, part grade) pairs."""
    earned = [part.earned for _, part in pairs]
    scores = [e / part.points if part.points else 0.0 for e, (_, part) in zip(earned, pairs, strict=True)]
    readable = [score for score, (_, part) in zip(scores, pairs, strict=True) if part.outcome != "invalid"]
    rest = [total - e for e, (total, _) in zip(earned, pairs, strict=True)]
    outcomes = Counter(part.outcome for _, part in pairs)
    misconceptions: Counter[str] = Counter()
    sentences: dict[str, str] = {}
    wrong: Counter[tuple[tuple[str, object], str, str]] = Counter()  # (variant, answer in normal notation, diagnosis)
    expected: dict[tuple[str, object], str] = {}  # variant → its expected answer in student notation
    for _, part in pairs:
        if part.outcome not in WRONG:
            continue
        mistake = _misconception(part)
        if mistake is not None:
            misconceptions[mistake] += 1
            if mistake not in sentences:
                sentences[mistake] = _feedback(part, mistake)
        diagnosis = mistake or part.outcome
        variant = _variant(part)
        if variant not in expected:
            expected[variant] = part.answer.to_text()
        wrong[(variant, _wrong_text(part), diagnosis)] += 1
    ranked = sorted(wrong.items(), key=lambda item: (-item[1], item[0][1], expected[item[0][0]], item[0][2]))
    return PartStats(
        column=column,
        points=max((part.points for _, part in pairs), default=0),
        answered=len(pairs),
        mean=statistics.fmean(scores) if scores else None,
        discrimination=correlation(scores, rest),
        outcomes={outcome: outcomes.get(outcome, 0) for outcome in OUTCOMES},
        misconceptions=[(m, n, sentences[m]) for m, n in sorted(misconceptions.items(), key=lambda i: (-i[1], i[0]))],
        wrong_answers=[WrongAnswer(text, expected[variant], n, diagnosis) for (variant, text, diagnosis), n in
                       ranked[:TOP_WRONG]],
        distinct_wrong=len(wrong),
        variants=len({_variant(part) for _, part in pairs}),
        readable_mean=statistics.fmean(readable) if readable else None,
    )


def _variant(part: PartGrade) -> tuple[str, object]:
    """What identifies a part's variant: its kind and expected value (exact, hashable: cheaper than writing it out)."""
    return part.answer.kind, part.answer.value


def _wrong_text(part: PartGrade) -> str:
    """A wrong answer in normal notation; a misconception as its value, unreadable text as typed."""
    if _misconception(part) is not None:
        known = {m.id: m.value for m in part.answer.misconceptions}
        if part.result.misconception in known:
            return part.answer.to_text(known[part.result.misconception])
    if part.outcome == "invalid":
        return " ".join((part.text or "").split())
    return normal_text(part.answer, part.text or "")


def normal_text(answer: Answer, text: str) -> str:
    """The answer in the kind's own notation, so '-1 99 100 1' and '[-1,99,100,1]' count as one answer."""
    try:
        return answer.to_text(answer.parse(text))
    except Exception:  # unreadable (or a kind's bug): the trimmed text is the best description
        return " ".join(text.split())


def correlation(xs: list[float], ys: list[float]) -> float | None:
    """Pearson's r; None when there are fewer than 3 pairs or either side does not vary."""
    if len(xs) < 3:
        return None
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx < 1e-12 or syy < 1e-12:
        return None
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


# -- report.md --------------------------------------------------------------------------------


def write_report(book: Gradebook, directory: Path, stats: ClassStats | None = None) -> list[Path]:
    """Write report.md and report.svg into `directory`."""
    stats = stats or analyse(book)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    md, svg = directory / "report.md", directory / "report.svg"
    md.write_text(report_md(book, stats), encoding="utf-8")
    svg.write_text(report_svg(book, stats), encoding="utf-8")
    return [md, svg]


def _value(value: float | None, places: int = 2) -> str:
    return "—" if value is None else f"{value:.{places}f}"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} %"


def _cell(text: str, limit: int = 80) -> str:
    """Table-safe inline code, shortened if long."""
    text = " ".join(text.split())
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return "`" + text.replace("`", "'").replace("|", "\\|") + "`" if text else "(empty)"


def _plain(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def report_md(book: Gradebook, stats: ClassStats) -> str:
    s = stats.summary()
    lines = [
        f"# Item analysis: {book.title or book.quiz} ({book.quiz})",
        "",
        f"Submissions: {book.source}: {stats.rows} rows, {stats.counted} counted in the statistics below, "
        f"{stats.attention} need attention (see the status column of grades.csv).",
        "",
        "![Score distribution and per-part difficulty](report.svg)",
        "",
        "## Scores",
        "",
        "| students | mean | median | lowest | highest |",
        "|---:|---:|---:|---:|---:|",
        f"| {stats.counted} | {_percent(s['mean'])} | {_percent(s['median'])} | {_percent(s['lowest'])} "
        f"| {_percent(s['highest'])} |",
        "",
        "| score | students |",
        "|---|---:|",
        *(f"| {_bin_label(i)} | {n} |" for i, n in enumerate(stats.histogram)),
        "",
        "## Parts",
        "",
        "Difficulty is the mean score (1 = everyone right). Discrimination is the correlation of the part's "
        "score with the rest of the test (— when either does not vary, or fewer than 3 students).",
        "",
        "| part | points | answered | difficulty | discrimination | " + " | ".join(OUTCOME_TITLES) + " |",
        "|---|---:|---:|---:|---:|" + "---:|" * len(OUTCOMES),
    ]
    for part in stats.parts:
        counts = " | ".join(str(part.outcomes[o]) for o in OUTCOMES)
        lines.append(f"| {part.column} | {part.points} | {part.answered} | {_value(part.mean)} "
                     f"| {_value(part.discrimination)} | {counts} |")
    lines += ["", "## What to re-teach", "", "Parts that not everybody got right, from the lowest mean score up, "
              "with their most frequent misconception. Unreadable answers (a notation problem) are left out of "
              "these means.", ""]
    ranked = sorted((p for p in stats.parts if p.to_reteach), key=lambda p: (p.readable_mean, p.column))
    for rank, part in enumerate(ranked, start=1):
        top = part.misconceptions[0] if part.misconceptions else None
        why = f"most frequent misconception `{top[0]}` ({top[1]} of {part.answered})" if top else \
            "no known misconception"
        lines.append(f"{rank}. {part.column}: mean score {_value(part.readable_mean)}; {why}")
    if not ranked:
        lines.append("Nothing: every readable answer was right.")
    lines += _misconceptions_section(stats.misconceptions, stats.counted)
    for part in stats.parts:
        lines += _part_section(part)
    lines += _attention_section(book)
    return "\n".join(lines).rstrip("\n") + "\n"


def _misconceptions_section(found: list[MisconceptionStats], counted: int) -> list[str]:
    lines = ["", "## Misconceptions across the quiz", ""]
    if not found:
        return lines + ["No known misconception was seen."]
    lines += [f"Each student counts once per misconception, however many parts they made it in (of {counted} "
              "students). The students who made it in the most parts come first: whom to re-teach.", "",
              "| misconception | students | parts (students) | made it most | what to re-teach |",
              "|---|---:|---|---|---|"]
    for m in found:
        parts = ", ".join(f"{column} ({n})" for column, n in m.parts)
        most = ", ".join(f"{_plain(student) or '(no id)'} ({n})" for student, n in m.most)
        lines.append(f"| `{m.id}` | {m.students} | {parts} | {most} | {_plain(m.feedback)} |")
    return lines


def _bin_label(index: int) -> str:
    width = 100 // BINS
    low, high = index * width, (index + 1) * width
    return f"{low}–{high} %" if index == BINS - 1 else f"{low}–<{high} %"


def _part_section(part: PartStats) -> list[str]:
    lines = ["", f"## {part.column}", ""]
    if part.misconceptions:
        lines += ["| misconception | students | feedback given |", "|---|---:|---|"]
        lines += [f"| `{m}` | {n} | {_plain(feedback)} |" for m, n, feedback in part.misconceptions]
    else:
        lines.append("No known misconception was seen.")
    wrong = sum(part.outcomes[o] for o in WRONG)
    lines += ["", f"Most frequent wrong answers ({part.distinct_wrong} distinct among {wrong} wrong; "
              f"{part.variants} variant(s), answers compared within a variant):", ""]
    if part.wrong_answers:
        lines += ["| students | answer | expected | diagnosis |", "|---:|---|---|---|"]
        lines += [f"| {w.count} | {_cell(w.text)} | {_cell(w.expected)} | {w.diagnosis} |"
                  for w in part.wrong_answers]
    else:
        lines.append("None.")
    return lines


def _attention_section(book: Gradebook) -> list[str]:
    rows = book.attention
    lines = ["", "## Rows that need attention", ""]
    if not rows:
        return lines + ["None."]
    lines += ["| row | student_id | status |", "|---|---|---|"]
    lines += [f"| {_plain(r.source) or '(key)'} | {_plain(r.student_id) or '(none)'} | {_plain(r.status)} |"
              for r in rows]
    return lines


# -- report.svg --------------------------------------------------------------------------------

WIDTH = 720


def _text(x: float, y: float, content: str, size: int = 12, anchor: str = "start", bold: bool = False) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-family="sans-serif" font-size="{size}" text-anchor="{anchor}"'
            f'{weight}>{escape(content, quote=False)}</text>')


def _rect(x: float, y: float, width: float, height: float, fill: str) -> str:
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" fill="{fill}"/>'


def report_svg(book: Gradebook, stats: ClassStats) -> str:
    """Two panels: the score histogram, and per part the mean score bar with its discrimination."""
    hist_top, hist_height = 60, 180
    parts_top = hist_top + hist_height + 70
    row_height = 22
    height = parts_top + row_height * max(len(stats.parts), 1) + 20
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}">',
        _rect(0, 0, WIDTH, height, "white"),
        _text(20, 24, f"{book.title or book.quiz}: {stats.counted} students", size=16, bold=True),
    ]
    out += _histogram_svg(stats.histogram, hist_top, hist_height)
    out += _parts_svg(stats.parts, parts_top, row_height)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _histogram_svg(histogram: list[int], top: int, height: int) -> list[str]:
    left, width = 60, WIDTH - 100
    bar = width / len(histogram)
    peak = max(max(histogram), 1)
    base = top + height
    out = [_text(20, top - 16, "Score distribution: students per 10 % of the maximum", bold=True),
           f'<line x1="{left}" y1="{base}" x2="{left + width}" y2="{base}" stroke="black"/>']
    for i, count in enumerate(histogram):
        h = (height - 16) * count / peak
        x = left + i * bar
        out.append(_rect(x + 2, base - h, bar - 4, h, "#4a7bb7"))
        out.append(_text(x + bar / 2, base - h - 4, str(count), anchor="middle"))
        out.append(_text(x, base + 16, str(i * 100 // len(histogram)), anchor="middle"))
    out.append(_text(left + width, base + 16, "100 %", anchor="middle"))
    return out


def _parts_svg(parts: list[PartStats], top: int, row_height: int) -> list[str]:
    label_width, bar_width = 150, 360
    left = 20 + label_width
    out = [_text(20, top - 14, "Per part: mean score (bar from 0 to 1; red below 0.5) and discrimination r",
                 bold=True)]
    for i, part in enumerate(parts):
        y = top + i * row_height
        colour = "#c0504d" if part.mean is not None and part.mean < 0.5 else "#4a7bb7"
        out.append(_text(left - 8, y + 15, part.column, anchor="end"))
        out.append(_rect(left, y + 3, bar_width, row_height - 6, "#eeeeee"))
        out.append(_rect(left, y + 3, bar_width * (part.mean or 0.0), row_height - 6, colour))
        out.append(_text(left + bar_width + 8, y + 15, f"mean {_value(part.mean)}, r {_value(part.discrimination)}"))
    if not parts:
        out.append(_text(left, top + 15, "no graded parts"))
    return out


# -- the command's summary --------------------------------------------------------------------


def summary_lines(book: Gradebook, stats: ClassStats, shown: int = 10) -> list[str]:
    """What `cnnquiz grade` prints: counts, the class mean, and the rows that need attention."""
    s = stats.summary()
    lines = [f"graded {sum(r.graded for r in book.rows)} of {stats.rows} rows from {book.source}: "
             f"{stats.counted} counted, mean {_percent(s['mean'])}, median {_percent(s['median'])}"]
    attention = book.attention
    for row in attention[:shown]:
        lines.append(f"  {row.source or 'key'}: {row.student_id or '(no id)'}: {row.status}")
    if len(attention) > shown:
        lines.append(f"  … and {len(attention) - shown} more (see the status column of grades.csv)")
    lines.append(f"{len(attention)} row(s) need attention" if attention else "all rows ok")
    return lines
