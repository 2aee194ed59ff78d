from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from ase import Atoms

from phonogap.database.extxyz import read_training_xyz, write_training_xyz
from phonogap.importers import (
    ORIGIN_KEY,
    DatasetImportError,
    ImportedDataset,
    UnknownImporterError,
    available_importers,
    get_importer,
    import_dataset,
)
from phonogap.importers.registry import label
from phonogap.schemas.configuration import to_atoms_list
from phonogap.schemas.keys import ENERGY_KEY, FORCES_KEY, VIRIAL_KEY

DATA = Path(__file__).resolve().parents[1] / "data" / "importers"
MLEARN = DATA / "mlearn_si_elastic.json"


def test_builtin_importers_are_registered():
    assert {"phonopy", "phono3py", "vasprun", "extxyz", "mlearn"} <= set(available_importers())
    assert callable(get_importer("mlearn"))


def test_unknown_importer_lists_the_known_ones():
    with pytest.raises(UnknownImporterError, match=r"unknown importer 'castep'.*mlearn"):
        import_dataset("castep", MLEARN)


def test_unknown_option_lists_accepted_options():
    with pytest.raises(DatasetImportError, match=r"no option\(s\) \['groups'\].*config_type"):
        import_dataset("mlearn", MLEARN, groups="x")


def test_missing_file_names_the_file_and_the_fix(tmp_path):
    missing = tmp_path / "nope.json"
    with pytest.raises(FileNotFoundError, match=r"nope\.json.*does not exist; fix the path"):
        import_dataset("mlearn", missing)


def _atoms() -> Atoms:
    return Atoms("Si2", positions=[[0, 0, 0], [1.3, 1.3, 1.3]], cell=np.eye(3) * 5.4, pbc=True)


def test_configuration_without_energy_and_forces_fails():
    with pytest.raises(DatasetImportError, match=r"^f\.xyz: frame 3: has neither an energy nor"):
        label(_atoms(), origin="f.xyz: frame 3", config_type="x", source="s")


@pytest.mark.parametrize(
    ("labels", "pattern"),
    [
        ({"energy": float("nan")}, r"entry 7: energy \(eV\) must be finite.*NaN"),
        ({"forces": [[0, 0, 0], [0, np.inf, 0]]}, r"entry 7: forces \(eV/Å\).*NaN/inf"),
        ({"forces": [[0, 0, 0]] * 3}, r"entry 7: labels are not numbers of the right shape"),
        ({"energy": -1.0, "virial": np.full((3, 3), np.nan)}, r"entry 7: virial \(eV\)"),
    ],
)
def test_bad_labels_name_entry_and_field(labels, pattern):
    with pytest.raises(DatasetImportError, match=pattern):
        label(_atoms(), origin="entry 7", config_type="x", source="s", **labels)


def test_empty_dataset_fails():
    with pytest.raises(DatasetImportError, match="no configurations"):
        ImportedDataset([], {"files": [{"path": "a.json", "sha256": "0"}]})


def test_dataset_document_and_training_file_round_trip(tmp_path):
    dataset = import_dataset("mlearn", MLEARN)
    assert dataset.wall_time_s > 0
    assert dataset.provenance["importer"] == "mlearn"
    digest = hashlib.sha256(MLEARN.read_bytes()).hexdigest()
    assert dataset.provenance["files"] == [{"path": str(MLEARN.resolve()), "sha256": digest}]
    assert len(dataset.input_checksum) == 64
    document = dataset.to_document()
    assert document.reference.backend == "imported"
    assert document.reference.extra["importer"] == "mlearn"
    assert document.summary["observables"] == {"energy": 5, "forces": 5, "virial": 5}
    back = to_atoms_list(document.configurations)
    xyz = read_training_xyz(write_training_xyz(dataset.configurations, tmp_path / "train.xyz"))
    for original, stored, read in zip(dataset.configurations, back, xyz, strict=True):
        assert stored.info[ORIGIN_KEY] == original.info[ORIGIN_KEY]
        for atoms in (stored, read):
            assert atoms.info[ENERGY_KEY] == original.info[ENERGY_KEY]
            np.testing.assert_array_equal(atoms.arrays[FORCES_KEY], original.arrays[FORCES_KEY])
            np.testing.assert_array_equal(atoms.info[VIRIAL_KEY], original.info[VIRIAL_KEY])
