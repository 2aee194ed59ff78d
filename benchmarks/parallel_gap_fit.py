"""Benchmark: parallel gap_fit builds (OpenMP, MPI/ScaLAPACK) against the wheel's serial one.

The same phonogap fit (the CASTEP allotropes of ``george2020_castep``, small preset, Eq. 8
sigmas, zero-stress constraints) is run with

- ``wheel``: the quippy-ase wheel's gap_fit (serial: no OpenMP, no threaded BLAS);
- ``openmp_1t`` / ``openmp_2t``: an OpenMP build with ``OMP_NUM_THREADS`` 1 and 2;
- ``mpi_1r`` / ``mpi_2r``: an MPI build under ``mpirun -np`` 1 and 2 (one thread per rank),
  with the same command line (sparse points chosen on rank 0 from the gathered data);
- ``mpi_2r_file``: 2 ranks reading the wheel fit's sparse points (``sparse_method=file``,
  GAP's documented route for MPI fits, :mod:`phonogap.fitting.sparse_input`);
- ``openmp_2t_file`` (on request): 2 threads from the wheel's sparse points. CUR selection
  among near-identical environments (the displaced supercells hold many) can pick other,
  equivalent points with another BLAS, so on large fits only the ``_file`` runs isolate the
  parallel fit itself.

``--reuse RESULTS.json`` (same ``--workdir``) keeps the runs of an earlier invocation and
runs only the missing variants.

Each potential is evaluated with quippy on every ``--test-every``-th training configuration
and the largest force and per-atom energy differences from the wheel's potential are
reported with each run's wall time, CPU time, peak memory (summed over the process tree)
and the load average around it. The parallel builds come from ``scripts/build_gap_fit.sh``.

Usage::

    python benchmarks/parallel_gap_fit.py [--openmp PATH] [--mpi PATH]
        [--mp-ids mp-149 mp-165 ...] [--n-sparse 1000] [--variants wheel openmp_2t ...]

``--openmp`` / ``--mpi`` default to ``$PHONOGAP_GAP_FIT_OPENMP`` / ``$PHONOGAP_GAP_FIT_MPI``,
then ``/opt/gap_parallel/{openmp,mpi}/bin/gap_fit``. Writes
``benchmarks/results/parallel_gap_fit[_TAG].json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil

from phonogap.database.extxyz import write_training_xyz
from phonogap.database.regularisation import apply_atomwise_sigma
from phonogap.fitting.errors import load_potential
from phonogap.fitting.gap_fit import gap_fit_arguments, resolve_e0
from phonogap.fitting.hyperparameters import GapHyperparameters
from phonogap.fitting.potential_files import sparse_points_used
from phonogap.fitting.settings import FitSettings
from phonogap.fitting.sparse_input import gap_string_with_sparse_files, write_sparse_inputs
from phonogap.flows.imported_data_gap import ImportedDataGapMaker
from phonogap.importers.training_data import DatasetSpec, EquilibriumSettings, import_training_data
from phonogap.schemas.configuration import to_atoms_list
from phonogap.schemas.keys import CONFIG_TYPE_KEY, ISOLATED_ATOM

VARIANTS = (
    "wheel",
    "openmp_1t",
    "openmp_2t",
    "openmp_2t_file",
    "mpi_1r",
    "mpi_2r",
    "mpi_2r_file",
)
"""Default: all but ``openmp_2t_file``; ``_file``: fitted from the wheel's sparse points."""
DEFAULT_BUILDS = {
    "openmp": ("PHONOGAP_GAP_FIT_OPENMP", "/opt/gap_parallel/openmp/bin/gap_fit"),
    "mpi": ("PHONOGAP_GAP_FIT_MPI", "/opt/gap_parallel/mpi/bin/gap_fit"),
}


def wheel_gap_fit() -> str:
    """Return the quippy-ase wheel's gap_fit binary (not its Python entry-point wrapper)."""
    import quippy

    binary = Path(quippy.__path__[0]) / "gap_fit"
    if binary.is_file():
        return str(binary)
    found = shutil.which("gap_fit")
    if not found:
        raise SystemExit("no gap_fit: pip install quippy-ase")
    return found


def default_build(kind: str) -> str | None:
    """Return the parallel build of ``kind`` from its environment variable or /opt."""
    variable, fallback = DEFAULT_BUILDS[kind]
    path = os.environ.get(variable) or fallback
    return path if Path(path).is_file() else None


def training_set(mp_ids: list[str] | None, n_sparse: int, f: float, eq_gpa: float | None):
    """Return the labelled configurations and hyperparameters of the CASTEP fit."""
    spec = DatasetSpec(bundled="george2020_castep", structures="stable")
    datasets = [s for s in spec.expanded() if not mp_ids or s.mp_id in mp_ids]
    equilibrium = EquilibriumSettings(
        enabled=eq_gpa is not None, stress_tolerance_gpa=eq_gpa or 0.1
    )
    maker = ImportedDataGapMaker(
        datasets=datasets,
        fit=FitSettings(hyperparameters=GapHyperparameters.small().with_n_sparse(n_sparse), f=f),
        equilibrium=equilibrium,
    )
    dataset = import_training_data(maker.datasets, equilibrium)
    configurations = to_atoms_list(dataset.configurations)
    apply_atomwise_sigma(configurations, f)
    return configurations, maker.fitted_hyperparameters()


class TreeMemory:
    """Sample the summed resident memory of a process and its descendants."""

    def __init__(self, pid: int, interval_s: float = 0.2) -> None:
        self.peak = 0
        self._process = psutil.Process(pid)
        self._interval = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                processes = [self._process, *self._process.children(recursive=True)]
                total = 0
                for process in processes:
                    with contextlib.suppress(psutil.Error):
                        total += process.memory_info().rss
                self.peak = max(self.peak, total)
            except psutil.Error:
                return
            self._stop.wait(self._interval)

    def stop(self) -> float:
        """Stop sampling; return the peak in MiB."""
        self._stop.set()
        self._thread.join()
        return self.peak / 2**20


def run(command: list[str], workdir: Path, threads: int, log_name: str) -> dict:
    """Run one gap_fit command; return wall and CPU time, peak memory and load."""
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "OPENBLAS_NUM_THREADS": str(threads)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_before = os.getloadavg()
    start = time.perf_counter()
    with open(workdir / log_name, "w") as log:
        process = subprocess.Popen(
            command, cwd=workdir, stdout=log, stderr=subprocess.STDOUT, env=env
        )
        memory = TreeMemory(process.pid)
        returncode = process.wait()
        peak_mib = memory.stop()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if returncode:
        tail = (workdir / log_name).read_text(errors="replace").splitlines()[-15:]
        raise SystemExit(f"{command[0]} failed ({returncode}) in {workdir}:\n" + "\n".join(tail))
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 2),
        "peak_rss_mib": round(peak_mib, 1),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }


def mpirun(ranks: int) -> list[str]:
    """Return the mpirun prefix for ``ranks`` local ranks (one thread each)."""
    prefix = ["mpirun", "-np", str(ranks), "--bind-to", "none", "-x", "OMP_NUM_THREADS"]
    if os.geteuid() == 0:
        prefix.insert(1, "--allow-run-as-root")
    return prefix


def predictions(xml_path: Path, configurations) -> tuple[np.ndarray, np.ndarray]:
    """Return forces (stacked) and energies per atom of a potential on configurations."""
    potential = load_potential(xml_path)
    forces, energies = [], []
    for atoms in configurations:
        atoms = atoms.copy()
        atoms.calc = potential
        forces.append(atoms.get_forces())
        energies.append(atoms.get_potential_energy() / len(atoms))
    return np.concatenate(forces), np.array(energies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--openmp", default=default_build("openmp"), help="OpenMP gap_fit")
    parser.add_argument("--mpi", default=default_build("mpi"), help="MPI gap_fit")
    parser.add_argument("--mp-ids", nargs="*", default=None, help="subset of the allotropes")
    parser.add_argument("--n-sparse", type=int, default=1000)
    parser.add_argument("--f", type=float, default=0.001)
    parser.add_argument("--eq-gpa", type=float, default=0.01, help="zero-stress tolerance")
    parser.add_argument(
        "--variants",
        nargs="+",
        choices=VARIANTS,
        default=[v for v in VARIANTS if v != "openmp_2t_file"],
    )
    parser.add_argument(
        "--reuse",
        type=Path,
        default=None,
        help="results JSON of an earlier run in the same --workdir: keep its runs (and the "
        "wheel's potential) and run only the variants it lacks",
    )
    parser.add_argument("--test-every", type=int, default=5, help="test on every n-th config")
    parser.add_argument("--tag", default="")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()

    executables = {"wheel": wheel_gap_fit(), "openmp": args.openmp, "mpi": args.mpi}
    for variant in args.variants:
        kind = variant.split("_")[0]
        if not executables[kind]:
            raise SystemExit(
                f"variant {variant} needs the {kind} build: run scripts/build_gap_fit.sh "
                f"SOURCE /opt/gap_parallel/{kind} {kind}, or pass --{kind} PATH"
            )
    if "wheel" not in args.variants:
        args.variants.insert(0, "wheel")  # the reference for the force comparison

    configurations, hyper = training_set(args.mp_ids, args.n_sparse, args.f, args.eq_gpa)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="phonogap_parallel_gap_fit_"))
    work.mkdir(parents=True, exist_ok=True)
    base = gap_fit_arguments(
        hyper,
        Path("training.xyz"),
        Path("gap.xml"),
        e0=resolve_e0(hyper, configurations),
        has_virials=any("virial" in a.info for a in configurations),
    )
    tests = [a for a in configurations if a.info.get(CONFIG_TYPE_KEY) != ISOLATED_ATOM][
        :: args.test_every
    ]
    n_atoms = sum(len(a) for a in configurations)
    print(f"{len(configurations)} configurations, {n_atoms} atoms; work dir {work}", flush=True)

    previous = {}
    if args.reuse:
        previous = {r["variant"]: r for r in json.loads(args.reuse.read_text())["runs"]}
    rows = []
    reference = None
    for variant in args.variants:
        kind, *options = variant.split("_")
        directory = work / variant
        if variant in previous and (directory / "gap.xml").is_file():
            print(f"{variant}: kept from {args.reuse}", flush=True)
            rows.append(previous[variant])
            if reference is None:
                reference = predictions(directory / "gap.xml", tests)
            continue
        directory.mkdir(exist_ok=True)
        write_training_xyz(configurations, directory / "training.xyz")
        arguments = [executables[kind], *base[1:]]
        if "file" in options:
            inputs = write_sparse_inputs(work / "wheel" / "gap.xml", directory)
            arguments = [
                "gap=" + gap_string_with_sparse_files(a[4:], inputs, directory)
                if a.startswith("gap=")
                else a
                for a in arguments
            ]
        threads, ranks = 1, 1
        if kind == "openmp":
            threads = int(options[0].rstrip("t"))
        if kind == "mpi":
            ranks = int(options[0].rstrip("r"))
            arguments = [*mpirun(ranks), *arguments]
        print(f"{variant}: {' '.join(arguments[:8])} ...", flush=True)
        measured = run(arguments, directory, threads, "gap_fit.log")
        forces, energies = predictions(directory / "gap.xml", tests)
        if reference is None:
            reference = (forces, energies)
        row = {
            "variant": variant,
            "executable": executables[kind],
            "threads": threads,
            "ranks": ranks,
            **measured,
            "n_sparse_used": sparse_points_used(directory / "gap.xml"),
            "max_abs_dforce_ev_per_ang": float(np.abs(forces - reference[0]).max()),
            "max_abs_denergy_ev_per_atom": float(np.abs(energies - reference[1]).max()),
        }
        rows.append(row)
        print(
            f"  wall {row['wall_s']:.1f} s, cpu {row['cpu_s']:.1f} s, peak "
            f"{row['peak_rss_mib']:.0f} MiB, load {row['load_before'][0]:.1f}->"
            f"{row['load_after'][0]:.1f}, max|dF| {row['max_abs_dforce_ev_per_ang']:.2e} eV/A",
            flush=True,
        )

    serial = {r["variant"]: r["wall_s"] for r in rows}
    for row in rows:
        kind = row["variant"].split("_")[0]
        one = serial.get({"openmp": "openmp_1t", "mpi": "mpi_1r"}.get(kind, "wheel"))
        row["speedup_vs_1"] = round(one / row["wall_s"], 2) if one else None
        row["speedup_vs_wheel"] = round(serial["wheel"] / row["wall_s"], 2)

    builds = {}
    for kind in ("openmp", "mpi"):
        info = Path(executables[kind] or "/nonexistent").parent.parent / "BUILD_INFO"
        if info.is_file():
            builds[kind] = info.read_text()
    payload = {
        "settings": {
            **{k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
            "n_configurations": len(configurations),
            "n_atoms": n_atoms,
            "n_test_configurations": len(tests),
            "n_test_atoms": sum(len(a) for a in tests),
            "gap_fit_arguments": base[1:],
        },
        "machine": {
            "cpus": os.cpu_count(),
            "processor": platform.processor() or platform.machine(),
            "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        },
        "builds": builds,
        "runs": rows,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    name = "parallel_gap_fit" + (f"_{args.tag}" if args.tag else "") + ".json"
    (args.out / name).write_text(json.dumps(payload, indent=2))

    header = f"{'variant':<15} {'wall s':>8} {'cpu s':>8} {'x vs 1':>7} {'x wheel':>7} "
    header += f"{'peak MiB':>9} {'load':>10} {'max|dF| eV/A':>13} {'max|dE| eV/at':>13}"
    print(header)
    for r in rows:
        print(
            f"{r['variant']:<15} {r['wall_s']:>8.1f} {r['cpu_s']:>8.1f} "
            f"{r['speedup_vs_1'] or float('nan'):>7.2f} {r['speedup_vs_wheel']:>7.2f} "
            f"{r['peak_rss_mib']:>9.0f} {r['load_before'][0]:>4.1f}->{r['load_after'][0]:<4.1f} "
            f"{r['max_abs_dforce_ev_per_ang']:>13.2e} {r['max_abs_denergy_ev_per_atom']:>13.2e}"
        )
    print(f"wrote {args.out / name}")


if __name__ == "__main__":
    main()
