"""extxyz with energies, forces, virials or stresses under configurable keys."""

from __future__ import annotations

import numpy as np
import pytest
from ase import Atoms
from ase.calculators.singlepoint import SinglePointCalculator
from ase.io import write

from phonogap.database.extxyz import write_training_xyz
from phonogap.importers import DatasetImportError, import_dataset
from phonogap.importers.registry import label
from phonogap.schemas.keys import ENERGY_KEY, FORCES_KEY, VIRIAL_KEY


def _frame(seed: int) -> Atoms:
    rng = np.random.default_rng(seed)
    cell = np.eye(3) * 5.43 + rng.normal(scale=0.05, size=(3, 3))
    return Atoms("Si8", scaled_positions=rng.uniform(size=(8, 3)), cell=cell, pbc=True)


def _stress(seed: int) -> np.ndarray:
    rng = np.random.default_rng(100 + seed)
    a = rng.normal(scale=0.01, size=(3, 3))
    return a + a.T


def test_ase_calculator_keys_and_stress_sign(tmp_path):
    """``energy``/``forces``/``stress`` as ASE writes them: REF_virial = -stress * V."""
    frames = []
    for seed in range(3):
        atoms = _frame(seed)
        forces = np.random.default_rng(seed).normal(size=(8, 3))
        atoms.calc = SinglePointCalculator(
            atoms, energy=-40.0 - seed, forces=forces, stress=_stress(seed)
        )
        if seed:
            atoms.info["config_type"] = "rattled"
        frames.append(atoms)
    path = tmp_path / "ase.xyz"
    write(path, frames, format="extxyz")
    dataset = import_dataset("extxyz", path, default_config_type="bulk")
    assert dataset.config_types == ["bulk", "rattled", "rattled"]
    assert dataset.sources == ["ase"] * 3
    for seed, atoms in enumerate(dataset.configurations):
        assert atoms.calc is None
        assert atoms.info[ENERGY_KEY] == -40.0 - seed
        expected = -_stress(seed) * atoms.get_volume()
        np.testing.assert_allclose(atoms.info[VIRIAL_KEY], expected, rtol=1e-12, atol=1e-14)
        assert np.allclose(atoms.arrays[FORCES_KEY], frames[seed].get_forces())
    assert import_dataset("extxyz", path, config_type="x").config_types == ["x"] * 3


def test_custom_keys_virial_wins_and_mapped_keys_are_removed(tmp_path):
    atoms = _frame(0)
    virial = _stress(1) * 10
    atoms.info.update(dft_energy=-42.5, dft_virial=virial, dft_stress=_stress(2), tag="keep")
    atoms.arrays["dft_forces"] = np.ones((8, 3))
    path = tmp_path / "custom.xyz"
    write(path, atoms, format="extxyz")
    keys = {f"{k}_key": f"dft_{k}" for k in ("energy", "forces", "virial", "stress")}
    (imported,) = import_dataset("extxyz", path, source="si", **keys).configurations
    assert imported.info[ENERGY_KEY] == -42.5
    np.testing.assert_allclose(imported.info[VIRIAL_KEY], virial, rtol=1e-14)
    np.testing.assert_array_equal(imported.arrays[FORCES_KEY], np.ones((8, 3)))
    assert imported.info["source"] == "si" and imported.info["tag"] == "keep"
    assert not {"dft_energy", "dft_virial", "dft_stress"} & set(imported.info)
    assert "dft_forces" not in imported.arrays


def test_phonogap_training_file_round_trips(tmp_path):
    atoms = label(
        _frame(3),
        origin="x",
        config_type="randomised",
        source="mp-149",
        energy=-43.0,
        forces=np.full((8, 3), 0.1),
        virial=_stress(3),
    )
    path = write_training_xyz([atoms], tmp_path / "train.xyz")
    (back,) = import_dataset(
        "extxyz", path, energy_key=ENERGY_KEY, forces_key=FORCES_KEY, virial_key=VIRIAL_KEY
    ).configurations
    assert back.info["config_type"] == "randomised" and back.info["source"] == "mp-149"
    assert back.info[ENERGY_KEY] == -43.0
    np.testing.assert_array_equal(back.info[VIRIAL_KEY], _stress(3))
    np.testing.assert_array_equal(back.arrays[FORCES_KEY], atoms.arrays[FORCES_KEY])


def test_frame_without_labels_names_file_frame_and_keys(tmp_path):
    atoms = _frame(0)
    atoms.info["dft_energy"] = -1.0
    path = tmp_path / "unlabelled.xyz"
    write(path, [_frame(1), atoms], format="extxyz")
    with pytest.raises(DatasetImportError, match=r"unlabelled\.xyz: frame 0: no energy \('energy'"):
        import_dataset("extxyz", path)
    with pytest.raises(DatasetImportError, match=r"frame 0: .*set energy_key / forces_key"):
        import_dataset("extxyz", path, energy_key="dft_energy")


def test_nan_forces_and_bad_stress_are_refused(tmp_path):
    atoms = _frame(0)
    forces = np.zeros((8, 3))
    forces[4, 2] = np.nan
    atoms.calc = SinglePointCalculator(atoms, energy=-1.0, forces=forces)
    path = tmp_path / "nan.xyz"
    write(path, atoms, format="extxyz")
    with pytest.raises(DatasetImportError, match=r"nan\.xyz: frame 0: forces.*NaN/inf"):
        import_dataset("extxyz", path)
    atoms = _frame(0)
    atoms.info.update(energy_dft=-1.0, bad_stress=np.ones(4))
    write(path, atoms, format="extxyz")
    with pytest.raises(DatasetImportError, match=r"'bad_stress' has 4 numbers"):
        import_dataset("extxyz", path, energy_key="energy_dft", stress_key="bad_stress")
