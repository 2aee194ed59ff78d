"""A failed run prints one line per failed job; the traceback goes to OUT/phonogap.log."""

from __future__ import annotations

from pathlib import Path

import pytest

import phonogap.fitting.fit_in_directory
from phonogap.cli import main
from phonogap.cli.failures import exception_message
from phonogap.fitting.gap_fit_run import GapFitError


@pytest.fixture
def failing_fit(tmp_path, monkeypatch):
    monkeypatch.setenv("PHONOGAP_STORE_DIR", str(tmp_path / "store"))
    monkeypatch.delenv("PHONOGAP_STORE_CONFIG", raising=False)

    def fail(arguments, workdir, **kwargs):
        raise GapFitError(
            "gap_fit exited with status 1 in the job folder\nSYSTEM ABORT: out of memory",
            Path(workdir) / "gap_fit.log",
            1,
        )

    monkeypatch.setattr(phonogap.fitting.fit_in_directory, "run_gap_fit_or_reuse", fail)
    return tmp_path / "out"


@pytest.mark.parametrize("verbose", [False, True])
def test_failed_job_is_one_line_and_its_traceback_goes_to_the_log(failing_fit, capsys, verbose):
    out = failing_fit
    assert main([*(["-v"] if verbose else []), "demo", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    (line,) = [line for line in err.splitlines() if line.startswith("failed: job 'fit_gap'")]
    assert (
        "GapFitError: gap_fit exited with status 1 in the job folder SYSTEM ABORT: out of memory"
        in line
    )
    folder = line.rsplit("[folder ", 1)[1].rstrip("]")
    assert Path(folder).parent == (out / "jobs").resolve()
    log = (out / "phonogap.log").read_text()
    assert "Traceback (most recent call last)" in log
    assert (
        f"tracebacks {'above and in' if verbose else 'in'} {(out / 'phonogap.log').resolve()}"
        in err
    )
    assert ("Traceback (most recent call last)" in err) is verbose
    assert "error: flow demo_diamond_si produced no benchmark summary" in " ".join(err.split())


def test_exception_message_takes_the_last_exception_of_a_chain():
    text = (
        'Traceback (most recent call last):\n  File "a.py", line 1, in <module>\n'
        "    x()\nKeyError: 'a'\n\nThe above exception was the direct cause of the following "
        'exception:\n\nTraceback (most recent call last):\n  File "b.py", line 2, in f\n'
        "    raise Y\nphonogap.errors.PhonogapError: first line\nsecond line\n"
    )
    assert exception_message(text) == "PhonogapError: first line second line"
