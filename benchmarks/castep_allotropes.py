"""Benchmark: the paper's experiment on its own DFT data (13 Si allotropes, CASTEP phonons).

One forces-only GAP is fitted to the single-displacement supercells of the dynamically stable
allotropes bundled with phonogap (``george2020_castep``; Eq. 8 sigmas). Each structure
is then relaxed with the GAP, its phonons are computed with the DFT supercell matrix and
compared with the DFT phonons. The same comparison at the DFT geometry separates the
force-constant error from the geometry error. ``--equilibrium`` adds the zero-stress
constraints at the DFT cells (the data have no energies or stresses).

Writes ``castep_allotropes_<tag>.json`` (per structure and geometry: mp_id, rms_thz, imaginary
flags, false_instability, volumes; fit time and peak memory) and RMS bar charts.

Usage::

    python benchmarks/castep_allotropes.py --f 0.001 --n-sparse 3000 --equilibrium
        [--preset small|gap18] [--mp-ids mp-149 mp-168 ...] [--geometry relaxed reference]
        [--sparse-environments 2 --sparse-rattle 0.1]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
import time
from pathlib import Path

from emmet.core.structure import StructureMetadata

from phonogap.database.sparse_environments import sparse_environments
from phonogap.fitting.fit_in_directory import fit_gap_in_directory
from phonogap.fitting.hyperparameters import GapHyperparameters
from phonogap.fitting.settings import FitSettings
from phonogap.flows.imported_data_gap import ImportedDataGapMaker
from phonogap.importers.bundled import bundled_data_dir
from phonogap.importers.training_data import DatasetSpec, EquilibriumSettings, import_training_data
from phonogap.jobs.phonons import benchmark_structure
from phonogap.phonons.benchmark import single_displacement_forces
from phonogap.phonons.settings import PhononSettings
from phonogap.report.figures import plot_rms_bars
from phonogap.schemas.configuration import to_atoms_list


def stable_datasets(mp_ids: list[str] | None) -> list[DatasetSpec]:
    """Return the specs of the 13 stable allotropes (or of those of them in ``mp_ids``)."""
    spec = DatasetSpec(bundled="george2020_castep", structures="stable")
    return [s for s in spec.expanded() if not mp_ids or s.mp_id in mp_ids]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--f", type=float, default=0.001)
    parser.add_argument("--f-min", type=float, default=0.01)
    parser.add_argument("--n-sparse", type=int, default=1000)
    parser.add_argument("--preset", choices=("small", "gap18"), default="small")
    parser.add_argument("--equilibrium", action="store_true", help="zero-stress constraints")
    parser.add_argument("--stress-tolerance-gpa", type=float, default=0.1)
    parser.add_argument("--mp-ids", nargs="*", default=None)
    parser.add_argument(
        "--geometry", nargs="+", choices=("relaxed", "reference"), default=["relaxed", "reference"]
    )
    parser.add_argument(
        "--sparse-environments",
        type=int,
        default=0,
        help="unlabelled 0.1 Å-rattled DFT supercells per structure offered as sparse points",
    )
    parser.add_argument("--sparse-rattle", type=float, default=0.1, help="their rattle (Å)")
    parser.add_argument("--n-workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()

    base = GapHyperparameters.small() if args.preset == "small" else GapHyperparameters.gap18()
    equilibrium = EquilibriumSettings(
        enabled=args.equilibrium, stress_tolerance_gpa=args.stress_tolerance_gpa
    )
    maker = ImportedDataGapMaker(
        datasets=stable_datasets(args.mp_ids),
        fit=FitSettings(
            hyperparameters=base.with_n_sparse(args.n_sparse), f=args.f, f_min=args.f_min
        ),
        equilibrium=equilibrium,
    )
    dataset = import_training_data(maker.datasets, equilibrium)
    environments = (
        [
            atoms
            for setup in dataset.phonon_setups
            for atoms in sparse_environments(
                setup.unitcell,
                setup.supercell_matrix,
                count=args.sparse_environments,
                rattle_std=args.sparse_rattle,
                source=setup.name,
            )
        ]
        if args.sparse_environments
        else []
    )
    work = Path(tempfile.mkdtemp(prefix="phonogap_castep_"))
    fit = fit_gap_in_directory(
        to_atoms_list(dataset.configurations) + environments,
        maker.fitted_hyperparameters(),
        work,
        f=args.f,
        f_min=args.f_min,
    )
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    results: dict[str, list[dict]] = {}
    for geometry in args.geometry:
        rows = []
        for setup in dataset.phonon_setups:
            start = time.perf_counter()
            document = benchmark_structure.original(
                setup,
                fit,
                None,
                reference_forces=single_displacement_forces(
                    dataset.configurations, setup.name, setup.n_displacements
                ),
                mp_id=setup.name,
                phonon_settings=PhononSettings(potential_geometry=geometry),
                n_workers=args.n_workers,
            )
            row = document.model_dump(
                exclude={"bands", "dos", "versions", "settings", *StructureMetadata.model_fields}
            )
            row["wall_time_s"] = time.perf_counter() - start
            rows.append(row)
            print(
                f"{geometry:<9} {setup.name:<11} RMS {row['rms_thz']:.3f} THz "
                f"false {row['false_instability']!s:<5} "
                f"V {row['volume_reference_ang3_per_atom']:.2f} -> "
                f"{row['volume_potential_ang3_per_atom']:.2f} A^3/atom",
                flush=True,
            )
        results[geometry] = rows

    tag = f"f{args.f:g}_M{args.n_sparse}_{args.preset}"
    if args.equilibrium:
        tag += f"_eq{args.stress_tolerance_gpa:g}GPa"
    if args.sparse_environments:
        tag += f"_env{args.sparse_environments}x{args.sparse_rattle:g}"
    payload = {
        "settings": {
            **vars(args),
            "data": str(bundled_data_dir("george2020_castep")),
            "out": str(args.out),
        },
        "fit": {
            "wall_time_s": fit.wall_time_s,
            "peak_memory_mb": peak_mb,
            "n_training_configurations": fit.n_training_configurations,
            "observables": fit.observables,
            "training_errors": fit.training_errors.model_dump(),
            "potential_xml": fit.potential_xml,
        },
        "summary": {
            geometry: {
                "median_rms_thz": statistics.median(r["rms_thz"] for r in rows),
                "max_rms_thz": max(r["rms_thz"] for r in rows),
                "false_instabilities": [r["mp_id"] for r in rows if r["false_instability"]],
            }
            for geometry, rows in results.items()
        },
        "structures": results,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"castep_allotropes_{tag}.json").write_text(json.dumps(payload, indent=2))
    for geometry, rows in results.items():
        plot_rms_bars(
            rows,
            args.out / f"castep_allotropes_{tag}_{geometry}.png",
            title=f"GAP vs CASTEP ({geometry}), f={args.f:g}, M={args.n_sparse}",
        )
    print(f"fit {fit.wall_time_s:.0f} s, peak {peak_mb:.0f} MB")
    for geometry, summary in payload["summary"].items():
        print(
            f"{geometry}: median {summary['median_rms_thz']:.3f} THz, max "
            f"{summary['max_rms_thz']:.3f}, false instabilities {summary['false_instabilities']}"
        )


if __name__ == "__main__":
    main()
