from __future__ import annotations

import subprocess

import numpy as np
import pytest
from ase import Atoms
from ase.calculators.singlepoint import SinglePointCalculator

from phonogap.database.extxyz import labelled_summary, read_training_xyz, write_training_xyz
from phonogap.database.isolated_atom import isolated_atom
from phonogap.schemas.keys import (
    CONFIG_TYPE_KEY,
    ENERGY_KEY,
    FORCE_ATOM_SIGMA_KEY,
    FORCES_KEY,
    ISOLATED_ATOM,
    SOURCE_KEY,
    VIRIAL_KEY,
)


def _labelled(n: int, config_type: str, seed: int, virial: bool = True) -> Atoms:
    rng = np.random.default_rng(seed)
    atoms = Atoms(
        ["Si"] * n,
        positions=rng.uniform(0, 5, size=(n, 3)),
        cell=np.eye(3) * 5.4 + rng.normal(scale=0.05, size=(3, 3)),
        pbc=True,
    )
    atoms.info[ENERGY_KEY] = float(rng.normal(-4.3 * n, 1.0))
    atoms.arrays[FORCES_KEY] = rng.normal(scale=1e-3, size=(n, 3)) * 10.0 ** -rng.integers(
        0, 6, size=(n, 1)
    )
    if virial:
        atoms.info[VIRIAL_KEY] = rng.normal(size=(3, 3))  # deliberately not symmetric
    atoms.info[CONFIG_TYPE_KEY] = config_type
    atoms.info[SOURCE_KEY] = f"mp-{seed} (test)"
    atoms.info["displacement_index"] = seed
    atoms.info["lattice_scale"] = 0.9876543210987654
    return atoms


@pytest.fixture
def configurations() -> list[Atoms]:
    first = _labelled(4, "single_displacement", 1)
    first.arrays[FORCE_ATOM_SIGMA_KEY] = 1e-4 * np.array([0.0123456789, 0.5, 0.01, 1.23e-7]) + 1e-9
    second = _labelled(3, "randomised", 2)
    atom = isolated_atom()
    atom.info[ENERGY_KEY] = -0.1234
    return [first, second, atom]


def test_exact_round_trip(tmp_path, configurations):
    path = write_training_xyz(configurations, tmp_path / "train.xyz")
    restored = read_training_xyz(path)
    assert len(restored) == 3
    for before, after in zip(configurations, restored, strict=True):
        assert np.array_equal(before.positions, after.positions)
        assert np.array_equal(before.cell.array, after.cell.array)
        assert np.array_equal(before.pbc, after.pbc)
        assert after.info[ENERGY_KEY] == before.info[ENERGY_KEY]
        assert after.info[CONFIG_TYPE_KEY] == before.info[CONFIG_TYPE_KEY]
        assert after.info[SOURCE_KEY] == before.info[SOURCE_KEY]
        for key in (FORCES_KEY, FORCE_ATOM_SIGMA_KEY):
            if key in before.arrays:
                assert np.array_equal(after.arrays[key], before.arrays[key]), key
        if VIRIAL_KEY in before.info:
            assert after.info[VIRIAL_KEY].shape == (3, 3)
            assert np.array_equal(after.info[VIRIAL_KEY], before.info[VIRIAL_KEY])
    assert restored[0].info["lattice_scale"] == 0.9876543210987654
    assert restored[1].info["displacement_index"] == 2
    assert restored[2].info[CONFIG_TYPE_KEY] == ISOLATED_ATOM
    assert not restored[2].pbc.any()


def test_virial_is_written_as_nine_numbers_in_fortran_order(tmp_path, configurations):
    path = write_training_xyz(configurations[:1], tmp_path / "one.xyz")
    header = path.read_text().splitlines()[1]
    written = header.split(f'{VIRIAL_KEY}="')[1].split('"')[0].split()
    assert np.array_equal(
        np.array(written, dtype=float), configurations[0].info[VIRIAL_KEY].ravel(order="F")
    )


def test_calculator_results_are_not_written(tmp_path, configurations):
    atoms = configurations[0]
    atoms.calc = SinglePointCalculator(atoms, energy=1.0, forces=np.ones((4, 3)))
    atoms.info["energy"] = 2.0  # looks like a calculator result: dropped too
    path = write_training_xyz([atoms], tmp_path / "calc.xyz")
    header = path.read_text().splitlines()[1]
    assert " energy=" not in header and ":forces:" not in header
    restored = read_training_xyz(path)[0]
    assert restored.calc is None
    assert "energy" not in restored.info
    assert atoms.calc is not None  # the caller's object is untouched


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        (FORCES_KEY, np.nan, "REF_forces"),
        (FORCES_KEY, np.inf, "REF_forces"),
        (ENERGY_KEY, np.nan, "REF_energy"),
        (VIRIAL_KEY, np.inf, "REF_virial"),
        (FORCE_ATOM_SIGMA_KEY, 0.0, "force_atom_sigma"),
    ],
)
def test_invalid_labels_name_index_source_and_field(tmp_path, configurations, field, value, match):
    bad = configurations[1]
    if field in (FORCES_KEY, FORCE_ATOM_SIGMA_KEY):
        bad.arrays[field] = np.full((3, 3) if field == FORCES_KEY else 3, 1e-3)
        bad.arrays[field][0] = value
    elif field == VIRIAL_KEY:
        bad.info[field] = np.full((3, 3), value)
    else:
        bad.info[field] = value
    path = tmp_path / "bad.xyz"
    with pytest.raises(ValueError, match=rf"configuration 1 \(source 'mp-2 \(test\)'\): {match}"):
        write_training_xyz(configurations, path)
    assert not path.exists()


def test_labelled_summary(configurations):
    summary = labelled_summary(configurations)
    assert summary["n_configurations"] == 3
    assert summary["n_atoms"] == 8
    assert summary["configurations_per_config_type"] == {
        "isolated_atom": 1,
        "randomised": 1,
        "single_displacement": 1,
    }
    assert summary["atoms_per_config_type"] == {
        "isolated_atom": 1,
        "randomised": 3,
        "single_displacement": 4,
    }
    assert summary["observables"] == {
        "energy": 3,
        "forces": 2,
        "virial": 2,
        "force_atom_sigma": 1,
    }
    assert summary["observables_per_config_type"]["isolated_atom"] == {"energy": 1}
    assert labelled_summary([])["n_configurations"] == 0


def test_isolated_atom():
    atom = isolated_atom("Si", box=25.0)
    assert len(atom) == 1 and not atom.pbc.any()
    assert np.allclose(atom.cell.lengths(), 25.0)
    assert np.allclose(atom.positions[0], 12.5)
    assert atom.info[CONFIG_TYPE_KEY] == ISOLATED_ATOM
    with pytest.raises(ValueError, match="not a chemical symbol"):
        isolated_atom("Xx")
    with pytest.raises(ValueError, match="positive"):
        isolated_atom("Si", box=0.0)


def test_gap_fit_reads_every_label(tmp_path, configurations):
    configurations[0].info["REF_energy"] = -17.2
    configurations[1].info["REF_energy"] = -12.9
    path = write_training_xyz(configurations, tmp_path / "train.xyz")
    command = [
        "gap_fit",
        f"atoms_filename={path.name}",
        "gap_file=gap.xml",
        "gap={distance_2b cutoff=4.0 covariance_type=ard_se delta=1.0 theta_uniform=1.0 "
        "n_sparse=5 sparse_method=uniform}",
        "default_sigma={0.001 0.1 0.05 0.0}",
        "e0_method=isolated",
        f"energy_parameter_name={ENERGY_KEY}",
        f"force_parameter_name={FORCES_KEY}",
        f"virial_parameter_name={VIRIAL_KEY}",
        "sparse_jitter=1e-8",
        "do_copy_at_file=F",
    ]
    run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "Number of target energies (property name: REF_energy) found: 3" in run.stdout
    assert "Number of target forces (property name: REF_forces) found: 21" in run.stdout
    assert "Number of per-atom setting of force_atom_sigma found:          4" in run.stdout
    assert "Number of target virials (property name: REF_virial) found: 12" in run.stdout
