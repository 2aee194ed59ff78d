"""Atom-wise force regularisation, Eq. 8 of the paper.

The expected error of each force component on atom i is
``sigma_i = f * max(|F_i|, F_min)``, with ``|F_i|`` the norm of the reference force
vector on that atom and ``F_min = 0.01 eV/Å``. gap_fit reads it from the per-atom array
``force_atom_sigma`` of the extended-XYZ file. The paper applies it to the
single-displacement configurations only; the others keep their ``config_type``/default
sigma.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

import numpy as np
from ase import Atoms
from numpy.typing import ArrayLike

from phonogap.schemas.keys import (
    CONFIG_TYPE_KEY,
    FORCE_ATOM_SIGMA_KEY,
    FORCES_KEY,
    SINGLE_DISPLACEMENT,
    SOURCE_KEY,
)

logger = logging.getLogger(__name__)

F_MIN_EV_PER_ANG = 0.01
"""The paper's floor on the force magnitude in Eq. 8 (eV/Å)."""


def atomwise_force_sigma(
    forces: ArrayLike, f: float, f_min: float = F_MIN_EV_PER_ANG
) -> np.ndarray:
    """Compute Eq. 8: ``sigma_i = f * max(|F_i|, f_min)``.

    Parameters
    ----------
    forces
        Reference forces, shape (n_atoms, 3), eV/Å.
    f
        Relative regularisation (dimensionless; the paper recommends 0.01-0.001).
    f_min
        Floor on the force norm (eV/Å).

    Returns
    -------
    numpy.ndarray
        Shape (n_atoms,), eV/Å.

    Raises
    ------
    ValueError
        If the forces are not (n, 3) finite numbers or ``f``/``f_min`` are not positive.
    """
    forces = np.asarray(forces, dtype=float)
    if forces.ndim != 2 or forces.shape[1] != 3:
        raise ValueError(f"forces must have shape (n_atoms, 3), got {forces.shape}")
    if not np.all(np.isfinite(forces)):
        raise ValueError("forces contain NaN or inf")
    if not (f > 0 and f_min > 0):
        raise ValueError(f"f ({f}) and f_min ({f_min}) must be positive")
    return f * np.maximum(np.linalg.norm(forces, axis=1), f_min)


def apply_atomwise_sigma(
    configurations: Sequence[Atoms],
    f: float,
    f_min: float = F_MIN_EV_PER_ANG,
    config_types: Iterable[str] = (SINGLE_DISPLACEMENT,),
) -> Sequence[Atoms]:
    """Set ``arrays["force_atom_sigma"]`` (Eq. 8) on configurations of the given types.

    The configurations are modified in place (and returned for convenience); those of
    other ``config_type`` are left untouched, including any ``force_atom_sigma`` they
    already carry.

    Parameters
    ----------
    configurations
        Labelled configurations with reference forces in ``arrays["REF_forces"]``.
    f
        Relative regularisation.
    f_min
        Floor on the force norm (eV/Å).
    config_types
        ``info["config_type"]`` values that get the atom-wise sigma.

    Returns
    -------
    sequence of Atoms
        The same objects.

    Raises
    ------
    ValueError
        If a selected configuration has no ``REF_forces`` (the message names its index
        and source), or its forces are malformed.
    """
    selected = set(config_types)
    n_set = 0
    for index, atoms in enumerate(configurations):
        if atoms.info.get(CONFIG_TYPE_KEY) not in selected:
            continue
        if FORCES_KEY not in atoms.arrays:
            raise ValueError(
                f"configuration {index} (source {atoms.info.get(SOURCE_KEY, '?')!r}, "
                f"config_type {atoms.info.get(CONFIG_TYPE_KEY)!r}) has no "
                f"arrays[{FORCES_KEY!r}]; label the configurations before regularising"
            )
        try:
            sigma = atomwise_force_sigma(atoms.arrays[FORCES_KEY], f, f_min)
        except ValueError as exc:
            raise ValueError(
                f"configuration {index} (source {atoms.info.get(SOURCE_KEY, '?')!r}): {exc}"
            ) from exc
        atoms.arrays[FORCE_ATOM_SIGMA_KEY] = sigma
        n_set += 1
    logger.info(
        "atom-wise force sigma (f=%g, F_min=%g eV/Å) set on %d of %d configurations (%s)",
        f,
        f_min,
        n_set,
        len(configurations),
        ", ".join(sorted(selected)),
    )
    return configurations
