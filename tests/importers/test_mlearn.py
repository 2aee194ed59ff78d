"""mlearn json: energies, forces and the VASP stress converted to ASE's convention."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from phonogap.importers import DatasetImportError, import_dataset
from phonogap.importers.mlearn import virial_stress_to_3x3
from phonogap.schemas.keys import ENERGY_KEY, FORCES_KEY, VIRIAL_KEY

DATA = Path(__file__).resolve().parents[1] / "data" / "importers" / "mlearn_si_elastic.json"
KBAR_PER_EV_PER_ANG3 = 1602.1766208
# fixture entries: 0/1 = mode 0 (a stretched along x), strain -0.04/-0.02; 2/3 = mode 3
# (a-b shear), strain -0.04/-0.02; 4 = ground state (the strain-free reference cell)


@pytest.fixture(scope="module")
def dataset():
    return import_dataset("mlearn", DATA)


def _ase_stress(atoms) -> np.ndarray:
    return -atoms.info[VIRIAL_KEY] / atoms.get_volume()


def test_labels_match_the_json(dataset):
    raw = json.loads(DATA.read_text())
    assert dataset.config_types == ["Elastic"] * 5
    assert dataset.sources == ["mlearn_si_elastic"] * 5
    for atoms, entry in zip(dataset.configurations, raw, strict=True):
        assert atoms.info[ENERGY_KEY] == entry["outputs"]["energy"]
        np.testing.assert_array_equal(atoms.arrays[FORCES_KEY], entry["outputs"]["forces"])
        assert atoms.info["description"] == entry["description"]


def test_compressed_cell_has_negative_ase_stress(dataset):
    """Mode 0, Lagrangian strain -0.04 (a 4.1% shorter): VASP xx = +64.986 kBar > 0."""
    atoms = dataset.configurations[0]
    assert atoms.cell.lengths()[0] < dataset.configurations[4].cell.lengths()[0]
    stress = _ase_stress(atoms)
    assert stress[0, 0] == pytest.approx(-64.98592728 / KBAR_PER_EV_PER_ANG3, rel=1e-12)
    assert stress[0, 0] == pytest.approx(-0.04056103, rel=1e-6)
    assert stress[1, 1] == pytest.approx(-27.69878603 / KBAR_PER_EV_PER_ANG3, rel=1e-12)
    assert np.trace(stress) < 0  # compressed: positive pressure, negative ASE stress
    assert atoms.info[VIRIAL_KEY][0, 0] > 0


def test_shear_lands_at_xy_and_is_symmetric(dataset):
    """Mode 3 (a-b angle 94.6°): VASP's 4th number (xy) = +79.833 kBar."""
    atoms = dataset.configurations[2]
    assert atoms.cell.angles()[2] == pytest.approx(94.589, abs=1e-3)
    stress = _ase_stress(atoms)
    np.testing.assert_array_equal(stress, stress.T)
    assert stress[0, 1] == pytest.approx(-79.83282622 / KBAR_PER_EV_PER_ANG3, rel=1e-12)
    assert stress[0, 2] == stress[1, 2] == 0.0


def _second_piola_kirchhoff(atoms, reference) -> np.ndarray:
    deformation = np.linalg.solve(reference.cell.array, atoms.cell.array).T
    inverse = np.linalg.inv(deformation)
    return np.linalg.det(deformation) * inverse @ _ase_stress(atoms) @ inverse.T


@pytest.mark.parametrize(
    ("minus", "middle", "component", "multiplicity", "expected_de"),
    [(0, 1, (0, 0), 1, -26.6787), (2, 3, (0, 1), 2, -65.6395)],
)
def test_stress_is_the_strain_derivative_of_the_energy(
    dataset, minus, middle, component, multiplicity, expected_de
):
    """dE/dη = V0 * S (Lagrangian strain η, second Piola-Kirchhoff stress S of ASE's sign).

    Central difference at η = -0.02 from the energies at η = -0.04 and 0. A sign error
    gives the opposite sign, the wrong Voigt order a near-zero value for the shear.
    """
    configs = dataset.configurations
    reference = configs[4]
    d_energy = (reference.info[ENERGY_KEY] - configs[minus].info[ENERGY_KEY]) / 0.04
    assert d_energy == pytest.approx(expected_de, abs=1e-3)
    stress = _second_piola_kirchhoff(configs[middle], reference)
    from_stress = multiplicity * reference.get_volume() * stress[component]
    assert from_stress == pytest.approx(d_energy, rel=0.02)  # -26.36 vs -26.68, -65.01 vs -65.64


def test_virial_stress_ordering():
    np.testing.assert_array_equal(
        virial_stress_to_3x3([1, 2, 3, 4, 5, 6]), [[1, 4, 6], [4, 2, 5], [6, 5, 3]]
    )


def test_config_type_option():
    renamed = import_dataset("mlearn", DATA, config_type={"Elastic": "strained"}, source="si")
    assert renamed.config_types == ["strained"] * 5
    assert renamed.sources == ["si"] * 5
    assert import_dataset("mlearn", DATA, config_type="bulk").config_types == ["bulk"] * 5


@pytest.mark.parametrize(
    ("change", "pattern"),
    [
        (lambda e: e.pop("outputs"), r"\[1\] \(group Elastic\): 'outputs.energy' and 'outputs"),
        (lambda e: e["outputs"]["forces"][5].__setitem__(1, None), r"\[1\].*forces"),
        (lambda e: e["outputs"].__setitem__("virial_stress", [1, 2]), r"\[1\].*6"),
        (lambda e: e.pop("structure"), r"\[1\] \(group Elastic\): no 'structure'"),
    ],
)
def test_broken_entries_are_named(tmp_path, change, pattern):
    entries = json.loads(DATA.read_text())[:2]
    change(entries[1])
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(entries))
    with pytest.raises(DatasetImportError, match=pattern):
        import_dataset("mlearn", path)


def test_full_mlearn_set(bundled_dir):
    folder = bundled_dir / "mlearn_si"
    dataset = import_dataset("mlearn", [folder / "training.json", folder / "test.json"])
    assert dataset.summary["configurations_per_config_type"] == {
        "AIMD-NVT": 100,
        "Elastic": 61,
        "Surface": 14,
        "Vacancy": 64,
    }
    assert dataset.summary["observables"] == {"energy": 239, "forces": 239, "virial": 239}
    assert sorted(set(dataset.sources)) == ["test", "training"]
