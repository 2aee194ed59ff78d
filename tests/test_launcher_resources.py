"""Every launcher file's resources, rendered by the real scheduler templates that will use them.

jobflow-remote hands a worker's ``resources`` mapping to qtoolkit's job-script template of its
``scheduler_type``; FireWorks' ``qlaunch`` fills its own template from the queue adapter file.
A key either template does not know is rejected at submission time, on the cluster, so the
examples are rendered here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from fireworks.user_objects.queue_adapters.common_adapter import CommonAdapter
from jobflow_remote.config.base import Project
from jobflow_remote.remote.queue import QueueManager, set_name_out
from qtoolkit.io.pbs import PBSIO
from qtoolkit.io.slurm import SlurmIO

CONFIGS = Path(__file__).resolve().parents[1] / "launcher_configs"

QADAPTERS = {
    "my_qadapter.yaml": [
        "#SBATCH --nodes=1",
        "#SBATCH --ntasks=1",
        "#SBATCH --cpus-per-task=8",
        "#SBATCH --time=04:00:00",
        "#SBATCH --mem=16G",
        "#SBATCH --job-name=phonogap",
    ],
    "my_qadapter_pbs.yaml": [
        "#PBS -l nodes=1:ppn=8",
        "#PBS -l walltime=04:00:00",
        "#PBS -l pmem=2000mb",
        "#PBS -N phonogap",
    ],
}


def project() -> Project:
    return Project.model_validate(
        yaml.safe_load((CONFIGS / "jobflow_remote_project.yaml").read_text())
    )


def test_every_launcher_file_with_resources_is_rendered_here():
    with_resources = set()
    for path in CONFIGS.glob("*.yaml"):
        content = yaml.safe_load(path.read_text())
        workers = content.get("workers", {}) if isinstance(content, dict) else {}
        if "_fw_q_type" in content or any("resources" in w for w in workers.values()):
            with_resources.add(path.name)
    assert with_resources == {*QADAPTERS, "jobflow_remote_project.yaml"}


def test_jobflow_remote_resources_render_through_qtoolkit_slurm():
    worker = project().workers["cluster"]
    scheduler = worker.get_scheduler_io()
    assert isinstance(scheduler, SlurmIO)
    resources = dict(worker.resources)
    set_name_out(resources, "fit gap")  # what jobflow-remote's runner adds at submission
    script = QueueManager(scheduler, host=worker.get_host()).get_submission_script(
        ["jf execution run /scratch/myuser/phonogap/ab/cd"],
        options=resources,
        work_dir="/scratch/myuser/phonogap/ab/cd",
        pre_run=worker.pre_run,
    )
    lines = script.splitlines()
    for line in (
        "#SBATCH --nodes=1",
        "#SBATCH --ntasks-per-node=8",
        "#SBATCH --time=04:00:00",
        "#SBATCH --job-name=fit_gap",
    ):
        assert line in lines, script
    assert lines.index("source ~/venvs/phonogap/bin/activate") < len(lines) - 1
    # the same request as the FireWorks SLURM adapter
    fireworks = CommonAdapter.from_file(str(CONFIGS / "my_qadapter.yaml")).get_script_str(".")
    assert "#SBATCH --time=04:00:00" in fireworks.splitlines()


def test_qresources_field_names_are_what_qtoolkit_rejects():
    # the old example used QResources' time_limit, which the SLURM template does not know
    with pytest.raises(ValueError, match=r"not present in the template: time_limit\."):
        SlurmIO().get_submission_script(["true"], options={"nodes": 1, "time_limit": 14400})
    # the PBS equivalent of the example, as the comment in the project file tells users
    script = PBSIO().get_submission_script(["true"], options={"walltime": "04:00:00"})
    assert "#PBS -l walltime=04:00:00" in script.splitlines()


@pytest.mark.parametrize("name", sorted(QADAPTERS))
def test_fireworks_queue_adapters_render_their_resources(name):
    adapter = CommonAdapter.from_file(str(CONFIGS / name))  # the _fw_name of both files
    lines = adapter.get_script_str("/scratch/launch").splitlines()
    for line in QADAPTERS[name]:
        assert line in lines, "\n".join(lines)
    assert "rlaunch -c /path/to/launcher_configs singleshot" in lines
