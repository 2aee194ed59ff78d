"""Lattice thermal conductivity with phono3py (RTA): pure functions, no jobflow.

Two ways to the third-order force constants from forces of any phonogap reference:

* ``"finite_displacement"``: phono3py's symmetry-reduced pair displacements (111 supercells
  for diamond Si in the 2x2x2 conventional cell); fc3/fc2 by finite differences, then
  symmetrised with the symfc projector, exactly as ``phono3py.load``/``phono3py-load`` do.
* ``"random_displacements"``: every atom displaced by ``displacement_ang`` in a random
  direction, in ± pairs (the pair cancels odd orders in fc3 and even orders in fc2; without
  it 16 supercells gave -4 % for Stillinger–Weber Si), fc2 and fc3 fitted together by symfc.
  Counts at or below symfc's minimum are refused (Si 2x2x2: 8 supercells gave kappa 100x
  too large). ``benchmarks/kappa_si.py`` (SW Si, 11³, 3 seeds): 10 supercells within 0.6 %,
  16 (the default, 7x fewer than 111) within 0.2 % of full finite displacements.

Units: Å, eV/Å, K, W/(m K). Kappa tensors are phono3py's Voigt 6: xx yy zz yz xz xy.
Residual forces of the perfect supercell are not subtracted (zero by symmetry for relaxed
high-symmetry crystals). Non-analytical (LO-TO) corrections: a dataset's NAC parameters
(``BORN`` or the yaml's ``nac``) are applied in :func:`kappa_from_phono3py_dataset`; with a
reference or potential (:func:`kappa_with_reference`) only those passed as ``nac_params`` (a
GAP predicts no Born charges: pass the DFT reference's).
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING, Literal

import numpy as np
from ase import Atoms
from phono3py import Phono3py
from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

from phonogap.phonons.harmonic import structure_to_phonopy_atoms
from phonogap.phonons.kappa_dataset import load_phono3py_dataset
from phonogap.phonons.nac import nac_from_json
from phonogap.phonons.supercell_guard import check_supercell_size
from phonogap.reference.evaluate import evaluate_configurations
from phonogap.schemas.kappa import KappaMethod, KappaResult, KappaSettings
from phonogap.schemas.keys import FORCES_KEY

if TYPE_CHECKING:
    from numpy.typing import ArrayLike
    from pymatgen.core import Structure

    from phonogap.reference.base import Reference

__all__ = [
    "KappaMethod",
    "KappaRun",
    "KappaSettings",
    "compute_fc3_fc2_forces",
    "compute_forces",
    "displaced_supercells",
    "kappa_from_phono3py_dataset",
    "kappa_supercell_matrix",
    "kappa_with_reference",
    "make_phono3py",
    "produce_force_constants",
    "run_rta",
]

logger = logging.getLogger(__name__)


@dataclass
class KappaRun:
    """A finished kappa calculation: the phono3py object, the result and its cost."""

    phono3py: Phono3py
    result: KappaResult
    n_supercells: int
    n_phonon_supercells: int = 0
    timings_s: dict[str, float] = field(default_factory=dict)


def kappa_supercell_matrix(unitcell: Structure, min_length_ang: float) -> list[list[int]]:
    """Return ``diag(ceil(min_length_ang / |a_i|))``: every lattice vector ≥ the minimum.

    Parameters
    ----------
    unitcell
        The unit cell.
    min_length_ang
        Minimum lattice-vector length (Å).

    Returns
    -------
    list of list of int
        Diagonal supercell matrix.
    """
    lengths = np.asarray(unitcell.lattice.abc)
    return np.diag(np.ceil(min_length_ang / lengths - 1e-8).astype(int)).tolist()


def make_phono3py(
    structure: Structure, settings: KappaSettings, name: str | None = None
) -> Phono3py:
    """Build a :class:`phono3py.Phono3py` with its displacements.

    Parameters
    ----------
    structure
        The crystal (any cell; see ``settings.conventional``).
    settings
        Supercells, method and displacement length; ``max_supercell_atoms`` bounds the fc3
        and fc2 supercells.
    name
        Structure name for error messages (default: the reduced formula).

    Returns
    -------
    Phono3py
        Displacement dataset generated (pairs, or random ± pairs); primitive cell found
        automatically; no forces yet.

    Raises
    ------
    SupercellTooLargeError
        If a supercell would exceed ``settings.max_supercell_atoms`` (checked before
        phono3py builds anything).
    """
    unitcell = structure
    if settings.conventional:  # symmetry-refined conventional standard cell
        analyzer = SpacegroupAnalyzer(structure, symprec=settings.symprec)
        unitcell = analyzer.get_conventional_standard_structure()
    smat = settings.supercell_matrix or kappa_supercell_matrix(unitcell, settings.min_length_ang)
    label = name or structure.composition.reduced_formula
    for matrix, what in ((smat, "fc3"), (settings.phonon_supercell_matrix, "fc2")):
        if matrix is not None:
            check_supercell_size(
                label,
                len(unitcell),
                matrix,
                settings.max_supercell_atoms,
                "kappa.settings.max_supercell_atoms",
                what=f"phono3py {what} supercell",
            )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*primitive_matrix.*")
        ph3 = Phono3py(
            structure_to_phonopy_atoms(unitcell),
            supercell_matrix=smat,
            primitive_matrix="auto",
            phonon_supercell_matrix=settings.phonon_supercell_matrix,
            symprec=1e-5,
        )
    if settings.method == "finite_displacement":
        ph3.generate_displacements(distance=settings.displacement_ang)
    else:
        _check_random_count(ph3, settings.n_random_supercells)
        ph3.generate_displacements(
            distance=settings.displacement_ang,
            number_of_snapshots=settings.n_random_supercells // 2,
            random_seed=settings.random_seed,
            is_plusminus=True,
        )
    logger.info(
        "phono3py %s: supercell %s of the %d-atom cell, %d displaced supercells",
        *(settings.method, smat, len(unitcell), len(ph3.supercells_with_displacements)),
    )
    return ph3


def _check_random_count(ph3: Phono3py, n_supercells: int) -> None:
    """Refuse random-displacement counts that leave the symfc fc3 fit underdetermined."""
    from phonopy.interface.symfc import SymfcFCSolver

    solver = SymfcFCSolver(ph3.supercell, symmetry=ph3.symmetry)
    minimum = int(solver.estimate_numbers_of_supercells(orders=[3])[3])
    if n_supercells // 2 <= minimum:
        raise ValueError(
            f"n_random_supercells={n_supercells} gives {n_supercells // 2} ± pairs, but symfc "
            f"needs more than {minimum} displacement patterns for fc3 of this {len(ph3.supercell)}"
            f"-atom supercell (at exactly {minimum} the fit is underdetermined: Si kappa came out "
            f"100x too large); use n_random_supercells >= {2 * minimum + 2}"
        )


def displaced_supercells(ph3: Phono3py, kind: Literal["fc3", "fc2"] = "fc3") -> list[Atoms]:
    """Return the displaced supercells whose forces phono3py needs, as ASE Atoms.

    Parameters
    ----------
    ph3
        From :func:`make_phono3py`.
    kind
        ``"fc3"``: the pair (or random) displacements; ``"fc2"``: the separate phonon
        supercell's displacements (empty without ``phonon_supercell_matrix``).

    Returns
    -------
    list of Atoms
        In phono3py's dataset order, the order :func:`produce_force_constants` expects.
    """
    if kind == "fc2":
        if ph3.phonon_supercell_matrix is None:
            return []
        cells = ph3.phonon_supercells_with_displacements
    else:
        cells = ph3.supercells_with_displacements
    return [
        Atoms(cell.symbols, cell=cell.cell, scaled_positions=cell.scaled_positions, pbc=True)
        for cell in cells
    ]


def compute_forces(
    reference: Reference, supercells: list[Atoms], n_workers: int | None = None
) -> np.ndarray:
    """Compute forces on supercells with a reference, over a process pool.

    Parameters
    ----------
    reference
        Any phonogap reference or potential (e.g. ``get_reference("sw")``, ``GapPotential``).
    supercells
        Configurations from :func:`displaced_supercells`.
    n_workers
        Processes (default: all available cores).

    Returns
    -------
    numpy.ndarray
        ``(n_supercells, n_atoms, 3)`` in eV/Å.
    """
    labelled = evaluate_configurations(reference, supercells, n_workers)
    return np.array([atoms.arrays[FORCES_KEY] for atoms in labelled], dtype=float)


def compute_fc3_fc2_forces(
    reference: Reference, ph3: Phono3py, n_workers: int | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Compute the forces on a phono3py object's fc3 and (separate) fc2 supercells.

    One pool for both sets; they are split before becoming arrays because a separate fc2
    supercell usually holds more atoms (NaCl: 64 and 512).

    Parameters
    ----------
    reference
        Any phonogap reference or potential.
    ph3
        With displacement dataset(s).
    n_workers
        Processes (default: all available cores).

    Returns
    -------
    tuple
        fc3 forces ``(n_fc3, n_atoms, 3)`` and fc2 forces (None without a separate set), eV/Å.
    """
    fc3_cells, fc2_cells = displaced_supercells(ph3), displaced_supercells(ph3, "fc2")
    labelled = evaluate_configurations(reference, fc3_cells + fc2_cells, n_workers)
    forces = [atoms.arrays[FORCES_KEY] for atoms in labelled]
    fc3 = np.array(forces[: len(fc3_cells)], dtype=float)
    return fc3, np.array(forces[len(fc3_cells) :], dtype=float) if fc2_cells else None


def _check_forces(forces: ArrayLike, n_cells: int, n_atoms: int, what: str) -> np.ndarray:
    expected = (n_cells, n_atoms, 3)
    array = np.asarray(forces, dtype=float)
    if array.shape != expected:
        raise ValueError(
            f"{what} have shape {array.shape}, expected {expected} "
            "(n_displaced_supercells, n_atoms_supercell, 3)"
        )
    if not np.all(np.isfinite(array)):
        index = int(np.argwhere(~np.isfinite(array))[0][0])
        raise ValueError(f"{what} contain NaN/inf (supercell {index}); recompute its forces")
    return array


def produce_force_constants(
    ph3: Phono3py,
    forces: ArrayLike,
    phonon_forces: ArrayLike | None = None,
    *,
    fc_calculator: Literal["traditional", "symfc"] = "traditional",
) -> Phono3py:
    """Attach forces and compute compact fc2 and fc3.

    Parameters
    ----------
    ph3
        With a displacement dataset. Modified in place.
    forces
        ``(n_fc3_supercells, n_atoms, 3)`` eV/Å, in :func:`displaced_supercells` order.
    phonon_forces
        Forces on the separate fc2 supercells (required iff ``phonon_supercell_matrix``).
    fc_calculator
        ``"traditional"``: finite differences, then the symfc projector (pair
        displacements); ``"symfc"``: least-squares fit (needed for random displacements).

    Returns
    -------
    Phono3py
        The same object with ``fc2`` and ``fc3``.

    Raises
    ------
    ValueError
        On wrong shapes, NaN/inf, or missing/unexpected ``phonon_forces``.
    """
    ph3.forces = _check_forces(
        forces, len(ph3.supercells_with_displacements), len(ph3.supercell), "fc3 forces"
    )
    separate_fc2 = ph3.phonon_supercell_matrix is not None
    if separate_fc2 != (phonon_forces is not None):
        raise ValueError(
            "phonon_forces must be given exactly when phonon_supercell_matrix is set "
            f"(phonon_supercell_matrix={ph3.phonon_supercell_matrix})"
        )
    symfc = fc_calculator == "symfc"
    ph3.produce_fc3(fc_calculator="symfc" if symfc else None)
    if not symfc:
        ph3.symmetrize_fc3(use_symfc_projector=True)
    if separate_fc2:
        ph3.phonon_forces = _check_forces(
            phonon_forces,
            len(ph3.phonon_supercells_with_displacements),
            len(ph3.phonon_supercell),
            "fc2 forces",
        )
        ph3.produce_fc2(fc_calculator="symfc" if symfc else None)
    if not symfc:
        ph3.symmetrize_fc2(use_symfc_projector=True)
    return ph3


def run_rta(ph3: Phono3py, settings: KappaSettings) -> KappaResult:
    """Solve the Boltzmann equation in the relaxation-time approximation.

    Parameters
    ----------
    ph3
        With fc2 and fc3.
    settings
        Mesh, temperatures, isotope and boundary scattering.

    Returns
    -------
    KappaResult
        Kappa tensors (W/m K, Voigt 6: xx yy zz yz xz xy) and diagonal means per temperature.
    """
    if ph3.fc2 is None or ph3.fc3 is None:
        raise ValueError("phono3py object has no fc2/fc3; call produce_force_constants first")
    ph3.mesh_numbers = list(settings.mesh)
    ph3.init_phph_interaction()
    ph3.run_thermal_conductivity(
        temperatures=list(settings.temperatures_k),
        is_isotope=settings.is_isotope,
        boundary_mfp=settings.boundary_mfp_um,
    )
    kappa = np.asarray(ph3.thermal_conductivity.kappa)[0]  # (n_temperatures, 6), one sigma
    return KappaResult(
        temperatures_k=[float(t) for t in settings.temperatures_k],
        kappa_tensors_w_per_mk=kappa.tolist(),
        kappa_mean_diagonal_w_per_mk=kappa[:, :3].mean(axis=1).tolist(),
        mesh=list(settings.mesh),
    )


def kappa_with_reference(
    structure: Structure,
    reference: Reference,
    settings: KappaSettings | None = None,
    n_workers: int | None = None,
    name: str | None = None,
    nac_params: dict | None = None,
) -> KappaRun:
    """Compute kappa of a structure with forces from a reference or potential.

    Parameters
    ----------
    structure
        The crystal, at the geometry to use (relax it with the same reference first).
    reference
        Force source.
    settings
        Method, supercells, mesh, temperatures (default :class:`KappaSettings`).
    n_workers
        Processes for the force evaluations.
    name
        Structure name for error messages (default: the reduced formula).
    nac_params
        NAC parameters of a polar crystal (``born`` per primitive-cell atom, ``dielectric``,
        optional ``factor``), e.g. the DFT reference's when ``reference`` is a GAP, which
        predicts no Born charges; None: no NAC.

    Returns
    -------
    KappaRun
        phono3py object with force constants, kappa, supercell counts and timings.
    """
    settings = settings or KappaSettings()
    start = perf_counter()
    ph3 = make_phono3py(structure, settings, name)
    if nac_params is not None:
        ph3.nac_params = nac_from_json(nac_params, len(ph3.primitive))
    forces, phonon_forces = compute_fc3_fc2_forces(reference, ph3, n_workers)
    timings = {"forces_s": perf_counter() - start}
    produce_force_constants(
        ph3,
        forces,
        phonon_forces,
        fc_calculator="symfc" if settings.method == "random_displacements" else "traditional",
    )
    timings["force_constants_s"] = perf_counter() - start - timings["forces_s"]
    result = run_rta(ph3, settings)
    timings["conductivity_s"] = perf_counter() - start - sum(timings.values())
    logger.info("kappa (%s): %s W/m K", settings.method, result.kappa_mean_diagonal_w_per_mk)
    n_fc2 = 0 if phonon_forces is None else len(phonon_forces)
    return KappaRun(ph3, result, len(forces), n_fc2, timings)


def kappa_from_phono3py_dataset(
    path: str | Path | tuple[str | Path, ...], settings: KappaSettings | None = None
) -> KappaRun:
    """Compute kappa straight from an imported phono3py dataset (e.g. DFT forces).

    Parameters
    ----------
    path
        Folder or files, see :func:`~phonogap.phonons.kappa_dataset.find_phono3py_files`.
    settings
        Only ``mesh``, ``temperatures_k``, ``is_isotope`` and ``boundary_mfp_um`` are used;
        cells and displacements come from the dataset.

    Returns
    -------
    KappaRun
        As :func:`kappa_with_reference`; the counts are the dataset's supercells.
    """
    settings = settings or KappaSettings()
    start = perf_counter()
    ph3 = load_phono3py_dataset(path)
    timings = {"force_constants_s": perf_counter() - start}
    result = run_rta(ph3, settings)
    timings["conductivity_s"] = perf_counter() - start - timings["force_constants_s"]
    n_fc2 = 0 if ph3.phonon_supercell_matrix is None else len(ph3.phonon_forces)
    return KappaRun(ph3, result, len(ph3.forces), n_fc2, timings)
