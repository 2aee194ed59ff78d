"""The live progress display: counts from real jobflow runs, off when not on a terminal.

The flows are real phonogap labelling jobs with Stillinger-Weber on four rattled 8-atom
diamond Si cells (about a second each): ``label_database_per_configuration`` replaces itself
by one job per configuration, a collect job and jobflow's job that stores the output (1 + 6
jobs); ``label_database`` labels them in one job with a process pool.
"""

from __future__ import annotations

import argparse
import io
import logging
from pathlib import Path

import numpy as np
import pytest
from ase.build import bulk
from jobflow import Flow, JobStore, run_locally
from maggma.stores import MemoryStore
from rich.console import Console

from phonogap.cli.progress import (
    NO_PROGRESS_VARIABLE,
    ProgressView,
    RunTracker,
    configure_progress,
    progress_enabled,
    showing_progress,
)
from phonogap.jobs.database import label_database
from phonogap.jobs.labels import label_database_per_configuration
from phonogap.progress import PROGRESS_ATTRIBUTE, progress_logger
from phonogap.reference.evaluate import CONFIGURATIONS_LABELLED
from phonogap.reference.stillinger_weber import StillingerWeberReference
from phonogap.schemas.configuration import Configuration
from phonogap.schemas.dataset import DatabaseDocument

DEMO_LOG = Path(__file__).resolve().parents[1] / "data" / "fitting" / "gap_fit_demo.log"
N_CONFIGURATIONS = 4


def _database() -> DatabaseDocument:
    rng = np.random.default_rng(3)
    configurations = []
    for _ in range(N_CONFIGURATIONS):
        atoms = bulk("Si", "diamond", a=5.43, cubic=True)
        atoms.positions += rng.normal(0.0, 0.05, atoms.positions.shape)
        atoms.info["config_type"] = "rattled"
        configurations.append(Configuration.from_atoms(atoms))
    return DatabaseDocument(
        strategy="randomised", configurations=configurations, phonon_setups=[], summary={}
    )


def _terminal() -> Console:
    return Console(record=True, force_terminal=True, width=100, file=io.StringIO())


class _Snapshots(logging.Handler):
    """Record the tracker's counts after every record it saw (added after the tracker)."""

    def __init__(self, tracker: RunTracker) -> None:
        super().__init__(logging.DEBUG)
        self.tracker = tracker
        self.seen: list[tuple[int, int, tuple[str, int, int] | None]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append((self.tracker.done, self.tracker.total, self.tracker.items))


def _run(flow: Flow, tmp_path: Path, console: Console, enabled: bool | None, data_store=True):
    stores = {"data": MemoryStore()} if data_store else {}
    store = JobStore(MemoryStore(), additional_stores=stores)
    snapshots = None
    with showing_progress(flow, "labelling", console=console, enabled=enabled) as tracker:
        if tracker is not None:
            snapshots = _Snapshots(tracker)
            logging.getLogger("jobflow").addHandler(snapshots)
            progress_logger().addHandler(snapshots)
        try:
            responses = run_locally(
                flow, store=store, create_folders=True, root_dir=tmp_path / "jobs", log=False
            )
        finally:
            if snapshots is not None:
                logging.getLogger("jobflow").removeHandler(snapshots)
                progress_logger().removeHandler(snapshots)
    return responses, tracker, snapshots


@pytest.fixture
def labelling(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("PHONOGAP_SCRATCH_DIR", str(tmp_path / "scratch"))
    monkeypatch.delenv(NO_PROGRESS_VARIABLE, raising=False)
    caplog.set_level(logging.INFO)  # the command line logs at INFO: jobflow's job records
    return tmp_path


def test_jobs_and_configurations_are_counted_in_a_fan_out_labelling(labelling):
    reference = StillingerWeberReference()
    flow = Flow([label_database_per_configuration(_database(), reference)])
    console = _terminal()
    responses, tracker, snapshots = _run(flow, labelling, console, enabled=True)

    assert len(responses) == 1 + N_CONFIGURATIONS + 1  # uuids (store_inputs shares one)
    assert (tracker.done, tracker.total, tracker.failed) == (7, 7, 0)
    # the six added jobs were announced before any of them started: the total never crept up
    assert {total for _, total, _ in snapshots.seen} == {1, 7}
    items = [found for _, _, found in snapshots.seen if found is not None]
    counts = [done for _, done, _ in dict.fromkeys(items)]
    assert counts == [0, 1, 2, 3]  # then 4/4 ends the count
    assert {what for what, _, _ in items} == {CONFIGURATIONS_LABELLED}
    assert {total for _, _, total in items} == {N_CONFIGURATIONS}
    assert tracker.items is None and tracker.current is None

    text = console.export_text()
    assert "labelling" in text
    assert "jobs 7/7" in text.splitlines()[-1]  # the last frame stays on the terminal
    assert "jobs 1/7" in text  # drawn while the labelling jobs ran (refreshed each job)


def test_a_failed_job_is_counted_and_shown(labelling):
    reference = StillingerWeberReference()
    flow = Flow([label_database_per_configuration(_database(), reference)])
    console = _terminal()
    # collect_labels puts its configurations in a "data" store this JobStore lacks: it fails
    _, tracker, _ = _run(flow, labelling, console, enabled=True, data_store=False)
    assert (tracker.done, tracker.failed, tracker.total) == (6, 1, 7)
    assert "jobs 6/7 (1 failed)" in console.export_text().splitlines()[-1]


def test_jobs_after_a_failed_one_are_shown_as_not_run(labelling):
    reference = StillingerWeberReference()
    first = label_database(_database(), reference, n_workers=1)
    second = label_database(first.output, reference, n_workers=1)
    console = _terminal()
    # the first job cannot store its configurations (no "data" store): the second never starts
    _, tracker, _ = _run(Flow([first, second]), labelling, console, True, data_store=False)
    assert (tracker.done, tracker.failed, tracker.total) == (0, 1, 2)
    assert "jobs 0/2 (1 failed, 1 not run)" in console.export_text().splitlines()[-1]


def test_a_one_job_labelling_counts_configurations_from_its_process_pool(labelling):
    reference = StillingerWeberReference()
    flow = Flow([label_database(_database(), reference, n_workers=2)])
    console = _terminal()
    _, tracker, snapshots = _run(flow, labelling, console, enabled=True)

    items = [found for _, _, found in snapshots.seen if found is not None]
    assert [done for _, done, _ in dict.fromkeys(items)] == [0, 1, 2, 3, 4]
    assert (tracker.done, tracker.total) == (1, 1)
    assert "jobs 1/1" in console.export_text().splitlines()[-1]


def test_nothing_of_the_display_is_printed_off_a_terminal(labelling):
    reference = StillingerWeberReference()
    flow = Flow([label_database(_database(), reference, n_workers=1)])
    console = Console(record=True, file=io.StringIO(), width=100)  # not a terminal
    assert not progress_enabled(console)
    responses, tracker, _ = _run(flow, labelling, console, enabled=None)
    assert tracker is None
    assert len(responses) == 1
    assert console.export_text() == ""
    assert console.file.getvalue() == ""


def test_no_progress_option_and_variable_turn_it_off(monkeypatch):
    terminal = _terminal()
    monkeypatch.delenv(NO_PROGRESS_VARIABLE, raising=False)
    assert progress_enabled(terminal)
    monkeypatch.setenv(NO_PROGRESS_VARIABLE, "1")
    assert not progress_enabled(terminal)
    monkeypatch.setenv(NO_PROGRESS_VARIABLE, "0")
    assert progress_enabled(terminal)
    try:
        configure_progress(argparse.Namespace(no_progress=True))
        assert not progress_enabled(terminal)
    finally:
        configure_progress(argparse.Namespace(no_progress=False))
    assert progress_enabled(terminal)


def test_the_view_shows_the_current_job_and_gap_fit_stage_from_its_log():
    flow = Flow([label_database(_database(), StillingerWeberReference())])
    ticks = iter([100.0, 165.0])
    tracker = RunTracker(flow, clock=lambda: next(ticks))
    uuid = "3f042b0f-2f37-43c2-9a97-d248a436211c"
    for fields in (
        {"msg": f"Starting job - fit_gap ({uuid})"},
        {"msg": "gap_fit", PROGRESS_ATTRIBUTE: {"event": "gap_fit", "log": str(DEMO_LOG)}},
    ):
        tracker.handle(logging.makeLogRecord(fields))
    view = ProgressView(tracker, "running demo", _terminal())
    assert view.details() == [
        "  job fit_gap  0:01:05",  # 165 s - 100 s on the tracker's clock
        "  gap_fit: finished  0:00:16",  # from gap_fit's own start and end lines
    ]
    assert tracker.total == 2  # the job was not in the flow: counted when it started
    tracker.handle(logging.makeLogRecord({"msg": f"Finished job - fit_gap ({uuid})"}))
    assert view.details() == []
    assert (tracker.done, tracker.total) == (1, 2)
