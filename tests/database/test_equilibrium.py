"""Zero-stress constraints for forces-only datasets."""

from __future__ import annotations

import numpy as np
import pytest

from phonogap.database.equilibrium import (
    EQUILIBRIUM,
    equilibrium_configurations,
    equilibrium_sigma,
)
from phonogap.schemas.keys import CONFIG_TYPE_KEY, ENERGY_KEY, FORCES_KEY, SOURCE_KEY, VIRIAL_KEY
from phonogap.structures.allotropes import silicon_allotropes


def test_configurations_are_stress_and_force_free_without_energy():
    (diamond,) = silicon_allotropes(["mp-149"])
    (atoms,) = equilibrium_configurations([("mp-149", diamond.structure)])
    assert len(atoms) == len(diamond.structure)
    assert np.array_equal(atoms.info[VIRIAL_KEY], np.zeros((3, 3)))
    assert np.array_equal(atoms.arrays[FORCES_KEY], np.zeros((len(atoms), 3)))
    assert ENERGY_KEY not in atoms.info
    assert atoms.info[CONFIG_TYPE_KEY] == EQUILIBRIUM
    assert atoms.info[SOURCE_KEY] == "mp-149"
    assert atoms.get_volume() == pytest.approx(diamond.structure.volume)


def test_sigma_converts_a_stress_tolerance_into_a_virial_per_atom():
    # 0.1 GPa = 6.2415e-4 eV/Å³; times 20 Å³/atom = 0.012483 eV/atom
    energy, force, virial, hessian = equilibrium_sigma(0.1, 0.01, 20.0)
    assert virial == pytest.approx(0.0124830, rel=1e-5)
    assert (energy, force, hessian) == (1.0, 0.01, 0.0)
    with pytest.raises(ValueError, match="must be > 0"):
        equilibrium_sigma(0.0, 0.01, 20.0)
