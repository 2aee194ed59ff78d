"""Refuse phonopy/phono3py supercells larger than a limit, before anything is built.

The cost of a finite-displacement calculation grows with the supercell: forces on N atoms per
displacement, phonopy's force constants as N², phono3py's fc3 as N³ (compact: n_primitive x N²,
20 MB for a 216-atom Si cell). :func:`check_supercell_size` counts ``n_atoms x det(matrix)``
and raises :class:`SupercellTooLargeError` naming the structure, the size and the setting to
change, so a job never starts building a cell it cannot afford.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from phonogap.errors import PhonogapError

__all__ = ["SupercellTooLargeError", "check_supercell_size", "supercell_atoms"]


class SupercellTooLargeError(PhonogapError, ValueError):
    """A phonopy/phono3py supercell would have more atoms than the settings allow."""


def supercell_atoms(n_atoms: int, supercell_matrix: ArrayLike) -> int:
    """Return the number of atoms of a supercell: ``n_atoms x |det(matrix)|``.

    Parameters
    ----------
    n_atoms
        Atoms in the unit cell.
    supercell_matrix
        3x3 matrix or 3 diagonal entries.

    Returns
    -------
    int
        Atoms in the supercell.
    """
    matrix = np.asarray(supercell_matrix, dtype=float)
    if matrix.shape == (3,):
        matrix = np.diag(matrix)
    return int(n_atoms * round(abs(np.linalg.det(matrix))))


def check_supercell_size(
    name: str,
    n_atoms: int,
    supercell_matrix: ArrayLike,
    max_atoms: int | None,
    setting: str,
    what: str = "phonopy supercell",
) -> int:
    """Raise if a supercell would have more than ``max_atoms`` atoms.

    Parameters
    ----------
    name
        Structure name for the message.
    n_atoms
        Atoms in the unit cell.
    supercell_matrix
        The supercell matrix (3x3 or 3 diagonal entries).
    max_atoms
        The limit; ``None`` checks nothing.
    setting
        The setting that holds the limit, named in the message (e.g.
        ``"phonons.max_supercell_atoms"``).
    what
        What is being built, for the message.

    Returns
    -------
    int
        The supercell's number of atoms.

    Raises
    ------
    SupercellTooLargeError
        Naming the structure, the size and ``setting``.
    """
    size = supercell_atoms(n_atoms, supercell_matrix)
    if max_atoms is not None and size > max_atoms:
        matrix = np.asarray(supercell_matrix).tolist()
        raise SupercellTooLargeError(
            f"{name}: the {what} {matrix} of the {n_atoms}-atom cell has {size} atoms, more "
            f"than {setting}={max_atoms}; nothing was built. Raise {setting} if the machine "
            "can afford it, or choose a smaller supercell"
        )
    return size
