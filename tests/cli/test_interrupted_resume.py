"""A demo stopped after its fit: the running job is failed in the store, a rerun skips gap_fit."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from phonogap.cli import main
from phonogap.store.interruptions import find_interruptions
from phonogap.store.jobstore import embedded_store
from phonogap.store.queries import find_summaries
from process_helpers import alive

psutil = pytest.importorskip("psutil")
quippy = pytest.importorskip("quippy")

SRC = Path(__file__).resolve().parents[2] / "src"
NEXT_JOB = "Starting job - phonon_benchmark mp-149"
"""Logged when the fit job has finished and the (3 s) benchmark of diamond Si starts."""

# names neither quippy nor pyenv, so phonogap runs this script rather than the bundled binary
SHIM = '#!/bin/sh\necho "$$ $*" >> "$GAP_FIT_CALLS"\nexec "$REAL_GAP_FIT" "$@"\n'


@pytest.fixture
def demo_env(tmp_path):
    """Environment of an isolated demo whose gap_fit calls are counted in ``calls.txt``."""
    shim = tmp_path / "bin" / "gap_fit"
    shim.parent.mkdir()
    shim.write_text(SHIM)
    shim.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{shim.parent}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(SRC),
        "PHONOGAP_STORE_DIR": str(tmp_path / "store"),
        "OMP_NUM_THREADS": "1",
        "GAP_FIT_CALLS": str(tmp_path / "calls.txt"),
        "REAL_GAP_FIT": str(Path(quippy.__path__[0]) / "gap_fit"),
    }
    for variable in ("PHONOGAP_STORE_CONFIG", "PHONOGAP_FIT_CACHE_DIR", "JOBFLOW_CONFIG_FILE"):
        env.pop(variable, None)
    return env


def _gap_fit_calls(tmp_path: Path) -> int:
    calls = tmp_path / "calls.txt"
    return len(calls.read_text().splitlines()) if calls.is_file() else 0


def _wait_for_log_line(popen: subprocess.Popen[str], log: Path, text: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and popen.poll() is None:
        if log.is_file() and text in log.read_text():
            return
        time.sleep(0.02)
    popen.kill()
    pytest.fail(f"{text!r} never logged: {popen.communicate()[1][-2000:]}")


def test_demo_stopped_after_the_fit_records_the_job_and_resumes_without_gap_fit(
    tmp_path, demo_env, monkeypatch, capsys
):
    out = tmp_path / "out"
    command = [sys.executable, "-m", "phonogap.cli", "demo", "--out", str(out)]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    popen = subprocess.Popen(command, env=demo_env, cwd=tmp_path, **pipes)
    _wait_for_log_line(popen, out / "phonogap.log", NEXT_JOB, 240)
    children = psutil.Process(popen.pid).children(recursive=True)
    popen.send_signal(signal.SIGTERM)
    _, err = popen.communicate(timeout=60)

    assert popen.returncode == 128 + signal.SIGTERM
    said = " ".join(err.split())
    assert (
        "failed: job 'phonon_benchmark mp-149' (structure mp-149) of run demo_diamond_si: "
        "interrupted by SIGTERM at"
    ) in said
    assert "; recorded in the store" in said
    assert not [child.pid for child in children if alive(child)]  # no orphan
    assert _gap_fit_calls(tmp_path) == 1

    store = embedded_store(tmp_path / "store")
    store.connect()
    (stopped,) = find_interruptions(store, "demo_diamond_si")
    assert (stopped.state, stopped.reason) == ("failed", "interrupted by SIGTERM")
    assert Path(stopped.folder).parent == (out / "jobs").resolve()
    raw = store.query_one({"uuid": stopped.job_uuid})
    assert raw["state"] == "failed" and raw["name"] == "phonon_benchmark mp-149"
    assert find_summaries(store, "demo_diamond_si") == []

    monkeypatch.setenv("PHONOGAP_STORE_DIR", str(tmp_path / "store"))
    monkeypatch.delenv("PHONOGAP_STORE_CONFIG", raising=False)
    assert main(["results"]) == 0
    shown = " ".join(capsys.readouterr().out.split())
    assert "failed: job 'phonon_benchmark mp-149'" in shown
    assert "interrupted by SIGTERM" in shown and "run it again to resume" in shown

    rerun = subprocess.run(
        command, env=demo_env, cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert _gap_fit_calls(tmp_path) == 1  # the finished fit was reused, gap_fit not run
    said = " ".join(rerun.stderr.split())
    assert "resuming demo_diamond_si: its job 'phonon_benchmark mp-149' was stopped" in said
    assert "reusing the finished fit" in (out / "phonogap.log").read_text()
    rms = json.loads((out / "results.json").read_text())["median_rms_thz"]
    assert math.isfinite(rms) and 0 <= rms < 1.0

    store.connect(force_reset=True)
    assert len(find_summaries(store, "demo_diamond_si")) == 1
    assert find_interruptions(store) == []  # resumed: no longer listed as pending
    (resumed,) = find_interruptions(store, include_rerun=True)
    assert resumed.rerun_at is not None
