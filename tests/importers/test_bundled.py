"""Bundled datasets: the registry, the package data behind it, and ``bundled:`` specs."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from phonogap.database.keys import SINGLE_DISPLACEMENT
from phonogap.importers import import_dataset
from phonogap.importers.bundled import (
    UnknownBundledDatasetError,
    available_bundled,
    bundled_data_dir,
    bundled_data_root,
    bundled_dataset,
    bundled_path,
    bundled_structures,
    expand_bundled,
)
from phonogap.importers.jobs import DatasetSpec, import_training_data
from phonogap.structures.allotropes import silicon_allotropes

NAMES = [
    "george2020_castep",
    "mlearn_si_test",
    "mlearn_si_train",
    "phono3py_aln_lda",
    "phono3py_nacl",
    "phono3py_si_lda",
    "phono3py_si_pbe",
    "phono3py_si_pbesol",
]


def test_names_and_the_files_behind_them():
    assert available_bundled() == NAMES
    assert bundled_path("mlearn_si_train") == bundled_data_root() / "mlearn_si" / "training.json"
    assert bundled_path("phono3py_si_lda") == bundled_data_root() / "phono3py_si" / "Si-LDA"
    assert bundled_path("phono3py_nacl").name == "phono3py_params_NaCl.yaml.xz"
    assert bundled_path("phono3py_nacl", "vasprun").name == "vasprun_xmls.tar.xz"
    for name in NAMES:
        entry = bundled_dataset(name)
        assert bundled_data_dir(name).is_dir()
        licence = (entry.licence_dir / "LICENSE").read_text()
        assert "Redistribution and use in source and binary forms" in licence
        assert name in (entry.licence_dir / "PROVENANCE.md").read_text()
        if entry.structure_index is None:
            for importer in entry.inputs:
                assert bundled_path(name, importer).exists(), (name, importer)


def test_the_module_is_pure():
    code = "import sys, phonogap.importers.bundled; print('jobflow' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def test_stable_selection_is_the_papers_13_allotropes():
    entries = expand_bundled("george2020_castep", structures="stable")
    by_mp_id = {a.mp_id: a.refdata_index for a in silicon_allotropes()}
    assert sorted(e["mp_id"] for e in entries) == sorted(by_mp_id)
    for entry in entries:
        assert entry["importer"] == "phonopy"
        assert entry["name"] == entry["mp_id"]
        assert Path(entry["path"]).name == f"{by_mp_id[entry['mp_id']]}_phonopy.yaml"
        assert Path(entry["path"]).is_file()
    # index order, as structure_index.csv and the old explicit workflow lists
    assert [Path(e["path"]).name.split("_")[0] for e in entries] == [
        "5", "6", "9", "15", "18", "22", "23", "24", "25", "28", "32", "33", "34"
    ]  # fmt: skip


def test_all_structures_cover_every_phonopy_file():
    entries = expand_bundled("george2020_castep", structures="all")
    folder = bundled_data_dir("george2020_castep") / "phonopy_yaml"
    assert sorted(Path(e["path"]) for e in entries) == sorted(folder.glob("*_phonopy.yaml"))
    assert len(entries) == 26
    unstable = [e for e in entries if e["mp_id"] is None]
    assert len(unstable) == 13
    assert {e["name"] for e in unstable} >= {"1_unstable", "13_unstable", "31_unstable"}
    with open(folder.parent / "structure_index.csv") as handle:
        displacements = {
            row["index"]: int(row["n_displacements"]) for row in csv.DictReader(handle)
        }
    rows = bundled_structures("george2020_castep")
    assert [r["index"] for r in rows] == list(displacements)


def test_a_list_of_names_keeps_its_order_and_passes_options():
    entries = expand_bundled(
        "george2020_castep", structures=["mp-168", "13_unstable"], options={"config_type": "x"}
    )
    assert [(e["name"], e["mp_id"]) for e in entries] == [
        ("mp-168", "mp-168"),
        ("13_unstable", None),
    ]
    assert [Path(e["path"]).name for e in entries] == ["25_phonopy.yaml", "13_phonopy.yaml"]
    assert all(e["options"] == {"config_type": "x"} for e in entries)


def test_single_file_sets_resolve_their_force_files_and_default_names():
    [aln] = expand_bundled("phono3py_aln_lda")
    assert aln["options"]["forces_fc3"] == str(
        bundled_data_dir("phono3py_aln_lda") / "FORCES_FC3.xz"
    )
    assert aln["name"] == "AlN-LDA"
    [pbe] = expand_bundled("phono3py_si_pbe", importer="vasprun", source="si", mp_id="mp-149")
    assert (pbe["importer"], pbe["name"], pbe["mp_id"]) == ("vasprun", "si", "mp-149")
    assert pbe["path"].endswith("Si-PBE/vasprun_xmls.tar.lzma")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"structures": None}, r"add 'structures: stable', 'structures: all' or a list.*mp-149"),
        ({"structures": "some"}, r"structures 'some' .* not valid.*'stable', 'all'"),
        ({"structures": ["mp-149", "mp-1"]}, r"no structure 'mp-1'; valid names: 1_unstable"),
        ({"structures": ["mp-149", "mp-149"]}, r"repeat \['mp-149'\]"),
        ({"structures": "stable", "mp_id": "mp-149"}, r"remove 'name' and 'mp_id'"),
        ({"structures": "all", "importer": "vasprun"}, r"no input for importer 'vasprun'"),
    ],
)
def test_bad_selections_say_what_is_valid(kwargs, message):
    with pytest.raises(ValueError, match=message):
        expand_bundled("george2020_castep", **kwargs)


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(UnknownBundledDatasetError) as info:
        bundled_data_dir("george2020")
    assert isinstance(info.value, ValueError)
    assert "'george2020'" in str(info.value)
    assert all(name in str(info.value) for name in NAMES)
    with pytest.raises(ValueError, match=r"one dataset, so 'structures' does not apply"):
        expand_bundled("mlearn_si_test", structures="all")


def test_dataset_spec_takes_a_path_or_a_bundled_name():
    with pytest.raises(ValidationError, match=r"exactly one of 'path' \(with 'importer'\)"):
        DatasetSpec(importer="phonopy", path="a.yaml", bundled="phono3py_si_pbe")
    with pytest.raises(ValidationError, match=r"exactly one of"):
        DatasetSpec(importer="phonopy")
    with pytest.raises(ValidationError, match=r"'a.yaml': a 'path' needs an 'importer'"):
        DatasetSpec(path="a.yaml")
    with pytest.raises(ValidationError, match=r"no bundled dataset named 'castep'"):
        DatasetSpec(bundled="castep", structures="stable")
    spec = DatasetSpec(bundled="mlearn_si_test")
    resolved = spec.resolved(Path("/elsewhere"))
    assert (resolved.importer, resolved.bundled) == ("mlearn", None)
    assert resolved.path == str(bundled_path("mlearn_si_test"))
    with pytest.raises(ValueError, match=r"names 13 files where one dataset is expected"):
        DatasetSpec(bundled="george2020_castep", structures="stable").resolved(Path())
    one = DatasetSpec(bundled="george2020_castep", structures=["mp-149"]).resolved(Path())
    assert one.path.endswith("22_phonopy.yaml")


def test_bundled_specs_import_like_their_files():
    specs = [
        DatasetSpec(bundled="george2020_castep", structures=["mp-149", "mp-168"]),
        DatasetSpec(bundled="mlearn_si_test", benchmark=False),
    ]
    document = import_training_data(specs)
    kinds = [c.config_type for c in document.configurations]
    assert kinds.count(SINGLE_DISPLACEMENT) == 3  # diamond 1 + BC8 2 displacements
    assert len(kinds) == 3 + 25  # and the 25 mlearn test structures
    assert [s.name for s in document.phonon_setups] == ["mp-149", "mp-168"]
    assert document.mp_ids == {"mp-149": "mp-149", "mp-168": "mp-168"}


def test_aln_imports_with_its_compressed_force_file():
    [spec] = DatasetSpec(bundled="phono3py_aln_lda").expanded()
    dataset = import_dataset(spec.importer, spec.path, source=spec.name, **spec.options)
    assert len(dataset.configurations) == 1254
    assert {len(atoms) for atoms in dataset.configurations} == {72}
    assert set(dataset.sources) == {"AlN-LDA"}
    assert dataset.summary["observables"] == {"forces": 1254}
