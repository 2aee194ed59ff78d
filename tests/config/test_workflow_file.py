"""Workflow files: the shipped ones validate; bad ones name the file and the field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from jobflow import Flow
from pymatgen.core import Structure

from phonogap.cli import demo_workflow
from phonogap.config import (
    WorkflowFileError,
    flow_from_workflow,
    load_structures_from,
    parse_workflow,
    read_workflow_file,
)
from phonogap.flows import PhononAccurateGapMaker
from phonogap.flows.imported_data_gap import ImportedDataGapMaker
from phonogap.importers.training_data import import_training_data
from phonogap.structures.allotropes import allotrope_ids

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
SHIPPED = sorted(path.name for path in WORKFLOWS.glob("*.yaml"))


def test_demo_yaml_equals_the_demo_command():
    assert yaml.safe_load((WORKFLOWS / "demo.yaml").read_text()) == demo_workflow()


@pytest.mark.parametrize("name", ["demo.yaml", "si_allotropes_sw.yaml"])
def test_shipped_workflows_build_flows(name):
    workflow = read_workflow_file(WORKFLOWS / name)
    maker = workflow.maker
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
        assert maker.kappa.settings.mesh == (11, 11, 11)
        assert len(structures) == 13
        assert maker.fit.hyperparameters.soap.n_sparse == 1500
        assert maker.fit.f == 0.001


def _missing_dataset_paths(workflow) -> list[str]:
    if not isinstance(workflow.maker, ImportedDataGapMaker):
        return []
    return [spec.path for spec in workflow.maker.datasets if not Path(spec.path).exists()]


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_workflow_loads_and_builds_its_flow(name, tmp_path, monkeypatch):
    monkeypatch.setenv("PHONOGAP_SCRATCH_DIR", str(tmp_path))  # demo_qe's label scratch
    workflow = read_workflow_file(WORKFLOWS / name)
    assert workflow.name == workflow.maker.name
    assert _missing_dataset_paths(workflow) == []  # bundled data ships with the package
    if workflow.structures is not None and workflow.structures.materials_project:
        pytest.skip(f"{name} downloads its structures from the Materials Project")
    flow, count = flow_from_workflow(workflow)
    assert isinstance(flow, Flow)
    assert flow.name == workflow.name
    assert count > 0 and flow.jobs
    if workflow.campaign is not None:
        structures, mp_ids = load_structures_from(workflow.structures, workflow.base_dir)
        campaign = workflow.campaign.maker(workflow.maker).make(structures, mp_ids)
        assert len(campaign.jobs) == len(structures) + 1


def test_shipped_workflows_are_all_covered():
    assert {"demo.yaml", "extend_sw.yaml", "castep_allotropes.yaml"} <= set(SHIPPED)


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


def test_unknown_top_level_key_lists_the_valid_fields(tmp_path):
    path = write(tmp_path, "structures: {allotropes: [mp-149]}\nregularisation: 0.01\n")
    with pytest.raises(WorkflowFileError) as error:
        read_workflow_file(path)
    message = str(error.value)
    assert "field 'regularisation': not a field of workflow 'phonon_accurate_gap'" in message
    valid = message.split("valid fields: ")[1].splitlines()[0].split(", ")
    # every field of the Maker and every section of the file
    assert {"name", "reference", "database", "fit", "relax", "filters", "phonons"} <= set(valid)
    assert {"kappa", "n_workers", "structures", "scan", "campaign", "workflow"} <= set(valid)


def test_key_of_another_workflow_type_names_its_workflow(tmp_path):
    path = write(tmp_path, "structures: {allotropes: [mp-149]}\nequilibrium: {enabled: true}\n")
    with pytest.raises(WorkflowFileError, match="'equilibrium' belongs to workflow 'imported_"):
        read_workflow_file(path)


def test_unknown_fit_preset_lists_the_presets(tmp_path):
    path = write(tmp_path, "structures: {allotropes: [mp-149]}\nfit: {preset: huge}\n")
    with pytest.raises(WorkflowFileError) as error:
        read_workflow_file(path)
    message = str(error.value)
    assert "field 'fit': unknown preset 'huge'" in message
    assert "gap18" in message and "small" in message


def test_unknown_fit_field_is_named(tmp_path):
    path = write(tmp_path, "structures: {allotropes: [mp-149]}\nfit: {presett: small}\n")
    with pytest.raises(WorkflowFileError, match=r"field 'fit.presett': Extra inputs"):
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


def test_relative_paths_resolve_against_the_file_from_any_directory(
    tmp_path, monkeypatch, bundled_dir
):
    castep = bundled_dir / "george2020_castep_phonons"
    project = tmp_path / "project"
    for folder in ("workflows", "structures", "data"):
        (project / folder).mkdir(parents=True)
    shutil.copy(castep / "structures" / "25_mp-168.vasp", project / "structures" / "bc8.vasp")
    shutil.copy(castep / "phonopy_yaml" / "25_phonopy.yaml", project / "data" / "bc8.yaml")
    (project / "workflows" / "sw.yaml").write_text(
        "structures: {files: [../structures/bc8.vasp]}\n"
    )
    (project / "workflows" / "imported.yaml").write_text(
        "workflow: imported_data_gap\n"
        "datasets:\n"
        "  - {importer: phonopy, path: ../data/bc8.yaml, mp_id: mp-168}\n"
        "  - {bundled: george2020_castep, structures: [mp-149]}\n"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the paths below are relative to this directory

    sw = Path("../project/workflows/sw.yaml")
    structures, _ = load_structures_from(read_workflow_file(sw).structures, sw.parent)
    assert list(structures) == ["bc8"]
    expected = Structure.from_file(castep / "structures" / "25_mp-168.vasp")
    assert len(structures["bc8"]) == 8
    assert structures["bc8"].lattice.abc == pytest.approx(expected.lattice.abc, abs=1e-12)
    flow, n_structures = flow_from_workflow(read_workflow_file(sw))
    assert n_structures == 1

    imported = Path("../project/workflows/imported.yaml")
    flow, n_datasets = flow_from_workflow(read_workflow_file(imported))
    assert n_datasets == 2
    [import_job] = [job for job in flow.jobs if job.name == "import_datasets"]
    specs = import_job.function_args[0]
    assert [Path(spec.path) for spec in specs] == [
        (project / "data" / "bc8.yaml").resolve(),
        castep / "phonopy_yaml" / "22_phonopy.yaml",
    ]
    # the import job runs in its own folder: the absolute paths still find the files
    job_folder = tmp_path / "job_folder"
    job_folder.mkdir()
    monkeypatch.chdir(job_folder)
    document = import_training_data(specs)
    assert [s.name for s in document.phonon_setups] == ["bc8", "mp-149"]
    assert [s.n_displacements for s in document.phonon_setups] == [2, 1]
    assert document.mp_ids == {"bc8": "mp-168", "mp-149": "mp-149"}


@pytest.mark.parametrize(
    "name", ["castep_allotropes.yaml", "castep_f_scan.yaml", "castep_learning_curve.yaml"]
)
def test_castep_workflows_name_the_bundled_13_allotropes(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    raw = yaml.safe_load((WORKFLOWS / name).read_text())
    assert [entry.get("bundled") for entry in raw["datasets"]] == ["george2020_castep"]
    workflow = read_workflow_file(WORKFLOWS / name)
    _flow, n_datasets = flow_from_workflow(workflow)
    assert n_datasets == 13
    specs = workflow.maker.datasets  # expanded to one file per structure when the file is read
    assert sorted(spec.mp_id for spec in specs) == sorted(allotrope_ids())
    assert all(spec.name == spec.mp_id and Path(spec.path).is_file() for spec in specs)


def test_learning_curve_keeps_the_randomised_cells_of_strategy_both(tmp_path):
    base = {"structures": {"allotropes": ["mp-149"]}, "database": {"strategy": "both"}}
    curve = {**base, "scan": {"parameter": "n_sparse", "values": [100, 400]}}
    workflow = parse_workflow(curve, tmp_path)
    variants = workflow.scan.maker(workflow.maker).variants()
    assert [(v.n_sparse, v.with_randomised) for v in variants] == [(100, True), (400, True)]
    told = {**base, "scan": {**curve["scan"], "with_randomised": [False]}}
    workflow = parse_workflow(told, tmp_path)
    assert not any(v.with_randomised for v in workflow.scan.maker(workflow.maker).variants())
    f_scan = {**base, "scan": {"parameter": "f", "values": [0.01, 0.001]}}
    workflow = parse_workflow(f_scan, tmp_path)
    assert [v.with_randomised for v in workflow.scan.maker(workflow.maker).variants()] == [
        False,
        False,
    ]
