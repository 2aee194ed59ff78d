"""Choose phonon supercells whose lattice vectors are all at least a given length.

The paper builds phonon supercells "from the primitive cell with every lattice parameter
longer than 15 Å". Two searches are offered:

``search="diagonal"`` (default, the paper's convention)
    ``diag(n1, n2, n3)`` of the given cell with ``n_i = ceil(min_length / |a_i|)``. Each
    ``n_i`` is independently the smallest possible, so this is the unique diagonal
    supercell with the fewest atoms; it reproduces the DFT supercells of all 13 allotropes
    of the paper. For a strongly oblique cell a diagonal supercell can have periodic
    images closer than its lattice parameters; a warning is logged when that happens.
``search="general"``
    All integer matrices (every sublattice, enumerated as Hermite normal forms in order of
    increasing determinant, starting from the Hermite-constant bound
    ``det >= min_length^3 / (sqrt(2) V)``) are searched for the fewest atoms such that the
    *shortest periodic image distance* is at least ``min_length``, the only criterion that
    does not depend on the choice of basis. Among equally small supercells the one whose
    Niggli-reduced basis has the shortest longest vector (the most compact) wins, then the
    most cubic one (smallest spread of the three lengths), then the lexicographically first
    Hermite normal form (deterministic). Cheap for the paper's allotropes (0.01-0.4 s);
    the number of forms grows roughly with the square of the atom count of the supercell,
    so it is meant for cells of a few atoms upwards, not 1-atom cells with huge supercells.
    The returned matrix is that Niggli-reduced basis with a positive determinant, so all
    three of its lattice vectors are at least ``min_length`` long as well.
"""

from __future__ import annotations

import itertools
import logging
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from pymatgen.core import Lattice, Structure

logger = logging.getLogger(__name__)

_TOL = 1e-6  # Å: lengths within this of min_length count as long enough


def supercell_lengths(structure: Structure, matrix: ArrayLike) -> np.ndarray:
    """Lengths of the three lattice vectors of a supercell.

    Parameters
    ----------
    structure
        Unit cell.
    matrix
        3x3 integer supercell matrix (rows: supercell vectors in units of the cell's).

    Returns
    -------
    numpy.ndarray
        Shape (3,), Å.
    """
    return np.linalg.norm(_as_matrix(matrix) @ structure.lattice.matrix, axis=1)


def minimum_image_distance(structure: Structure, matrix: ArrayLike) -> float:
    """Length of the shortest lattice vector of a supercell (closest periodic image).

    Parameters
    ----------
    structure
        Unit cell.
    matrix
        3x3 integer supercell matrix.

    Returns
    -------
    float
        Å.
    """
    return _shortest_vector_length(_as_matrix(matrix) @ structure.lattice.matrix)


def minimum_length_supercell(
    structure: Structure,
    min_length: float = 15.0,
    max_atoms: int | None = None,
    *,
    search: Literal["diagonal", "general"] = "diagonal",
) -> np.ndarray:
    """Find the smallest supercell whose lattice vectors are all at least ``min_length``.

    Parameters
    ----------
    structure
        Unit cell (the paper uses the primitive cell); the matrix refers to its lattice.
    min_length
        Smallest allowed lattice-vector length (Å); the paper uses 15 Å.
    max_atoms
        Largest acceptable number of atoms in the supercell, or None for no limit.
    search
        ``"diagonal"`` or ``"general"`` (see the module docstring).

    Returns
    -------
    numpy.ndarray
        3x3 integer supercell matrix with a positive determinant.

    Raises
    ------
    ValueError
        If ``min_length`` is not positive, ``search`` is unknown, or the smallest
        supercell has more than ``max_atoms`` atoms (the message gives the count).
    """
    if min_length <= 0:
        raise ValueError(f"min_length must be positive, got {min_length}")
    lattice = structure.lattice.matrix
    if search == "diagonal":
        lengths = np.linalg.norm(lattice, axis=1)
        matrix = np.diag(np.ceil((min_length - _TOL) / lengths).astype(int).clip(min=1))
        _check_size(structure, matrix, max_atoms, min_length)
        image = minimum_image_distance(structure, matrix)
        if image < min_length - _TOL:
            logger.warning(
                "diagonal supercell %s of %s has lattice vectors >= %.1f Å but periodic "
                "images only %.2f Å apart; consider search='general'",
                np.diag(matrix).tolist(),
                structure.composition.reduced_formula,
                min_length,
                image,
            )
        return matrix
    if search == "general":
        matrix = _general_search(lattice, min_length, len(structure), max_atoms)
        _check_size(structure, matrix, max_atoms, min_length)
        return matrix
    raise ValueError(f"unknown search {search!r}; choose 'diagonal' or 'general'")


def _as_matrix(matrix: ArrayLike) -> np.ndarray:
    array = np.asarray(matrix)
    if array.shape == (3,):
        array = np.diag(array)
    if array.shape != (3, 3):
        raise ValueError(f"supercell matrix must be 3x3 (or 3 diagonal entries), got {array}")
    rounded = np.rint(array).astype(int)
    if not np.allclose(array, rounded) or round(np.linalg.det(rounded)) == 0:
        raise ValueError(f"supercell matrix must be integer and non-singular, got {array}")
    return rounded


def _check_size(
    structure: Structure, matrix: np.ndarray, max_atoms: int | None, min_length: float
) -> None:
    n_atoms = len(structure) * round(abs(np.linalg.det(matrix)))
    if max_atoms is not None and n_atoms > max_atoms:
        raise ValueError(
            f"the smallest supercell of {structure.composition.reduced_formula} with lattice "
            f"vectors >= {min_length} Å has {n_atoms} atoms, more than max_atoms={max_atoms}; "
            "raise max_atoms or lower min_length"
        )


def _shortest_vector_length(basis: np.ndarray) -> float:
    reduced = Lattice(basis).get_lll_reduced_lattice().matrix
    radius = np.linalg.norm(reduced, axis=1).min()
    vectors = _lattice_vectors_within(reduced, radius + _TOL)
    return float(np.linalg.norm(vectors @ reduced, axis=1).min())


def _lattice_vectors_within(basis: np.ndarray, radius: float) -> np.ndarray:
    """Integer coefficient vectors (one of each +/- pair) of lattice points within radius."""
    reciprocal = np.linalg.inv(basis).T  # rows b_i with a_i . b_j = delta_ij
    bounds = np.floor(radius * np.linalg.norm(reciprocal, axis=1) + 1e-9).astype(int)
    grid = np.array(list(itertools.product(*(range(-b, b + 1) for b in bounds))), dtype=int)
    first = np.array([next((x for x in row if x), 0) for row in grid])
    grid = grid[first > 0]  # drop zero and keep the half with a positive first non-zero
    return grid[np.linalg.norm(grid @ basis, axis=1) <= radius]


def _general_search(
    lattice: np.ndarray, min_length: float, n_atoms: int, max_atoms: int | None
) -> np.ndarray:
    niggli = Lattice(lattice).get_niggli_reduced_lattice().matrix
    to_niggli = np.rint(niggli @ np.linalg.inv(lattice)).astype(int)
    volume = abs(np.linalg.det(niggli))
    short = _lattice_vectors_within(niggli, min_length - _TOL)
    short = short[np.linalg.norm(short @ niggli, axis=1) < min_length - _TOL]
    lower = max(1, int(np.ceil(min_length**3 / (np.sqrt(2) * volume) - 1e-9)))
    # diagonal supercell of the reduced cell with interplanar spacings >= min_length
    spacings = volume / np.linalg.norm(np.cross(niggli[[1, 2, 0]], niggli[[2, 0, 1]]), axis=1)
    fallback = np.diag(np.ceil((min_length - _TOL) / spacings).astype(int))
    for det in range(lower, round(np.linalg.det(fallback)) + 1):
        if max_atoms is not None and det * n_atoms > max_atoms:
            break  # the caller reports that the supercell is too large
        forms = _hermite_normal_forms(det)
        candidates = forms[_excludes(forms, short)]
        if len(candidates):
            logger.debug(
                "general supercell search: det %d (bound %d), %d of %d forms valid",
                det,
                lower,
                len(candidates),
                len(forms),
            )
            best = min(candidates, key=lambda h: _compactness(h @ niggli, h))
            reduced = Lattice(best @ niggli).get_niggli_reduced_lattice().matrix
            return _tidy(np.rint(reduced @ np.linalg.inv(lattice)).astype(int))
    return _tidy(fallback @ to_niggli)


def _hermite_normal_forms(det: int) -> np.ndarray:
    """Lower-triangular Hermite normal forms (rows = basis vectors), shape (n, 3, 3)."""
    blocks = []
    for a in (x for x in range(1, det + 1) if det % x == 0):
        for c in (x for x in range(1, det // a + 1) if (det // a) % x == 0):
            b, d, e = (g.ravel() for g in np.meshgrid(*map(np.arange, (a, a, c)), indexing="ij"))
            block = np.zeros((len(b), 3, 3), dtype=int)
            block[:, 0, 0], block[:, 1, 1], block[:, 2, 2] = a, c, det // (a * c)
            block[:, 1, 0], block[:, 2, 0], block[:, 2, 1] = b, d, e
            blocks.append(block)
    return np.concatenate(blocks)


def _excludes(forms: np.ndarray, vectors: np.ndarray, chunk: int = 4096) -> np.ndarray:
    """For each form, whether none of the integer vectors is a point of its sublattice."""
    if len(vectors) == 0:
        return np.ones(len(forms), dtype=bool)
    n1, n2, n3 = (v[None, :] for v in vectors.T)
    result = []
    for start in range(0, len(forms), chunk):
        h = forms[start : start + chunk]
        a, b, c, d, e, f = (
            h[:, i, j, None] for i, j in ((0, 0), (1, 0), (1, 1), (2, 0), (2, 1), (2, 2))
        )
        m3, r3 = np.divmod(n3, f)
        m2, r2 = np.divmod(n2 - e * m3, c)
        r1 = (n1 - b * m2 - d * m3) % a
        result.append(~np.any((r3 == 0) & (r2 == 0) & (r1 == 0), axis=1))
    return np.concatenate(result)


def _compactness(basis: np.ndarray, form: np.ndarray) -> tuple:
    lengths = np.sort(np.linalg.norm(Lattice(basis).get_niggli_reduced_lattice().matrix, axis=1))
    return (round(lengths[-1], 6), round(lengths[-1] - lengths[0], 6), tuple(form.ravel()))


def _tidy(matrix: np.ndarray) -> np.ndarray:
    """Reorder and flip the rows of a basis: positive determinant, few negative entries."""
    options = []
    for order in itertools.permutations(range(3)):
        for signs in itertools.product((1, -1), repeat=3):
            option = matrix[list(order)] * np.array(signs)[:, None]
            if np.linalg.det(option) > 0:
                key = (int((option < 0).sum()), -int(np.trace(option)), tuple(option.ravel()))
                options.append((key, option))
    return min(options, key=lambda item: item[0])[1]
