from __future__ import annotations

import numpy as np
import pytest
import quippy.potential as quippy_potential
from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

from phonogap.structures.allotropes import silicon_allotropes
from phonogap.structures.relax import relax_structure

# Stillinger-Weber silicon, the standard parameters (Stillinger & Weber, PRB 31, 5262 (1985))
SW_XML = (
    '<SW_params n_types="1"><per_type_data type="1" atomic_num="14" />'
    '<per_pair_data atnum_i="14" atnum_j="14" AA="7.049556277" BB="0.6022245584" p="4" '
    'q="0" a="1.80" sigma="2.0951" eps="2.1675" />'
    '<per_triplet_data atnum_c="14" atnum_j="14" atnum_k="14" lambda="21.0" gamma="1.20" '
    'eps="2.1675" /></SW_params>'
)


@pytest.fixture(scope="module")
def sw():
    return quippy_potential.Potential("IP SW", param_str=SW_XML)


def _space_group(structure) -> str:
    return SpacegroupAnalyzer(structure, symprec=1e-3).get_space_group_symbol()


def test_diamond_relaxes_to_the_sw_lattice_constant(sw):
    diamond = silicon_allotropes(["mp-149"])[0].structure
    before = diamond.copy()
    result = relax_structure(diamond, sw)
    assert result.converged
    assert result.max_force_ev_per_ang < 1e-5
    assert result.max_stress_gpa < 1e-3
    assert result.n_steps < 20
    # primitive fcc vector a/sqrt(2): conventional a = 5.4310 Å with SW
    a_conventional = result.structure.lattice.abc[0] * np.sqrt(2)
    assert a_conventional == pytest.approx(5.4310, abs=2e-4)
    assert result.energy_ev / 2 == pytest.approx(-4.3350, abs=1e-3)  # -2 eps per atom
    assert _space_group(result.structure) == "Fd-3m"
    assert diamond == before  # input untouched


def test_low_symmetry_allotrope_keeps_its_space_group(sw):
    bc8 = silicon_allotropes(["mp-168"])[0]
    result = relax_structure(bc8.structure, sw)
    assert result.converged
    assert result.max_force_ev_per_ang < 1e-5
    assert _space_group(result.structure) == bc8.space_group == "Ia-3"


def test_rattled_diamond_returns_to_diamond_without_symmetry_constraint(sw):
    diamond = silicon_allotropes(["mp-149"])[0].structure
    rattled = diamond.copy()
    rattled.translate_sites([1], [0.05, -0.03, 0.02], frac_coords=False)
    result = relax_structure(rattled, sw, keep_symmetry=False, relax_cell=False, fmax=1e-4)
    assert result.converged
    bond = result.structure.get_distance(0, 1)
    assert bond == pytest.approx(np.sqrt(3) / 4 * diamond.lattice.abc[0] * np.sqrt(2), abs=1e-3)


def test_not_converged_is_reported_not_raised(sw):
    cell = silicon_allotropes(["mp-1079297"])[0].structure
    result = relax_structure(cell, sw, max_steps=2)
    assert not result.converged
    assert result.n_steps == 2
    assert result.max_force_ev_per_ang > 1e-5


def test_invalid_arguments(sw):
    diamond = silicon_allotropes(["mp-149"])[0].structure
    with pytest.raises(ValueError, match="unknown optimizer"):
        relax_structure(diamond, sw, optimizer="CG")
    with pytest.raises(ValueError, match="must be positive"):
        relax_structure(diamond, sw, fmax=0)
