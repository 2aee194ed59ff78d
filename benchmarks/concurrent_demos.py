"""N concurrent ``phonogap demo`` runs on one embedded store: failures, wall time, RMS.

Every run has its own output folder (``--out``) and all share one embedded MontyStore
(``PHONOGAP_STORE_DIR``), started at the same moment. Before the folder lock
(:mod:`phonogap.store.embedded`), 1 of 22 such runs failed at start with ``error: Empty module
name`` (montydb rewrites its configuration files on each connect). A run counts as failed if
it exits non-zero or prints ``error:``. Afterwards the store should hold one benchmark
summary per run (``N`` summaries named ``demo_diamond_si``), and all runs should report the
same median RMS (same inputs, same fit).

Usage::

    nice -n 10 python3 benchmarks/concurrent_demos.py           # 20 runs
    python3 benchmarks/concurrent_demos.py --n 4 --keep /tmp/demos
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "concurrent_demos.json"
SRC = Path(__file__).resolve().parents[1] / "src"


def start_demo(work: Path, index: int, store: Path) -> tuple[subprocess.Popen[str], float]:
    """Start one ``phonogap demo`` into ``work/run_<index>``; return it and its start time."""
    env = {**os.environ, "PHONOGAP_STORE_DIR": str(store), "OMP_NUM_THREADS": "1"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    env.pop("PHONOGAP_STORE_CONFIG", None)
    env.pop("PHONOGAP_FIT_CACHE_DIR", None)
    out = work / f"run_{index:02d}"
    popen = subprocess.Popen(
        [sys.executable, "-m", "phonogap.cli", "demo", "--out", str(out)],
        env=env,
        cwd=work,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return popen, time.perf_counter()


def finish(popen: subprocess.Popen[str], started: float, out: Path) -> dict:
    """Wait for one run; return its row (status, wall time, RMS, first error line)."""
    _, stderr = popen.communicate()
    wall = time.perf_counter() - started
    error = next((line for line in stderr.splitlines() if "error:" in line), None)
    if error is None and popen.returncode != 0:
        error = (stderr.strip().splitlines() or ["(no output)"])[-1]
    results = out / "results.json"
    rms = json.loads(results.read_text())["median_rms_thz"] if results.is_file() else None
    return {
        "run": out.name,
        "returncode": popen.returncode,
        "failed": popen.returncode != 0 or error is not None,
        "wall_s": round(wall, 1),
        "median_rms_thz": rms,
        "error": error,
    }


def summaries_in_store(store: Path) -> int:
    """Benchmark summaries of the demo in the shared store."""
    from phonogap.store.jobstore import embedded_store
    from phonogap.store.queries import find_summaries

    jobstore = embedded_store(store)
    jobstore.connect()
    return len(find_summaries(jobstore, "demo_diamond_si"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="concurrent demos (default 20)")
    parser.add_argument("--keep", help="work folder to keep (default: a temporary one)")
    args = parser.parse_args()
    sys.path.insert(0, str(SRC))

    with tempfile.TemporaryDirectory(prefix="concurrent_demos_") as tmp:
        work = Path(args.keep or tmp).resolve()
        work.mkdir(parents=True, exist_ok=True)
        store = work / "store"
        start = time.perf_counter()
        started = [start_demo(work, index, store) for index in range(args.n)]
        with ThreadPoolExecutor(max_workers=args.n) as pool:  # each run's own end time
            rows = list(
                pool.map(
                    lambda item: finish(item[1][0], item[1][1], work / f"run_{item[0]:02d}"),
                    enumerate(started),
                )
            )
        total = time.perf_counter() - start
        stored = summaries_in_store(store)

    print(f"{'run':8} {'exit':>4} {'wall s':>7} {'median RMS THz':>15}  error")
    for row in rows:
        rms = "-" if row["median_rms_thz"] is None else f"{row['median_rms_thz']:.4f}"
        print(
            f"{row['run']:8} {row['returncode']:>4} {row['wall_s']:>7.1f} {rms:>15}  "
            f"{row['error'] or ''}"
        )
    failures = sum(row["failed"] for row in rows)
    values = {row["median_rms_thz"] for row in rows if row["median_rms_thz"] is not None}
    print(
        f"runs {args.n}, failures {failures}, summaries in the store {stored}, "
        f"distinct median RMS values {len(values)}, wall time {total:.0f} s"
    )
    RESULTS.parent.mkdir(exist_ok=True)
    payload = {
        "runs": args.n,
        "failures": failures,
        "summaries_in_store": stored,
        "distinct_median_rms_thz": sorted(values),
        "wall_s": round(total, 1),
        "cpu_count": os.cpu_count(),
        "load_average_after": os.getloadavg(),
        "python": platform.python_version(),
        "rows": rows,
    }
    RESULTS.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
