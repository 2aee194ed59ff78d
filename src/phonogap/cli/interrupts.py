"""Application layer: a run stopped by a signal records its running job in the store as failed.

While :func:`recording_interruptions` is active, jobflow's ``Starting job``/``Finished job``
log records tell which job runs and in which folder (``run_locally`` enters the job folder
before it starts the job). If the run is stopped (SIGTERM or SIGHUP, turned into an exception
by the ``phonogap`` command, or Ctrl-C) while a job runs, that job is written to the store as
failed (:mod:`phonogap.store.interruptions`) and printed as one line; the exception then
propagates as before. A run that ends marks the earlier interruptions of its flow as rerun.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from rich.markup import escape

from phonogap.cli.common import log_console
from phonogap.cli.failures import FAILED_MARK
from phonogap.store.interruptions import (
    InterruptedJobDocument,
    find_interruptions,
    mark_rerun,
    record_interruption,
)

if TYPE_CHECKING:
    from jobflow import JobStore

logger = logging.getLogger(__name__)

_STARTING = re.compile(
    r"^Starting job - (?P<name>.*) \((?P<uuid>[0-9a-f-]{36})(?:, (?P<index>\d+))?\)$"
)
_FINISHED = re.compile(r"^Finished job - ")


@dataclass
class RunningJob:
    """The job running now: its name, uuid, index, folder and start time."""

    name: str
    uuid: str
    index: int
    folder: str
    started_at: str


class _JobTracker(logging.Handler):
    """Follow jobflow's job log records; ``running`` is the job that started and not ended."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.running: RunningJob | None = None

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        started = _STARTING.match(text)
        if started:
            self.running = RunningJob(
                name=started["name"],
                uuid=started["uuid"],
                index=int(started["index"] or 1),
                folder=os.getcwd(),
                started_at=datetime.fromtimestamp(record.created).isoformat(),
            )
        elif _FINISHED.match(text) or FAILED_MARK in text:
            self.running = None


def stop_reason(exc: BaseException) -> str:
    """Say what stopped a run.

    Parameters
    ----------
    exc
        The exception that ended ``run_locally``.

    Returns
    -------
    str
        ``interrupted by SIGTERM`` (SIGHUP, SIGINT for Ctrl-C), else the exception in one line.
    """
    signum = getattr(exc, "signum", None)
    if signum is not None:
        return f"interrupted by {signal.Signals(signum).name}"
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted by SIGINT"
    return f"stopped by {type(exc).__name__}: {' '.join(str(exc).split())}"


def _record(store: JobStore, run_name: str, job: RunningJob, exc: BaseException) -> None:
    from jobflow import CURRENT_JOB

    current = CURRENT_JOB.job
    same = current is not None and current.uuid == job.uuid
    document = InterruptedJobDocument(
        reason=stop_reason(exc),
        job_name=job.name,
        job_uuid=job.uuid,
        job_index=job.index,
        structure=job.name.partition(" ")[2] or "-",
        run_name=run_name,
        folder=job.folder,
        started_at=job.started_at,
        interrupted_at=datetime.now().isoformat(),
    )
    try:
        recorded = record_interruption(
            store,
            document,
            hosts=list(current.hosts) if same else None,
            metadata=dict(current.metadata) if same else None,
        )
    except Exception as error:  # the stop must go on; say why nothing was stored
        logger.debug("could not record the interrupted job", exc_info=True)
        log_console.print(
            escape(f"{document.line()} (not recorded in the store: {error})"),
            highlight=False,
            soft_wrap=True,
        )
        return
    if not recorded:  # stopped after it stored its output: it finished
        return
    log_console.print(
        escape(f"{document.line()}; recorded in the store"), highlight=False, soft_wrap=True
    )


@contextlib.contextmanager
def recording_interruptions(store: JobStore, run_name: str) -> Iterator[None]:
    """Record the running job as failed if the block is stopped; mark earlier stops as rerun.

    Parameters
    ----------
    store
        The run's JobStore.
    run_name
        The flow's name (the same workflow run again has the same name).

    Yields
    ------
    None
        Run the flow inside.
    """
    earlier = _earlier_interruptions(store, run_name)
    if earlier:
        log_console.print(
            escape(
                f"resuming {run_name}: its job {earlier[0].job_name!r} was stopped "
                f"({earlier[0].reason}) at {earlier[0].interrupted_at}; finished fits are reused"
            ),
            highlight=False,
            soft_wrap=True,
        )
    tracker = _JobTracker()
    root = logging.getLogger()
    root.addHandler(tracker)
    try:
        yield
    except BaseException as exc:
        if tracker.running is not None:
            _record(store, run_name, tracker.running, exc)
        raise
    else:
        if earlier:
            mark_rerun(store, run_name)
    finally:
        root.removeHandler(tracker)


def _earlier_interruptions(store: JobStore, run_name: str) -> list[InterruptedJobDocument]:
    try:
        store.connect()
        return find_interruptions(store, run_name)
    except Exception:  # a store problem shows up when the run writes; do not fail here
        logger.debug("could not look for earlier interruptions", exc_info=True)
        return []
