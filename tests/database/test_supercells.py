from __future__ import annotations

import itertools

import numpy as np
import pytest
from pymatgen.core import Lattice, Structure

from phonogap.database.supercells import (
    minimum_image_distance,
    minimum_length_supercell,
    supercell_lengths,
)
from phonogap.structures.allotropes import silicon_allotropes


@pytest.fixture(scope="module")
def allotropes():
    return {a.mp_id: a for a in silicon_allotropes()}


def _n_atoms(structure: Structure, matrix: np.ndarray) -> int:
    return len(structure) * round(abs(np.linalg.det(matrix)))


def test_diamond_primitive_matches_brute_force_over_diagonal_matrices():
    a = 5.431
    fcc = Lattice(np.array([[0, 1, 1], [1, 0, 1], [1, 1, 0]]) * a / 2)
    diamond = Structure(fcc, ["Si"] * 2, [[0, 0, 0], [0.25, 0.25, 0.25]])
    matrix = minimum_length_supercell(diamond, 15.0)
    assert np.all(supercell_lengths(diamond, matrix) >= 15.0)
    best = min(
        _n_atoms(diamond, np.diag(n))
        for n in itertools.product(range(1, 9), repeat=3)
        if np.all(supercell_lengths(diamond, np.diag(n)) >= 15.0)
    )
    assert _n_atoms(diamond, matrix) == best == 128
    assert np.array_equal(matrix, np.diag([4, 4, 4]))


def test_diagonal_search_reproduces_the_dft_supercells_of_all_13(allotropes):
    for allotrope in allotropes.values():
        matrix = minimum_length_supercell(allotrope.structure, 15.0)
        assert np.array_equal(matrix, allotrope.dft_supercell_matrix), allotrope.mp_id


def test_simple_cubic_general_search_finds_the_bcc_sublattice():
    # Z^3 sublattices with all vectors >= 1.5 a: every index-3 sublattice contains a vector
    # of length <= sqrt(2) a, the index-4 "bcc" one has shortest vector sqrt(3) a.
    cubic = Structure(Lattice.cubic(5.0), ["Si"], [[0, 0, 0]])
    general = minimum_length_supercell(cubic, 7.5, search="general")
    assert round(np.linalg.det(general)) == 4
    assert minimum_image_distance(cubic, general) == pytest.approx(5.0 * np.sqrt(3))
    assert np.all(supercell_lengths(cubic, general) >= 7.5)
    assert np.array_equal(minimum_length_supercell(cubic, 7.5), np.diag([2, 2, 2]))


@pytest.mark.parametrize("mp_id", ["mp-149", "mp-1095269", "mp-999200", "mp-971662"])
def test_general_search_gives_valid_and_no_larger_supercells(allotropes, mp_id):
    structure = allotropes[mp_id].structure
    general = minimum_length_supercell(structure, 15.0, search="general")
    diagonal = minimum_length_supercell(structure, 15.0)
    assert np.linalg.det(general) > 0
    assert minimum_image_distance(structure, general) >= 15.0 - 1e-6
    assert np.all(supercell_lengths(structure, general) >= 15.0 - 1e-6)
    # the Hermite-constant bound: no lattice with shortest vector L has a cell below L^3/sqrt(2)
    assert _n_atoms(structure, general) * structure.volume / len(structure) >= 15.0**3 / np.sqrt(2)
    if minimum_image_distance(structure, diagonal) >= 15.0:
        assert _n_atoms(structure, general) <= _n_atoms(structure, diagonal)


def test_general_search_is_deterministic(allotropes):
    structure = allotropes["mp-165"].structure
    first = minimum_length_supercell(structure, 15.0, search="general")
    assert np.array_equal(first, minimum_length_supercell(structure.copy(), 15.0, search="general"))


def test_oblique_diagonal_supercell_warns_about_close_images(allotropes, caplog):
    structure = allotropes["mp-1079297"].structure  # C2/m cell with a 31 degree angle
    matrix = minimum_length_supercell(structure, 15.0)
    assert np.all(supercell_lengths(structure, matrix) >= 15.0)
    assert minimum_image_distance(structure, matrix) == pytest.approx(11.58, abs=0.01)
    assert "periodic images only 11.58 Å apart" in caplog.text


def test_max_atoms_and_invalid_arguments(allotropes):
    diamond = allotropes["mp-149"].structure
    with pytest.raises(ValueError, match="has 128 atoms, more than max_atoms=100"):
        minimum_length_supercell(diamond, 15.0, max_atoms=100)
    with pytest.raises(ValueError, match="more than max_atoms=100"):
        minimum_length_supercell(diamond, 15.0, max_atoms=100, search="general")
    with pytest.raises(ValueError, match="unknown search"):
        minimum_length_supercell(diamond, 15.0, search="cubic")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="positive"):
        minimum_length_supercell(diamond, 0.0)
    with pytest.raises(ValueError, match="non-singular"):
        supercell_lengths(diamond, np.zeros((3, 3)))


def test_diagonal_search_depends_on_the_basis_general_search_does_not():
    # the same diamond crystal in an oblique (non-reduced) primitive basis: its diagonal
    # supercell has long lattice vectors but close periodic images
    a = 5.431
    fcc = np.array([[0, 1, 1], [1, 0, 1], [1, 1, 0]]) * a / 2
    oblique_basis = np.array([[1, 0, 0], [1, 1, 0], [1, 1, 1]]) @ fcc
    reduced = Structure(Lattice(fcc), ["Si"] * 2, [[0, 0, 0], [0.25, 0.25, 0.25]])
    oblique = Structure(
        Lattice(oblique_basis), ["Si"] * 2, reduced.cart_coords, coords_are_cartesian=True
    )
    diagonal = minimum_length_supercell(oblique, 15.0)
    assert np.all(supercell_lengths(oblique, diagonal) >= 15.0)
    assert minimum_image_distance(oblique, diagonal) < 15.0
    general = minimum_length_supercell(oblique, 15.0, search="general")
    assert _n_atoms(oblique, general) == 128
    assert minimum_image_distance(oblique, general) == pytest.approx(4 * a / np.sqrt(2))


def test_supercell_lengths_accept_diagonal_entries(allotropes):
    diamond = allotropes["mp-149"].structure
    lengths = supercell_lengths(diamond, [4, 4, 4])
    assert np.allclose(lengths, 4 * np.array(diamond.lattice.abc))
