"""Write and read N job outputs, each with a 1e5-float array in the data store, per JobStore.

Stores: the embedded MontyStore (SQLite, phonogap's serverless store), the local SecantusDB
server (MongoStore documents + GridFS data, started here as a separate process and stopped by
pid), and maggma's in-process MemoryStore as a baseline. Each output is written the way
``Job.run`` writes it (``JobStore.update(..., save={"data": ["array"]})``) and read back with
``JobStore.get_output(uuid, load=True)``; every read array is checked against what was written.

Wall time depends on the load of the machine; ``*_cpu_s`` (CPU seconds of this process plus,
for SecantusDB, of the server process) does not, and approximates the wall time on an idle
machine. A store that exceeds ``--budget-s`` for a phase stops there; its mean rate is
reported and the time for all N outputs extrapolated linearly (marked ``extrapolated``). That
is a lower bound when the cost per output grows with the number stored (``last_10_*_ms``).

Usage::

    nice -n 10 python3 benchmarks/store_speed.py            # 1,000 outputs, 1e5 floats each
    python3 benchmarks/store_speed.py --n 50 --stores memory secantus
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil
from jobflow import JobStore
from jobflow.utils import suid
from maggma.stores import MemoryStore

from phonogap.store.jobstore import embedded_store, mongo_store
from phonogap.store.server import start_server, stop_server

RESULTS = Path(__file__).parent / "results" / "store_speed.json"


def make_store(kind: str, work: Path) -> tuple[JobStore, psutil.Process | None]:
    if kind == "montystore":
        return embedded_store(work / "monty"), None
    if kind == "memory":
        data = MemoryStore("data")
        return JobStore(MemoryStore("outputs"), additional_stores={"data": data}), None
    if kind == "secantus":
        info = start_server(work / "secantus")
        return mongo_store(info.uri, "phonogap"), psutil.Process(info.pid)
    raise ValueError(kind)


def cpu_seconds(server: psutil.Process | None) -> float:
    """CPU time of this process and of the server process (if any)."""
    own = time.process_time()
    if server is None:
        return own
    times = server.cpu_times()
    return own + times.user + times.system


def run_store(kind: str, n: int, size: int, budget_s: float, work: Path) -> dict:
    store, server = make_store(kind, work)
    store.connect()
    rng = np.random.default_rng(0)
    uuids: list[str] = []
    arrays: dict[str, np.ndarray] = {}
    result: dict = {"store": kind, "n_requested": n, "floats_per_output": size}
    cpu_start = cpu_seconds(server)
    start = time.perf_counter()
    stamps = [start]
    for i in range(n):
        uuid = suid()
        array = rng.random(size)
        if i < 20:  # keep a few to verify what comes back
            arrays[uuid] = array
        doc = {
            "uuid": uuid,
            "index": 1,
            "name": f"job_{i}",
            "output": {"array": array.tolist(), "energy_ev": float(i)},
            "metadata": {},
            "hosts": [],
        }
        store.update(doc, key=["uuid", "index"], save={"data": ["array"]})
        uuids.append(uuid)
        stamps.append(time.perf_counter())
        if stamps[-1] - start > budget_s:
            break
    write_s = time.perf_counter() - start
    write_cpu_s = cpu_seconds(server) - cpu_start
    last_10_write_ms = 1e3 * (stamps[-1] - stamps[max(0, len(stamps) - 11)]) / min(10, len(uuids))
    n_written = len(uuids)
    cpu_start = cpu_seconds(server)
    start = time.perf_counter()
    stamps = [start]
    n_read = 0
    for uuid in uuids:
        output = store.get_output(uuid, load=True)
        if uuid in arrays:
            np.testing.assert_array_equal(np.asarray(output["array"]), arrays[uuid])
        elif len(output["array"]) != size:
            raise AssertionError(f"{kind}: array of {uuid} has the wrong length")
        n_read += 1
        stamps.append(time.perf_counter())
        if stamps[-1] - start > budget_s:
            break
    read_s = time.perf_counter() - start
    read_cpu_s = cpu_seconds(server) - cpu_start
    last_10_read_ms = 1e3 * (stamps[-1] - stamps[max(0, len(stamps) - 11)]) / min(10, n_read)
    store.close()
    if kind == "secantus":
        stop_server(work / "secantus")
    result.update(
        n_written=n_written,
        n_read=n_read,
        write_s=write_s,
        read_s=read_s,
        write_ms_per_output=1e3 * write_s / n_written,
        read_ms_per_output=1e3 * read_s / n_read,
        last_10_write_ms=last_10_write_ms,
        last_10_read_ms=last_10_read_ms,
        write_cpu_s=write_cpu_s,
        read_cpu_s=read_cpu_s,
        total_s_for_n=(write_s / n_written + read_s / n_read) * n,
        total_cpu_s_for_n=(write_cpu_s / n_written + read_cpu_s / n_read) * n,
        extrapolated=n_written < n or n_read < n,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="job outputs")
    parser.add_argument("--size", type=int, default=100_000, help="floats per output")
    parser.add_argument("--budget-s", type=float, default=600.0, help="cap per store and phase")
    parser.add_argument(
        "--stores", nargs="+", default=["memory", "secantus", "montystore"], help="stores to run"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.stores:
            row = run_store(kind, args.n, args.size, args.budget_s, Path(tmp))
            rows.append(row)
            print(json.dumps(row), flush=True)
    print(
        f"{'store':<12}{'written':>8}{'read':>6}{'write ms':>10}{'read ms':>9}"
        f"{'last10 w/r ms':>15}{f'wall {args.n} (s)':>15}{f'CPU {args.n} (s)':>14}"
    )
    for row in rows:
        mark = " extrapolated" if row["extrapolated"] else ""
        last = f"{row['last_10_write_ms']:.0f}/{row['last_10_read_ms']:.0f}"
        print(
            f"{row['store']:<12}{row['n_written']:>8}{row['n_read']:>6}"
            f"{row['write_ms_per_output']:>10.1f}{row['read_ms_per_output']:>9.1f}{last:>15}"
            f"{row['total_s_for_n']:>15.1f}{row['total_cpu_s_for_n']:>14.1f}{mark}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_end": os.getloadavg(),
        },
        "n": args.n,
        "floats_per_output": args.size,
        "results": rows,
    }
    args.out.write_text(json.dumps(payload, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
