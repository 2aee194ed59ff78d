"""VASP through atomate2: the phonon-grade input set (the jobs are tested in tests/jobs)."""

from __future__ import annotations

import numpy as np
import pytest

from phonogap.database.isolated_atom import isolated_atom
from phonogap.reference import get_reference
from phonogap.reference.base import NoInProcessCalculatorError
from phonogap.reference.dft_common import structure_of
from phonogap.reference.vasp import VaspReference


def test_phonon_grade_incar():
    reference = get_reference("vasp")
    incar = reference.incar()
    assert incar["EDIFF"] == 1e-8 and incar["ISYM"] == 0 and incar["PREC"] == "Accurate"
    assert incar["ISMEAR"] == 0 and incar["LREAL"] is False and incar["ENCUT"] == 520.0
    assert incar["GGA"] == "PE" and incar["METAGGA"] is None
    free = reference.incar(isolated_atom("Si"))
    assert free["ISPIN"] == 2 and free["NUPDOWN"] == 2.0  # Si 3P: spin-polarised, 2 muB
    with pytest.raises(NoInProcessCalculatorError, match="atomate2 jobs"):
        reference.calculator()


def test_isolated_atom_static_input_is_spin_polarised_gamma_only():
    atoms = isolated_atom("Si")
    maker = VaspReference().static_maker(atoms)
    input_set = maker.input_set_generator.get_input_set(structure_of(atoms), potcar_spec=True)
    assert input_set.incar["ISPIN"] == 2 and input_set.incar["NUPDOWN"] == 2
    assert input_set.incar["KSPACING"] >= 2 * np.pi / 20.0  # one k-point in the 20 A box
