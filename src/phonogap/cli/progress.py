"""Application layer: the live display of a running flow (``phonogap run`` and ``demo``).

While jobflow runs a flow, :class:`RunTracker` listens to the log: jobflow's ``Starting job``
and ``Finished job`` records (jobs done / total, the current job), and the progress events of
:mod:`phonogap.progress` (gap_fit's log, configurations labelled). :class:`ProgressView`
renders it with rich: a bar with jobs done / total and the elapsed time, the current job and
how long it has run, for ``gap_fit`` its stage (descriptors, covariance, solve) and time read
from its log (:mod:`phonogap.fitting.gap_fit_progress`), and during labelling the
configurations done / total. :func:`showing_progress` shows it only when standard error is a
terminal, and not with ``--no-progress`` or ``PHONOGAP_NO_PROGRESS=1``; otherwise the output
is what it was without it (a spinner on terminals, nothing else).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.text import Text

from phonogap.cli.common import log_console
from phonogap.progress import PROGRESS_ATTRIBUTE, progress_logger

if TYPE_CHECKING:
    from jobflow import Flow, Job

    from phonogap.fitting.gap_fit_progress import GapFitLogReader

__all__ = [
    "NO_PROGRESS_VARIABLE",
    "ProgressView",
    "RunTracker",
    "add_progress_option",
    "configure_progress",
    "progress_enabled",
    "showing_progress",
]

NO_PROGRESS_VARIABLE = "PHONOGAP_NO_PROGRESS"
"""Set to ``1`` to turn the live display off (as ``--no-progress`` does)."""

_STARTING = re.compile(r"^Starting job - (.*) \(([0-9a-f-]{36})(?:, (\d+))?\)$", re.DOTALL)
_FINISHED = re.compile(r"^Finished job - (.*) \(([0-9a-f-]{36})(?:, (\d+))?\)$", re.DOTALL)
_FAILED_MARK = " failed with exception:\n"
_ALL_FINISHED = "Finished executing jobs locally"

_disabled_by_option = False


def add_progress_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--no-progress`` to a command that runs flows.

    Parameters
    ----------
    parser
        The command's parser.
    """
    parser.add_argument(
        "--no-progress",
        action="store_true",
        help=f"no live progress display (also ${NO_PROGRESS_VARIABLE}=1); it is only shown "
        "when standard error is a terminal",
    )


def configure_progress(args: argparse.Namespace) -> None:
    """Remember the command's ``--no-progress``.

    Parameters
    ----------
    args
        The parsed command line.
    """
    global _disabled_by_option
    _disabled_by_option = bool(getattr(args, "no_progress", False))


def progress_enabled(console: Console = log_console) -> bool:
    """Say whether the live display is shown on a console.

    Parameters
    ----------
    console
        Where it would be drawn.

    Returns
    -------
    bool
        True when the console is a (non-dumb) terminal, ``--no-progress`` was not given and
        ``$PHONOGAP_NO_PROGRESS`` is unset, empty or ``0``.
    """
    if _disabled_by_option or os.environ.get(NO_PROGRESS_VARIABLE, "") not in ("", "0"):
        return False
    return console.is_terminal and not console.is_dumb_terminal


def _job_keys(flow: Flow | Job) -> set[tuple[str, int]]:
    """Return ``(uuid, index)`` of every job in a flow (nested flows included)."""
    jobs = getattr(flow, "jobs", None)
    if jobs is None:
        return {(flow.uuid, flow.index)}
    return {key for part in jobs for key in _job_keys(part)}


@dataclass
class _Items:
    what: str
    done: int
    total: int
    per_job: bool


class RunTracker(logging.Handler):
    """Follow a running flow through jobflow's log records and phonogap's progress events.

    Parameters
    ----------
    flow
        The flow being run (its jobs are the initial total; jobs that jobs add to the flow
        are counted as they are announced or start).
    clock
        Seconds, monotonic (for the current job's elapsed time).
    on_job_change
        Called (without arguments) after a job started, finished or failed: the display
        redraws at once.

    Attributes
    ----------
    total, done, failed
        Jobs known, finished and failed.
    all_finished
        jobflow has finished the flow (jobs neither done nor failed then did not run: a
        job they need failed).
    current
        The running job's name, or None.
    gap_fit
        The reader of the running gap_fit's log, or None.
    """

    def __init__(
        self,
        flow: Flow | Job,
        clock: Callable[[], float] = time.monotonic,
        on_job_change: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(logging.DEBUG)
        self._clock = clock
        self.on_job_change = on_job_change
        self._lock = threading.Lock()
        self._known = _job_keys(flow)
        self._finished: set[tuple[str, int]] = set()
        self._planned = 0
        self.total = len(self._known)
        self.done = 0
        self.failed = 0
        self.all_finished = False
        self.current: str | None = None
        self.current_since: float | None = None
        self.gap_fit: GapFitLogReader | None = None
        self._items: _Items | None = None

    @property
    def items(self) -> tuple[str, int, int] | None:
        """The labelling (or evaluation) counter ``(what, done, total)``, or None."""
        found = self._items
        return None if found is None else (found.what, found.done, found.total)

    def current_elapsed_s(self) -> float | None:
        """Return the seconds the current job has run (None between jobs)."""
        return None if self.current_since is None else self._clock() - self.current_since

    def emit(self, record: logging.LogRecord) -> None:
        """Update the counts from one log record."""
        changed = False
        with self._lock:
            event = getattr(record, PROGRESS_ATTRIBUTE, None)
            if isinstance(event, dict):
                self._event(event)
            else:
                changed = self._jobflow(record.getMessage())
        if changed and self.on_job_change is not None:
            self.on_job_change()  # outside the lock: drawing reads the counts

    def _key(self, match: re.Match[str]) -> tuple[str, int]:
        return match.group(2), int(match.group(3) or 1)

    def _jobflow(self, message: str) -> bool:
        started = _STARTING.match(message)
        if started:
            key = self._key(started)
            if key not in self._known:
                self._known.add(key)
                if self._planned > 0:
                    self._planned -= 1
                else:
                    self.total += 1
            self.current = started.group(1)
            self.current_since = self._clock()
            self.gap_fit = None
            if self._items is not None and not self._items.per_job:
                self._items = None
            return True
        finished = _FINISHED.match(message)
        if finished:
            key = self._key(finished)
            if key not in self._finished:
                self._finished.add(key)
                self.done += 1
            self._job_ended()
        elif _FAILED_MARK in message:
            self.failed += 1
            self._job_ended()
        elif message.startswith(_ALL_FINISHED):
            self.all_finished = True
            self._job_ended()
        else:
            return False
        return True

    def _job_ended(self) -> None:
        self.current = self.current_since = None
        self.gap_fit = None
        if self._items is not None and not self._items.per_job:
            self._items = None

    def _event(self, event: dict[str, Any]) -> None:
        name = event.get("event")
        if name == "gap_fit":
            from phonogap.fitting.gap_fit_progress import GapFitLogReader

            self.gap_fit = GapFitLogReader(event["log"])
        elif name == "items":
            self._items = _Items(event["what"], int(event["done"]), int(event["total"]), False)
        elif name == "items_planned":
            self._items = _Items(event["what"], 0, int(event["total"]), True)
        elif name == "item_done":
            if self._items is not None and self._items.what == event.get("what"):
                self._items.done += 1
                if self._items.done >= self._items.total:
                    self._items = None
        elif name == "jobs_planned":
            count = int(event["count"])
            self.total += count
            self._planned += count


def _clock_text(seconds: float | None) -> str:
    if seconds is None:
        return "-:--:--"
    seconds = int(max(seconds, 0))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class ProgressView:
    """The rich renderable of a :class:`RunTracker`: a jobs bar and what runs now.

    Parameters
    ----------
    tracker
        The counts.
    description
        The bar's label (e.g. ``running demo_diamond_si (1 structures)``).
    console
        Where it is drawn.
    """

    def __init__(
        self, tracker: RunTracker, description: str, console: Console = log_console
    ) -> None:
        self.tracker = tracker
        self.progress = Progress(
            SpinnerColumn(finished_text="[green]✓"),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("jobs {task.completed:.0f}/{task.total:.0f}{task.fields[failed]}"),
            TimeElapsedColumn(),
            console=console,
        )
        self.task = self.progress.add_task(description, total=tracker.total, failed="")

    def details(self) -> list[str]:
        """Return the lines under the bar: the current job, gap_fit's stage, the labelling."""
        tracker = self.tracker
        lines = []
        if tracker.current is not None:
            lines.append(f"  job {tracker.current}  {_clock_text(tracker.current_elapsed_s())}")
        if tracker.gap_fit is not None:
            fit = tracker.gap_fit.read()
            lines.append(f"  gap_fit: {fit.describe()}  {_clock_text(fit.elapsed_s())}")
        if tracker.items is not None:
            what, done, total = tracker.items
            lines.append(f"  {what} {done}/{total}")
        return lines

    def __rich__(self) -> RenderableType:
        """Render the current state."""
        tracker = self.tracker
        with tracker._lock:
            not_run = tracker.total - tracker.done - tracker.failed if tracker.all_finished else 0
            notes = [f"{tracker.failed} failed"] if tracker.failed else []
            notes += [f"{not_run} not run"] if not_run > 0 else []
            failed = f" ({', '.join(notes)})" if notes else ""
            self.progress.update(
                self.task, total=tracker.total, completed=tracker.done, failed=failed
            )
            lines = self.details()
        return Group(self.progress.get_renderable(), *(Text(line) for line in lines))


@contextlib.contextmanager
def showing_progress(
    flow: Flow | Job,
    description: str,
    console: Console = log_console,
    enabled: bool | None = None,
) -> Iterator[RunTracker | None]:
    """Show the live display while the block runs the flow (only on a terminal).

    Parameters
    ----------
    flow
        The flow the block runs.
    description
        What runs, shown on the bar (and on the spinner when the display is off).
    console
        Where to draw (default: standard error).
    enabled
        Force the display on or off (default: :func:`progress_enabled`).

    Yields
    ------
    RunTracker or None
        The tracker (None when the display is off: then the console shows the spinner it
        showed before, which rich draws only on terminals).
    """
    if not (progress_enabled(console) if enabled is None else enabled):
        with console.status(description):
            yield None
        return
    tracker = RunTracker(flow)
    view = ProgressView(tracker, description, console)
    jobflow_logger = logging.getLogger("jobflow")
    events = progress_logger()
    previous_level = events.level
    jobflow_logger.addHandler(tracker)
    events.addHandler(tracker)
    events.setLevel(logging.DEBUG)
    try:
        with Live(view, console=console, refresh_per_second=4, transient=False) as live:
            tracker.on_job_change = live.refresh
            yield tracker
            with tracker._lock:
                tracker._job_ended()
    finally:
        events.setLevel(previous_level)
        events.removeHandler(tracker)
        jobflow_logger.removeHandler(tracker)
