from __future__ import annotations

import numpy as np
import pytest
from ase.build import make_supercell
from pymatgen.io.ase import AseAtomsAdaptor

from phonogap.database.randomised import randomised_supercells
from phonogap.schemas.keys import CONFIG_TYPE_KEY, RANDOMISED, SOURCE_KEY
from phonogap.structures.allotropes import silicon_allotropes


@pytest.fixture(scope="module")
def diamond():
    return silicon_allotropes(["mp-149"])[0].structure


def _rattle(configurations, supercell):
    """Displacements from the scaled (unrattled) supercell, flattened."""
    return np.concatenate(
        [
            (a.positions - a.info["lattice_scale"] * supercell.positions).ravel()
            for a in configurations
        ]
    )


def test_rattle_statistics(diamond):
    matrix = np.diag([4, 4, 4])
    configurations = randomised_supercells(diamond, matrix, count=10, rattle_std=0.01, seed=3)
    supercell = make_supercell(AseAtomsAdaptor.get_atoms(diamond), matrix)
    rattle = _rattle(configurations, supercell)
    n = rattle.size  # 10 x 128 atoms x 3 = 3840 independent N(0, 0.01^2) deviates
    assert n == 3840
    # 5 standard errors: mean SE = sigma/sqrt(n); std relative SE ~ 1/sqrt(2(n-1))
    assert abs(rattle.mean()) < 5 * 0.01 / np.sqrt(n)
    assert abs(rattle.std(ddof=1) / 0.01 - 1) < 5 / np.sqrt(2 * (n - 1))


def test_scale_range_is_respected_and_isotropic(diamond):
    low, high = 0.97, 1.03
    configurations = randomised_supercells(diamond, [1, 1, 1], count=400, scale_range=(low, high))
    scales = np.array([a.info["lattice_scale"] for a in configurations])
    assert scales.min() >= low and scales.max() <= high
    # uniform on [0.97, 1.03]: mean 1, SE = 0.06/sqrt(12)/sqrt(400) = 8.7e-4
    assert abs(scales.mean() - 1.0) < 5 * 0.06 / np.sqrt(12 * 400)
    assert scales.min() < low + 0.005 and scales.max() > high - 0.005
    for atoms, scale in zip(configurations[:5], scales[:5], strict=True):
        assert np.allclose(atoms.cell.array, scale * diamond.lattice.matrix)


def test_seed_reproducibility_and_info(diamond):
    first = randomised_supercells(diamond, [2, 2, 2], count=3, seed=11, source="dia")
    again = randomised_supercells(diamond, [2, 2, 2], count=3, seed=11, source="dia")
    other = randomised_supercells(diamond, [2, 2, 2], count=3, seed=12, source="dia")
    for a, b in zip(first, again, strict=True):
        assert np.array_equal(a.positions, b.positions)
        assert np.array_equal(a.cell.array, b.cell.array)
    assert not np.allclose(first[0].positions, other[0].positions)
    assert [a.info["randomised_index"] for a in first] == [0, 1, 2]
    for atoms in first:
        assert atoms.info[CONFIG_TYPE_KEY] == RANDOMISED
        assert atoms.info[SOURCE_KEY] == "dia"
        assert len(atoms) == 16 and atoms.pbc.all()


def test_zero_rattle_is_a_pure_scaling(diamond):
    supercell = make_supercell(AseAtomsAdaptor.get_atoms(diamond), np.diag([2, 2, 2]))
    configurations = randomised_supercells(diamond, [2, 2, 2], count=2, rattle_std=0.0)
    assert np.abs(_rattle(configurations, supercell)).max() < 1e-12


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"scale_range": (1.03, 0.97)}, "0 < low <= high"),
        ({"scale_range": (0.0, 1.0)}, "0 < low <= high"),
        ({"count": -1}, "non-negative"),
        ({"rattle_std": -0.1}, "non-negative"),
    ],
)
def test_invalid_arguments(diamond, kwargs, match):
    with pytest.raises(ValueError, match=match):
        randomised_supercells(diamond, [1, 1, 1], **kwargs)
