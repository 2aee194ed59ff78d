"""Per-job resources: what lands in each Firework's spec and in each jobflow-remote job."""

from __future__ import annotations

import pytest
from jobflow.managers.fireworks import flow_to_workflow
from jobflow_remote.jobs.data import get_initial_job_doc_dict

from phonogap.config import flow_from_workflow, parse_workflow
from phonogap.config.workflow_file import WorkflowFileError
from phonogap.flows.resources import apply_resources, job_kind

RESOURCES = {
    "fit": {
        "category": "bigmem",
        "queueadapter": {"nnodes": 1, "ppnode": 32, "mem": "250G", "walltime": "24:00:00"},
        "worker": "bigmem_node",
        "resources": {"nodes": 1, "ntasks": 32, "mem": "250G", "time": "24:00:00"},
    },
    "label": {"category": "small", "worker": "cluster", "resources": {"ntasks": 4}},
    "benchmark": {"category": "small", "queueadapter": {"walltime": "02:00:00"}},
}
WORKFLOW = {
    "name": "resources_demo",
    "structures": {"allotropes": ["mp-149"]},
    "reference": {"backend": "sw"},
    "database": {"strategy": "both", "n_randomised": 2},
    "fit": {"preset": "small"},
    "resources": RESOURCES,
}
EXPECTED_KIND = {
    "relax_with_reference": "label",
    "build_database": "default",
    "label_database": "label",
    "fit_gap": "fit",
    "benchmark_phonons": "benchmark",
}


@pytest.fixture
def flow():
    built, _ = flow_from_workflow(parse_workflow(WORKFLOW, source="w.yaml"))
    return built


def test_every_job_gets_the_resources_of_its_kind(flow):
    assert {job.name: job_kind(job) for job in flow.jobs} == EXPECTED_KIND


def test_firework_specs_carry_category_and_queueadapter(flow):
    workflow = flow_to_workflow(flow)
    specs = {fw.name: fw.spec for fw in workflow.fws}
    assert specs["fit_gap"]["_category"] == "bigmem"
    assert specs["fit_gap"]["_queueadapter"] == RESOURCES["fit"]["queueadapter"]
    assert specs["label_database"]["_category"] == "small"
    assert "_queueadapter" not in specs["label_database"]
    assert specs["relax_with_reference"]["_category"] == "small"
    assert specs["benchmark_phonons"]["_queueadapter"] == {"walltime": "02:00:00"}
    # no 'default' entry: the cheap steps go to any worker
    assert "_category" not in specs["build_database"]


def test_jobflow_remote_jobs_get_worker_and_resources(flow):
    docs = {
        job.name: get_initial_job_doc_dict(job, [], str(i), "login", None, {"ntasks": 1}, 0)
        for i, job in enumerate(flow.jobs)
    }
    assert docs["fit_gap"]["worker"] == "bigmem_node"
    assert docs["fit_gap"]["resources"] == RESOURCES["fit"]["resources"]
    assert docs["label_database"]["worker"] == "cluster"
    assert docs["label_database"]["resources"] == {"ntasks": 4}
    # kinds without jobflow-remote settings keep submit_flow's worker and resources
    assert docs["benchmark_phonons"]["worker"] == "login"
    assert docs["build_database"]["resources"] == {"ntasks": 1}


def test_python_helper_and_default_kind(flow):
    counts = apply_resources(flow, {"default": {"category": "cheap"}})
    assert counts == {"default": 1}
    (build,) = [job for job in flow.jobs if job.name == "build_database"]
    assert build.config.manager_config == {"_category": "cheap"}
    # the fit keeps what the workflow file gave it
    (fit,) = [job for job in flow.jobs if job.name == "fit_gap"]
    assert fit.config.manager_config["_category"] == "bigmem"


def test_unknown_kind_is_named_with_the_file():
    with pytest.raises(WorkflowFileError, match=r"resources\.fitting"):
        parse_workflow({**WORKFLOW, "resources": {"fitting": {"category": "x"}}}, source="w.yaml")


def test_launcher_configs_example_is_a_valid_resources_section():
    from pathlib import Path

    import yaml

    from phonogap.flows.resources import ResourcesSettings

    path = Path(__file__).resolve().parents[2] / "launcher_configs" / "resources_by_job_kind.yaml"
    section = ResourcesSettings.model_validate(yaml.safe_load(path.read_text())["resources"])
    assert section.fit.manager_config()["_category"] == "bigmem"
    assert section.label.manager_config()["worker"] == "cluster"
    parsed = parse_workflow({**WORKFLOW, **yaml.safe_load(path.read_text())}, source="w.yaml")
    assert parsed.resources == section


def test_fit_queueadapter_renders_in_the_slurm_script():
    """qlaunch merges spec._queueadapter into my_qadapter.yaml: the keys must be the template's."""
    from pathlib import Path

    import yaml
    from fireworks.user_objects.queue_adapters.common_adapter import CommonAdapter

    configs = Path(__file__).resolve().parents[2] / "launcher_configs"
    section = yaml.safe_load((configs / "resources_by_job_kind.yaml").read_text())["resources"]
    adapter = CommonAdapter.from_file(str(configs / "my_qadapter.yaml"))
    adapter.update(section["fit"]["queueadapter"])
    lines = adapter.get_script_str("/scratch/launch").splitlines()
    for line in ("#SBATCH --ntasks=32", "#SBATCH --mem=250G", "#SBATCH --time=24:00:00"):
        assert line in lines, "\n".join(lines)
