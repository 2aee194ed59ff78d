"""The relaxation guard stops a collapsing (or exploding) cell within a few steps."""

from __future__ import annotations

import numpy as np
import pytest
from ase import Atoms
from ase.calculators.calculator import Calculator, all_changes
from ase.calculators.lj import LennardJones
from pymatgen.core import Lattice, Structure

from phonogap.structures.relax import relax_structure
from phonogap.structures.relax_batch import relax_task
from phonogap.structures.relax_guard import (
    RelaxationCollapsedError,
    RelaxGuard,
    min_interatomic_distance,
)
from phonogap.structures.settings import RelaxSettings


def _diamond() -> Structure:
    cubic = Structure.from_spacegroup("Fd-3m", Lattice.cubic(5.43), ["Si"], [[0, 0, 0]])
    return cubic.get_primitive_structure()


def _collapsing():
    """Lennard-Jones with a 0.3 Å sigma: at 2.35 Å every pair only attracts."""
    return LennardJones(sigma=0.3, epsilon=1e3, rc=4.0)


class _Pressure(Calculator):
    """E = -p V: a negative pressure that expands the cell forever (no forces on atoms)."""

    implemented_properties = ("energy", "forces", "stress")

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        pressure = 0.05  # eV/Å^3, about 8 GPa of tension
        self.results = {
            "energy": -pressure * self.atoms.get_volume(),
            "forces": np.zeros((len(self.atoms), 3)),
            "stress": np.array([-pressure, -pressure, -pressure, 0.0, 0.0, 0.0]),
        }


def test_collapsing_cell_is_stopped_with_the_volume_change_in_the_message():
    diamond = _diamond()
    guard = RelaxGuard(name="diamond-test", likely_cause="a silly sigma")
    with pytest.raises(RelaxationCollapsedError) as info:
        relax_structure(diamond, _collapsing(), guard=guard)
    message = str(info.value)
    start = diamond.volume / len(diamond)
    assert message.startswith("relaxation of diamond-test (2 atoms) collapsed, stopped after ")
    steps = int(message.split("stopped after ")[1].split()[0])
    assert 1 <= steps <= 10
    assert f"volume {start:.1f} → " in message
    volume = float(message.split(" → ")[1].split()[0])
    assert volume < 0.5 * start
    assert "allowed 0.5 to 2" in message
    assert "Likely cause: a silly sigma." in message
    assert "min_volume_ratio, max_volume_ratio and min_distance_ang" in message


def test_without_the_guard_the_same_relaxation_collapses_far_further():
    """The guard is what stops it: unguarded, 10 steps shrink the cell below 10 %.

    (20 steps reach 0.3 % and take 6x longer: every step gets dearer as neighbours pile up.)
    """
    diamond = _diamond()
    result = relax_structure(diamond, _collapsing(), guard=None, max_steps=10, fmax=1e-3)
    ratio = result.structure.volume / diamond.volume
    assert ratio < 0.1


def test_expanding_cell_is_stopped_too():
    with pytest.raises(RelaxationCollapsedError, match=r"expanded, stopped after \d+ BFGS"):
        relax_structure(_diamond(), _Pressure(), max_steps=500)


def test_close_atoms_are_caught_even_at_a_sane_volume():
    atoms = Atoms("Si2", positions=[[0, 0, 0], [0.3, 0, 0]], cell=[6, 6, 6], pbc=True)
    guard = RelaxGuard(name="pair")
    start = atoms.get_volume() / 2
    with pytest.raises(RelaxationCollapsedError) as info:
        guard.check(atoms, start, n_steps=3, label="FIRE")
    message = str(info.value)
    assert "after 3 FIRE steps" in message
    assert "shortest interatomic distance 0.3 Å (allowed ≥ 0.5 Å)" in message
    assert "(ratio 1," in message


def test_min_distance_counts_periodic_images():
    # one atom in a 0.4 Å cube: its own image is 0.4 Å away
    atoms = Atoms("H", positions=[[0, 0, 0]], cell=[0.4, 0.4, 0.4], pbc=True)
    assert min_interatomic_distance(atoms, 0.5) == pytest.approx(0.4)
    assert min_interatomic_distance(atoms, 0.3) == float("inf")


def test_settings_carry_the_window_and_reject_nonsense():
    settings = RelaxSettings(min_volume_ratio=0.8, max_volume_ratio=1.25, min_distance_ang=1.0)
    guard = settings.guard("x", "why")
    assert (guard.min_volume_ratio, guard.max_volume_ratio, guard.min_distance_ang) == (
        0.8,
        1.25,
        1.0,
    )
    assert (guard.name, guard.likely_cause) == ("x", "why")
    with pytest.raises(ValueError, match="min_volume_ratio"):
        RelaxSettings(min_volume_ratio=1.5)
    with pytest.raises(ValueError, match="0 < min_volume_ratio < 1 < max_volume_ratio"):
        RelaxGuard(min_volume_ratio=0.5, max_volume_ratio=0.9)


def test_a_tighter_window_stops_earlier():
    diamond = _diamond()
    steps = {}
    for low in (0.9, 0.5):
        settings = RelaxSettings(min_volume_ratio=low)
        with pytest.raises(RelaxationCollapsedError) as info:
            relax_structure(diamond, _collapsing(), guard=settings.guard("d"))
        steps[low] = int(str(info.value).split("stopped after ")[1].split()[0])
    assert steps[0.9] < steps[0.5]


def test_batch_task_turns_the_error_into_a_failed_result():
    """relax_many keeps going: a stopped structure comes back unconverged with the reason."""
    diamond = _diamond()
    result = relax_task((diamond, RelaxSettings(), "mp-149"), _collapsing())
    assert not result.converged
    assert result.failure is not None
    assert result.failure.startswith("relaxation of mp-149 (2 atoms) collapsed")
    assert result.structure == diamond


def test_violation_checks_a_finished_relaxation_after_the_fact():
    from pymatgen.io.ase import AseAtomsAdaptor

    initial = AseAtomsAdaptor.get_atoms(_diamond())
    final = initial.copy()
    final.set_cell(initial.cell * 0.6, scale_atoms=True)  # volume x0.216
    guard = RelaxGuard(name="mp-149")
    assert guard.violation(initial, initial.copy(), 5, "atomate2 relax") is None
    message = guard.violation(initial, final, 12, "atomate2 relax")
    assert message.startswith("relaxation of mp-149 (2 atoms) collapsed in 12 atomate2 relax")
    assert "(ratio 0.216," in message
    assert "stopped" not in message


def test_atomate2_relaxations_outside_the_window_are_dropped(monkeypatch):
    import phonogap.jobs.structures as structure_jobs
    from phonogap.structures.settings import FilterSettings

    monkeypatch.setattr(structure_jobs, "relax_task_output", lambda task: task)
    diamond = _diamond()
    collapsed = diamond.copy()
    collapsed.scale_lattice(0.3 * diamond.volume)
    tasks = {
        "ok": {"structure": diamond, "energy": -10.0, "forces": None, "n_steps": 3},
        "bad": {"structure": collapsed, "energy": -99.0, "forces": None, "n_steps": 7},
    }
    document = structure_jobs.collect_relaxations.original(
        {"ok": diamond, "bad": diamond}, tasks, {"backend": "vasp"}, {}, FilterSettings(), []
    )
    assert [s.name for s in document.structures] == ["ok"]
    (dropped,) = document.dropped
    assert dropped.name == "bad"
    assert dropped.reason.startswith("relaxation of bad (2 atoms) collapsed in 7 atomate2 relax")


def test_kappa_relaxation_is_guarded_and_names_the_structure():
    from types import SimpleNamespace

    from phonogap.phonons.kappa_sources import relax_for_kappa

    source = SimpleNamespace(calculator=_collapsing)
    with pytest.raises(RelaxationCollapsedError, match=r"^relaxation of Si-kappa \(2 atoms\)"):
        relax_for_kappa(_diamond(), source, RelaxSettings(), "Si-kappa")
