"""Kappa error attribution: a potential's fc2/fc3 swapped with a phono3py dataset's."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest
from ase.calculators.calculator import Calculator, all_changes

from phonogap.phonons.kappa_attribution import attribute_kappa_error
from phonogap.phonons.kappa_dataset import load_phono3py_dataset
from phonogap.reference.base import Reference
from phonogap.schemas.kappa import KappaSettings

SETTINGS = KappaSettings(mesh=(9, 9, 9), temperatures=(300, 600))


class _LookupCalculator(Calculator):
    implemented_properties: ClassVar[list[str]] = ["energy", "forces"]

    def __init__(self, table: Path, noise: float, seed: int) -> None:
        super().__init__()
        data = np.load(table)
        self.positions, self.forces = data["positions"], data["forces"]
        self.noise, self.seed = noise, seed

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        distances = np.abs(self.positions - atoms.positions).max(axis=(1, 2))
        index = int(np.argmin(distances))
        assert distances[index] < 1e-6, "configuration not in the dataset"
        rng = np.random.default_rng([self.seed, index])
        noise = rng.normal(0.0, self.noise, self.forces[index].shape) if self.noise else 0.0
        self.results = {"energy": 0.0, "forces": self.forces[index] + noise}


class DatasetForces(Reference):
    """The dataset's own forces, plus optional Gaussian noise (a stand-in potential)."""

    backend: ClassVar[str] = "dataset_forces"
    table: Path
    noise_ev_per_ang: float = 0.0
    seed: int = 0

    def calculator(self) -> Calculator:
        return _LookupCalculator(self.table, self.noise_ev_per_ang, self.seed)


pytestmark = pytest.mark.filterwarnings("ignore")  # phonopy/phono3py grid and API notices


@pytest.fixture(scope="module")
def dataset(bundled_dir, tmp_path_factory) -> tuple[Path, Path]:
    path = bundled_dir / "phono3py_si" / "test"
    ph3 = load_phono3py_dataset(path)
    table = tmp_path_factory.mktemp("lookup") / "forces.npz"
    positions = [cell.positions for cell in ph3.supercells_with_displacements]
    np.savez(table, positions=np.array(positions), forces=np.array(ph3.forces))
    return path, table


def test_exact_forces_reproduce_the_dataset(dataset):
    path, table = dataset
    result = attribute_kappa_error(path, DatasetForces(table=table), SETTINGS, n_workers=1)
    assert result.reference.at(300.0) == pytest.approx(107.694, rel=1e-3)
    assert result.force_rmse_ev_per_ang < 1e-12
    assert result.fc3_relative_error < 1e-10
    for deviations in result.deviations_percent().values():
        assert np.abs(deviations).max() < 1e-6


def test_force_noise_lowers_kappa_through_fc3(dataset):
    """1e-4 eV/Å of random force error (a GAP's typical error here) costs kappa via fc3.

    fc3 comes from second differences over 0.03 Å pair displacements, so the noise adds
    random fc3 elements, i.e. extra scattering; fc2 (first differences) barely moves.
    Measured (seeded noise): kappa -28 % at 300 K, all of it from fc3 (-27.9 %); fc2 alone
    +0.12 %. The bounds leave a wide margin for another noise draw (same size, same sign).
    """
    path, table = dataset
    potential = DatasetForces(table=table, noise_ev_per_ang=1e-4)
    result = attribute_kappa_error(path, potential, SETTINGS, n_workers=1)
    deviations = result.deviations_percent()
    assert result.force_rmse_ev_per_ang == pytest.approx(1e-4, rel=0.05)
    assert result.fc2_relative_error < 0.005 < result.fc3_relative_error
    assert max(np.abs(deviations["potential_fc2"])) < 0.5
    assert max(deviations["potential_fc3"]) < -10.0
    assert deviations["potential"] == pytest.approx(deviations["potential_fc3"], abs=1.0)
