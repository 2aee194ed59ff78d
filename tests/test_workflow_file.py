"""Workflow files: the shipped ones validate; bad ones name the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from phonogap.cli.run import demo_workflow
from phonogap.flows import PhononAccurateGapMaker
from phonogap.workflow_file import (
    WorkflowFileError,
    load_structures_from,
    maker_from_workflow,
    read_workflow_file,
)

WORKFLOWS = Path(__file__).resolve().parents[1] / "workflows"


def test_demo_yaml_equals_the_demo_command():
    assert yaml.safe_load((WORKFLOWS / "demo.yaml").read_text()) == demo_workflow()


@pytest.mark.parametrize("name", ["demo.yaml", "si_allotropes_sw.yaml"])
def test_shipped_workflows_build_flows(name):
    workflow = read_workflow_file(WORKFLOWS / name)
    maker = maker_from_workflow(workflow)
    assert isinstance(maker, PhononAccurateGapMaker)
    structures, mp_ids = load_structures_from(workflow.structures, WORKFLOWS)
    flow = maker.make(structures, mp_ids=mp_ids)
    names = [job.name for job in flow.jobs]
    assert names[:4] == ["relax_with_reference", "build_database", "label_database", "fit_gap"]
    assert names[-1] == "benchmark_phonons"
    if name == "demo.yaml":
        assert len(names) == 5
    if name == "si_allotropes_sw.yaml":
        assert names[4:6] == ["kappa mp-149 reference", "kappa mp-149 GAP"]
        assert maker.kappa_settings.mesh == (11, 11, 11)
        assert len(structures) == 13
        assert maker.hyperparameters.soap.n_sparse == 1500
        assert maker.f == 0.001


def write(tmp_path, content: str) -> Path:
    path = tmp_path / "wf.yaml"
    path.write_text(content)
    return path


def test_unknown_field_is_named(tmp_path):
    path = write(
        tmp_path, "structures: {allotropes: [mp-149]}\ndatabase: {strategy: both, nrand: 3}\n"
    )
    with pytest.raises(WorkflowFileError, match=r"wf.yaml is invalid:\n  field 'database.nrand'"):
        read_workflow_file(path)


def test_bad_strategy_value_is_named(tmp_path):
    path = write(tmp_path, "structures: {allotropes: [mp-149]}\ndatabase: {strategy: random}\n")
    with pytest.raises(WorkflowFileError, match=r"field 'database.strategy'"):
        read_workflow_file(path)


def test_unknown_backend_is_named(tmp_path):
    path = write(tmp_path, "structures: {allotropes: [mp-149]}\nreference: {backend: vsp}\n")
    with pytest.raises(WorkflowFileError, match="unknown reference backend 'vsp'"):
        read_workflow_file(path)


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(WorkflowFileError, match="does not exist"):
        read_workflow_file(tmp_path / "nope.yaml")
    with pytest.raises(WorkflowFileError, match="not valid YAML"):
        read_workflow_file(write(tmp_path, "structures: [unclosed\n"))
    with pytest.raises(WorkflowFileError, match=r"needs a 'structures' section"):
        read_workflow_file(write(tmp_path, "name: x\n"))


def test_structure_files_resolve_relative_to_the_workflow(tmp_path):
    (tmp_path / "bad.vasp").write_text("not a poscar\n")
    path = write(tmp_path, "structures: {files: [bad.vasp]}\n")
    workflow = read_workflow_file(path)
    with pytest.raises(ValueError, match=r"bad\.vasp"):
        load_structures_from(workflow.structures, tmp_path)
    with pytest.raises(FileNotFoundError, match=r"missing\.cif"):
        load_structures_from(
            read_workflow_file(write(tmp_path, "structures: {files: [missing.cif]}\n")).structures,
            tmp_path,
        )
