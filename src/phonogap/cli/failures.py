"""Application layer: one line per failed job, tracebacks in ``OUT/phonogap.log``.

jobflow's ``run_locally`` catches a failing job's exception and logs its traceback. While a
command runs a flow, :func:`recording_failures` keeps every log record in ``OUT/phonogap.log``,
collects each failure as a :class:`JobFailure` (job name, structure, the exception's message,
the job folder) and keeps the tracebacks off the terminal unless ``phonogap -v``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rich.markup import escape

from phonogap.cli.common import log_console

LOG_FILE = "phonogap.log"
"""The run's log file in the output folder."""

FAILED_MARK = " failed with exception:\n"
"""What jobflow's ``run_locally`` logs between a job's name and its traceback."""


@dataclass(frozen=True)
class JobFailure:
    """One job that raised.

    Attributes
    ----------
    job
        The job's name (per-structure jobs end with the structure's name).
    structure
        The structure, when the job name says which, else ``"-"``.
    message
        The exception's message, without the traceback, on one line.
    folder
        The job folder.
    """

    job: str
    structure: str
    message: str
    folder: str

    def line(self) -> str:
        """Return the one-line summary."""
        return (
            f"failed: job {self.job!r} (structure {self.structure}): {self.message} "
            f"[folder {self.folder}]"
        )


def exception_message(traceback_text: str) -> str:
    """Extract the exception's message from a formatted traceback.

    Parameters
    ----------
    traceback_text
        ``traceback.format_exc()`` output (the last exception of a chain is the one raised).

    Returns
    -------
    str
        ``ExceptionType: message`` without the module path, whitespace collapsed to one line.
    """
    lines = traceback_text.rstrip().splitlines()
    start = len(lines)
    for index in range(len(lines) - 1, -1, -1):
        if lines[index].startswith((" ", "Traceback", "During handling", "The above")):
            break
        start = index
    text = " ".join(" ".join(lines[start:]).split())
    return re.sub(r"^(?:\w+\.)+(\w+: )", r"\1", text) or "(no message)"


class _FailureRecorder(logging.Handler):
    """Collect jobflow's job-failure records, with the current folder (the job's)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.failures: list[JobFailure] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if FAILED_MARK not in text:
            return
        job, _, traceback_text = text.partition(FAILED_MARK)
        _, _, structure = job.partition(" ")
        self.failures.append(
            JobFailure(job, structure or "-", exception_message(traceback_text), os.getcwd())
        )


def _hide_job_tracebacks(record: logging.LogRecord) -> bool:
    return FAILED_MARK not in record.getMessage()


@contextlib.contextmanager
def recording_failures(out_dir: Path) -> Iterator[list[JobFailure]]:
    """Log everything to ``out_dir/phonogap.log`` and collect failed jobs while a flow runs.

    Parameters
    ----------
    out_dir
        The run's output folder (created if needed).

    Yields
    ------
    list of JobFailure
        Filled as jobs fail; printed, one line each, when the block ends.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    log_path = (out_dir / LOG_FILE).resolve()
    root = logging.getLogger()
    verbose = root.getEffectiveLevel() <= logging.DEBUG
    file_handler = logging.FileHandler(log_path, encoding="utf-8")
    file_handler.setLevel(logging.DEBUG if verbose else logging.INFO)
    file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    recorder = _FailureRecorder()
    hidden = [] if verbose else list(root.handlers)
    for handler in hidden:
        handler.addFilter(_hide_job_tracebacks)
    previous_level = root.level
    root.setLevel(min(previous_level or logging.WARNING, logging.INFO))
    root.addHandler(file_handler)
    root.addHandler(recorder)
    try:
        yield recorder.failures
    finally:
        root.removeHandler(recorder)
        root.removeHandler(file_handler)
        file_handler.close()
        root.setLevel(previous_level)
        for handler in hidden:
            handler.removeFilter(_hide_job_tracebacks)
        for failure in recorder.failures:
            log_console.print(escape(failure.line()), highlight=False, soft_wrap=True)
        if recorder.failures:
            where = "above and in" if verbose else "in"
            log_console.print(f"tracebacks {where} {log_path}", highlight=False, soft_wrap=True)
