"""One set of names and defaults: a minimal workflow file gives the Maker built in Python."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from phonogap.config import WORKFLOW_TYPES, read_workflow_file
from phonogap.database.general import GeneralDatabaseSettings
from phonogap.flows import ExtendDatabaseMaker, GeneralDatabaseMaker, PhononAccurateGapMaker
from phonogap.flows.imported_data_gap import ImportedDataGapMaker
from phonogap.importers.training_data import DatasetSpec

DATASET = "data/22_phonopy.yaml"
"""A dataset path relative to the workflow file (read when the import job runs, not here)."""

MINIMAL = {
    "phonon_accurate_gap": {"structures": {"allotropes": ["mp-149"]}},
    "imported_data_gap": {
        "workflow": "imported_data_gap",
        "datasets": [{"importer": "phonopy", "path": DATASET}],
    },
    "extend_database": {
        "workflow": "extend_database",
        "structures": {"allotropes": ["mp-149"]},
        "base_database": {"generate": {"preset": "ci"}},
    },
}
"""The least each workflow type needs: its inputs, and no Maker field."""


def python_maker(workflow: str, base_dir: Path):
    """Build the Maker of a workflow type in Python with its defaults."""
    if workflow == "phonon_accurate_gap":
        return PhononAccurateGapMaker()
    if workflow == "imported_data_gap":
        spec = DatasetSpec(importer="phonopy", path=str(base_dir / DATASET))
        return ImportedDataGapMaker(datasets=[spec])
    return ExtendDatabaseMaker()


def test_every_workflow_type_is_covered():
    assert set(MINIMAL) == set(WORKFLOW_TYPES)


@pytest.mark.parametrize("workflow", sorted(MINIMAL))
def test_minimal_file_gives_the_python_maker_field_by_field(workflow, tmp_path):
    path = tmp_path / f"{workflow}.yaml"
    path.write_text(yaml.safe_dump(MINIMAL[workflow]))
    from_file = read_workflow_file(path).maker
    from_python = python_maker(workflow, tmp_path.resolve())
    assert type(from_file) is type(from_python) is WORKFLOW_TYPES[workflow]
    fields = dataclasses.fields(from_python)
    assert fields
    for field in fields:
        file_value = getattr(from_file, field.name)
        python_value = getattr(from_python, field.name)
        assert file_value == python_value, (
            f"{type(from_python).__name__}.{field.name} differs: "
            f"workflow file {file_value!r} != Python {python_value!r}"
        )
        assert type(file_value) is type(python_value), field.name
    assert from_file == from_python


def test_the_defaults_that_used_to_differ_are_single(tmp_path):
    """benchmark_base and the extension's f had one default in YAML and another in Python."""
    path = tmp_path / "extend.yaml"
    path.write_text(yaml.safe_dump(MINIMAL["extend_database"]))
    from_file = read_workflow_file(path).maker
    for maker in (from_file, ExtendDatabaseMaker()):
        assert maker.extension.benchmark_base is True
        assert maker.fit.f == 0.01
        assert maker.extension.melt_quench is None
        assert maker.name == "extend_database"


def test_generated_base_database_preset_is_the_settings_preset(tmp_path):
    path = tmp_path / "extend.yaml"
    path.write_text(yaml.safe_dump(MINIMAL["extend_database"]))
    section = read_workflow_file(path).base_database
    assert section.generate == GeneralDatabaseSettings.ci()
    assert GeneralDatabaseMaker(settings={"preset": "ci"}).settings == GeneralDatabaseSettings.ci()
