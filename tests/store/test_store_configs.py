"""The example launcher configurations load with the libraries that read them."""

from __future__ import annotations

from pathlib import Path

import yaml
from fireworks import FWorker, LaunchPad
from fireworks.user_objects.queue_adapters.common_adapter import CommonAdapter
from maggma.stores import GridFSStore, MongoStore

from phonogap.store.jobstore import store_from_file

CONFIGS = Path(__file__).resolve().parents[2] / "launcher_configs"


def test_fireworks_files_load():
    launchpad = LaunchPad.from_file(str(CONFIGS / "my_launchpad.yaml"))
    assert (launchpad.host, launchpad.port, launchpad.name) == (
        "mongodb.example.org",
        27017,
        "phonogap_fireworks",
    )
    worker = FWorker.from_file(str(CONFIGS / "my_fworker.yaml"))
    assert worker.name == "phonogap_worker"
    assert {"spec._fworker": "phonogap_worker"} in worker.query["$or"]
    slurm = CommonAdapter.from_file(str(CONFIGS / "my_qadapter.yaml"))
    script = slurm.get_script_str(".")
    assert "#SBATCH --cpus-per-task=8" in script
    assert "rlaunch -c /path/to/launcher_configs singleshot" in script
    pbs = CommonAdapter.from_file(str(CONFIGS / "my_qadapter_pbs.yaml"))
    assert "#PBS -l nodes=1:ppn=8" in pbs.get_script_str(".")


def test_jobflow_file_gives_mongo_docs_and_gridfs_data():
    store = store_from_file(CONFIGS / "jobflow.yaml")
    assert isinstance(store.docs_store, MongoStore)
    assert isinstance(store.additional_stores["data"], GridFSStore)
    assert store.docs_store.database == "phonogap"


def test_atomate2_and_jobflow_remote_files_validate():
    from atomate2.settings import Atomate2Settings
    from jobflow_remote.config.base import Project

    settings = Atomate2Settings(**yaml.safe_load((CONFIGS / "atomate2.yaml").read_text()))
    assert settings.VASP_CMD == "srun vasp_std"
    project = Project.model_validate(
        yaml.safe_load((CONFIGS / "jobflow_remote_project.yaml").read_text())
    )
    assert project.workers["cluster"].scheduler_type == "slurm"
    assert project.get_jobstore().docs_store.collection_name == "outputs"
