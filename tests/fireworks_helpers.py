"""Small jobs and worker helpers for the FireWorks tests (importable by rlaunch workers)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from jobflow import Flow, job

TESTS_DIR = Path(__file__).parent
SRC_DIR = TESTS_DIR.parent / "src"


@job
def record(label: str, log_file: str, seconds: float = 0.2) -> dict:
    """Append ``label`` to a log file (one line per execution) and return it."""
    time.sleep(seconds)
    with open(log_file, "a") as handle:
        handle.write(f"{label} {os.getpid()}\n")
    return {"label": label, "pid": os.getpid()}


@job
def gather(values: list[dict], log_file: str) -> dict:
    """Depend on every record job; record this execution too."""
    with open(log_file, "a") as handle:
        handle.write(f"gather {os.getpid()}\n")
    return {"labels": sorted(value["label"] for value in values)}


@job(data=["array"])
def blocking(block_file: str, started_file: str, after: object = None) -> dict:
    """Mark the start, then wait while ``block_file`` exists; return a large-ish array."""
    Path(started_file).write_text(str(os.getpid()))
    while Path(block_file).exists():
        time.sleep(0.2)
    return {"array": np.arange(50_000, dtype=float).tolist(), "pid": os.getpid()}


def fan_out_flow(n: int, log_file: str) -> Flow:
    """``n`` independent record jobs and one gather job after them."""
    jobs = [record(f"job{i}", log_file) for i in range(n)]
    last = gather([j.output for j in jobs], log_file)
    return Flow([*jobs, last], output=last.output, name="fan_out")


def worker_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment of a worker process: this checkout's sources and the test helpers."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(SRC_DIR), str(TESTS_DIR), env.get("PYTHONPATH", "")])
    env.update(extra or {})
    return env


def start_worker(
    launchpad_file: Path, directory: Path, extra_env: dict[str, str] | None = None
) -> subprocess.Popen:
    """Start ``rlaunch rapidfire`` in its own process group, logging to directory/worker.log."""
    directory.mkdir(parents=True, exist_ok=True)
    rlaunch = Path(sys.executable).parent / "rlaunch"
    command = [str(rlaunch) if rlaunch.exists() else "rlaunch", "-l", str(launchpad_file)]
    command += ["-w", str(directory / "my_fworker.yaml"), "rapidfire", "--sleep", "1"]
    (directory / "my_fworker.yaml").write_text("name: test_worker\ncategory: ''\nquery: '{}'\n")
    with (directory / "worker.log").open("w") as log:
        return subprocess.Popen(
            command,
            cwd=directory,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=worker_env(extra_env),
            start_new_session=True,
        )
