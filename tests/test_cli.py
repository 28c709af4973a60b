"""The command line as users run it: exit codes, JSON shapes, determinism across processes."""

import json


def test_help_and_list(cli):
    assert cli("--help").returncode == 0
    listing = json.loads(cli("list", "--json").stdout)
    assert {"conv1d"} <= {t["id"] for t in listing}


def test_show_json_shape(cli):
    result = cli("show", "conv1d", "--set", "signal=[100,101,99,200,199,201]", "--set", "kernel=[-1,0,1]",
                 "--format", "json")
    data = json.loads(result.stdout)
    assert set(data) == {"template", "version", "seed", "params", "parts"}
    assert data["parts"][0] == {"id": "output", "kind": "vector", "points": 3, "answer": [-1, 99, 100, 1]}


def test_same_seed_same_bytes_across_processes(cli):
    for fmt in ("md", "tex", "json"):
        a = cli("show", "conv1d", "--seed", "1234", "--format", fmt, "--solution" if fmt != "json" else "--seed=1234")
        b = cli("show", "conv1d", "--seed", "1234", "--format", fmt, "--solution" if fmt != "json" else "--seed=1234")
        c = cli("show", "conv1d", "--seed", "1235", "--format", fmt)
        assert a.returncode == 0 and a.stdout == b.stdout and a.stdout != c.stdout


def test_answer_json(cli):
    result = cli("answer", "conv1d", "output", "[-1, 99, 100, 1]", "--set", "signal=[100,101,99,200,199,201]",
                 "--set", "kernel=[-1,0,1]", "--json")
    assert json.loads(result.stdout) == {"status": "correct", "score": 1.0, "feedback": "Correct.",
                                         "misconception": None}


def test_bad_input_is_one_line_exit_2(cli):
    for args in (["show", "conv1d", "--set", "kernel=abc"], ["show", "conv2d"], ["show", "conv1d", "--set", "x"],
                 ["answer", "conv1d", "nope", "1"], ["check", "--bank", "/nonexistent.yaml"]):
        result = cli(*args)
        assert result.returncode == 2, args
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_check_passes(cli):
    result = cli("check", "--seeds", "30")
    assert result.returncode == 0, result.stdout[-500:]
    assert "ok" in result.stdout.splitlines()[-1]


def test_list_groups_by_topic_in_lecture_order(cli):
    lines = cli("list").stdout.splitlines()
    topics = [line for line in lines if line and not line.startswith(" ")]
    assert topics[0] == "convolution" and topics[-1] == "concepts" and len(topics) == len(set(topics))


def test_every_built_in_topic_has_its_place_in_the_lecture_order():
    from exercises.registry import TOPIC_ORDER, all_templates

    topics = {t.topic for t in all_templates().values() if type(t).__module__.startswith("exercises.topics.")}
    assert topics - set(TOPIC_ORDER) == set(), "add the new topic to exercises.registry.TOPIC_ORDER"
    assert set(TOPIC_ORDER) - topics == set(), "TOPIC_ORDER names a topic no template has"


def test_list_params_names_what_can_be_pinned(cli):
    lines = [line.strip() for line in cli("list", "--params").stdout.splitlines()]
    conv = lines[lines.index(next(line for line in lines if line.startswith("conv1d"))) + 1]
    assert conv == "params: signal, kernel, padding, stride, dilation"  # settings drawn, unless pinned


def test_shipped_bank_covers_every_template():
    from exercises.bank import load_bank
    from exercises.registry import all_templates

    bank = load_bank()
    used = {alt.template for quiz in bank.quizzes.values() for slot in quiz.slots for alt in slot.alternatives}
    assert used == set(all_templates())


def test_any_user_error_is_one_line_exit_2_and_a_traceback_with_debug(monkeypatch, capsys):
    import argparse

    import pytest

    import exercises.cli as cli_module
    from grader.errors import UserError

    class NewKindOfMistake(UserError):  # an error class the command has never heard of
        pass

    def failing(error):
        def parser():
            def run(args):
                raise error

            top = argparse.ArgumentParser()
            top.add_argument("--debug", action="store_true")
            top.set_defaults(run=run)
            return top
        return parser

    monkeypatch.setattr(cli_module, "parser", failing(NewKindOfMistake("what is wrong; what to do")))
    assert cli_module.main([]) == 2
    assert capsys.readouterr().err == "cnnquiz: error: what is wrong; what to do\n"
    with pytest.raises(NewKindOfMistake):
        cli_module.main(["--debug"])
    monkeypatch.setattr(cli_module, "parser", failing(ValueError("a bug")))
    with pytest.raises(ValueError, match="a bug"):  # not the user's mistake: its traceback shows
        cli_module.main([])


def test_the_errors_users_see_share_one_base():
    from exercises.bank import BankError
    from exercises.build import BuildError
    from exercises.commands.common import UsageError
    from exercises.export import ExportError
    from exercises.params import ParamError
    from exercises.render.pdf import EngineError
    from exercises.roster import RosterError
    from grader.errors import UserError
    from grader.keyfile import KeyFileError

    for error in (BankError, BuildError, UsageError, ExportError, ParamError, EngineError, RosterError, KeyFileError):
        assert issubclass(error, UserError), error
    assert issubclass(ParamError, ValueError) and issubclass(EngineError, RuntimeError)  # as callers catch them
