"""A job running when a run is stopped is stored as failed; finished outputs are never replaced."""

from __future__ import annotations

from pathlib import Path

import pytest
from jobflow import Flow, job

from phonogap.cli.run import run_locally_into
from phonogap.store.interruptions import (
    InterruptedJobDocument,
    find_interruptions,
    record_interruption,
)
from phonogap.store.jobstore import embedded_store


@job
def finishes(x: int) -> dict:
    return {"x": x}


@job
def stopped(x: int) -> dict:
    raise KeyboardInterrupt  # what Ctrl-C raises in the middle of a job


def test_the_running_job_is_stored_as_failed_and_a_rerun_clears_it(tmp_path):
    store = embedded_store(tmp_path / "store")
    first = finishes(1)
    second = stopped(first.output["x"])  # runs after the first
    second.name = "stopped mp-149"
    with pytest.raises(KeyboardInterrupt):
        run_locally_into(Flow([first, second], name="wf"), store, tmp_path / "out")

    (record,) = find_interruptions(store, "wf")
    assert record.job_uuid == second.uuid and record.job_name == "stopped mp-149"
    assert (record.state, record.reason, record.structure) == (
        "failed",
        "interrupted by SIGINT",
        "mp-149",
    )
    folders = sorted((tmp_path / "out" / "jobs").glob("job_*"))
    assert Path(record.folder) == folders[-1]  # the stopped job's folder, not the first's
    raw = store.query_one({"uuid": second.uuid})
    assert raw["state"] == "failed"
    assert raw["hosts"] == list(second.hosts)  # in the flow, like jobflow's own documents
    assert store.get_output(first.uuid) == {"x": 1}

    # the finished job's output is never replaced by an interruption record
    finished = record.model_copy(update={"job_uuid": first.uuid, "job_name": "finishes"})
    assert record_interruption(store, finished) is False
    assert store.get_output(first.uuid) == {"x": 1}

    run_locally_into(Flow([finishes(3)], name="wf"), store, tmp_path / "out")
    assert find_interruptions(store, "wf") == []
    (rerun,) = find_interruptions(store, "wf", include_rerun=True)
    assert rerun.rerun_at is not None and rerun.rerun_at > rerun.interrupted_at


def test_a_run_of_another_flow_does_not_clear_it(tmp_path):
    store = embedded_store(tmp_path / "store")
    store.connect()
    record = InterruptedJobDocument(
        reason="interrupted by SIGTERM",
        job_name="fit_gap",
        job_uuid="00000000-0000-0000-0000-000000000001",
        run_name="wf",
        folder=str(tmp_path),
        started_at="2026-01-01T00:00:00",
        interrupted_at="2026-01-01T00:01:00",
    )
    assert record_interruption(store, record) is True
    run_locally_into(Flow([finishes(1)], name="other"), store, tmp_path / "out")
    assert find_interruptions(store) == [record]
    assert record.line() == (
        f"failed: job 'fit_gap' (structure -) of run wf: interrupted by SIGTERM at "
        f"2026-01-01T00:01:00 [folder {tmp_path}]"
    )
