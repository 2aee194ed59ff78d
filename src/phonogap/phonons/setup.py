"""Phonon setups: the JSON record of a finite-displacement calculation, back to a Phonopy.

A *phonon setup* (``unitcell``, ``supercell_matrix``, ``displacement_ang``, ``symprec``,
``displacement_dataset``, ``n_displacements``) is what job outputs store instead of a
``Phonopy`` object, because outputs must serialise. It is written by
:func:`phonogap.database.displacements.single_displacement_supercells` and by the phonopy
importer; :func:`phonopy_from_setup` rebuilds the ``Phonopy`` object with its displacements.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
from pymatgen.core import Structure

from phonogap.phonons.harmonic import make_phonopy
from phonogap.phonons.nac import nac_from_json

if TYPE_CHECKING:
    from numpy.typing import ArrayLike
    from phonopy import Phonopy


def phonopy_from_setup(
    setup: Mapping[str, Any], primitive_matrix: str | ArrayLike = "auto"
) -> Phonopy:
    """Rebuild the ``Phonopy`` object of a phonon setup, displacements included.

    Parameters
    ----------
    setup
        The setup dict (``unitcell`` may be a ``Structure`` or its dict).
    primitive_matrix
        phonopy primitive matrix for band structures (``"auto"``, ``"P"`` or 3x3).

    Returns
    -------
    Phonopy
        With ``dataset`` set and the setup's NAC parameters (if any) as ``nac_params``; add
        forces with ``phonon.forces = ...``.
    """
    unitcell = setup["unitcell"]
    if not isinstance(unitcell, Structure):
        unitcell = Structure.from_dict(unitcell)
    phonon = make_phonopy(
        unitcell,
        setup["supercell_matrix"],
        displacement=float(setup["displacement_ang"]),
        symprec=float(setup.get("symprec", 1e-5)),
        primitive_matrix=primitive_matrix,
    )
    phonon.dataset = _dataset_arrays(setup["displacement_dataset"])
    nac = setup.get("nac_params")
    if nac is not None:
        phonon.nac_params = nac_from_json(nac, len(phonon.primitive))
    return phonon


def _dataset_arrays(dataset: Mapping[str, Any]) -> dict[str, Any]:
    if "displacements" in dataset:  # type-2: every atom displaced
        return {**dataset, "displacements": np.asarray(dataset["displacements"], dtype=float)}
    first_atoms = [
        {**entry, "displacement": np.asarray(entry["displacement"], dtype=float)}
        for entry in dataset["first_atoms"]
    ]
    return {**dataset, "first_atoms": first_atoms}
