from __future__ import annotations

import numpy as np
import pytest
from ase import Atoms

from phonogap.database.regularisation import apply_atomwise_sigma, atomwise_force_sigma
from phonogap.schemas.keys import (
    CONFIG_TYPE_KEY,
    FORCE_ATOM_SIGMA_KEY,
    FORCES_KEY,
    RANDOMISED,
    SINGLE_DISPLACEMENT,
    SOURCE_KEY,
)


def test_eq8_by_hand():
    forces = [
        [0.3, 0.4, 0.0],  # |F| = 0.5
        [0.0, 0.0, -2.0],  # |F| = 2
        [0.001, 0.002, 0.002],  # |F| = 0.003 < F_min
        [0.0, 0.0, 0.0],
    ]
    sigma = atomwise_force_sigma(forces, f=0.01, f_min=0.01)
    assert np.allclose(sigma, [0.005, 0.02, 1e-4, 1e-4], rtol=0, atol=1e-15)
    assert np.allclose(atomwise_force_sigma(forces, f=0.001), [5e-4, 2e-3, 1e-5, 1e-5])
    assert atomwise_force_sigma([[0.0, 0.06, 0.08]], f=0.1, f_min=0.2)[0] == pytest.approx(0.02)


@pytest.mark.parametrize(
    ("forces", "f", "f_min", "match"),
    [
        ([1.0, 2.0, 3.0], 0.01, 0.01, "shape"),
        ([[np.nan, 0.0, 0.0]], 0.01, 0.01, "NaN"),
        ([[1.0, 0.0, 0.0]], 0.0, 0.01, "positive"),
        ([[1.0, 0.0, 0.0]], 0.01, -1.0, "positive"),
    ],
)
def test_invalid_inputs(forces, f, f_min, match):
    with pytest.raises(ValueError, match=match):
        atomwise_force_sigma(forces, f, f_min)


def _configuration(config_type: str, forces: list | None, source: str = "x") -> Atoms:
    atoms = Atoms("Si2", positions=[[0, 0, 0], [1.3, 1.3, 1.3]], cell=[5, 5, 5], pbc=True)
    atoms.info[CONFIG_TYPE_KEY] = config_type
    atoms.info[SOURCE_KEY] = source
    if forces is not None:
        atoms.arrays[FORCES_KEY] = np.array(forces, dtype=float)
    return atoms


def test_applied_in_place_to_selected_config_types_only():
    displaced = _configuration(SINGLE_DISPLACEMENT, [[0.3, 0.4, 0.0], [0.0, 0.0, 0.0]])
    randomised = _configuration(RANDOMISED, [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    configurations = [displaced, randomised]
    returned = apply_atomwise_sigma(configurations, f=0.01, f_min=0.01)
    assert returned is configurations
    assert np.allclose(displaced.arrays[FORCE_ATOM_SIGMA_KEY], [0.005, 1e-4])
    assert FORCE_ATOM_SIGMA_KEY not in randomised.arrays
    apply_atomwise_sigma(configurations, f=0.1, config_types=(SINGLE_DISPLACEMENT, RANDOMISED))
    assert np.allclose(randomised.arrays[FORCE_ATOM_SIGMA_KEY], [0.1, 0.1])
    assert np.allclose(displaced.arrays[FORCE_ATOM_SIGMA_KEY], [0.05, 1e-3])


def test_missing_forces_name_the_configuration():
    configurations = [
        _configuration(RANDOMISED, None),  # not selected: no forces needed
        _configuration(SINGLE_DISPLACEMENT, None, source="mp-168"),
    ]
    with pytest.raises(ValueError, match=r"configuration 1 \(source 'mp-168'.*REF_forces"):
        apply_atomwise_sigma(configurations, f=0.01)
