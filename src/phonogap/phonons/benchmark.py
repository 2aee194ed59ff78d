"""Pieces of the phonon benchmark: reference and potential phonons in the same supercells.

The reference side is rebuilt from the phonon setup and the labelled single-displacement
forces of the training data (the reference is called only when the data lack them); the
potential side uses the same supercell matrix, displacement and primitive matrix, so both
band structures are computed on identical q-points. Polar crystals: the reference's NAC
parameters (Born charges, dielectric tensor) are applied to both sides, since a potential
predicts no Born charges; :func:`rms_without_nac` gives the comparison without them. The jobs
that run a benchmark per structure live in :mod:`phonogap.jobs.phonons`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np

from phonogap.phonons.harmonic import displaced_supercells, make_phonopy, set_forces, total_dos
from phonogap.phonons.nac import nac_from_json
from phonogap.phonons.setup import phonopy_from_setup
from phonogap.reference.evaluate import evaluate_configurations
from phonogap.schemas.keys import DISPLACEMENT_INDEX_KEY, FORCES_KEY, SINGLE_DISPLACEMENT
from phonogap.schemas.phonons import DosData

if TYPE_CHECKING:
    from phonopy import Phonopy
    from pymatgen.core import Structure

    from phonogap.reference.base import Reference
    from phonogap.reference.gap import GapPotential
    from phonogap.schemas.configuration import Configuration
    from phonogap.schemas.dataset import PhononSetup

logger = logging.getLogger(__name__)


def forces_from(reference: Reference, phonon: Phonopy, n_workers: int | None) -> list[np.ndarray]:
    """Compute the forces on every displaced supercell of a phonopy object.

    Parameters
    ----------
    reference
        Calculator source (reference backend or fitted potential).
    phonon
        phonopy object with displacements.
    n_workers
        Processes.

    Returns
    -------
    list of ndarray
        Forces (eV/Å), one (n_atoms, 3) array per displacement.
    """
    from pymatgen.io.ase import AseAtomsAdaptor

    supercells = [AseAtomsAdaptor.get_atoms(s) for s in displaced_supercells(phonon)]
    labelled = evaluate_configurations(reference, supercells, n_workers)
    return [atoms.arrays[FORCES_KEY] for atoms in labelled]


def reference_phonopy(
    setup: PhononSetup,
    reference: Reference | None,
    reference_forces: list[list[list[float]]] | None,
    n_workers: int | None,
) -> Phonopy:
    """Rebuild the reference phonons, from stored labels when the database has them.

    Parameters
    ----------
    setup
        Unit cell, supercell matrix and displacement dataset.
    reference
        Used only when ``reference_forces`` is None (no single-displacement data).
    reference_forces
        Forces on the displaced supercells, in displacement order.
    n_workers
        Processes for reference calls.

    Returns
    -------
    Phonopy
        With force constants.
    """
    phonon = phonopy_from_setup(setup.model_dump(), primitive_matrix=setup.primitive_matrix)
    forces = reference_forces
    if forces is None:
        if reference is None:
            raise ValueError(
                f"{setup.name}: the dataset has no complete set of single-displacement forces "
                "and no reference backend was given to compute them; import the complete "
                "phonopy dataset (every displacement with forces) or name a reference"
            )
        logger.info("%s: no single-displacement labels, calling the reference", setup.name)
        forces = forces_from(reference, phonon, n_workers)
    return set_forces(phonon, forces)


def potential_phonopy(
    structure: Structure,
    setup: PhononSetup,
    potential: GapPotential,
    primitive_matrix: np.ndarray,
    n_workers: int | None,
) -> Phonopy:
    """Phonons of a potential-relaxed structure in the reference's supercell.

    Parameters
    ----------
    structure
        Structure relaxed with the potential.
    setup
        The reference setup (supercell matrix, displacement length).
    potential
        The fitted potential.
    primitive_matrix
        The reference's primitive matrix, so both sides use the same primitive cell even if
        relaxation with the potential lowered the symmetry.
    n_workers
        Processes.

    Returns
    -------
    Phonopy
        With force constants.
    """
    phonon = make_phonopy(
        structure,
        setup.supercell_matrix,
        displacement=setup.displacement_ang,
        primitive_matrix=primitive_matrix,
    )
    if setup.nac_params is not None:  # a GAP has no Born charges: the reference's NAC
        phonon.nac_params = nac_from_json(setup.nac_params, len(phonon.primitive))
    return set_forces(phonon, forces_from(potential, phonon, n_workers))


def rms_without_nac(
    reference: Phonopy, potential: Phonopy, points_per_segment: int, mesh: float | tuple
) -> float | None:
    """Band RMS (THz) of the same comparison with the NAC switched off on both sides.

    Parameters
    ----------
    reference, potential
        Phonons with force constants; unchanged on return.
    points_per_segment, mesh
        As for :func:`~phonogap.phonons.comparison.compare_phonons`.

    Returns
    -------
    float or None
        The RMS without NAC, or None when the reference has no NAC parameters.
    """
    from phonogap.phonons.comparison import compare_phonons

    saved = reference.nac_params, potential.nac_params
    if saved[0] is None:
        return None
    try:
        reference.nac_params = potential.nac_params = None
        comparison = compare_phonons(
            reference, potential, points_per_segment=points_per_segment, mesh=mesh
        )[0]
    finally:
        reference.nac_params, potential.nac_params = saved
    return comparison.rms_thz


def dos_on_common_grid(reference: Phonopy, potential: Phonopy, mesh: float | tuple) -> DosData:
    """Total DOS of both sides on the reference's frequency grid.

    Parameters
    ----------
    reference
        Reference phonons.
    potential
        Potential phonons.
    mesh
        q-mesh (integers or a length in Å).

    Returns
    -------
    DosData
        Frequencies (THz) and states/THz for both.
    """
    frequencies, reference_dos = total_dos(reference, mesh)
    potential_frequencies, potential_dos = total_dos(potential, mesh)
    return DosData(
        frequencies_thz=np.asarray(frequencies).tolist(),
        reference_states_per_thz=np.asarray(reference_dos).tolist(),
        potential_states_per_thz=np.interp(
            frequencies, potential_frequencies, potential_dos, left=0.0, right=0.0
        ).tolist(),
    )


def single_displacement_forces(
    configurations: list[Configuration], name: str, n_displacements: int
) -> list[list[list[float]]] | None:
    """Collect a structure's labelled single-displacement forces in displacement order.

    Parameters
    ----------
    configurations
        The labelled dataset.
    name
        Structure name (``source`` of its configurations).
    n_displacements
        Expected number of displacements.

    Returns
    -------
    list or None
        Forces per displacement, or None if the dataset lacks a complete set.
    """
    found = {
        int(c.info[DISPLACEMENT_INDEX_KEY]): c.forces_ev_per_ang
        for c in configurations
        if c.source == name and c.config_type == SINGLE_DISPLACEMENT and c.forces_ev_per_ang
    }
    if sorted(found) != list(range(n_displacements)):
        return None
    return [found[index] for index in range(n_displacements)]


def likely_collapse_cause(configurations: list[Configuration], name: str) -> str:
    """Say why relaxing a structure with a potential fitted to these data may collapse it.

    Forces alone fix the curvature of the energy around a structure but not where its volume
    minimum is; only stresses (virials) do, e.g. the ``equilibrium`` zero-stress constraints
    that ``imported_data_gap`` adds to forces-only phonopy data.

    Parameters
    ----------
    configurations
        The labelled training data.
    name
        The structure (``source`` of its configurations).

    Returns
    -------
    str
        The likely cause, for :class:`~phonogap.structures.relax_guard.RelaxGuard`.
    """
    with_stress = [c for c in configurations if c.virial_ev is not None]
    remedy = (
        "set `equilibrium: {enabled: true}` (the imported_data_gap option `equilibrium`, "
        "zero-stress constraints at the DFT cells) or add data with stresses; "
        "`phonons: {potential_geometry: reference}` compares at the DFT cell instead"
    )
    if not with_stress:
        return (
            "the training data are forces-only (no configuration has a stress or virial) and "
            "`equilibrium` is not set, so nothing tells the potential the equilibrium volume: "
            + remedy
        )
    if not any(c.source == name for c in with_stress):
        return (
            f"no training configuration of {name} has a stress or virial (forces-only data "
            f"for it, `equilibrium` not set), so nothing fixes its volume: " + remedy
        )
    return (
        f"the potential has no minimum near the reference cell of {name} although its training "
        "data hold stresses there: check the fit (held-out errors, sparse points, cutoff)"
    )
