"""Fault probe of issue 16: ``phonogap run`` on a forces-only dataset without ``equilibrium``.

Before the relaxation guard, ``imported_data_gap`` on the CASTEP diamond phonopy dataset
(forces only) with ``equilibrium`` left off let the GAP collapse the cell (20.4 → 0.015
Å³/atom in 24 BFGS steps); the phonon job grew to 24 GB and the kernel killed ``phonogap``
after 798 s. This script runs the same workflow through the command line, as a user would,
and reports the wall time, the exit code, the peak resident memory of the ``phonogap``
process tree (polled with psutil every 0.2 s: the summed RSS of the process and its workers,
and the largest single process) and the guard's message found in the output and log.

Each run gets a fresh embedded store in a temporary folder and an address-space limit
(``--limit-gb``, default 4 GB), so even ``--unguarded`` (the window opened to ×1e-6–×1e6 and
0 Å, i.e. the old behaviour) cannot starve the machine: it ends with a MemoryError or the
timeout instead of the kernel's OOM killer.

Usage::

    python3 benchmarks/relaxation_collapse_probe.py                  # small preset, M = 60
    python3 benchmarks/relaxation_collapse_probe.py --preset gap18 --n-sparse 1000
    python3 benchmarks/relaxation_collapse_probe.py --unguarded --timeout 300

Results: a table on stdout and ``benchmarks/results/relaxation_collapse_probe.json``.
Measured (shared 2-core machine, small preset, M = 60): guarded 28 s, 0.37 GB, the message
names mp-149, ``20.4 → 8.28 Å³/atom`` and ``equilibrium``; unguarded 234 s, then GAP's
descriptor code failed to allocate 0.7 GB more at the 4 GB cap (2.9 GB resident).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

RESULTS = Path(__file__).parent / "results" / "relaxation_collapse_probe.json"

WORKFLOW = """\
name: collapse_probe
workflow: imported_data_gap
datasets:
  - {{bundled: george2020_castep, structures: [mp-149]}}  # diamond, forces only
fit: {{preset: {preset}, n_sparse: {n_sparse}, f: 0.01}}
phonons: {{points_per_segment: 11, mesh: [8, 8, 8]}}
{relax}
"""

UNGUARDED = "relax: {min_volume_ratio: 1.0e-6, max_volume_ratio: 1.0e6, min_distance_ang: 0.0}"


def _watch(process: subprocess.Popen, timeout: float) -> tuple[int, int]:
    """Poll the process tree's resident memory every 0.2 s until it ends or times out.

    Returns
    -------
    tuple of int
        Peak of the summed RSS of the tree and peak RSS of any one process (bytes).
    """
    root = psutil.Process(process.pid)
    deadline = time.monotonic() + timeout
    peak_total = peak_single = 0
    while process.poll() is None and time.monotonic() < deadline:
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        sizes = []
        for member in tree:
            try:
                sizes.append(member.memory_info().rss)
            except psutil.NoSuchProcess:
                continue
        peak_total = max(peak_total, sum(sizes))
        peak_single = max(peak_single, max(sizes, default=0))
        time.sleep(0.2)
    return peak_total, peak_single


def run_probe(args: argparse.Namespace, work: Path) -> dict:
    """Run ``phonogap run`` once and measure it."""
    workflow = work / "probe.yaml"
    workflow.write_text(
        WORKFLOW.format(
            preset=args.preset, n_sparse=args.n_sparse, relax=UNGUARDED if args.unguarded else ""
        )
    )
    env = {
        **os.environ,
        "PHONOGAP_STORE_DIR": str(work / "store"),
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
    }
    env.pop("PHONOGAP_STORE_CONFIG", None)
    limit = int(args.limit_gb * 1024**3)

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    command = [sys.executable, "-m", "phonogap.cli", "run", str(workflow), "--out", "out"]
    log_path = work / "probe_output.txt"
    start = time.perf_counter()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command,
            cwd=work,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=limit_memory,
            start_new_session=True,  # its own process group, so a timeout ends the whole tree
        )
        peak_total, peak_single = _watch(process, args.timeout)
        exit_code: int | str = process.poll()
        if exit_code is None:
            exit_code = "timeout"
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    wall = time.perf_counter() - start
    output = log_path.read_text(errors="replace")
    logs = "".join(p.read_text(errors="replace") for p in (work / "out").rglob("*.log"))
    found = re.search(r"relaxation of \S+ \(\d+ atoms\) (collapsed|expanded)[^\n]*", output + logs)
    return {
        "preset": args.preset,
        "n_sparse": args.n_sparse,
        "guarded": not args.unguarded,
        "exit_code": exit_code,
        "wall_s": round(wall, 1),
        "peak_rss_tree_gb": round(peak_total / 1024**3, 3),
        "peak_rss_process_gb": round(peak_single / 1024**3, 3),
        "memory_limit_gb": args.limit_gb,
        "message": found.group(0) if found else None,
        "names_equilibrium": bool(found and "equilibrium: {enabled: true}" in found.group(0)),
        "output_tail": output.strip().splitlines()[-5:],
    }


def main() -> None:
    """Run the probe and write the result table and JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="small", choices=["small", "gap18"])
    parser.add_argument("--n-sparse", type=int, default=60)
    parser.add_argument("--unguarded", action="store_true", help="open the window (old code)")
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--limit-gb", type=float, default=4.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="collapse_probe_") as tmp:
        row = run_probe(args, Path(tmp))
    print(f"{'guarded':>8} {'preset':>7} {'M':>5} {'exit':>7} {'wall s':>7} {'tree GB':>8}")
    print(
        f"{row['guarded']!s:>8} {row['preset']:>7} {row['n_sparse']:>5} {row['exit_code']!s:>7} "
        f"{row['wall_s']:>7} {row['peak_rss_tree_gb']:>8}"
    )
    print("message:", row["message"])
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"runs": []}
    results["runs"] = [
        r
        for r in results["runs"]
        if (r["preset"], r["n_sparse"], r["guarded"])
        != (row["preset"], row["n_sparse"], row["guarded"])
    ] + [row]
    results["machine"] = {"platform": platform.platform(), "cpus": os.cpu_count()}
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
