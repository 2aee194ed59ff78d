"""gap_fit's stage read from its log: a captured real log, a real failing run, a real tiny fit.

``tests/data/fitting/gap_fit_demo.log`` is the log of the fit of ``phonogap demo`` (GAP
0.10.3 from quippy-ase, 2b + SOAP, 6 configurations, unbuffered stdout), copied unchanged:
gap_fit started at 06:16:19 and ended at 06:16:35, and its covariance bar printed 43 % and
85 % for the second descriptor (carriage returns between them).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk
from ase.io import write

from phonogap.fitting import GapHyperparameters, SoapDescriptor, gap_fit_arguments, run_gap_fit
from phonogap.fitting.gap_fit_progress import (
    STAGES,
    GapFitLogReader,
    GapFitProgress,
    parse_gap_fit_log,
)
from phonogap.progress import PROGRESS_ATTRIBUTE, progress_logger
from phonogap.schemas.keys import ENERGY_KEY, FORCES_KEY

DEMO_LOG = Path(__file__).resolve().parents[1] / "data" / "fitting" / "gap_fit_demo.log"

FULL_SEQUENCE = [
    "reading training data",
    "descriptors",
    "sparse points",
    "descriptors",
    "covariance",
    "solve",
    "writing potential",
    "finished",
]


def test_a_finished_log_goes_through_every_stage_in_order():
    progress = parse_gap_fit_log(DEMO_LOG.read_text())
    assert progress.stages == FULL_SEQUENCE
    assert progress.stage == "finished"
    assert progress.n_descriptors == 2
    assert progress.elapsed_s() == 16.0  # 06:16:19 to 06:16:35
    assert all(stage in STAGES for stage in progress.stages)


@pytest.mark.parametrize(
    ("cut_after", "stage", "description"),
    [
        ("libAtoms::Hello World: global verbosity", "reading training data", None),
        ("XYZ file read", "descriptors", None),
        ("Started CUR decomposition", "sparse points", None),
        ("Started sparse covariance matrix calculation of coordinate 1", "covariance", None),
        ("Started sparse covariance matrix calculation of coordinate 2", "covariance", "2/2"),
        ("Covariance matrix  43%", "covariance", "covariance 2/2 43% (5/12 s)"),
        ("Using LAPACK to solve QR", "solve", "solve"),
        ("TIMER: Solve linear system", "writing potential", None),
    ],
)
def test_a_partial_log_gives_the_stage_it_was_in(cut_after, stage, description):
    text = DEMO_LOG.read_text()
    end = text.index(cut_after)
    # up to the end (newline or carriage return) of the line holding the mark
    following = [i for i in (text.find("\n", end), text.find("\r", end)) if i > 0]
    progress = parse_gap_fit_log(text[: min(following) + 1])
    assert progress.stage == stage
    if description is not None:
        assert description in progress.describe()


def test_a_log_read_as_it_grows_gives_the_same_stages():
    data = DEMO_LOG.read_bytes()
    reader = GapFitLogReader(DEMO_LOG)
    seen = []
    # feed it the way the display does: new bytes of a growing file, in small pieces
    for start in range(0, len(data), 13):
        reader.feed(data[start : start + 13].decode())
        if not seen or seen[-1] != reader.progress.describe():
            seen.append(reader.progress.describe())
    assert reader.progress.stages == FULL_SEQUENCE
    assert seen == [
        "reading training data",
        "descriptors",
        "sparse points",
        "descriptors",
        "covariance",
        "covariance 1/2",
        "covariance 2/2",
        "covariance 2/2 43% (5/12 s)",
        "covariance 2/2 85% (11/13 s)",
        "solve",
        "writing potential",
        "finished",
    ]
    # from the file in one go: the same
    assert GapFitLogReader(DEMO_LOG).read().stages == FULL_SEQUENCE


def test_a_missing_log_is_still_at_the_start(tmp_path):
    progress = GapFitLogReader(tmp_path / "gap_fit.log").read()
    assert progress.stage == "reading training data"
    assert progress.elapsed_s() is None
    assert GapFitProgress().describe() == "reading training data"


def test_an_aborted_run_is_failed(tmp_path):
    hyper = GapHyperparameters.small()
    arguments = gap_fit_arguments(
        hyper, Path("no_such_file.xyz"), Path("gap.xml"), e0=0.0, has_virials=False
    )
    with pytest.raises(Exception, match="no_such_file"):
        run_gap_fit(arguments, tmp_path, n_threads=1)
    progress = GapFitLogReader(tmp_path / "gap_fit.log").read()
    assert progress.stage == "failed"
    assert progress.stages == ["reading training data", "failed"]


class _Events(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.events: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.events.append(getattr(record, PROGRESS_ATTRIBUTE))


def _tiny_training_set(n_configs: int = 4) -> list[Atoms]:
    """Rattled 8-atom diamond Si cells with made-up but smooth labels (a harmonic pull)."""
    rng = np.random.default_rng(7)
    configurations = []
    for _ in range(n_configs):
        atoms = bulk("Si", "diamond", a=5.43, cubic=True)
        ideal = atoms.positions.copy()
        atoms.positions += rng.normal(0.0, 0.05, atoms.positions.shape)
        displacement = atoms.positions - ideal
        atoms.arrays[FORCES_KEY] = -5.0 * displacement
        atoms.info[ENERGY_KEY] = -4.3 * len(atoms) + 2.5 * float((displacement**2).sum())
        configurations.append(atoms)
    return configurations


def test_a_real_fit_reports_its_log_and_the_log_grows_while_it_runs(tmp_path):
    """The gap_fit event names the log; gap_fit writes it line by line (stdout unbuffered)."""
    write(tmp_path / "train.xyz", _tiny_training_set(), format="extxyz")
    hyper = GapHyperparameters.small().model_copy(
        update={"soap": SoapDescriptor(l_max=4, n_max=4, n_sparse=20)}
    )
    arguments = gap_fit_arguments(
        hyper, Path("train.xyz"), Path("gap.xml"), e0=-4.3, has_virials=False
    )
    listener = _Events()
    events = progress_logger()
    events.addHandler(listener)
    events.setLevel(logging.DEBUG)
    log_path = tmp_path / "gap_fit.log"
    sizes_seen: list[int] = []
    finished = threading.Event()

    def watch() -> None:
        while not finished.is_set():
            if log_path.is_file() and log_path.stat().st_size:
                sizes_seen.append(log_path.stat().st_size)
            finished.wait(0.005)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        run = run_gap_fit(arguments, tmp_path, n_threads=1, timeout_s=120)
    finally:
        finished.set()
        watcher.join()
        events.removeHandler(listener)
        events.setLevel(logging.WARNING)
    assert listener.events == [{"event": "gap_fit", "log": str(log_path.resolve())}]
    progress = GapFitLogReader(run.log_path).read()
    assert progress.stage == "finished"
    order = [progress.stages.index(s) for s in ("descriptors", "covariance", "solve")]
    assert order == sorted(order)
    # the log grew line by line: gfortran's default buffering would write its first 8 kB at
    # once (the input parameters, the descriptor and memory reports) and the rest at exit
    assert min(sizes_seen) < 4096
    assert len(set(sizes_seen)) > 3
