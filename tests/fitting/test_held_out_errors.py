"""Held-out test-set errors per group, checked against exactly known answers."""

from __future__ import annotations

import numpy as np
import pytest
from ase.build import bulk
from ase.units import GPa

from phonogap.database.isolated_atom import isolated_atom
from phonogap.fitting.held_out_errors import ALL, held_out_errors
from phonogap.importers import import_dataset
from phonogap.reference.evaluate import evaluate_configurations
from phonogap.reference.stillinger_weber import StillingerWeberReference
from phonogap.schemas.keys import CONFIG_TYPE_KEY, FORCES_KEY, VIRIAL_KEY


def rattled(config_type: str, seed: int, scale: float = 1.0):
    atoms = bulk("Si", "diamond", a=5.431 * scale, cubic=True)
    atoms.positions += np.random.default_rng(seed).normal(0, 0.1, atoms.positions.shape)
    atoms.info[CONFIG_TYPE_KEY] = config_type
    return atoms


def test_scaled_reference_gives_exact_relative_errors() -> None:
    sw = StillingerWeberReference()
    configurations = [rattled("a", 0), rattled("a", 1, 1.02), rattled("b", 2, 0.98)]
    labelled = evaluate_configurations(sw, [*configurations, isolated_atom()], n_workers=1)
    exact = held_out_errors(sw, labelled, n_workers=1)
    assert exact.groups[ALL].n_configurations == 3  # isolated atom skipped
    assert exact.groups[ALL].force_rmse_ev_per_ang < 1e-10
    assert exact.groups[ALL].stress_rmse_gpa < 1e-8  # virial <-> stress sign and units agree
    scaled = held_out_errors(StillingerWeberReference(epsilon_ev=sw.epsilon_ev * 1.1), labelled)
    assert set(scaled.groups) == {"a", "b", ALL}
    b = labelled[2]
    assert scaled.groups["b"].energy_rmse_mev_per_atom == pytest.approx(
        0.1 * abs(b.info["REF_energy"]) / len(b) * 1000, rel=1e-6
    )
    assert scaled.groups["b"].force_rmse_ev_per_ang == pytest.approx(
        0.1 * np.sqrt(np.mean(b.arrays[FORCES_KEY] ** 2)), rel=1e-6
    )
    stress = -np.asarray(b.info[VIRIAL_KEY]) / b.get_volume() / GPa
    assert scaled.groups["b"].stress_rmse_gpa == pytest.approx(
        0.1 * np.sqrt(np.mean(stress**2)), rel=1e-6
    )


def test_groups_of_the_mlearn_test_set(bundled_dir) -> None:
    test = import_dataset("mlearn", bundled_dir / "mlearn_si" / "test.json").configurations
    sw = StillingerWeberReference()
    errors = held_out_errors(sw, test, n_workers=2)
    assert set(errors.groups) == {"AIMD-NVT", "Vacancy", "Elastic", "Surface", ALL}
    assert errors.groups[ALL].n_configurations == 25
    assert errors.groups["AIMD-NVT"].n_configurations == 10
    # SW is not PBE: measured 0.28 eV/Å on strained cells (small forces), ~1.6-2.1 eV/Å on
    # the hot AIMD and vacancy snapshots; the groups must differ accordingly
    groups = errors.groups
    assert groups["Elastic"].force_rmse_ev_per_ang < 0.5
    assert groups["Vacancy"].force_rmse_ev_per_ang > 3 * groups["Elastic"].force_rmse_ev_per_ang
    assert groups[ALL].stress_rmse_gpa is not None
    # SW's cohesive energy (4.34 eV) is ~1 eV/atom below PBE's total energy per atom (-5.4)
    assert 900 < groups[ALL].energy_mae_mev_per_atom < 1600
