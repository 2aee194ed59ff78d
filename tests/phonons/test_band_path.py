from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from phonopy import Phonopy
from pymatgen.core import Lattice, Structure
from scipy.spatial.transform import Rotation

from phonogap.phonons.band_path import pretty_label, setyawan_curtarolo_path
from phonogap.phonons.comparison import load_phonopy_file
from phonogap.phonons.harmonic import (
    band_frequencies,
    phonopy_atoms_to_structure,
    structure_to_phonopy_atoms,
)

DIAMOND_YAML = Path(__file__).parents[1] / "data" / "phonons" / "22_phonopy.yaml"
FCC_LABELS = ["Γ", "X", "W", "K", "Γ", "L", "U", "W", "L", "K", "U", "X"]


@pytest.fixture(scope="module")
def diamond():
    # raw force constants are enough for geometry and frequency-equality checks
    return load_phonopy_file(DIAMOND_YAML, symmetrize=False)


def test_diamond_path_layout(diamond):
    path = setyawan_curtarolo_path(diamond)
    assert path.labels == FCC_LABELS
    assert path.connections == [True] * 8 + [False, False]
    assert len(path.segment_qpoints) == 10
    assert all(len(seg) == 51 for seg in path.segment_qpoints)
    assert path.qpoints.shape == (510, 3)
    assert path.distances.shape == (510,)
    assert (np.diff(path.distances) >= -1e-15).all()
    positions, names = path.ticks()
    assert names == [*FCC_LABELS[:9], "K|U", "X"]
    assert len(positions) == 11
    assert len(setyawan_curtarolo_path(diamond, points_per_segment=11).qpoints) == 110


def test_diamond_high_symmetry_points(diamond):
    path = setyawan_curtarolo_path(diamond)
    a_conv = np.sqrt(2) * np.linalg.norm(diamond.primitive.cell[0])
    reciprocal = np.linalg.inv(diamond.primitive.cell).T
    q_x = path.qpoints[path.index_of("X")] @ reciprocal
    q_l = path.qpoints[path.index_of("L")] @ reciprocal
    np.testing.assert_allclose(path.qpoints[path.index_of("Γ")], 0.0, atol=1e-14)
    # X = (1, 0, 0) 2π/a along a cube axis, L = (1/2, 1/2, 1/2) 2π/a (here without 2π)
    np.testing.assert_allclose(np.sort(np.abs(q_x)), [0, 0, 1 / a_conv], atol=1e-12)
    np.testing.assert_allclose(np.abs(q_l), 0.5 / a_conv, atol=1e-12)
    assert path.distances[path.index_of("X")] == pytest.approx(1 / a_conv, rel=1e-12)

    freqs = band_frequencies(diamond, path.qpoints)
    at_x = freqs[path.index_of("X")]
    # at X: TA (2), LA = LO (2), TO (2), all doubly degenerate
    np.testing.assert_allclose(at_x[0::2], at_x[1::2], atol=2e-3)
    assert at_x[0] == pytest.approx(4.42, abs=0.01)
    assert at_x[2] == pytest.approx(12.02, abs=0.01)
    assert at_x[4] == pytest.approx(13.35, abs=0.01)
    # at L: TA (2), LA, LO, TO (2)
    at_l = freqs[path.index_of("L")]
    assert at_l[1] - at_l[0] < 2e-3 and at_l[5] - at_l[4] < 2e-3
    assert at_l[3] - at_l[2] > 0.5
    # K and U are equivalent points of the fcc zone
    np.testing.assert_allclose(freqs[path.index_of("K")], freqs[path.index_of("U")], atol=1e-6)


def transformed_phonopy(phonon: Phonopy) -> tuple[Phonopy, np.ndarray]:
    """Return the primitive cell in a rotated, sheared basis (primitive_matrix 'P')."""
    cell = phonopy_atoms_to_structure(phonon.primitive)
    basis = np.array([[1, 1, 0], [0, 1, 0], [1, 0, 1]])
    rotation = Rotation.from_euler("zyx", [30, 20, 10], degrees=True).as_matrix()
    lattice = Lattice(basis @ cell.lattice.matrix @ rotation.T)
    other = Structure(
        lattice, cell.species, cell.cart_coords @ rotation.T, coords_are_cartesian=True
    )
    return Phonopy(structure_to_phonopy_atoms(other), np.eye(3, dtype=int), "P"), basis


def assert_same_path_frequencies(phonon: Phonopy) -> None:
    path = setyawan_curtarolo_path(phonon)
    moved, basis = transformed_phonopy(phonon)
    moved_path = setyawan_curtarolo_path(moved)
    assert moved_path.labels == path.labels
    assert not np.allclose(moved_path.qpoints, path.qpoints)  # the basis change is used
    np.testing.assert_allclose(moved_path.distances, path.distances, atol=1e-9)
    # back to the original basis: f_orig = basis^-1 f_moved
    q_back = np.linalg.solve(basis, moved_path.qpoints.T).T
    np.testing.assert_allclose(
        band_frequencies(phonon, q_back), band_frequencies(phonon, path.qpoints), atol=1e-8
    )


def test_path_independent_of_cell_setting_diamond(diamond):
    assert_same_path_frequencies(diamond)


def test_path_independent_of_cell_setting_r3(bundled_dir):
    # R-3 (mp-571520): the unit cell's basis is not phonopy's "auto" one, and the Laue
    # class -3 is lower than the rhombohedral lattice's -3m.
    yaml = bundled_dir / "george2020_castep_phonons" / "phonopy_yaml" / "28_phonopy.yaml"
    phonon = load_phonopy_file(yaml, symmetrize=False)
    assert_same_path_frequencies(phonon)


def test_pretty_label():
    assert pretty_label("\\Gamma") == "Γ"
    assert pretty_label("X_1") == "X₁"
    assert pretty_label("\\Sigma_1") == "Σ₁"
    assert pretty_label("K") == "K"


def test_as_dict(diamond):
    data = setyawan_curtarolo_path(diamond, points_per_segment=5).as_dict()
    assert data["segment_lengths"] == [5] * 10
    assert len(data["qpoints"]) == len(data["distances"]) == 50
