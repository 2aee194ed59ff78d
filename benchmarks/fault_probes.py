"""The fault probes of issue 16, run as a new user would: one ``phonogap`` process per probe.

Each probe starts ``phonogap`` in a subprocess with a fresh store and output folder, provokes
one fault (a stopped store, an unwritable folder, a missing program, bad data, a signal during
the fit, ...) and records what the user sees: the exit code, the wall time, the number of
lines on stderr, the first of them, whether a ``Traceback`` reached the terminal, and for the
signal probes whether any ``gap_fit`` outlived ``phonogap`` and whether a rerun reused the fit.

Run::

    python3 benchmarks/fault_probes.py                  # all probes (~3-4 min on 2 cores)
    python3 benchmarks/fault_probes.py --only store     # probes whose name contains "store"

It prints a table and writes ``benchmarks/results/fault_probes.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "fault_probes.json"
PHONOGAP = [sys.executable, "-m", "phonogap.cli"]


@dataclass
class ProbeOutcome:
    """What one probe showed the user."""

    probe: str
    command: str
    exit_code: int | None
    seconds: float
    stderr_lines: int
    first_line: str
    traceback_on_terminal: bool
    extra: dict = field(default_factory=dict)


def _environment(work: Path, **overrides: str) -> dict[str, str]:
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "PHONOGAP_STORE_DIR": str(work / "store"),
        "OMP_NUM_THREADS": "1",
    }
    for name in ("PHONOGAP_STORE_CONFIG", "JOBFLOW_CONFIG_FILE", "PHONOGAP_FIT_CACHE_DIR"):
        environment.pop(name, None)
    environment.update(overrides)
    return environment


def _run(name: str, arguments: list[str], work: Path, **overrides: str) -> ProbeOutcome:
    start = time.perf_counter()
    completed = subprocess.run(
        [*PHONOGAP, *arguments],
        env=_environment(work, **overrides),
        cwd=work,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    return _outcome(name, arguments, completed.returncode, start, completed.stderr)


def _start(arguments: list[str], work: Path) -> subprocess.Popen:
    """Start ``phonogap`` in the background (stderr captured, stdout discarded)."""
    return subprocess.Popen(
        [*PHONOGAP, *arguments],
        env=_environment(work),
        cwd=work,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _outcome(
    name: str, arguments: list[str], code: int | None, start: float, stderr: str
) -> ProbeOutcome:
    lines = [line for line in stderr.splitlines() if line.strip()]
    return ProbeOutcome(
        probe=name,
        command="phonogap " + " ".join(arguments),
        exit_code=code,
        seconds=round(time.perf_counter() - start, 1),
        stderr_lines=len(lines),
        first_line=lines[0][:160] if lines else "",
        traceback_on_terminal="Traceback" in stderr,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def probe_stopped_store(work: Path) -> list[ProbeOutcome]:
    """``--store`` names a MongoDB server that is not running."""
    uri = f"mongodb://127.0.0.1:{_free_port()}/phonogap"
    return [
        _run("stopped store: results", ["results", "--store", uri], work),
        _run("stopped store: demo", ["demo", "--store", uri, "--out", "out"], work),
    ]


def probe_unusable_folders(work: Path) -> list[ProbeOutcome]:
    """``--out`` or ``PHONOGAP_STORE_DIR`` is a file, or a folder nobody may write."""
    (work / "a_file").write_text("not a folder\n")
    locked = work / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    outcomes = [
        _run("--out is a file", ["demo", "--out", "a_file"], work),
        _run(
            "store dir is a file",
            ["demo", "--out", "out"],
            work,
            PHONOGAP_STORE_DIR=str(work / "a_file"),
        ),
    ]
    if os.geteuid() != 0:  # root may write anywhere: the probe means nothing for root
        outcomes.append(_run("--out unwritable", ["demo", "--out", "locked/out"], work))
    return outcomes


def _path_without(program: str, work: Path) -> str:
    """A PATH with everything of the current PATH except ``program`` (linked into one folder)."""
    shadow = work / f"path_without_{program}"
    shadow.mkdir()
    folders = [Path(sys.executable).parent, *map(Path, os.environ["PATH"].split(os.pathsep))]
    for folder in folders:
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            link = shadow / entry.name
            if entry.name != program and not link.exists() and not link.is_symlink():
                link.symlink_to(entry)
    return str(shadow)


def probe_missing_programs(work: Path) -> list[ProbeOutcome]:
    """``gap_fit`` or ``pw.x`` is not installed."""
    return [
        _run(
            "missing gap_fit",
            ["demo", "--out", "out"],
            work,
            PATH=_path_without("gap_fit", work),
        ),
        _run(
            "missing pw.x",
            ["run", str(ROOT / "workflows" / "demo_qe.yaml"), "--out", "out_qe"],
            work,
            PATH=_path_without("pw.x", work),
        ),
    ]


def probe_bad_inputs(work: Path) -> list[ProbeOutcome]:
    """A Ge structure with the Stillinger-Weber (Si) reference; a NaN force in a dataset."""
    from ase.build import bulk
    from ase.calculators.singlepoint import SinglePointCalculator
    from ase.io import write

    write(work / "ge.cif", bulk("Ge", "diamond", a=5.66))
    (work / "ge.yaml").write_text(
        "name: ge_sw\nstructures:\n  files: [ge.cif]\nreference:\n  backend: sw\n"
        "fit:\n  preset: small\n"
    )
    atoms = bulk("Si", "diamond", a=5.43, cubic=True)
    forces = [[0.0, 0.0, 0.0] for _ in atoms]
    forces[3][1] = float("nan")
    atoms.calc = SinglePointCalculator(atoms, energy=-43.0, forces=forces)
    write(work / "nan.xyz", atoms, format="extxyz")
    (work / "nan.yaml").write_text(
        "name: nan_forces\nworkflow: imported_data_gap\n"
        "datasets:\n  - {importer: extxyz, path: nan.xyz}\nfit:\n  preset: small\n"
    )
    return [
        _run("Ge with the SW reference", ["run", "ge.yaml", "--out", "out_ge"], work),
        _run("NaN force in a dataset", ["run", "nan.yaml", "--out", "out_nan"], work),
    ]


def _gap_fits(process: psutil.Process) -> list[psutil.Process]:
    try:
        children = process.children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    found = []
    for child in children:
        try:
            if "gap_fit" in " ".join(child.cmdline()[:1]):
                found.append(child)
        except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
            continue
    return found


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _signal_during_fit(name: str, signum: int, work: Path) -> ProbeOutcome:
    arguments = ["demo", "--out", "out"]
    start = time.perf_counter()
    popen = _start(arguments, work)
    parent = psutil.Process(popen.pid)
    fits: list[psutil.Process] = []
    while not fits and popen.poll() is None and time.perf_counter() - start < 300:
        fits = _gap_fits(parent)
        time.sleep(0.05)
    os.kill(popen.pid, signum)
    _, stderr = popen.communicate(timeout=60)
    outcome = _outcome(name, arguments, popen.returncode, start, stderr)
    time.sleep(2.0)
    outcome.extra["gap_fit_seen"] = bool(fits)
    outcome.extra["orphan_gap_fit"] = any(_alive(fit) for fit in fits)
    for fit in fits:
        if _alive(fit):
            fit.kill()
    return outcome


def probe_signals(work: Path) -> list[ProbeOutcome]:
    """SIGTERM, SIGHUP or SIGKILL to ``phonogap demo`` while gap_fit runs."""
    outcomes = []
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGKILL):
        folder = work / signum.name
        folder.mkdir()
        outcomes.append(_signal_during_fit(f"{signum.name} during the fit", signum, folder))
    return outcomes


def probe_resume_after_fit(work: Path) -> list[ProbeOutcome]:
    """SIGTERM once the fit has finished; the rerun must not call gap_fit again."""
    arguments = ["demo", "--out", "out"]
    start = time.perf_counter()
    popen = _start(arguments, work)
    fits = work / "out" / "jobs" / ".fits"
    while popen.poll() is None and time.perf_counter() - start < 300:
        if any(fits.glob("*/gap.xml")):
            break
        time.sleep(0.05)
    popen.send_signal(signal.SIGTERM)
    popen.communicate(timeout=60)
    rerun = _run("rerun after SIGTERM once the fit finished", arguments, work)
    log = work / "out" / "phonogap.log"
    text = log.read_text() if log.is_file() else ""
    rerun.extra["fit_reused"] = "reusing the finished fit" in text
    rerun.extra["fits_in_cache"] = len(list(fits.glob("*/gap.xml")))
    return [rerun]


def _run_watched(name: str, arguments: list[str], work: Path) -> ProbeOutcome:
    """Like :func:`_run`, also recording the peak memory of the whole process tree."""
    start = time.perf_counter()
    popen = _start(arguments, work)
    parent = psutil.Process(popen.pid)
    peak = 0
    while popen.poll() is None and time.perf_counter() - start < 900:
        try:
            tree = [parent, *parent.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree))
        except psutil.Error:
            pass
        time.sleep(0.2)
    _, stderr = popen.communicate()
    outcome = _outcome(name, arguments, popen.returncode, start, stderr)
    failed = [line for line in stderr.splitlines() if line.startswith("failed: job")]
    outcome.first_line = (failed[0] if failed else outcome.first_line)[:160]
    outcome.extra["peak_memory_gib"] = round(peak / 2**30, 2)
    return outcome


def probe_collapsing_relaxations(work: Path) -> list[ProbeOutcome]:
    """Potentials without an equilibrium near the reference cell: the relaxation collapses."""
    (work / "forces_only.yaml").write_text(
        "name: forces_only_no_equilibrium\nworkflow: imported_data_gap\n"
        "datasets:\n  - {bundled: george2020_castep, structures: [mp-149]}\n"
        "fit: {preset: small, n_sparse: 60, f: 0.01}\n"
    )
    (work / "undertrained.yaml").write_text(
        "name: undertrained\nstructures:\n  allotropes: [mp-149, mp-165]\n"
        "reference:\n  backend: sw\ndatabase:\n  strategy: single_displacement\n"
        "fit: {preset: small, n_sparse: 20}\n"
    )
    return [
        _run_watched(
            "forces-only data, no equilibrium",
            ["run", "forces_only.yaml", "--out", "out_forces_only"],
            work,
        ),
        _run_watched(
            "undertrained GAP (M = 20), mp-165",
            ["run", "undertrained.yaml", "--out", "out_undertrained"],
            work,
        ),
    ]


PROBES: dict[str, Callable[[Path], list[ProbeOutcome]]] = {
    "collapsing_relaxations": probe_collapsing_relaxations,
    "stopped_store": probe_stopped_store,
    "unusable_folders": probe_unusable_folders,
    "missing_programs": probe_missing_programs,
    "bad_inputs": probe_bad_inputs,
    "signals": probe_signals,
    "resume_after_fit": probe_resume_after_fit,
}


def _print_table(outcomes: list[ProbeOutcome]) -> None:
    print(f"{'probe':44s} {'exit':>4s} {'s':>6s} {'lines':>5s} {'tb':>3s}  first line / extra")
    for outcome in outcomes:
        tail = outcome.first_line or json.dumps(outcome.extra)
        if outcome.extra and outcome.first_line:
            tail += "  " + json.dumps(outcome.extra)
        print(
            f"{outcome.probe:44s} {outcome.exit_code!s:>4s} {outcome.seconds:6.1f} "
            f"{outcome.stderr_lines:5d} {'yes' if outcome.traceback_on_terminal else 'no':>3s}  "
            f"{tail}"
        )


def main(argv: list[str] | None = None) -> int:
    """Run the probes, print the table and write the JSON file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run only probes whose name contains this text")
    parser.add_argument("--output", type=Path, default=RESULTS)
    arguments = parser.parse_args(argv)
    outcomes: list[ProbeOutcome] = []
    with tempfile.TemporaryDirectory(prefix="phonogap_probes_") as scratch:
        for name, probe in PROBES.items():
            if arguments.only and arguments.only not in name:
                continue
            work = Path(scratch) / name
            work.mkdir()
            outcomes.extend(probe(work))
            (work / "locked").exists() and (work / "locked").chmod(0o700)
    _print_table(outcomes)
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(json.dumps([asdict(o) for o in outcomes], indent=2) + "\n")
    print(f"wrote {arguments.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
