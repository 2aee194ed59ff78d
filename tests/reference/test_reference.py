"""Reference backends: registry, Stillinger-Weber numbers, ASE calculators, batch labelling."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from ase.build import bulk
from ase.calculators.calculator import Calculator, all_changes

from phonogap.reference import (
    AseCalculatorReference,
    NoInProcessCalculatorError,
    StillingerWeberReference,
    UnknownReferenceError,
    available_references,
    evaluate_configurations,
    get_reference,
    reference_from_spec,
)
from phonogap.reference.evaluate import LabellingError, call_with_calculator
from phonogap.schemas.keys import ENERGY_KEY, FORCES_KEY, VIRIAL_KEY


def test_registry_lists_backends_and_rejects_unknown_names():
    assert {"sw", "ase", "gap"} <= set(available_references())
    assert isinstance(get_reference("sw"), StillingerWeberReference)
    with pytest.raises(UnknownReferenceError, match=r"unknown reference backend 'vasp_typo'.*sw"):
        get_reference("vasp_typo")
    with pytest.raises(UnknownReferenceError, match="no 'backend' field"):
        reference_from_spec({"ecutwfc": 30})


def test_stillinger_weber_diamond_energy_and_equilibrium():
    # SW silicon: the diamond minimum is -2 eps = -4.335 eV/atom at a = 5.431 A, zero stress.
    atoms = bulk("Si", "diamond", a=5.431)
    atoms.calc = get_reference("sw").calculator()
    assert atoms.get_potential_energy() / len(atoms) == pytest.approx(-4.335, abs=1e-5)
    assert np.abs(atoms.get_stress()).max() < 2e-5  # eV/A^3: 5.431 A is the SW minimum


def test_stillinger_weber_parameters_reach_quippy():
    xml = StillingerWeberReference(epsilon_ev=2.0).parameter_xml()
    assert 'eps="2.0"' in xml
    atoms = bulk("Si", "diamond", a=5.431)
    atoms.calc = StillingerWeberReference(epsilon_ev=2.0).calculator()
    # energy scales with eps: -2 eps = -4.0 eV/atom
    assert atoms.get_potential_energy() / 2 == pytest.approx(-4.0, abs=1e-5)


def test_ase_calculator_reference_validates_import_path():
    ref = reference_from_spec({"backend": "ase", "calculator_class": "ase.calculators.emt.EMT"})
    assert isinstance(ref, AseCalculatorReference)
    with pytest.raises(ValueError, match="not an import path"):
        AseCalculatorReference(calculator_class="EMT")
    with pytest.raises(ValueError, match="has no 'Nope'"):
        AseCalculatorReference(calculator_class="ase.calculators.emt.Nope")


def _rattled_cells(n):
    cells = []
    for seed in range(n):
        atoms = bulk("Si", "diamond", a=5.431, cubic=True)
        atoms.rattle(0.05, seed=seed)
        atoms.info["source"] = f"rattled_{seed}"
        cells.append(atoms)
    return cells


def test_parallel_labels_equal_serial_labels_and_are_consistent():
    cells = _rattled_cells(4)
    serial = evaluate_configurations(get_reference("sw"), cells, n_workers=1)
    parallel = evaluate_configurations(get_reference("sw"), cells, n_workers=2)
    for a, b in zip(serial, parallel, strict=True):
        assert a.info[ENERGY_KEY] == pytest.approx(b.info[ENERGY_KEY], abs=1e-10)
        np.testing.assert_allclose(a.arrays[FORCES_KEY], b.arrays[FORCES_KEY], atol=1e-10)
        assert a.info["source"] == b.info["source"]
        assert a.calc is None
    # forces sum to zero (translation invariance) and the virial is symmetric
    first = serial[0]
    np.testing.assert_allclose(first.arrays[FORCES_KEY].sum(axis=0), 0, atol=1e-10)
    np.testing.assert_allclose(first.info[VIRIAL_KEY], first.info[VIRIAL_KEY].T, atol=1e-10)


def test_forces_match_finite_differences_of_the_energy():
    atoms = _rattled_cells(1)[0]
    labelled = evaluate_configurations(get_reference("sw"), [atoms], n_workers=1)[0]
    calc = get_reference("sw").calculator()
    h = 1e-4
    plus, minus = atoms.copy(), atoms.copy()
    plus.positions[3, 1] += h
    minus.positions[3, 1] -= h
    plus.calc, minus.calc = calc, calc
    e_plus = plus.get_potential_energy()
    e_minus = minus.get_potential_energy()
    assert labelled.arrays[FORCES_KEY][3, 1] == pytest.approx(
        -(e_plus - e_minus) / (2 * h), abs=1e-6
    )


class NaNCalculator(Calculator):
    implemented_properties = ("energy", "forces")

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        forces = np.zeros((len(atoms), 3))
        forces[1, 2] = np.nan
        self.results = {"energy": 0.0, "forces": forces}


def test_nan_forces_give_a_clear_error():
    ref = AseCalculatorReference(calculator_class="tests.reference.test_reference.NaNCalculator")
    with pytest.raises(LabellingError, match=r"configuration 0 \(source rattled_0.*REF_forces"):
        evaluate_configurations(ref, _rattled_cells(1), n_workers=1)


def _rss_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) / 1024


def _pid_and_energies(n_steps: int, calculator: Calculator) -> tuple[int, list[float]]:
    """``n_steps`` calculations of a rattled 216-atom cell, as MD makes them."""
    atoms = bulk("Si", "diamond", a=5.431, cubic=True).repeat(3)
    atoms.calc = calculator
    rng = np.random.default_rng(0)
    energies = []
    for _ in range(n_steps):
        atoms.positions += rng.normal(0.0, 0.01, atoms.positions.shape)
        energies.append(atoms.get_potential_energy())
    return os.getpid(), energies


def test_isolated_call_runs_in_a_child_and_leaves_no_memory_behind():
    sw = get_reference("sw")
    before = _rss_mb()
    child_pid, child_energies = call_with_calculator(sw, _pid_and_energies, 200)
    growth = _rss_mb() - before
    pid, energies = call_with_calculator(sw, _pid_and_energies, 200, isolate=False)
    assert child_pid != pid == os.getpid()
    np.testing.assert_allclose(child_energies, energies, rtol=0, atol=1e-10)
    # quippy leaks ~0.23 MB per calculation of this cell (46 MB here) in the calling process
    assert growth < 10.0


def test_every_hook_the_jobs_call_is_declared_with_a_default(tmp_path):
    sw = get_reference("sw")
    assert not sw.runs_as_atomate2_jobs and not sw.is_expensive()
    assert sw.run_options == frozenset() and sw.relax_maker() is None
    assert sw.check_ready({"Si"}) is None and sw.describe_run(tmp_path) == {}
    assert sw.scratch_root().is_absolute()
    assert type(sw.calculator_in(tmp_path)) is type(sw.calculator())
    with pytest.raises(NotImplementedError, match="in-process calculator"):
        sw.static_maker(bulk("Si"))
    emt = {"calculator_class": "ase.calculators.emt.EMT"}
    assert AseCalculatorReference(**emt, expensive=True).is_expensive()
    assert not AseCalculatorReference(**emt).is_expensive()
    qe = get_reference("qe", scratch_dir=str(tmp_path))
    assert qe.is_expensive() and qe.scratch_root() == tmp_path and "scratch_dir" in qe.run_options
    for backend in ("vasp", "cp2k"):
        dft = get_reference(backend)
        assert dft.runs_as_atomate2_jobs and dft.is_expensive()
        with pytest.raises(NoInProcessCalculatorError, match=f"the {backend} reference runs as"):
            dft.calculator()
    assert get_reference("vasp").relax_maker(name="relax si").name == "relax si"
    assert get_reference("cp2k").relax_maker() is None


def test_check_ready_refuses_elements_the_reference_cannot_label():
    from phonogap.reference.dft_common import ReferenceSetupError
    from phonogap.reference.stillinger_weber import StillingerWeberReference

    StillingerWeberReference().check_ready({"Si"})  # nothing to say
    with pytest.raises(ReferenceSetupError, match=r"cannot label Ge .*reference\.backend"):
        StillingerWeberReference().check_ready({"Si", "Ge"})
