"""Clean stops: no gap_fit outlives a ``phonogap demo`` stopped by SIGTERM, SIGHUP or SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from process_helpers import alive

psutil = pytest.importorskip("psutil")

SRC = Path(__file__).resolve().parents[2] / "src"


def _gap_fits(process: psutil.Process) -> list[psutil.Process]:
    try:
        children = process.children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    return [child for child in children if "gap_fit" in _name(child)]


def _name(process: psutil.Process) -> str:
    try:
        return " ".join(process.cmdline()[:1]) or process.name()
    except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
        return ""


@pytest.fixture
def demo_in_fit(tmp_path):
    """Start ``phonogap demo`` and wait until its gap_fit runs; yield (popen, gap_fit)."""
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "PHONOGAP_STORE_DIR": str(tmp_path / "store"),
        "OMP_NUM_THREADS": "1",
    }
    env.pop("PHONOGAP_STORE_CONFIG", None)
    popen = subprocess.Popen(
        [sys.executable, "-m", "phonogap.cli", "demo", "--out", str(tmp_path / "out")],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    parent = psutil.Process(popen.pid)
    found: list[psutil.Process] = []
    deadline = time.monotonic() + 120
    while not found and popen.poll() is None and time.monotonic() < deadline:
        found = _gap_fits(parent)
        time.sleep(0.05)
    if not found:
        popen.kill()
        pytest.fail(f"no gap_fit child appeared: {popen.communicate()[1][-2000:]}")
    yield popen, found
    for process in found:  # never leave one behind, whatever the test found
        if alive(process):
            process.kill()
    if popen.poll() is None:
        popen.kill()
    popen.communicate()


def _gone_within(processes: list[psutil.Process], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(alive(process) for process in processes):
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_stop_signal_ends_gap_fit_and_says_so(demo_in_fit, sig):
    popen, gap_fits = demo_in_fit
    popen.send_signal(sig)
    assert _gone_within(gap_fits, 10), [p.pid for p in gap_fits if alive(p)]
    _, err = popen.communicate(timeout=30)
    assert popen.returncode == 128 + sig
    assert f"error: terminated by {signal.Signals(sig).name}" in " ".join(err.split())
    assert "Traceback" not in err


def test_sigkill_of_phonogap_ends_gap_fit_by_the_parent_death_signal(demo_in_fit):
    popen, gap_fits = demo_in_fit
    popen.kill()  # no handler runs: only the kernel's parent-death signal can help
    popen.wait(timeout=10)
    assert _gone_within(gap_fits, 10), [p.pid for p in gap_fits if alive(p)]
