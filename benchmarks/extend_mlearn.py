"""Benchmark: extend a real DFT (PBE) database with diamond displaced supercells.

Base: the mlearn silicon training set (VASP PBE: AIMD-NVT, vacancies, strained cells,
surfaces; 214 structures). Extension: displaced 64-atom diamond supercells of phono3py's
Si-PBE dataset (same functional; 0.03 Å displacements with energies, forces, stresses).
Two GAPs: base-only (M_base split over the mlearn groups in proportion to atoms) and
extended (M_base + M_new, Eq. 8 sigmas with f on the phono3py supercells). Reported:
held-out errors on ``mlearn_si/test.json`` per group (energy meV/atom, force eV/Å, stress
GPa) and the diamond phonon RMS against the DFT fc2 phonons of Si-PBE (GAP-relaxed cell, the
paper's protocol, and at the DFT geometry).

e0: neither set has an isolated atom, so ``e0`` = lowest per-atom energy of the base + the
PBE cohesive energy of Si (4.55 eV); it only moves the baseline of the energy model.

Writes ``<out>/extend_mlearn.json`` and ``extend_mlearn.png``.

Usage::

    python benchmarks/extend_mlearn.py [--n-sparse-base 800] [--n-sparse-new 200] [--f 0.01]
        [--n-extension 111] [--preset small|gap18] [--out benchmarks/results]
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
from phonopy import Phonopy
from pymatgen.core import Structure
from pymatgen.io.ase import AseAtomsAdaptor

from phonogap.database.extend import extension_sparse_split, merge_databases
from phonogap.fitting.fit_in_directory import fit_gap_in_directory
from phonogap.fitting.held_out_errors import held_out_errors
from phonogap.fitting.hyperparameters import GapHyperparameters
from phonogap.fitting.sparse_split import split_hyperparameters
from phonogap.importers import import_dataset
from phonogap.importers.bundled import bundled_data_root
from phonogap.importers.phono3py_data import load_reference_phono3py
from phonogap.phonons.comparison import compare_phonons
from phonogap.phonons.harmonic import displaced_supercells, make_phonopy, set_forces
from phonogap.reference.evaluate import evaluate_configurations
from phonogap.reference.gap import GapPotential
from phonogap.report.figures_md import plot_rms_comparison
from phonogap.schemas.keys import ENERGY_KEY
from phonogap.schemas.provenance import software_versions
from phonogap.structures.relax import relax_structure

DATA = bundled_data_root()  # phonogap/data: the reference data shipped with phonogap
PBE_COHESIVE_EV = 4.55
EXTENSION_TYPE = "phono3py_disp"


def dft_phonopy() -> tuple[Phonopy, Structure]:
    """Phonopy object with the Si-PBE DFT fc2 (from phono3py's dataset) and its unit cell."""
    ph3 = load_reference_phono3py(DATA / "phono3py_si" / "Si-PBE")
    unitcell = Structure.from_file(DATA / "phono3py_si" / "Si-PBE" / "POSCAR-unitcell")
    matrix = (
        ph3.supercell_matrix if ph3.phonon_supercell_matrix is None else ph3.phonon_supercell_matrix
    )
    phonon = Phonopy(ph3.unitcell, supercell_matrix=matrix, primitive_matrix=ph3.primitive_matrix)
    phonon.force_constants = ph3.fc2
    return phonon, unitcell


def gap_phonopy(potential: GapPotential, structure: Structure, reference: Phonopy) -> Phonopy:
    """Phonons of a GAP in the reference's supercell, at the given geometry."""
    phonon = make_phonopy(
        structure,
        reference.supercell_matrix,
        displacement=0.01,
        primitive_matrix=reference.primitive_matrix,
    )
    cells = [AseAtomsAdaptor.get_atoms(s) for s in displaced_supercells(phonon)]
    labelled = evaluate_configurations(potential, cells, n_workers=1)
    return set_forces(phonon, [a.arrays["REF_forces"] for a in labelled])


def phonon_rms(potential: GapPotential, reference: Phonopy, unitcell: Structure) -> dict:
    """Diamond phonon RMS of a GAP vs DFT: relaxed with the GAP and at the DFT geometry."""
    relaxed = relax_structure(unitcell, potential.calculator(), fmax=1e-5).structure
    out = {"lattice_gap_ang": relaxed.lattice.a, "lattice_dft_ang": unitcell.lattice.a}
    for label, cell in (("relaxed", relaxed), ("dft_geometry", unitcell)):
        comparison, *_ = compare_phonons(reference, gap_phonopy(potential, cell, reference))
        out[f"rms_thz_{label}"] = comparison.rms_thz
        out[f"imaginary_{label}"] = comparison.imaginary_potential
    return out


def fit(configurations: list, hyper: GapHyperparameters, workdir: Path, f: float | None) -> dict:
    """Fit in ``workdir`` with Eq. 8 on the extension supercells; return a summary."""
    document = fit_gap_in_directory(
        configurations, hyper, workdir, f=f, atomwise_config_types=(EXTENSION_TYPE,)
    )
    return {
        "potential_xml": document.potential_xml,
        "sparse_split": hyper.config_type_n_sparse,
        "f": document.f,
        "wall_time_s": document.wall_time_s,
        "training_errors": document.training_errors.model_dump(),
        "n_training_configurations": document.n_training_configurations,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-sparse-base", type=int, default=800)
    parser.add_argument("--n-sparse-new", type=int, default=200)
    parser.add_argument("--f", type=float, default=0.01)
    parser.add_argument("--n-extension", type=int, default=111, help="phono3py supercells used")
    parser.add_argument("--preset", choices=("small", "gap18"), default="small")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    start = time.perf_counter()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="phonogap_extend_mlearn_"))

    base = import_dataset("mlearn", DATA / "mlearn_si" / "training.json").configurations
    test = import_dataset("mlearn", DATA / "mlearn_si" / "test.json").configurations
    extension = import_dataset(
        "extxyz",
        DATA / "phono3py_si" / "Si-PBE" / "si_pbe_phono3py_fc3_disp.extxyz",
        config_type=EXTENSION_TYPE,
    ).configurations[: args.n_extension]
    e0 = min(a.info[ENERGY_KEY] / len(a) for a in base) + PBE_COHESIVE_EV
    hyper = GapHyperparameters.small() if args.preset == "small" else GapHyperparameters.gap18()
    hyper = hyper.model_copy(update={"e0": e0})

    runs = {
        "base": (base, [], None),
        f"extended f={args.f:g}": (base, extension, args.f),
    }
    reference, unitcell = dft_phonopy()
    results = {}
    for name, (old, new, f) in runs.items():
        split = extension_sparse_split(
            old, new, args.n_sparse_base, args.n_sparse_new if new else 0
        )
        fitted = fit(
            merge_databases(old, new),
            split_hyperparameters(hyper, split),
            work / name.replace(" ", "_").replace("=", ""),
            f,
        )
        potential = GapPotential(xml_path=fitted["potential_xml"])
        fitted["test_errors"] = held_out_errors(potential, test, n_workers=2).model_dump()
        fitted["diamond_phonons"] = phonon_rms(potential, reference, unitcell)
        results[name] = fitted
        logging.info("%s: %s", name, fitted["diamond_phonons"])

    payload = {
        "description": "mlearn PBE base vs base + phono3py Si-PBE displaced supercells",
        "scale": {
            "n_sparse_base": args.n_sparse_base,
            "n_sparse_new": args.n_sparse_new,
            "n_extension": len(extension),
            "preset": args.preset,
            "e0_ev": e0,
        },
        "results": results,
        "wall_time_s": time.perf_counter() - start,
        "peak_memory_mb_children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "work_dir": str(work),
        "versions": software_versions(),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "extend_mlearn.json").write_text(json.dumps(payload, indent=2, default=str))
    plot_rms_comparison(
        {
            n: {"diamond (relaxed)": r["diamond_phonons"]["rms_thz_relaxed"]}
            for n, r in results.items()
        },
        args.out / "extend_mlearn.png",
        title="diamond Si phonons vs PBE fc2",
    )
    print_tables(results)


def print_tables(results: dict) -> None:
    """Print test-set errors per group and diamond phonon RMS."""
    print(f"{'potential':<20}{'group':<12}{'E meV/at':>10}{'F eV/Å':>9}{'S GPa':>8}")
    for name, result in results.items():
        for group, errors in result["test_errors"]["groups"].items():
            stress = errors["stress_rmse_gpa"]
            print(
                f"{name:<20}{group:<12}{errors['energy_rmse_mev_per_atom']:>10.2f}"
                f"{errors['force_rmse_ev_per_ang']:>9.3f}"
                f"{np.nan if stress is None else stress:>8.3f}"
            )
    for name, result in results.items():
        print(name, json.dumps(result["diamond_phonons"]), f"fit {result['wall_time_s']:.0f} s")


if __name__ == "__main__":
    main()
