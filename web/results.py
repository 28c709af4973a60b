"""Grades on the course service, from the code `cnnquiz grade --db` runs: web.collect's submissions graded by
grader.batch's grade_class. A student's released result is their row of that gradebook (the points, feedback
and misconception of their feedback file), with the key and their variant's worked solution (the HTML printer).

Graded answers are kept per served key (`ServedKey.graded`): an answer is graded again only when its text
changed, so neither the staff page nor a student's page regrades the class on every load.
"""

from __future__ import annotations

from typing import Any

from grader.answers import Answer
from grader.batch import GradeAnswer, GradedRow, PartGrade, grade_class
from grader.feedback import Result, grade
from grader.gradebook import part_json
from grader.keyfile import KeyQuestion, KeyStudent
from web.collect import submissions_from_store
from web.course import CourseQuiz
from web.pages import printed, render
from web.quiz import ServedKey

NOTHING_SAVED = "No answer was saved."


def grade_memo(served: ServedKey) -> GradeAnswer:
    """grader.feedback.grade, remembering each of the key's answers' last text and result."""
    cache = served.graded

    def cached(answer: Answer, text: str) -> Result:
        entry = cache.get(id(answer))
        if entry is not None and entry[0] is answer and entry[1] == text:
            return entry[2]
        result = grade(answer, text)
        cache[id(answer)] = (answer, text, result)  # the answer is kept alive with its entry: its id stays its own
        return result

    return cached


def graded_row(quiz: CourseQuiz, student: KeyStudent) -> GradedRow:
    """The student's row of the class's gradebook, graded alone (the same row: rows are graded one by one)."""
    served = quiz.key.served()
    key = served.key_of((student,))
    return grade_class(key, submissions_from_store(quiz.store, key, student.student_id), grade_memo(served)).rows[0]


def score_of(row: GradedRow) -> float:
    """A graded row's total as the gradebook writes it (two decimals; 0 when nothing was graded): what the
    student, the course page and the LMS are shown."""
    return round(row.total or 0.0, 2) + 0.0


def solution_html(quiz: CourseQuiz, question: KeyQuestion) -> str:
    """The question's key and worked solution, as the HTML printer prints them."""
    return render("solution.html.j2", q=printed(quiz.key.question_context(question)))


def result(quiz: CourseQuiz, student: KeyStudent) -> dict[str, Any]:
    """The released result: what `GET /api/q/{token}/result` sends, and the page shows (blocking)."""
    row = graded_row(quiz, student)
    parts = row.parts if row.graded else [PartGrade(p.column, p.points, p.answer, None, None) for p in student.parts]
    shown = []
    for part in parts:
        detail = part_json(part)
        if not row.graded:
            detail["feedback"] = NOTHING_SAVED
        shown.append({**detail, "key": part.answer.to_text()})
    return {"released": True, "quiz": quiz.id, "student_id": student.student_id,
            "score": score_of(row), "max": row.maximum, "status": row.status, "parts": shown,
            "solution_html": "\n".join(solution_html(quiz, question) for question in student.questions)}
