"""jobflow-remote on the real server, configured from launcher_configs' project file."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import yaml

from fireworks_helpers import worker_env

PROJECT_FILE = (
    Path(__file__).resolve().parents[1] / "launcher_configs" / "jobflow_remote_project.yaml"
)

SCRIPT = textwrap.dedent(
    """
    import json, sys
    from jobflow_remote import submit_flow
    from jobflow_remote.jobs.jobcontroller import JobController
    from jobflow_remote.jobs.runner import Runner
    from fireworks_helpers import fan_out_flow

    controller = JobController.from_project_name("phonogap")
    controller.reset()
    flow = fan_out_flow(3, sys.argv[1])
    submit_flow(flow, worker="cluster", project="phonogap")
    Runner(project_name="phonogap").run_all_jobs(max_seconds=240)
    states = {info.uuid: info.state.value for info in controller.get_jobs_info()}
    store = controller.project.get_jobstore()
    store.connect()
    gathered = store.get_output(flow.jobs[-1].uuid)
    print(json.dumps({"states": states, "gathered": gathered}))
    """
)


def test_flow_runs_through_jobflow_remote_with_the_example_project(mongo_database, tmp_path):
    uri, database = mongo_database
    host, port = uri.removeprefix("mongodb://").split(":")
    project = yaml.safe_load(PROJECT_FILE.read_text())
    # what a user changes: hosts, databases, and here a local shell worker instead of SSH
    project["workers"]["cluster"] = {
        "type": "local",
        "scheduler_type": "shell",
        "work_dir": str(tmp_path / "run"),
        "pre_run": project["workers"]["cluster"]["pre_run"].replace(
            "source ~/venvs/phonogap/bin/activate", ""
        ),
    }
    project["base_dir"] = str(tmp_path / "base")
    project["runner"] = {
        "delay_checkout": 1,
        "delay_check_run_status": 1,
        "delay_advance_status": 1,
        "delay_refresh_limited": 1,
        "delay_update_batch": 1,
    }
    for spec in (
        project["queue"]["store"],
        project["jobstore"]["docs_store"],
        project["jobstore"]["additional_stores"]["data"],
    ):
        spec.update(host=host, port=int(port), database=database)
    projects = tmp_path / "projects"
    projects.mkdir()
    (projects / "phonogap.yaml").write_text(yaml.safe_dump(project))
    log = tmp_path / "executions.log"
    env = worker_env({"JFREMOTE_PROJECTS_FOLDER": str(projects), "JFREMOTE_PROJECT": "phonogap"})
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(log)],
        capture_output=True,
        text=True,
        env=env,
        timeout=400,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert sorted(report["states"].values()) == ["COMPLETED"] * 4
    assert report["gathered"]["labels"] == ["job0", "job1", "job2"]
    assert sorted(log.read_text().split()[0::2]) == ["gather", "job0", "job1", "job2"]
