"""Screening campaigns: per-structure flows, failures isolated, reruns skip, FireWorks = local."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

import pytest
import yaml
from jobflow import Flow, job, run_locally

from fireworks_helpers import start_worker
from phonogap.cli import main
from phonogap.config import load_structures_from, parse_workflow, read_workflow_file
from phonogap.jobs.campaign import CAMPAIGN_JOB, summarise_campaign
from phonogap.report.campaign_rows import campaign_rows
from phonogap.report.exports import write_rows
from phonogap.store.campaigns import build_campaign
from phonogap.store.jobstore import embedded_store, mongo_store
from phonogap.store.launchpad import load_launchpad

STRUCTURES = ["mp-149", "mp-165", "mp-999200"]
CAMPAIGN = {
    "name": "c3",
    "structures": {"allotropes": STRUCTURES},
    "reference": {"backend": "sw"},
    "database": {
        "strategy": "both",
        "n_randomised": 1,
        "min_supercell_length_ang": 9.0,
        "seed": 3,
    },
    "fit": {"preset": "small", "n_sparse": 80, "f": 0.001},
    "n_workers": 1,
    "campaign": {"name": "c3"},
}


@job
def fails():
    raise RuntimeError("this structure's flow fails")


def test_a_failed_structure_never_blocks_the_campaign_summary(tmp_path):
    broken = fails()
    summary = summarise_campaign(
        "broken",
        [{"structure": "bad", "formula": "Si", "mp_id": None}],
        [broken.output],
        [{"campaign": "broken", "structure": "good", "state": "done", "rms_thz": 0.02}],
    )
    summary.update_metadata({"campaign": "broken"})  # as build_campaign does
    store = embedded_store(tmp_path / "store")
    run_locally(Flow([broken, summary]), store=store, create_folders=False, log=False)
    store.connect()
    doc = store.query_one({"name": CAMPAIGN_JOB})
    assert doc is not None, "the summary job did not run after its parent failed"
    rows = {row["structure"]: row for row in doc["output"]["rows"]}
    assert rows["bad"]["state"] == "failed"
    assert rows["good"]["state"] == "done"
    assert (doc["output"]["n_done"], doc["output"]["n_failed"]) == (1, 1)
    assert doc["output"]["median_rms_thz"] == 0.02
    # phonogap results: the failed structure is listed from the campaign summary
    rows = {row.structure: row for row in campaign_rows(store, "broken")}
    assert rows["bad"].state == "failed"
    assert rows["bad"].reason == "a job of its flow failed"


def test_launchpad_states_of_unfinished_structures(mongo_database):
    import types

    import pymongo

    from phonogap.store.launchpad import launchpad_states, launchpad_structures

    uri, database = mongo_database
    fireworks = pymongo.MongoClient(uri)[database].fireworks
    states = {
        "a": ["COMPLETED", "FIZZLED", "WAITING"],
        "b": ["COMPLETED", "RUNNING", "WAITING"],
        "c": ["READY", "WAITING"],
        "d": ["COMPLETED"],
    }
    for structure, found in states.items():
        for state in found:
            fireworks.insert_one(
                {"state": state, "spec": {"campaign": "x", "structure": structure}}
            )
    fireworks.insert_one({"state": "FIZZLED", "spec": {"campaign": "y", "structure": "a"}})
    launchpad = types.SimpleNamespace(fireworks=fireworks)
    assert launchpad_states(launchpad, "x") == {
        ("x", "a"): "failed",
        ("x", "b"): "running",
        ("x", "c"): "waiting",
        ("x", "d"): "completed",
    }
    assert len(launchpad_states(launchpad, None)) == 5
    # a flow of several structures submitted as one: every structure gets the flow's state
    fireworks.insert_one(
        {
            "state": "READY",
            "spec": {"campaign": "z", "structures": ["mp-149", "si8"], "formulas": ["Si"],
                     "mp_ids": ["mp-149"]},
        }
    )  # fmt: skip
    assert launchpad_structures(launchpad, "z") == {
        ("z", "mp-149"): {"state": "waiting", "formula": "Si", "mp_id": "mp-149"},
        ("z", "si8"): {"state": "waiting", "formula": "Si", "mp_id": None},
    }


def test_results_list_a_submitted_campaign_as_waiting_before_any_job_ran(
    mongo_database, tmp_path, monkeypatch, capsys
):
    uri, database = mongo_database
    host, port = uri.removeprefix("mongodb://").split(":")
    launchpad_file = tmp_path / "my_launchpad.yaml"
    launchpad_file.write_text(yaml.safe_dump({"host": host, "port": int(port), "name": database}))
    launchpad = load_launchpad(launchpad_file)
    launchpad.reset("", require_password=False)
    workflow_file = tmp_path / "campaign.yaml"
    workflow_file.write_text(yaml.safe_dump(CAMPAIGN))
    monkeypatch.setenv("PHONOGAP_STORE_DIR", str(tmp_path / "store"))  # empty: nothing ran
    assert main(["submit", str(workflow_file), "--launchpad", str(launchpad_file)]) == 0
    results = ["results", "--campaign", "c3", "--launchpad", str(launchpad_file)]

    capsys.readouterr()
    assert main([*results, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["structure"], r["formula"], r["mp_id"], r["state"]) for r in rows] == [
        (name, "Si", name, "waiting") for name in STRUCTURES
    ]
    assert main(results) == 0
    printed = capsys.readouterr().out
    assert all(f"{name} " in printed for name in STRUCTURES)
    assert printed.count("waiting") == len(STRUCTURES)
    assert main(["results", "--campaign", "c3", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []  # the store alone knows nothing yet
    assert main(["results", "--campaign", "c3"]) == 0
    assert "add --launchpad" in " ".join(capsys.readouterr().out.split())

    # as workers take them: one structure runs, one fizzles, one completes (in another store)
    for name, state in zip(STRUCTURES, ("RUNNING", "FIZZLED", "COMPLETED"), strict=True):
        launchpad.fireworks.update_many({"spec.structure": name}, {"$set": {"state": state}})
    expected = {"mp-149": "running", "mp-165": "failed", "mp-999200": "completed"}
    assert main([*results, "--format", "json", "--mp-id", "mp-165"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["structure"], row["state"]) == ("mp-165", "failed")
    assert main([*results, "--format", "json"]) == 0
    assert {r["structure"]: r["state"] for r in json.loads(capsys.readouterr().out)} == expected


def test_campaign_builds_one_flow_per_structure_with_metadata():
    workflow = parse_workflow(CAMPAIGN)
    structures, mp_ids = load_structures_from(workflow.structures, Path("."))
    campaign = build_campaign(workflow, structures, mp_ids)
    sub_flows = [item for item in campaign.flow.jobs if isinstance(item, Flow)]
    assert [flow.name for flow in sub_flows] == [f"c3 {name}" for name in STRUCTURES]
    for flow, name in zip(sub_flows, STRUCTURES, strict=True):
        for item in flow.jobs:
            assert item.metadata["campaign"] == "c3"
            assert item.metadata["structure"] == name
            assert item.metadata["mp_id"] == name
            assert item.metadata["formula"] == "Si"
    assert campaign.flow.jobs[-1].name == CAMPAIGN_JOB


def test_bad_campaign_section_names_the_field(tmp_path):
    path = tmp_path / "wf.yaml"
    path.write_text(yaml.safe_dump({**CAMPAIGN, "campaign": {"skip": True}}))
    with pytest.raises(ValueError, match=r"wf\.yaml(.|\n)*campaign\.skip"):
        read_workflow_file(path)


def test_campaign_on_launchpad_with_two_workers_matches_phonogap_run(
    secantus_server, tmp_path, capsys
):
    uri = secantus_server.uri
    host, port = uri.removeprefix("mongodb://").split(":")
    workflow_file = tmp_path / "campaign.yaml"
    workflow_file.write_text(yaml.safe_dump(CAMPAIGN))
    # FireWorks side: launchpad + workers that find the store through jobflow.yaml, as atomate2's
    launchpad_file = tmp_path / "my_launchpad.yaml"
    launchpad_file.write_text(yaml.safe_dump({"host": host, "port": int(port), "name": "c3_fw"}))
    launchpad = load_launchpad(launchpad_file)
    launchpad.reset("", require_password=False)
    fw_store_uri = f"{uri}/c3_fireworks"
    jobflow_file = tmp_path / "jobflow.yaml"
    common = {"host": host, "port": int(port), "database": "c3_fireworks"}
    jobflow_file.write_text(
        yaml.safe_dump(
            {
                "JOB_STORE": {
                    "docs_store": {"type": "MongoStore", "collection_name": "outputs", **common},
                    "additional_stores": {
                        "data": {"type": "GridFSStore", "collection_name": "outputs_data", **common}
                    },
                }
            }
        )
    )
    assert main(["submit", str(workflow_file), "--launchpad", str(launchpad_file)]) == 0
    env = {"JOBFLOW_CONFIG_FILE": str(jobflow_file)}
    workers = [start_worker(launchpad_file, tmp_path / f"w{i}", env) for i in range(2)]

    # meanwhile, the same file with `phonogap run` into another database
    local_uri = f"{uri}/c3_local"
    status = main(
        ["run", str(workflow_file), "--out", str(tmp_path / "local"), "--store", local_uri]
    )
    assert status == 0
    local = json.loads((tmp_path / "local" / "campaign.json").read_text())

    deadline = time.monotonic() + 600
    for worker in workers:
        worker.wait(timeout=max(1, deadline - time.monotonic()))
    fws = list(launchpad.fireworks.find({}, {"state": 1, "launches": 1, "spec": 1, "name": 1}))
    assert {fw["state"] for fw in fws} == {"COMPLETED"}, [(f["name"], f["state"]) for f in fws]
    assert all(len(fw["launches"]) == 1 for fw in fws)  # no job ran twice
    assert {fw["spec"]["structure"] for fw in fws if "structure" in fw["spec"]} == set(STRUCTURES)

    remote_store = mongo_store(fw_store_uri)
    remote_store.connect()
    remote = {row.structure: row for row in campaign_rows(remote_store, "c3")}
    local = {row["structure"]: row for row in local}
    assert set(remote) == set(local) == set(STRUCTURES)
    for name in STRUCTURES:
        assert local[name]["state"] == remote[name].state == "done"
        assert remote[name].rms_thz == pytest.approx(local[name]["rms_thz"], rel=1e-6, abs=1e-9)
        assert remote[name].false_instability is False
    assert local["mp-149"]["rms_thz"] < 0.1

    # results: filters and CSV export through the CLI
    export = tmp_path / "c3.csv"
    capsys.readouterr()
    assert main(["results", "--store", fw_store_uri, "--campaign", "c3", "--mp-id", "mp-165",
                 "--export", str(export)]) == 0  # fmt: skip
    with export.open() as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["structure"] == "mp-165"
    assert float(row["rms_thz"]) == pytest.approx(remote["mp-165"].rms_thz)
    capsys.readouterr()
    assert main(["results", "--store", fw_store_uri, "--formula", "C", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []

    # a rerun of the campaign skips every finished structure: only the summary job runs
    workflow = read_workflow_file(workflow_file)
    structures, mp_ids = load_structures_from(workflow.structures, tmp_path)
    again = build_campaign(workflow, structures, mp_ids, store=remote_store)
    assert set(again.skipped) == set(STRUCTURES)
    assert [item.name for item in again.flow.jobs] == [CAMPAIGN_JOB]
    status = main(
        ["run", str(workflow_file), "--out", str(tmp_path / "rerun"), "--store", local_uri]
    )
    assert status == 0
    rerun = json.loads((tmp_path / "rerun" / "campaign.json").read_text())
    assert {row["structure"]: row["rms_thz"] for row in rerun} == {
        name: local[name]["rms_thz"] for name in STRUCTURES
    }
    write_rows(list(remote.values()), tmp_path / "all.json")


def test_shipped_campaign_file_builds_thirteen_structure_flows():
    path = Path(__file__).resolve().parents[1] / "workflows" / "si_allotropes_sw_campaign.yaml"
    workflow = read_workflow_file(path)
    structures, mp_ids = load_structures_from(workflow.structures, path.parent)
    campaign = build_campaign(workflow, structures, mp_ids)
    assert campaign.name == "si13_sw"
    assert len(campaign.structures) == 13
    assert len(campaign.flow.jobs) == 14  # 13 structure flows + the campaign summary


def test_campaign_with_a_scan_is_rejected_with_the_fix(tmp_path):
    path = tmp_path / "wf.yaml"
    scan = {"parameter": "f", "values": [0.001, 0.01]}
    path.write_text(yaml.safe_dump({**CAMPAIGN, "scan": scan}))
    with pytest.raises(ValueError, match=r"wf\.yaml(.|\n)*remove 'campaign'"):
        read_workflow_file(path)


def test_structure_row_reads_rms_flags_kappa_and_dropped_reasons(tmp_path):
    from phonogap.phonons.campaign_rows import structure_row

    row = {
        "name": "mp-149",
        "mp_id": "mp-149",
        "formula": "Si",
        "rms_thz": 0.031,
        "max_abs_error_thz": 0.1,
        "imaginary_reference": False,
        "imaginary_potential": True,
        "false_instability": True,
    }
    kappa = [
        {"name": "mp-149 GAP", "temperatures_k": [300.0], "kappa_w_per_mk": [101.5]},
        {"name": "mp-149 reference", "temperatures_k": [300.0], "kappa_w_per_mk": [98.0]},
    ]
    summary = {
        "run_name": "c mp-149",
        "rows": [row],
        "median_rms_thz": 0.031,
        "n_false_instabilities": 1,
        "kappa": kappa,
    }
    done = structure_row("c", "mp-149", summary)
    assert (done.state, done.rms_thz, done.false_instability) == ("done", 0.031, True)
    assert done.kappa_gap_w_per_mk == [101.5]
    assert done.kappa_reference_w_per_mk == [98.0]
    dropped_summary = {
        **summary,
        "rows": [],
        "kappa": [],
        "dropped": [{"name": "mp-149", "reason": "changed under relaxation"}],
    }
    dropped = structure_row("c", "mp-149", dropped_summary)
    assert (dropped.state, dropped.reason) == ("dropped", "changed under relaxation")
    assert dropped.rms_thz is None
    with write_rows([done, dropped], tmp_path / "rows.csv").open() as handle:
        records = list(csv.DictReader(handle))
    assert records[0]["kappa_gap_w_per_mk"] == "101.5"
    assert records[1]["state"] == "dropped"
    with pytest.raises(ValueError, match=r"rows\.txt must end in \.csv or \.json"):
        write_rows([done], tmp_path / "rows.txt")
