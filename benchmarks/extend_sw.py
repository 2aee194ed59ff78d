"""Benchmark: extend a general-purpose database with phonon supercells, all with Stillinger-Weber.

The paper's final experiment (Sec. IV, Fig. 5, Tables II-III) with an exact ground truth:
1. ``GeneralDatabaseMaker``: a general-purpose base database labelled by SW (MD liquid at
   1,800 K, quenched amorphous, defective diamond, strained diamond).
2. Base-only GAP (M_base sparse points split in proportion to the base's atoms per config_type).
3. Extended GAPs: base + single-displacement and randomised supercells of the allotropes,
   M_base + M_new sparse points, Eq. 8 sigmas with f = 0.01 and f = 0.001 on the new single
   displacements, fixed sigma on new randomised cells, GAP-18 sigmas for the base types.
4. Phonon RMS of every allotrope for each potential (relaxed with the potential, as the paper).
5. Kappa of diamond Si (phono3py, 2x2x2 conventional cell) for SW and each potential.
6. Melt-quench benchmark driven by SW: energy and force errors per phase of each potential.

Writes ``<out>/extend_sw.json``, ``extend_sw_rms.png``, ``extend_sw_melt_quench.png`` and
``extend_sw_thermo.png``, prints the tables.

Usage::

    python benchmarks/extend_sw.py [--mp-ids mp-149 mp-165 ...] [--n-sparse-base 300]
        [--n-sparse-new 150] [--f-values 0.01 0.001] [--preset small|gap18]
        [--md-scale bench|paper|ci] [--kappa-mesh 11] [--no-kappa] [--out benchmarks/results]

Paper scale: ``--mp-ids`` omitted (all 13), ``--n-sparse-base 9000 --n-sparse-new 3000
--preset gap18 --md-scale paper`` (days of single-threaded gap_fit and MD, >10 GB).
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from jobflow import Flow, run_locally

from phonogap.database.extension_settings import ExtensionSettings
from phonogap.database.general import GeneralDatabaseSettings
from phonogap.database.settings import DatabaseSettings
from phonogap.fitting.hyperparameters import GapHyperparameters
from phonogap.fitting.settings import ExtensionFitSettings
from phonogap.flows import ExtendDatabaseMaker, GeneralDatabaseMaker
from phonogap.flows.kappa import KappaMaker
from phonogap.flows.melt_quench import MeltQuenchMaker
from phonogap.md import MeltQuenchSettings
from phonogap.md.errors import paired_force_changes
from phonogap.report.figures_md import (
    plot_melt_quench_errors,
    plot_melt_quench_thermo,
    plot_phase_errors,
    plot_rms_comparison,
)
from phonogap.schemas.provenance import software_versions
from phonogap.structures.allotropes import silicon_allotropes

DEFAULT_MP_IDS = ["mp-149", "mp-165", "mp-168", "mp-1072544", "mp-999200"]
PAPER_MELT_QUENCH = {  # George et al. 2020: energy meV/atom, force eV/Å (dia / liq / amorph)
    "GAP-18": {"energy": (0.5, 12.2, 4.3), "force": (0.07, 0.19, 0.15)},
    "f = 0.01": {"energy": (0.6, 11.5, 4.2), "force": (0.07, 0.21, 0.14)},
    "f = 0.001": {"energy": (0.6, 8.4, 2.6), "force": (0.11, 0.65, 0.29)},
}


def melt_quench_settings(scale: str) -> MeltQuenchSettings:
    """The melt-quench protocol at a named scale."""
    if scale == "paper":
        return MeltQuenchSettings.paper()
    if scale == "ci":
        return MeltQuenchSettings.ci()
    # 216-atom cell, 2 fs steps, a snapshot every 0.4 ps, superheated to 3,000 K to melt
    # fast, liquid held at 1,800 K, held 2 ps at 3,000 K (without the hold the
    # 216-atom cell stayed crystalline), quenched at 2e15 K/s: 4,775 steps
    return MeltQuenchSettings(
        supercell_repeat=3,
        n_vacancies=6,
        seed=2020,
        timestep_fs=2.0,
        superheat_temperature_k=3000.0,
        crystal_steps=1000,
        heating_steps=400,
        superheat_steps=1000,
        liquid_steps=1000,
        cooling_rate_k_per_ps=2000.0,
        amorphous_steps=1000,
        snapshot_interval_steps=200,
        thermostat_time_fs=100.0,
        barostat_time_fs=500.0,
    )


def general_database_settings(scale: str) -> GeneralDatabaseSettings:
    """The generated base database at a named scale.

    ``bench`` runs the base database's MD in the same cell as the bench melt-quench benchmark
    (216 sites, 6 vacancies) with another seed, so the benchmark's liquid and amorphous
    snapshots are of the kind the base database holds (as GAP-18's database holds melt-quench
    snapshots) and the benchmark tests what an extension does to them, not extrapolation
    from a 62-atom cell.
    """
    if scale == "ci":
        return GeneralDatabaseSettings.ci()
    if scale == "bench":
        md = melt_quench_settings("bench").model_copy(update={"seed": 101})
        return GeneralDatabaseSettings(md=md)
    return GeneralDatabaseSettings()


def outputs_by_type(responses: dict) -> dict[str, list[Any]]:
    """Group the final outputs of all jobs by document type name."""
    grouped: dict[str, list[Any]] = {}
    for response in responses.values():
        output = response[max(response)].output
        grouped.setdefault(type(output).__name__, []).append(output)
    return grouped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mp-ids", nargs="*", default=DEFAULT_MP_IDS)
    parser.add_argument("--all-allotropes", action="store_true", help="all 13 structures")
    parser.add_argument("--n-sparse-base", type=int, default=300)
    parser.add_argument("--n-sparse-new", type=int, default=150)
    parser.add_argument("--f-values", type=float, nargs="+", default=[0.01, 0.001])
    parser.add_argument("--preset", choices=("small", "gap18"), default="small")
    parser.add_argument("--n-randomised", type=int, default=3)
    parser.add_argument("--randomised-min-length", type=float, default=10.0)
    parser.add_argument("--md-scale", choices=("ci", "bench", "paper"), default="bench")
    parser.add_argument(
        "--general-scale",
        choices=("ci", "default", "bench"),
        default="default",
        help="bench: the base database's MD uses the benchmark's melt-quench cell (another seed)",
    )
    parser.add_argument("--no-two-body", action="store_true", help="SOAP only, as GAP-18")
    parser.add_argument("--tag", default="", help="suffix of the output file names")
    parser.add_argument("--no-kappa", action="store_true")
    parser.add_argument("--kappa-mesh", type=int, default=11)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    allotropes = silicon_allotropes(None if args.all_allotropes else args.mp_ids)
    structures = {a.mp_id: a.structure for a in allotropes}
    mp_ids = {a.mp_id: a.mp_id for a in allotropes}
    hyper = GapHyperparameters.small() if args.preset == "small" else GapHyperparameters.gap18()
    if args.no_two_body:
        hyper = hyper.model_copy(update={"two_body": None})
    general_settings = general_database_settings(args.general_scale)
    general = GeneralDatabaseMaker(settings=general_settings).make()
    jobs: list[Any] = [general]
    candidates: dict[str, Any] = {}
    for index, f in enumerate(args.f_values):
        maker = ExtendDatabaseMaker(
            name=f"extend_sw f={f:g}",
            reference="sw",
            database=DatabaseSettings(
                n_randomised=args.n_randomised,
                randomised_min_length_ang=args.randomised_min_length,
            ),
            fit=ExtensionFitSettings(hyperparameters=hyper, f=f),
            extension=ExtensionSettings(
                n_sparse_base=args.n_sparse_base,
                n_sparse_new=args.n_sparse_new,
                benchmark_base=index == 0,
            ),
        )
        flow = maker.make(structures, general.output, mp_ids=mp_ids)
        jobs.append(flow)
        candidates[f"extended f={f:g}"] = flow.output["fit"]
        if index == 0:
            candidates["base"] = flow.output["base_fit"]
    if not args.no_kappa:
        from phonogap.schemas.kappa import KappaSettings

        kappa = KappaMaker(settings=KappaSettings(mesh=(args.kappa_mesh,) * 3), reference="sw")
        diamond = silicon_allotropes(["mp-149"])[0].structure
        jobs.append(kappa.make(diamond, label="SW"))
        for name, fit in candidates.items():
            jobs.append(kappa.make(diamond, potential=fit, label=name))
    melt = MeltQuenchMaker(settings=melt_quench_settings(args.md_scale), reference="sw")
    jobs.append(melt.make(dict(sorted(candidates.items()))))

    work = Path(tempfile.mkdtemp(prefix="phonogap_extend_sw_"))
    start = time.perf_counter()
    responses = run_locally(
        Flow(jobs, name="extend_sw"), root_dir=work, create_folders=True, ensure_success=True
    )
    wall = time.perf_counter() - start
    outputs = outputs_by_type(responses)
    report(args, outputs, wall, work)


def summary_label(summary: Any) -> str:
    """Name a phonon summary by its potential: ``base`` or ``extended f=<f>``."""
    if summary.settings.get("label") == "base":
        return "base"
    return f"extended f={summary.settings['f']:g}"


def paired_vs_base(snapshot_errors: dict[str, list[dict]], base: str = "base") -> dict:
    """Per-phase force-error change of every other potential against ``base``, paired.

    The issue's target "f = 0.01 no worse than base-only in any phase" is judged on this
    (:func:`phonogap.md.errors.paired_force_changes`: worse = more than two standard errors).
    """
    return {
        name: paired_force_changes(rows, snapshot_errors[base])
        for name, rows in snapshot_errors.items()
        if name != base
    }


def report(
    args: argparse.Namespace, outputs: dict[str, list[Any]], wall: float, work: Path
) -> None:
    """Write the JSON and PNGs and print the tables."""
    fits = {fit.label: fit for fit in outputs.get("ExtendedFitDocument", [])}
    summaries = {summary_label(s): s for s in outputs.get("BenchmarkSummaryDocument", [])}
    rms = {name: {r.name: r.rms_thz for r in s.rows} for name, s in summaries.items()}
    (melt,) = outputs["MeltQuenchErrorsDocument"]
    kappa = [k.row() for k in outputs.get("KappaDocument", [])]
    (general,) = [
        d for d in outputs.get("LabelledDatasetDocument", []) if "vacancy" in str(d.summary)
    ]
    melt_dump = melt.model_dump(mode="json")
    paired = paired_vs_base(melt_dump["snapshot_errors"])
    payload = {
        "description": "GAP base-only vs base + allotrope supercells, SW reference",
        "scale": {
            "mp_ids": sorted({r.name for s in summaries.values() for r in s.rows}),
            "n_sparse_base": args.n_sparse_base,
            "n_sparse_new": args.n_sparse_new,
            "preset": args.preset,
            "md_scale": args.md_scale,
            "general_scale": args.general_scale,
            "two_body": not args.no_two_body,
            "md_settings": melt.settings,
            "n_atoms_md": melt.n_atoms,
        },
        "general_database": general.summary,
        "fits": {
            name: {
                "sparse_split": fit.sparse_split,
                "f": fit.f,
                "training_errors": fit.training_errors.model_dump(),
                "wall_time_s": fit.wall_time_s,
                "dataset_summary": fit.dataset_summary,
            }
            for name, fit in fits.items()
        },
        "phonons": {
            name: {
                "rows": [r.model_dump() for r in s.rows],
                "median_rms_thz": s.median_rms_thz,
                "max_rms_thz": max((r.rms_thz for r in s.rows), default=None),
                "n_false_instabilities": s.n_false_instabilities,
                "failed": s.failed,
            }
            for name, s in summaries.items()
        },
        "kappa": kappa,
        "melt_quench": {
            "phase_errors": melt_dump["phase_errors"],
            "phase_diagnostics": melt.phase_diagnostics,
            "snapshot_errors": melt_dump["snapshot_errors"],
            "paired_vs_base": paired,
            "paper": PAPER_MELT_QUENCH,
        },
        "wall_time_s": wall,
        "peak_memory_mb_children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "work_dir": str(work),
        "versions": software_versions(),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    stem = f"extend_sw{args.tag}"
    (args.out / f"{stem}.json").write_text(json.dumps(payload, indent=2, default=str))
    plot_rms_comparison(rms, args.out / f"{stem}_rms.png", title="GAP vs SW phonons")
    plot_melt_quench_errors(melt_dump["snapshot_errors"], args.out / f"{stem}_melt_quench.png")
    plot_melt_quench_thermo(melt.thermo, args.out / f"{stem}_thermo.png")
    plot_phase_errors(melt_dump["phase_errors"], args.out / f"{stem}_phase_errors.png")
    print_tables(rms, summaries, melt, paired, kappa, fits)
    print(f"wall {wall:.0f} s; results in {args.out}")


def print_tables(rms, summaries, melt, paired, kappa, fits) -> None:
    """Print phonon, melt-quench and kappa tables."""
    names = list(rms)
    print(f"{'structure':<12}" + "".join(f"{n:>20}" for n in names))
    for structure in sorted({s for v in rms.values() for s in v}):
        print(
            f"{structure:<12}"
            + "".join(f"{rms[n].get(structure, float('nan')):>20.4f}" for n in names)
        )
    for name, s in summaries.items():
        print(f"{name}: false instabilities {s.n_false_instabilities}, failed {s.failed}")
    print(f"{'potential':<20}{'phase':<20}{'E (meV/atom)':>14}{'F (eV/Å)':>10}")
    for row in melt.table():
        print(
            f"{row['potential']:<20}{row['phase']:<20}"
            f"{row['energy_mae_mev_per_atom']:>14.2f}{row['force_rmse_ev_per_ang']:>10.3f}"
        )
    print("force error vs base, paired per snapshot (%, ± standard error):")
    for name, table in paired.items():
        print(
            f"  {name:<20}"
            + "  ".join(
                f"{phase} {row['change_percent']:+.1f} ± {row['standard_error_percent']:.1f} "
                f"({row['verdict']})"
                for phase, row in table.items()
            )
        )
    print("phases:", json.dumps(melt.phase_diagnostics, indent=1))
    for row in kappa:
        print(row)
    for name, fit in fits.items():
        print(f"fit {name}: {fit.wall_time_s:.0f} s, split {fit.sparse_split}")


if __name__ == "__main__":
    main()
