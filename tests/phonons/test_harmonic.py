from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from phonopy.interface.phonopy_yaml import PhonopyYaml

from phonogap.phonons.comparison import load_phonopy_file
from phonogap.phonons.harmonic import (
    band_frequencies,
    displaced_supercells,
    make_phonopy,
    mesh_min_frequency,
    phonopy_atoms_to_structure,
    set_forces,
    total_dos,
)

DIAMOND_YAML = Path(__file__).parents[1] / "data" / "phonons" / "22_phonopy.yaml"
# Γ optical (LO/TO, triply degenerate) frequency of diamond Si from these CASTEP forces,
# measured with symmetrised force constants: 15.1129 THz (experiment ~15.5 THz).
DIAMOND_GAMMA_OPTICAL_THZ = 15.1129


def read_cell(path: Path):
    data = PhonopyYaml().read(path)
    return phonopy_atoms_to_structure(data.unitcell), data.supercell_matrix, data


@pytest.fixture(scope="module")
def diamond():
    return load_phonopy_file(DIAMOND_YAML)


def test_diamond_single_displacement():
    structure, smat, data = read_cell(DIAMOND_YAML)
    assert smat.tolist() == (4 * np.eye(3, dtype=int)).tolist()
    phonon = make_phonopy(structure, smat)
    cells = displaced_supercells(phonon)
    assert len(cells) == 1
    assert len(cells[0]) == 128
    shift = cells[0].cart_coords - phonopy_atoms_to_structure(phonon.supercell).cart_coords
    moved = np.linalg.norm(shift, axis=1)
    assert np.count_nonzero(moved > 1e-8) == 1
    assert moved.max() == pytest.approx(0.01, abs=1e-12)
    # same displacement as the DFT dataset (phonopy 2.4 generated it)
    file_disp = data.dataset["first_atoms"][0]
    assert phonon.dataset["first_atoms"][0]["number"] == file_disp["number"]
    np.testing.assert_allclose(
        phonon.dataset["first_atoms"][0]["displacement"], file_disp["displacement"], atol=1e-12
    )


def test_displacement_counts_match_structure_index(bundled_dir):
    base = bundled_dir / "george2020_castep_phonons"
    with open(base / "structure_index.csv") as handle:
        rows = {int(r["index"]): r for r in csv.DictReader(handle)}
    for index in (6, 9, 28):  # C2/m, Cmcm, R-3: 16, 12, 8 displacements
        structure, smat, _ = read_cell(base / "phonopy_yaml" / f"{index}_phonopy.yaml")
        phonon = make_phonopy(structure, smat)
        assert len(displaced_supercells(phonon)) == int(rows[index]["n_displacements"]), index
        assert np.diag(smat).tolist() == [int(n) for n in rows[index]["supercell_diag"].split("x")]


def test_set_forces_reproduces_phonopy_load(diamond):
    structure, smat, _ = read_cell(DIAMOND_YAML)
    phonon = set_forces(make_phonopy(structure, smat), diamond.forces)
    q = np.array([[0, 0, 0], [0.5, 0, 0.5], [0.5, 0.5, 0.5], [0.1, 0.2, 0.3]])
    np.testing.assert_allclose(
        band_frequencies(phonon, q), band_frequencies(diamond, q), rtol=0, atol=1e-6
    )


def test_gamma_frequencies(diamond):
    freqs = band_frequencies(diamond, np.zeros((1, 3)))[0]
    np.testing.assert_allclose(freqs[:3], 0.0, atol=1e-5)
    np.testing.assert_allclose(freqs[3:], DIAMOND_GAMMA_OPTICAL_THZ, atol=0.01)
    assert np.ptp(freqs[3:]) < 1e-6  # triply degenerate


def test_band_frequencies_sorted(diamond):
    q = np.random.default_rng(0).random((20, 3))
    freqs = band_frequencies(diamond, q)
    assert freqs.shape == (20, 6)
    assert (np.diff(freqs, axis=1) >= 0).all()
    with pytest.raises(ValueError, match=r"\(n_q, 3\)"):
        band_frequencies(diamond, np.zeros(3))


def test_mesh_and_dos(diamond):
    assert abs(mesh_min_frequency(diamond)) < 1e-4
    assert abs(mesh_min_frequency(diamond, (4, 4, 4))) < 1e-4
    freqs, dos = total_dos(diamond, (12, 12, 12))
    # 3 N = 6 modes per primitive cell
    assert np.trapezoid(dos, freqs) == pytest.approx(6.0, rel=0.01)
    assert freqs.max() > DIAMOND_GAMMA_OPTICAL_THZ


def test_set_forces_validation():
    structure, smat, data = read_cell(DIAMOND_YAML)
    phonon = make_phonopy(structure, smat)
    good = np.array([d["forces"] for d in data.dataset["first_atoms"]])
    with pytest.raises(ValueError, match=r"shape \(1, 127, 3\), expected \(1, 128, 3\)"):
        set_forces(phonon, good[:, :127])
    with pytest.raises(ValueError, match="expected"):
        set_forces(phonon, [good[0], good[0]])
    with pytest.raises(ValueError, match="could not be read"):
        set_forces(phonon, [[[0.0, 0.0, 0.0]], [[0.0, 0.0]]])
    bad = good.copy()
    bad[0, 17, 1] = np.nan
    with pytest.raises(ValueError, match=r"displacement 0 .*supercell atom 17"):
        set_forces(phonon, bad)
    assert phonon.force_constants is None
    with pytest.raises(ValueError, match="no force constants"):
        band_frequencies(phonon, np.zeros((1, 3)))


def test_make_phonopy_validation():
    structure, _, _ = read_cell(DIAMOND_YAML)
    with pytest.raises(ValueError, match="integer"):
        make_phonopy(structure, np.eye(3) * 1.5)
    with pytest.raises(ValueError, match="3x3"):
        make_phonopy(structure, np.eye(2))
    with pytest.raises(ValueError, match="positive"):
        make_phonopy(structure, [2, 2, 2], displacement=0.0)
    phonon = make_phonopy(structure, [2, 2, 2])
    assert len(phonon.supercell) == 16
