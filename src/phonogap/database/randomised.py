"""Randomised supercells: isotropically scaled, Gaussian-rattled copies of a supercell.

The paper adds about ten such copies per structure, "lattice scaled by a few percent,
every atom displaced with a Gaussian of standard deviation 0.01 Å". Choices made here:

- the scale factor is *linear* (applied to all three lattice vectors, atoms scaled with
  the cell, i.e. isotropic strain), drawn uniformly from ``scale_range``; the default
  (0.97, 1.03) is +/-3% in length, about +/-9% in volume;
- every Cartesian component of every atom is then displaced by an independent normal
  deviate of standard deviation ``rattle_std`` (Å); positions are not wrapped back into
  the cell, so ``positions - lattice_scale * supercell_positions`` is the rattle;
- one ``numpy.random.default_rng(seed)`` drives all copies, in order: the same inputs and
  seed give identical configurations on any machine.
"""

from __future__ import annotations

import logging

import numpy as np
from ase import Atoms
from ase.build import make_supercell
from numpy.typing import ArrayLike
from pymatgen.core import Structure
from pymatgen.io.ase import AseAtomsAdaptor

from phonogap.schemas.keys import CONFIG_TYPE_KEY, RANDOMISED, SOURCE_KEY

logger = logging.getLogger(__name__)

LATTICE_SCALE_KEY = "lattice_scale"
"""``atoms.info`` key: the linear scale factor applied to the supercell."""

RANDOMISED_INDEX_KEY = "randomised_index"
"""``atoms.info`` key: position of the copy in the generated list."""


def randomised_supercells(
    structure: Structure,
    supercell_matrix: ArrayLike,
    count: int = 10,
    scale_range: tuple[float, float] = (0.97, 1.03),
    rattle_std: float = 0.01,
    seed: int = 0,
    *,
    source: str | None = None,
) -> list[Atoms]:
    """Build scaled and rattled copies of a supercell.

    Parameters
    ----------
    structure
        Unit cell.
    supercell_matrix
        3x3 integer supercell matrix (or three diagonal entries).
    count
        Number of copies.
    scale_range
        Lower and upper bound of the uniform linear scale factor (``0 < low <= high``).
    rattle_std
        Standard deviation of the Gaussian displacement of each Cartesian component (Å).
    seed
        Seed of ``numpy.random.default_rng``.
    source
        Name stored under ``info["source"]`` (default: the reduced formula).

    Returns
    -------
    list of Atoms
        ``count`` periodic supercells with ``info`` keys ``config_type``
        (``"randomised"``), ``source``, ``lattice_scale`` and ``randomised_index``.

    Raises
    ------
    ValueError
        For a negative count or rattle, or an invalid scale range.
    """
    low, high = (float(x) for x in scale_range)
    if not 0 < low <= high:
        raise ValueError(
            f"scale_range {tuple(scale_range)} must satisfy 0 < low <= high, e.g. (0.97, 1.03)"
        )
    if count < 0 or rattle_std < 0:
        raise ValueError(f"count ({count}) and rattle_std ({rattle_std}) must be non-negative")
    matrix = np.asarray(supercell_matrix)
    if matrix.shape == (3,):
        matrix = np.diag(matrix)
    supercell = make_supercell(AseAtomsAdaptor.get_atoms(structure), matrix)
    supercell.set_constraint()
    name = source or structure.composition.reduced_formula
    rng = np.random.default_rng(seed)
    configurations = []
    for index in range(count):
        scale = float(rng.uniform(low, high))
        atoms = Atoms(
            symbols=supercell.get_chemical_symbols(),
            positions=supercell.positions * scale
            + rng.normal(0.0, rattle_std, size=(len(supercell), 3)),
            cell=supercell.cell.array * scale,
            pbc=True,
        )
        atoms.info[CONFIG_TYPE_KEY] = RANDOMISED
        atoms.info[SOURCE_KEY] = name
        atoms.info[LATTICE_SCALE_KEY] = scale
        atoms.info[RANDOMISED_INDEX_KEY] = index
        configurations.append(atoms)
    logger.info(
        "%s: %d randomised %d-atom supercells (scale %.3g-%.3g, rattle %.3g Å, seed %d)",
        name,
        count,
        len(supercell),
        low,
        high,
        rattle_std,
        seed,
    )
    return configurations
