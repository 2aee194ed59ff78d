"""Benchmark: gap_fit's memory and time, predicted before the fit against measured.

Three predictions per fit: gap_fit's own ``Memory Estimate`` formula (counts from
``dryrun=T``, which stops before allocating), phonogap's expected peak from the same counts
(:func:`phonogap.fitting.memory_model.estimate_memory`), and the same from neighbour-list
counts (:func:`phonogap.fitting.memory_model.count_fit_size`, no gap_fit). Measured: the peak
resident memory of gap_fit (``/usr/bin/time -v``, maximum resident set size) and its time (the
CPU time of the serial fits measured here, as the machine is shared; the recorded wall time of
the earlier fits).

Fits measured here (a few minutes on 1 core of this machine):

* ``descriptors``: 80 rattled 64-atom diamond cells (Stillinger-Weber energies, forces and
  virials), the small preset (SOAP l_max 6, n_max 8 plus the pair term), M = 200: memory is
  the descriptors' derivatives;
* ``covariance``: the same kind of cells, SOAP l_max 4, n_max 4, M = 4000: memory is the
  covariance matrices (yY, A), the regime of GAP-18 at large M.

Fits measured earlier (recorded in benchmarks/results, re-predicted here from the same data):
the CASTEP allotropes (bundled data, 26,626 atoms) at M = 1000 and 3000 with the small
preset, and the all-allotrope extension at M = 1200 + 600 (29,324 atoms, 12.8 GiB; planned
with ``phonogap plan``'s code from the workflow's settings). Writes
``benchmarks/results/fit_memory_model.json``.

Usage::

    python benchmarks/fit_memory_model.py [--quick] [--recorded-only]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
from ase.build import bulk
from scipy.optimize import nnls

from phonogap.database.extxyz import write_training_xyz
from phonogap.fitting.gap_fit import gap_fit_arguments
from phonogap.fitting.gap_fit_dryrun import fit_size_from_dryrun, gap_fit_dryrun
from phonogap.fitting.hyperparameters import GapHyperparameters, SoapDescriptor
from phonogap.fitting.launcher import gap_fit_executable
from phonogap.fitting.memory_model import (
    GIB,
    WALL_TIME_COEFFICIENTS,
    count_fit_size,
    estimate_memory,
    estimate_wall_time_s,
)
from phonogap.fitting.settings import FitSettings
from phonogap.importers.training_data import DatasetSpec, EquilibriumSettings, import_training_data
from phonogap.reference.stillinger_weber import StillingerWeberReference
from phonogap.schemas.configuration import to_atoms_list
from phonogap.schemas.keys import ENERGY_KEY, FORCES_KEY, VIRIAL_KEY

RESULTS = Path(__file__).parent / "results"
MEASURED_CASTEP = {
    # benchmarks/results/castep_allotropes_f0.001_M{1000,3000}_small_eq0.01GPa*.json: fit
    1000: ("castep_allotropes_f0.001_M1000_small_eq0.01GPa_env2x0.1.json", 4398.59, 1075.19),
    3000: ("castep_allotropes_f0.001_M3000_small_eq0.01GPa.json", 4974.61, 2111.08),
}
"""M -> (result file, peak MiB, wall s) of the recorded CASTEP fits."""


def gap_fit_binary() -> str:
    """Return quippy's gap_fit binary (not its wrapper script)."""

    return gap_fit_executable("gap_fit") or "gap_fit"


def rattled_diamond(n_cells: int, seed: int = 3) -> list:
    """64-atom diamond cells rattled by 0.05 Å, labelled with Stillinger-Weber."""
    sw = StillingerWeberReference().calculator()
    rng = np.random.default_rng(seed)
    configurations = []
    for _ in range(n_cells):
        atoms = bulk("Si", "diamond", a=5.43, cubic=True).repeat(2)
        atoms.positions += rng.normal(0.0, 0.05, atoms.positions.shape)
        atoms.calc = sw
        atoms.info[ENERGY_KEY] = atoms.get_potential_energy()
        atoms.arrays[FORCES_KEY] = atoms.get_forces()
        virial = -atoms.get_stress(voigt=False) * atoms.get_volume()
        atoms.info[VIRIAL_KEY] = virial.reshape(9)
        atoms.calc = None
        configurations.append(atoms)
    return configurations


def measure(arguments: list[str], workdir: Path, binary: str) -> tuple[float, float, float]:
    """Run gap_fit under /usr/bin/time -v; return (peak resident GiB, wall s, CPU s)."""
    start = time.perf_counter()
    result = subprocess.run(
        ["/usr/bin/time", "-v", binary, *arguments[1:]],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - start
    kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))
    cpu = sum(
        float(re.search(rf"{kind} time \(seconds\): ([\d.]+)", result.stderr).group(1))
        for kind in ("User", "System")
    )
    return kib * 1024 / GIB, wall, cpu


def predict(configurations: list, hyper: GapHyperparameters, workdir: Path, binary: str) -> dict:
    """Write the training file, run the dryrun and the model; return both predictions."""
    has_virials = any(VIRIAL_KEY in a.info for a in configurations)
    write_training_xyz(configurations, workdir / "train.xyz")
    arguments = gap_fit_arguments(
        hyper.model_copy(update={"e0": 0.0}),
        Path("train.xyz"),
        Path("gap.xml"),
        e0=0.0,
        has_virials=has_virials,
    )
    start = time.perf_counter()
    log = gap_fit_dryrun(arguments, workdir, binary)[1]
    dryrun_s = time.perf_counter() - start
    size = fit_size_from_dryrun(log, configurations, has_virials)
    peak = re.search(r"PEAK\s+(\d+)\s+(KB|MB|GB)", log)
    scale = {"KB": 1e3, "MB": 1e6, "GB": 1e9}[peak.group(2)]
    start = time.perf_counter()
    model_size = count_fit_size(configurations, hyper, has_virials)
    model_s = time.perf_counter() - start
    estimate = estimate_memory(size, "gap_fit dryrun")
    return {
        "arguments": arguments,
        "n_configurations": len(configurations),
        "n_atoms": size.n_atoms,
        "n_targets": size.n_targets,
        "n_sparse": size.n_sparse,
        "descriptors": [d.__dict__ for d in size.descriptors],
        "gap_fit_printed_peak_gib": int(peak.group(1)) * scale / GIB,
        "gap_fit_formula_peak_gib": _gap_fit_formula(size),
        "phonogap_expected_peak_gib": estimate.expected_peak_gib,
        "phonogap_model_expected_peak_gib": estimate_memory(model_size).expected_peak_gib,
        "model_derivatives_over_dryrun": model_size.descriptors[-1].n_derivatives
        / size.descriptors[-1].n_derivatives,
        "predicted_wall_s": estimate_wall_time_s(size),
        "dryrun_s": dryrun_s,
        "model_s": model_s,
        "wall_terms": _wall_terms(size),
    }


def _gap_fit_formula(size) -> float:
    """gap_fit's own peak: max(descriptors + yY, 2 yY + yy + 2 A)."""
    m, n_t = size.n_sparse, size.n_targets
    descriptors = sum(d.bytes for d in size.descriptors)
    y_big = 8 * m * n_t
    return max(descriptors + y_big, 2 * y_big + 8 * m * m + 16 * m * (n_t + m)) / GIB


def _wall_terms(size) -> list[float]:
    covariance = sum(d.n_sparse * d.n_derivatives * d.dimension for d in size.descriptors)
    solve = (size.n_targets + size.n_sparse) * size.n_sparse**2
    descriptors = sum(d.n_derivatives * d.dimension for d in size.descriptors)
    return [covariance, solve, descriptors]


def extension_row() -> dict:
    """The all-allotrope extension at M = 1200 + 600, planned as ``phonogap plan`` does.

    Measured (benchmarks/extend_sw.py --all-allotropes --general-scale bench --n-sparse-base
    1200 --n-sparse-new 600): 12.8 GiB and 2,722 s for the extended fit of 29,324 atoms. The
    plan counts the input structures (33,250 atoms: the flow's SW relaxation and filter then
    drop some), so the prediction is also given per training atom.
    """
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from extend_sw import general_database_settings

    from phonogap.config import parse_workflow
    from phonogap.config.plan import plan_workflow

    raw = {
        "name": "extend_sw_all13",
        "workflow": "extend_database",
        "structures": {"allotropes": "all"},
        "reference": {"backend": "sw"},
        "base_database": {"generate": general_database_settings("bench").model_dump(mode="json")},
        "database": {"n_randomised": 3, "randomised_min_length_ang": 10.0},
        "fit": {"preset": "small", "f": 0.01},
        "extension": {"n_sparse_base": 1200, "n_sparse_new": 600, "benchmark_base": True},
    }
    fit = plan_workflow(parse_workflow(raw, source="extend_sw_all13"), 64.0).fits[0]
    measured_atoms = 29324
    return {
        "name": "extension_M1200_600",
        "n_configurations": fit.n_configurations,
        "n_atoms": fit.n_training_atoms,
        "n_targets": fit.n_targets,
        "n_sparse": fit.n_sparse,
        "descriptors": fit.descriptors,
        "phonogap_expected_peak_gib": fit.peak_memory_gib,
        "phonogap_expected_peak_gib_at_measured_atoms": fit.peak_memory_gib
        * measured_atoms
        / fit.n_training_atoms,
        "predicted_wall_s": fit.wall_time_s,
        "measured_peak_gib": 12.8,
        "measured_wall_s": 2722.0,
        "measured_atoms": measured_atoms,
        "measured_in": "extend_sw_all13_M1200_600.json (fits.extended f=0.01)",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller measured fits")
    parser.add_argument(
        "--recorded-only",
        action="store_true",
        help="keep the fits measured by an earlier run (from the results file), redo the rest",
    )
    args = parser.parse_args()
    binary = gap_fit_binary()
    out = RESULTS / "fit_memory_model.json"
    rows = []
    if args.recorded_only:
        earlier = json.loads(out.read_text())["fits"]
        rows = [row for row in earlier if row["name"] in ("descriptors", "covariance")]
    n_cells, m_covariance = (20, 1000) if args.quick else (80, 4000)
    cases = [
        ("descriptors", rattled_diamond(n_cells), FitSettings(preset="small", n_sparse=200)),
        (
            "covariance",
            rattled_diamond(n_cells, seed=4),
            GapHyperparameters(soap=SoapDescriptor(l_max=4, n_max=4, n_sparse=m_covariance)),
        ),
    ]
    for name, configurations, settings in [] if args.recorded_only else cases:
        hyper = settings.hyperparameters if isinstance(settings, FitSettings) else settings
        with tempfile.TemporaryDirectory() as directory:
            workdir = Path(directory)
            row = {"name": name, **predict(configurations, hyper, workdir, binary)}
            peak, wall, cpu = measure(row.pop("arguments"), workdir, binary)
            # the machine is shared: CPU time is the serial gap_fit's time, wall time is not
            row.update(measured_peak_gib=peak, measured_wall_s=cpu, elapsed_s=wall)
        rows.append(row)
    specs = [DatasetSpec(bundled="george2020_castep", structures="stable")]
    castep = to_atoms_list(
        import_training_data(
            specs, EquilibriumSettings(enabled=True, stress_tolerance_gpa=0.01)
        ).configurations
    )
    for m, (source, peak_mib, wall_s) in MEASURED_CASTEP.items():
        hyper = FitSettings(preset="small", n_sparse=m).hyperparameters
        with tempfile.TemporaryDirectory() as directory:
            row = {"name": f"castep_M{m}", **predict(castep, hyper, Path(directory), binary)}
        row.pop("arguments")
        row.update(measured_peak_gib=peak_mib / 1024, measured_wall_s=wall_s, measured_in=source)
        rows.append(row)
    # time coefficients: least squares on the relative error of the fits with their terms
    timed = [row for row in rows if "wall_terms" in row]
    terms = np.array([row["wall_terms"] for row in timed])
    walls = np.array([row["measured_wall_s"] for row in timed])
    coefficients, _ = nnls(terms / walls[:, None], np.ones(len(timed)))
    predicted = terms @ np.array([WALL_TIME_COEFFICIENTS[k] for k in WALL_TIME_COEFFICIENTS])
    for row, fitted, used in zip(timed, terms @ coefficients, predicted, strict=True):
        row["refitted_wall_s"] = float(fitted)
        row["predicted_wall_s"] = float(used)
    rows.append(extension_row())
    header = (
        f"{'fit':12s} {'atoms':>6s} {'M':>5s} {'gap_fit':>8s} {'expected':>8s} {'model':>8s} "
        f"{'measured':>8s} {'time pred':>9s} {'time meas':>9s}"
    )
    print(header)
    for row in rows:
        gap_fit = row.get("gap_fit_formula_peak_gib", float("nan"))
        model = row.get("phonogap_model_expected_peak_gib", float("nan"))
        print(
            f"{row['name']:12s} {row['n_atoms']:6d} {row['n_sparse']:5d} "
            f"{gap_fit:8.2f} {row['phonogap_expected_peak_gib']:8.2f} "
            f"{model:8.2f} {row['measured_peak_gib']:8.2f} "
            f"{row['predicted_wall_s']:9.0f} {row['measured_wall_s']:9.0f}"
        )
    print("memory in GiB, time in s; refitted time coefficients:", coefficients.tolist())
    RESULTS.mkdir(exist_ok=True)
    out.write_text(
        json.dumps({"fits": rows, "wall_time_coefficients": coefficients.tolist()}, indent=2)
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
