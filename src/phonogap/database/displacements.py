"""Single-displacement supercells: the finite-displacement phonon cells as training data.

phonopy displaces one atom per supercell by ``displacement`` (0.01 Å in the paper) along
each symmetry-inequivalent direction; these are exactly the supercells a phonon
calculation needs (one for diamond, up to 22 for the paper's allotropes).

What is returned besides the configurations is a JSON-serialisable *phonon setup*
(``unitcell``, ``supercell_matrix``, ``displacement_ang``, ``symprec``,
``displacement_dataset``, ``n_displacements``) rather than a ``Phonopy`` object, because
job outputs must serialise; :func:`phonogap.phonons.setup.phonopy_from_setup` rebuilds the
``Phonopy`` object from it. The displacements do not depend on the primitive matrix, so
phonopy is built with ``primitive_matrix="P"`` here; pass the one you need to
``phonopy_from_setup``.
Atom order of every configuration is phonopy's supercell order, so reference forces can
be handed back to phonopy as they are.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from ase import Atoms
from numpy.typing import ArrayLike
from pymatgen.core import Structure

from phonogap.phonons.harmonic import make_phonopy
from phonogap.schemas.keys import (
    CONFIG_TYPE_KEY,
    DISPLACED_ATOM_KEY,
    DISPLACEMENT_INDEX_KEY,
    SINGLE_DISPLACEMENT,
    SOURCE_KEY,
)

if TYPE_CHECKING:
    from phonopy.structure.atoms import PhonopyAtoms

logger = logging.getLogger(__name__)

DEPRECATED_ALIASES: dict[str, str] = {
    "phonopy_from_setup": "phonogap.phonons.setup:phonopy_from_setup",
}
"""Names that moved (old name to ``module:attribute``), importable from here for one release."""


def single_displacement_supercells(
    structure: Structure,
    supercell_matrix: ArrayLike,
    displacement: float = 0.01,
    symprec: float = 1e-5,
    *,
    source: str | None = None,
) -> tuple[list[Atoms], dict[str, Any]]:
    """Build phonopy's symmetry-inequivalent single-displacement supercells.

    Parameters
    ----------
    structure
        Unit cell (relaxed with the reference).
    supercell_matrix
        3x3 integer supercell matrix (or three diagonal entries).
    displacement
        Displacement distance (Å).
    symprec
        phonopy's symmetry tolerance (Å).
    source
        Name stored under ``info["source"]`` (default: the reduced formula).

    Returns
    -------
    configurations : list of Atoms
        One supercell per displacement, with ``info`` keys ``config_type``
        (``"single_displacement"``), ``source``, ``displacement_index`` and
        ``displaced_atom``.
    setup : dict
        JSON-serialisable phonon setup (see the module docstring).
    """
    matrix = _matrix(supercell_matrix)
    phonon = make_phonopy(
        structure, matrix, displacement=displacement, symprec=symprec, primitive_matrix="P"
    )
    dataset = _jsonable(phonon.dataset)
    name = source or structure.composition.reduced_formula
    configurations = as_training_configurations(
        phonon.supercells_with_displacements, name, dataset=dataset
    )
    setup = {
        "unitcell": structure.as_dict(),
        "supercell_matrix": matrix.tolist(),
        "displacement_ang": float(displacement),
        "symprec": float(symprec),
        "displacement_dataset": dataset,
        "n_displacements": len(configurations),
    }
    logger.info(
        "%s: %d single displacements of %.3g Å in a %d-atom supercell",
        name,
        len(configurations),
        displacement,
        len(configurations[0]) if configurations else 0,
    )
    return configurations, setup


def as_training_configurations(
    supercells: Sequence[Atoms | Structure | PhonopyAtoms],
    source: str,
    dataset: Mapping[str, Any] | None = None,
) -> list[Atoms]:
    """Turn displaced supercells into labelled-to-be training configurations.

    Parameters
    ----------
    supercells
        Displaced supercells in phonopy's order (ASE ``Atoms``, pymatgen ``Structure`` or
        ``PhonopyAtoms``); atom order is kept.
    source
        Name of the structure they were built from.
    dataset
        phonopy displacement dataset (``first_atoms``); when given, the displaced atom
        index is recorded too.

    Returns
    -------
    list of Atoms
        New objects, periodic, with ``config_type``, ``source`` and
        ``displacement_index`` (and ``displaced_atom``) in ``info``.
    """
    first_atoms = None if dataset is None else dataset["first_atoms"]
    if first_atoms is not None and len(first_atoms) != len(supercells):
        raise ValueError(
            f"{len(supercells)} supercells but {len(first_atoms)} displacements in the dataset"
        )
    configurations = []
    for index, cell in enumerate(supercells):
        atoms = _to_atoms(cell)
        atoms.info[CONFIG_TYPE_KEY] = SINGLE_DISPLACEMENT
        atoms.info[SOURCE_KEY] = source
        atoms.info[DISPLACEMENT_INDEX_KEY] = index
        if first_atoms is not None:
            atoms.info[DISPLACED_ATOM_KEY] = int(first_atoms[index]["number"])
        configurations.append(atoms)
    return configurations


def _matrix(supercell_matrix: ArrayLike) -> np.ndarray:
    matrix = np.asarray(supercell_matrix)
    if matrix.shape == (3,):
        matrix = np.diag(matrix)
    if matrix.shape != (3, 3) or not np.allclose(matrix, np.rint(matrix)):
        raise ValueError(f"supercell matrix must be 3x3 integers, got {supercell_matrix}")
    return np.rint(matrix).astype(int)


def _to_atoms(cell: Atoms | Structure | PhonopyAtoms) -> Atoms:
    if isinstance(cell, Atoms):
        atoms = cell.copy()
    elif isinstance(cell, Structure):
        from pymatgen.io.ase import AseAtomsAdaptor

        atoms = AseAtomsAdaptor.get_atoms(cell)
    else:
        atoms = Atoms(
            symbols=list(cell.symbols),
            cell=np.asarray(cell.cell),
            scaled_positions=np.asarray(cell.scaled_positions),
            pbc=True,
        )
    atoms.calc = None
    atoms.set_constraint()
    return atoms


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, np.ndarray | np.generic):
        return value.tolist()
    return value


def __getattr__(name: str) -> object:
    """Return a moved name from its new module, with a DeprecationWarning (PEP 562)."""
    from phonogap.deprecation import moved_attribute

    return moved_attribute(__name__, DEPRECATED_ALIASES, name)
