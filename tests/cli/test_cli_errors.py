"""How the command line ends: one line for user errors, tracebacks for bugs and with -v."""

from __future__ import annotations

import re

import pytest

import phonogap.cli.app
import phonogap.cli.run
from phonogap.cli import main
from phonogap.cli.run import FlowFailedError
from phonogap.errors import PhonogapError


@pytest.fixture
def empty_store(tmp_path, monkeypatch):
    monkeypatch.setenv("PHONOGAP_STORE_DIR", str(tmp_path / "store"))
    monkeypatch.delenv("PHONOGAP_STORE_CONFIG", raising=False)
    return tmp_path


def _raising(exc: BaseException):
    def handler(args):
        raise exc

    return handler


def _error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.strip()]


def test_user_error_is_one_line_and_status_2(tmp_path, capsys):
    missing = tmp_path / "missing.yaml"
    assert main(["run", str(missing)]) == 2
    (line,) = _error_lines(capsys.readouterr().err)
    assert line.startswith("error: workflow file ")
    assert "missing.yaml does not exist" in line


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["results", "--export", "rows.txt"], r"rows\.txt must end in \.csv or \.json"),
        (["plot", "run", "--name", "nothing"], r"no benchmark run named 'nothing' in the store"),
        (["results", "--store", "mongodb://h/x?nosuchoption=1"], r"store URI .* not usable"),
    ],
)
def test_user_errors_of_store_commands(empty_store, capsys, command, message):
    assert main(command) == 2
    (line,) = _error_lines(capsys.readouterr().err)
    assert line.startswith("error: ")
    assert re.search(message, line)


def test_verbose_prints_the_traceback_of_a_user_error(tmp_path, capsys):
    assert main(["-v", "run", str(tmp_path / "missing.yaml")]) == 2
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert "read_workflow_file" in err  # the frame that raised
    assert "WorkflowFileError" in err
    assert _error_lines(err)[-1].startswith("error: workflow file ")


@pytest.mark.parametrize("bug", [ZeroDivisionError, ValueError, KeyError, RuntimeError])
def test_a_bug_propagates_with_its_traceback(empty_store, monkeypatch, bug):
    monkeypatch.setattr(phonogap.cli.app, "cmd_results", _raising(bug("a bug")))
    with pytest.raises(bug, match="a bug"):
        main(["results"])


def test_failed_flow_exits_1_and_ctrl_c_130(monkeypatch, capsys):
    monkeypatch.setattr(phonogap.cli.run, "cmd_demo", _raising(FlowFailedError("no summary")))
    assert main(["demo"]) == 1
    assert _error_lines(capsys.readouterr().err) == ["error: no summary"]
    monkeypatch.setattr(phonogap.cli.run, "cmd_demo", _raising(KeyboardInterrupt()))
    assert main(["demo"]) == 130
    assert _error_lines(capsys.readouterr().err) == ["error: interrupted"]


def test_any_phonogap_error_is_reported(monkeypatch, capsys):
    monkeypatch.setattr(phonogap.cli.run, "cmd_demo", _raising(PhonogapError("[bold]x[/] y")))
    assert main(["demo"]) == 2
    assert _error_lines(capsys.readouterr().err) == ["error: [bold]x[/] y"]  # no rich markup
