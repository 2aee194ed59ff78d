"""FireWorks on a real MongoDB-protocol server: concurrent workers, lost runs, GridFS."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter

import bson
import numpy as np
import pytest
import yaml
from jobflow import Flow, job, run_locally
from maggma.stores import MongoStore

from fireworks_helpers import blocking, fan_out_flow, record, start_worker
from phonogap.store.jobstore import mongo_store
from phonogap.store.launchpad import LaunchpadConfigError, load_launchpad, submit_flow


@pytest.fixture
def launchpad(mongo_database, tmp_path):
    uri, database = mongo_database
    host, port = uri.removeprefix("mongodb://").split(":")
    spec = {"host": host, "port": int(port), "name": f"{database}_fw"}
    path = tmp_path / "my_launchpad.yaml"
    path.write_text(yaml.safe_dump(spec))
    lpad = load_launchpad(path)
    lpad.reset("", require_password=False)
    return lpad, path


def wait_all(processes, timeout_s):
    deadline = time.monotonic() + timeout_s
    for process in processes:
        process.wait(timeout=max(1.0, deadline - time.monotonic()))


def test_two_concurrent_workers_run_every_job_exactly_once(launchpad, mongo_database, tmp_path):
    lpad, lpad_file = launchpad
    uri, database = mongo_database
    store = mongo_store(uri, database)
    log = tmp_path / "executions.log"
    flow = fan_out_flow(12, str(log))
    ids = submit_flow(flow, lpad, {"campaign": "fan", "structure": "none"}, store=store)
    assert len(ids) == 13
    workers = [start_worker(lpad_file, tmp_path / f"w{i}") for i in range(2)]
    wait_all(workers, 240)
    assert [w.returncode for w in workers] == [0, 0]

    lines = log.read_text().split()
    labels = Counter(lines[0::2])
    assert labels == Counter({**{f"job{i}": 1 for i in range(12)}, "gather": 1})
    # both workers took part: two different pids ran jobs
    assert len(set(lines[1::2])) == 2
    # FireWorks agrees: every firework completed with exactly one launch
    fws = list(lpad.fireworks.find({}, {"state": 1, "launches": 1, "spec.campaign": 1}))
    assert len(fws) == 13
    assert {fw["state"] for fw in fws} == {"COMPLETED"}
    assert all(len(fw["launches"]) == 1 for fw in fws)
    assert {fw["spec"]["campaign"] for fw in fws} == {"fan"}
    # results are queryable with plain maggma, metadata included
    docs = MongoStore(database=database, collection_name="outputs", uri=uri)
    docs.connect()
    assert docs.count({"metadata.campaign": "fan"}) == 13
    final = docs.query_one({"name": "gather"})
    assert final["output"]["labels"] == sorted(f"job{i}" for i in range(12))
    docs.close()


def test_killed_worker_is_detected_and_rerun_without_losing_finished_output(
    launchpad, mongo_database, tmp_path
):
    lpad, lpad_file = launchpad
    uri, database = mongo_database
    store = mongo_store(uri, database)
    block, started = tmp_path / "block", tmp_path / "started"
    block.touch()
    first = record("first", str(tmp_path / "log"), 0.0)
    second = blocking(str(block), str(started), after=first.output)
    flow = Flow([first, second], name="lost_run")
    submit_flow(flow, lpad, {"campaign": "lost"}, store=store)
    worker = start_worker(lpad_file, tmp_path / "w")
    deadline = time.monotonic() + 120
    while not started.exists():
        assert time.monotonic() < deadline, (tmp_path / "w" / "worker.log").read_text()
        time.sleep(0.2)
    store.connect()
    while store.query_one({"uuid": first.uuid}) is None:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    finished_before = store.query_one({"uuid": first.uuid})["completed_at"]
    os.killpg(worker.pid, signal.SIGKILL)  # the worker dies mid-job
    worker.wait(timeout=30)
    running = lpad.fireworks.find_one({"name": "blocking"})
    assert running["state"] == "RUNNING"

    time.sleep(1.5)
    _, lost_fw_ids, _ = lpad.detect_lostruns(expiration_secs=1, rerun=True)
    assert lost_fw_ids == [running["fw_id"]]
    assert lpad.fireworks.find_one({"fw_id": running["fw_id"]})["state"] == "READY"

    block.unlink()
    worker = start_worker(lpad_file, tmp_path / "w2")
    wait_all([worker], 120)
    states = {
        fw["name"]: fw for fw in lpad.fireworks.find({}, {"name": 1, "state": 1, "launches": 1})
    }
    assert states["blocking"]["state"] == "COMPLETED"
    assert states["record"]["state"] == "COMPLETED"
    assert len(states["record"]["launches"]) == 1  # the finished job was not rerun
    assert (tmp_path / "log").read_text().split()[0::2] == ["first"]
    store.connect()
    assert store.query_one({"uuid": first.uuid})["completed_at"] == finished_before
    output = store.get_output(second.uuid, load=True)
    np.testing.assert_array_equal(output["array"], np.arange(50_000, dtype=float))


def test_gridfs_round_trip_of_an_array_larger_than_a_bson_document(mongo_database):
    uri, database = mongo_database
    store = mongo_store(uri, database)
    rng = np.random.default_rng(11)
    matrix = rng.normal(size=1_200_000)
    # too large for one MongoDB document: only the data store (GridFS) can hold it
    assert len(bson.encode({"matrix": matrix.tolist()})) > 16 * 2**20

    @job(data=["matrix"])
    def big(values):
        return {"matrix": values, "n": len(values)}

    j = big(matrix.tolist())
    run_locally(j, store=store, create_folders=False, log=False)
    store.connect()
    output = store.get_output(j.uuid, load=True)
    np.testing.assert_array_equal(np.asarray(output["matrix"]), matrix)
    raw = store.docs_store.query_one({"uuid": j.uuid})
    blob = raw["output"]["matrix"]["blob_uuid"]
    files = store.additional_stores["data"]._files_store
    assert files.count({"metadata.blob_uuid": blob}) == 1


def test_missing_launchpad_file_names_the_file_and_fix(tmp_path):
    with pytest.raises(LaunchpadConfigError, match=r"absent\.yaml.*launcher_configs"):
        load_launchpad(tmp_path / "absent.yaml")


def test_submit_cli_tags_every_firework_with_campaign_structure_formula_mp_id(
    launchpad, tmp_path, capsys
):
    from phonogap.cli import main

    lpad, lpad_file = launchpad
    workflow = tmp_path / "wf.yaml"
    workflow.write_text("name: tagged\nstructures: {allotropes: [mp-149]}\nfit: {preset: small}\n")
    assert main(["submit", str(workflow), "--launchpad", str(lpad_file)]) == 0
    assert "run them with `rlaunch rapidfire`" in " ".join(capsys.readouterr().out.split())
    fws = list(lpad.fireworks.find({}, {"spec": 1, "state": 1}))
    assert len(fws) == 5  # relax, database, label, fit, benchmark (benchmark fans out later)
    for fw in fws:
        spec = fw["spec"]
        assert (spec["campaign"], spec["structure"], spec["formula"], spec["mp_id"]) == (
            "tagged", "mp-149", "Si", "mp-149"
        )  # fmt: skip
    assert sorted(fw["state"] for fw in fws) == ["READY"] + ["WAITING"] * 4
    (workflow_doc,) = list(lpad.workflows.find({}, {"metadata": 1}))
    assert workflow_doc["metadata"]["campaign"] == "tagged"
    assert main(["submit", str(workflow), "--launchpad", str(tmp_path / "none.yaml")]) == 2
    assert "none.yaml" in capsys.readouterr().err
