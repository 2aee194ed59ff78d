"""Attribute a potential's kappa error to its harmonic and anharmonic force constants.

A GAP can reproduce its training forces to 1e-4 eV/Å and still give a kappa 10 % low: fc3
comes from second differences of forces over 0.03 Å pair displacements, so force errors
of 1e-4 eV/Å become fc3 errors of order 0.1 eV/Å³, and random fc3 errors add
phonon-phonon scattering (|Φ + δ|² averages to |Φ|² + |δ|²), which always lowers kappa.
:func:`attribute_kappa_error` measures this directly: it evaluates the potential on a
phono3py dataset's own displaced supercells, builds the force constants exactly as for the
dataset, and solves the RTA four times, swapping fc2 and fc3 between dataset and potential
(:class:`~phonogap.schemas.kappa.KappaAttribution`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from phonogap.phonons.kappa import compute_fc3_fc2_forces, run_rta
from phonogap.phonons.kappa_dataset import load_phono3py_dataset, symmetrised_force_constants
from phonogap.schemas.kappa import KappaAttribution, KappaSettings

if TYPE_CHECKING:
    from phonogap.reference.base import Reference

__all__ = ["attribute_kappa_error"]


def _relative_error(potential: np.ndarray, reference: np.ndarray) -> float:
    return float(np.linalg.norm(potential - reference) / np.linalg.norm(reference))


def attribute_kappa_error(
    path: str | Path | tuple[str | Path, ...],
    reference: Reference,
    settings: KappaSettings | None = None,
    n_workers: int | None = None,
) -> KappaAttribution:
    """Compare a potential's kappa with a phono3py dataset's, cell for cell.

    Parameters
    ----------
    path
        The dataset (folder or files, see
        :func:`~phonogap.phonons.kappa_dataset.find_phono3py_files`).
    reference
        The potential (e.g. :class:`~phonogap.reference.gap.GapPotential`) or any reference.
    settings
        Only ``mesh``, ``temperatures_k``, ``is_isotope`` and ``boundary_mfp_um`` are used.
    n_workers
        Processes for the force evaluations.

    Returns
    -------
    KappaAttribution
        Kappa of the dataset, of the potential, and of the two fc2/fc3 swaps, with the force
        and force-constant errors.
    """
    settings = settings or KappaSettings()
    ph3 = load_phono3py_dataset(path)
    reference_fc2, reference_fc3 = ph3.fc2.copy(), ph3.fc3.copy()
    reference_forces = np.asarray(ph3.forces, dtype=float)
    kappa_reference = run_rta(ph3, settings)

    forces, phonon_forces = compute_fc3_fc2_forces(reference, ph3, n_workers)
    ph3.forces = forces
    if phonon_forces is not None:
        ph3.phonon_forces = phonon_forces
    symmetrised_force_constants(ph3)
    potential_fc2, potential_fc3 = ph3.fc2.copy(), ph3.fc3.copy()
    kappa_potential = run_rta(ph3, settings)

    ph3.fc3 = reference_fc3
    kappa_potential_fc2 = run_rta(ph3, settings)
    ph3.fc2, ph3.fc3 = reference_fc2, potential_fc3
    kappa_potential_fc3 = run_rta(ph3, settings)

    errors = forces - reference_forces
    return KappaAttribution(
        temperatures_k=kappa_reference.temperatures_k,
        reference=kappa_reference,
        potential=kappa_potential,
        potential_fc2=kappa_potential_fc2,
        potential_fc3=kappa_potential_fc3,
        force_rmse_ev_per_ang=float(np.sqrt(np.mean(errors**2))),
        force_max_error_ev_per_ang=float(np.abs(errors).max()),
        fc2_relative_error=_relative_error(potential_fc2, reference_fc2),
        fc3_relative_error=_relative_error(potential_fc3, reference_fc3),
    )
