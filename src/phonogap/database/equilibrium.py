"""Equilibrium constraints for forces-only datasets: zero stress (and forces) at the DFT cell.

A phonopy dataset holds forces on displaced supercells and nothing else: no energies, no
stresses. A GAP fitted to it learns the curvature of the energy around each structure but not
where the volume minimum is, so relaxing with it moves the cell (George et al. relax with the
potential before computing phonons). The reference structures of a phonon calculation were
relaxed with the reference method, so its stress and forces there vanish within the
relaxation tolerance. This module turns that knowledge into labelled configurations: each
reference unit cell with a zero virial and zero forces, config_type ``equilibrium``, whose
sigmas say how well the reference relaxation converged.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from ase import Atoms
from pymatgen.core import Structure
from pymatgen.io.ase import AseAtomsAdaptor

from phonogap.schemas.keys import CONFIG_TYPE_KEY, FORCES_KEY, SOURCE_KEY, VIRIAL_KEY

EQUILIBRIUM = "equilibrium"
"""config_type of the zero-stress, zero-force reference cells."""

EV_PER_ANG3_PER_GPA = 1.0 / 160.21766208
"""Unit conversion: 1 GPa in eV/Å³."""


def equilibrium_configurations(cells: Iterable[tuple[str, Structure]]) -> list[Atoms]:
    """Label reference unit cells as stress-free and force-free.

    Parameters
    ----------
    cells
        ``(name, structure)`` pairs: the cells the reference relaxed (the phonopy unit cells).

    Returns
    -------
    list of Atoms
        One configuration per cell with ``REF_virial`` = 0 and ``REF_forces`` = 0, no energy,
        ``config_type`` = ``equilibrium`` and ``source`` = the name.
    """
    configurations = []
    for name, structure in cells:
        atoms = AseAtomsAdaptor.get_atoms(structure)
        atoms.calc = None
        atoms.info[VIRIAL_KEY] = np.zeros((3, 3))
        atoms.arrays[FORCES_KEY] = np.zeros((len(atoms), 3))
        atoms.info[CONFIG_TYPE_KEY] = EQUILIBRIUM
        atoms.info[SOURCE_KEY] = name
        configurations.append(atoms)
    return configurations


def equilibrium_sigma(
    stress_tolerance_gpa: float,
    force_tolerance_ev_per_ang: float,
    volume_per_atom_ang3: float,
) -> tuple[float, float, float, float]:
    """Turn relaxation tolerances into gap_fit sigmas for config_type ``equilibrium``.

    Parameters
    ----------
    stress_tolerance_gpa
        How far from zero the reference stress may be (CASTEP's default geometry tolerance is
        0.1 GPa; VASP relaxations typically reach 0.1–0.5 kbar).
    force_tolerance_ev_per_ang
        How far from zero the reference forces may be.
    volume_per_atom_ang3
        A typical volume per atom of the structures (turns stress into virial per atom).

    Returns
    -------
    tuple of float
        ``(energy, force, virial, hessian)`` sigmas: energy unused (no energies) and set to
        1 eV/atom, force in eV/Å, virial in eV/atom, Hessian 0.
    """
    if stress_tolerance_gpa <= 0 or force_tolerance_ev_per_ang <= 0 or volume_per_atom_ang3 <= 0:
        raise ValueError(
            "equilibrium tolerances and volume must be > 0, got "
            f"{stress_tolerance_gpa} GPa, {force_tolerance_ev_per_ang} eV/Å, "
            f"{volume_per_atom_ang3} Å³/atom"
        )
    virial_per_atom = stress_tolerance_gpa * EV_PER_ANG3_PER_GPA * volume_per_atom_ang3
    return (1.0, force_tolerance_ev_per_ang, virial_per_atom, 0.0)
