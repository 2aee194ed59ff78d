"""Workflow files of type extend_database: parsing, errors and one `phonogap run` end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from phonogap.cli import main
from phonogap.config import WorkflowFileError, flow_from_workflow, read_workflow_file
from phonogap.config.workflow_file import summary_run_names
from phonogap.database.general import GeneralDatabaseSettings
from phonogap.flows import ExtendDatabaseMaker
from phonogap.md.protocol import MeltQuenchSettings

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"

VALID = {
    "name": "ext",
    "workflow": "extend_database",
    "structures": {"allotropes": ["mp-149", "mp-165"]},
    "base_database": {"generate": {"preset": "ci", "n_strained": 4, "md": {"seed": 3}}},
    "database": {"n_randomised": 2, "min_supercell_length_ang": 9.0},
    "fit": {"preset": "small", "f": 0.02, "f_min": 0.05},
    "extension": {
        "n_sparse_base": 120,
        "n_sparse_new": 40,
        "new_split": {"single_displacement": 3, "randomised": 1},
        "randomised_sigma": [0.002, 0.2, 0.1, 0.0],
        "melt_quench": {"preset": "ci", "seed": 9, "liquid_steps": 100},
    },
}


def write(tmp_path: Path, content: dict) -> Path:
    path = tmp_path / "wf.yaml"
    path.write_text(yaml.safe_dump(content))
    return path


def flat_job_names(flow) -> list[str]:
    names = []
    for item in flow.jobs:
        names += flat_job_names(item) if hasattr(item, "jobs") else [item.name]
    return names


def test_valid_file_gives_the_maker_and_flow(tmp_path):
    workflow = read_workflow_file(write(tmp_path, VALID))
    maker = workflow.maker
    assert isinstance(maker, ExtendDatabaseMaker)
    extension = maker.extension
    assert (extension.n_sparse_base, extension.n_sparse_new) == (120, 40)
    assert extension.new_split == {"single_displacement": 3, "randomised": 1}
    assert extension.base_split is None
    assert (maker.fit.f, maker.fit.f_min) == (0.02, 0.05)
    assert extension.randomised_sigma == (0.002, 0.2, 0.1, 0.0)
    # one default, the same for the file and the Maker
    assert extension.benchmark_base is True
    assert ExtendDatabaseMaker().extension.benchmark_base is True
    assert maker.database.n_randomised == 2
    assert maker.fit.hyperparameters.soap.l_max == 6  # the small preset
    # melt-quench: the ci preset with the two fields changed, nothing else
    expected = MeltQuenchSettings.ci().model_copy(update={"seed": 9, "liquid_steps": 100})
    assert extension.melt_quench == expected
    assert extension.melt_quench.supercell_repeat == 2
    # base database: the ci preset with n_strained and md.seed merged in
    settings = workflow.base_database.generate
    ci = GeneralDatabaseSettings.ci()
    assert settings.n_strained == 4 and ci.n_strained == 6
    assert settings.md == ci.md.model_copy(update={"seed": 3})

    flow, n_structures = flow_from_workflow(workflow, tmp_path)
    assert n_structures == 2
    assert flow.name == "ext"
    names = flat_job_names(flow)
    assert names[:6] == [
        "general_database",
        "relax_with_reference",
        "build_database",
        "label_database",
        "extend_database",
        "fit_gap extended f=0.02",
    ]
    assert names.count("benchmark_phonons") == 2
    assert {"base_database", "fit_gap base", "melt_quench_md", "melt_quench_errors"} <= set(names)
    assert summary_run_names(workflow) == {"extended": "ext extended", "base": "ext base"}


def test_defaults_dataset_base_and_no_melt_quench(tmp_path):
    content = {
        "workflow": "extend_database",
        "structures": {"allotropes": ["mp-149"]},
        "base_database": {"dataset": {"importer": "mlearn", "path": "data/training.json"}},
        "extension": {"benchmark_base": False},
    }
    workflow = read_workflow_file(write(tmp_path, content))
    maker = workflow.maker
    assert maker.fit.f == 0.01  # fit.f not given: the extension's 0.01, not FitSettings' 0.001
    assert (maker.extension.n_sparse_base, maker.extension.n_sparse_new) == (9000, 3000)
    assert maker.extension.melt_quench is None
    assert maker.extension.benchmark_base is False
    # the name defaults to the Maker's
    assert summary_run_names(workflow) == {"extended": "extend_database extended"}
    flow, _ = flow_from_workflow(workflow, tmp_path)
    names = flat_job_names(flow)
    assert names[0] == "import_base_database"
    assert "general_database" not in names and "fit_gap base" not in names
    # the file is read when the job runs, at the path resolved against the workflow's dir
    (spec,) = flow.jobs[0].function_args
    assert spec.path == str(tmp_path / "data" / "training.json")


def test_dataset_base_imports_inside_the_job(bundled_dir):
    from phonogap.importers.training_data import DatasetSpec
    from phonogap.jobs.importers import import_base_database
    from phonogap.schemas.dataset import LabelledDatasetDocument

    spec = DatasetSpec(importer="mlearn", path=str(bundled_dir / "mlearn_si" / "training.json"))
    job = import_base_database(spec)
    document = job.function(*job.function_args)
    assert isinstance(document, LabelledDatasetDocument)
    assert len(document.configurations) == 214
    assert document.reference.backend == "imported"
    assert document.reference.extra["importer"] == "mlearn"
    assert job.name == "import_base_database"
    assert job._kwargs == {"data": ["configurations"]}  # the configurations go to the data store


@pytest.mark.parametrize(
    ("change", "field", "hint"),
    [
        (
            {
                "base_database": {
                    "generate": {"preset": "ci"},
                    "dataset": {"importer": "mlearn", "path": "x"},
                }
            },
            "base_database",
            "exactly one of 'generate' or 'dataset', got both",
        ),
        (
            {"base_database": {}},
            "base_database",
            "exactly one of 'generate' or 'dataset', got neither",
        ),
        # consistency problems of the sections are listed without a field location
        ({"base_database": None}, None, "needs a 'base_database' section"),
        ({"scan": {"parameter": "f", "values": [0.01]}}, None, "remove 'scan'"),
        ({"campaign": {}}, None, "remove 'campaign'"),
        ({"extension": {"n_sparse_bas": 10}}, "extension.n_sparse_bas", "Extra inputs"),
        ({"extension": {"n_sparse_new": 0}}, "extension.n_sparse_new", "greater than 0"),
        ({"fit": {"n_sparse": 100}}, "fit", "extension.n_sparse_base"),
        ({"structures": None}, None, "needs a 'structures' section"),
        (
            {"datasets": [{"importer": "mlearn", "path": "x"}]},
            "datasets",
            "'datasets' belongs to workflow 'imported_data_gap'",
        ),
        (
            {"kappa": {"structures": ["mp-149"]}},
            "kappa",
            "not a field of workflow 'extend_database'",
        ),
        (
            {"base_database": {"generate": {"preset": "ci", "n_strainedd": 3}}},
            "base_database.generate.n_strainedd",
            "Extra inputs",
        ),
        (
            {"base_database": {"generate": {"preset": "fast"}}},
            "base_database.generate",
            "unknown preset 'fast'; choose one of default, ci",
        ),
        (
            {"extension": {"melt_quench": {"preset": "ci", "n_vacancies": 99}}},
            "extension.melt_quench",
            "n_vacancies (99) must be smaller",
        ),
        (
            {"extension": {"melt_quench": {"preset": "extreme"}}},
            "extension.melt_quench",
            "unknown preset 'extreme'; choose one of paper, ci",
        ),
    ],
)
def test_invalid_files_name_the_field(tmp_path, change, field, hint):
    content = {**VALID, **change}
    content = {key: value for key, value in content.items() if value is not None}
    with pytest.raises(WorkflowFileError) as error:
        read_workflow_file(write(tmp_path, content))
    message = str(error.value)
    assert "wf.yaml" in message
    if field is not None:
        assert f"field '{field}'" in message
    assert hint in message


def test_old_melt_quench_overrides_without_a_preset_are_still_refused(tmp_path):
    """The old default preset was 'none': overrides without one never ran a protocol."""
    content = {**VALID, "extension": {"melt_quench": {"overrides": {"seed": 1}}}}
    with pytest.raises(WorkflowFileError) as error:
        read_workflow_file(write(tmp_path, content))
    message = str(error.value)
    assert "field 'extension.melt_quench'" in message
    assert "set 'extension.melt_quench.preset' to ci or paper" in message


def test_extension_sections_need_the_extend_workflow(tmp_path):
    content = {"structures": {"allotropes": ["mp-149"]}, "extension": {"n_sparse_new": 5}}
    with pytest.raises(
        WorkflowFileError, match="'extension' belongs to workflow 'extend_database'"
    ):
        read_workflow_file(write(tmp_path, content))


def test_shipped_extend_sw_workflow():
    workflow = read_workflow_file(WORKFLOWS / "extend_sw.yaml")
    maker = workflow.maker
    assert workflow.base_database.generate == GeneralDatabaseSettings()
    assert maker.fit.f == 0.01 and maker.extension.benchmark_base
    assert maker.extension.melt_quench == MeltQuenchSettings.ci()
    flow, n_structures = flow_from_workflow(workflow, WORKFLOWS)
    assert n_structures == 5
    assert flat_job_names(flow)[0] == "general_database"


def _summary(run_name: str, failed: list[str]):
    from phonogap.schemas.phonons import BenchmarkSummaryDocument

    return BenchmarkSummaryDocument(
        run_name=run_name,
        rows=[],
        failed=failed,
        median_rms_thz=None,
        n_false_instabilities=0,
        settings={"reference": "sw"},
    )


@pytest.mark.parametrize(
    ("failed", "labels", "melt", "status"),
    [
        ([], ("extended", "base"), None, 0),
        (["mp-165"], ("extended", "base"), None, 1),  # one structure's benchmark failed
        ([], ("extended",), None, 1),  # the base summary is missing
        ([], ("extended", "base"), {"preset": "ci"}, 1),  # the melt-quench document is missing
    ],
)
def test_run_exit_status_of_extension(tmp_path, monkeypatch, capsys, failed, labels, melt, status):
    import phonogap.cli.run
    import phonogap.report.outputs

    content = {**VALID, "extension": {**VALID["extension"], "melt_quench": melt}}
    summaries = {
        label: {
            "uuid": label,
            "summary": _summary(f"ext {label}", failed if label == "base" else []),
        }
        for label in labels
    }
    calls = {}

    def fake_run(flow, store, out_dir, run_names):
        calls["run_names"] = run_names
        return summaries, None

    monkeypatch.setattr(phonogap.cli.run, "run_extension_flow", fake_run)
    monkeypatch.setattr(phonogap.report.outputs, "write_extension_outputs", lambda *args: [])
    monkeypatch.setenv("PHONOGAP_STORE_DIR", str(tmp_path / "store"))
    assert main(["run", str(write(tmp_path, content)), "--out", str(tmp_path / "out")]) == status
    assert calls["run_names"] == {"extended": "ext extended", "base": "ext base"}
    printed = capsys.readouterr().out
    assert "ext extended" in printed
    assert ("failed" in printed) == (status == 1)


TINY = {
    "name": "tiny_extend",
    "workflow": "extend_database",
    "structures": {"allotropes": ["mp-149"]},
    "reference": {"backend": "sw"},
    "base_database": {"generate": {"preset": "ci"}},
    "database": {"n_randomised": 1, "min_supercell_length_ang": 9.0},
    "fit": {"preset": "small", "f": 0.01},
    "extension": {"n_sparse_base": 60, "n_sparse_new": 20, "benchmark_base": True},
    "n_workers": 1,
}


def test_phonogap_run_extend_database_end_to_end(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PHONOGAP_STORE_DIR", str(tmp_path / "store"))
    path = write(tmp_path, TINY)
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out)]) == 0
    printed = capsys.readouterr().out

    results = {
        label: json.loads((out / label / "results.json").read_text())
        for label in ("extended", "base")
    }
    extended, base = (results[label]["structures"] for label in ("extended", "base"))
    assert [row["name"] for row in extended] == [row["name"] for row in base] == ["mp-149"]
    assert results["extended"]["run_name"] == "tiny_extend extended"
    assert results["base"]["run_name"] == "tiny_extend base"
    assert results["extended"]["settings"]["n_sparse_new"] == 20
    assert results["base"]["settings"]["n_sparse_new"] == 0
    rms_extended, rms_base = extended[0]["rms_thz"], base[0]["rms_thz"]
    # measured (quippy-ase 0.10.3, two runs, equal to 1e-12): extended 0.1077, base 1.211 THz.
    # The bounds leave a factor of ~2 for other gap_fit/BLAS builds; the base-only GAP has no
    # diamond displacements (only MD snapshots and strained cells), the extension adds them
    assert rms_extended < 0.2
    assert rms_base > 0.6
    assert rms_extended < 0.25 * rms_base
    assert not extended[0]["false_instability"]
    for label, rms in (("extended", rms_extended), ("base", rms_base)):
        assert f"tiny_extend {label}" in printed
        assert f"{rms:.4f}" in printed
        assert (out / label / "rms.png").stat().st_size > 0
        assert (out / label / "bands_mp-149.png").stat().st_size > 0
    assert (out / "rms_comparison.png").stat().st_size > 0
    assert not (out / "melt_quench.json").exists()
