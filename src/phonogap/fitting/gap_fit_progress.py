"""How far a running ``gap_fit`` is, read from its (growing) log.

gap_fit (GAP 0.10, ``gap_fit.f95``) prints a fixed sequence of messages: it reads the
training set (``XYZ file read``), counts and computes the descriptors and picks the sparse
points (``Started CUR decomposition`` ...), announces ``Cartesian coordinates transformed to
descriptors``, builds the covariance matrix of each descriptor (``Started sparse covariance
matrix calculation of coordinate N``, with a ``Covariance matrix  43% |***  |  3.1 / 7.3 s``
bar rewritten with carriage returns), solves the linear system (``TIMER: Build linear
system``, ``Using LAPACK to solve QR``, ``TIMER: Solve linear system``), writes the potential
and ends with ``libAtoms::Finalise``. :class:`GapFitLogReader` follows a log as it grows and
:class:`GapFitProgress` says which stage it is in; the stage names are in :data:`STAGES`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

__all__ = ["STAGES", "GapFitLogReader", "GapFitProgress", "parse_gap_fit_log"]

STAGES = (
    "reading training data",
    "descriptors",
    "sparse points",
    "covariance",
    "solve",
    "writing potential",
    "finished",
)
"""The stages of a fit, in the order gap_fit goes through them (``failed`` may end any)."""

FAILED = "failed"

_TIMESTAMP = re.compile(r"libAtoms::(Hello World|Finalise): (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)")
_N_DESCRIPTORS = re.compile(r"^Descriptor (\d+):")
_COVARIANCE_START = re.compile(r"Started sparse covariance matrix calculation of coordinate (\d+)")
_COVARIANCE_BAR = re.compile(
    r"Covariance matrix\s+(\d+)%\s*\|[^|]*\|\s*([\d.]+)\s*/\s*([\d.]+)\s*s\s*$"
)
_SPARSE_START = re.compile(r"^Started (CUR decomposition|\w+ clustering|distance matrix)")
_SPARSE_END = re.compile(r"^Finished (CUR decomposition|\w+ clustering|distance matrix)")
_ABORT = re.compile(r"SYSTEM ABORT|Program received signal")

_MARKS: tuple[tuple[str, str], ...] = (
    ("XYZ file read", "descriptors"),
    ("Cartesian coordinates transformed to descriptors", "covariance"),
    ("TIMER: gpFull_covarianceMatrix_sparse ", "solve"),
    ("TIMER: Solve linear system", "writing potential"),
    ("libAtoms::Finalise: Bye-Bye", "finished"),
)
"""A line starting with the text moves the fit into the stage."""


@dataclass
class GapFitProgress:
    """Where a gap_fit run is.

    Attributes
    ----------
    stage
        One of :data:`STAGES`, or ``failed``.
    stages
        Every stage seen so far, in order (a stage gap_fit enters twice, such as
        ``descriptors`` around ``sparse points``, is listed each time).
    started_at, finished_at
        gap_fit's own start and end times (local time, from ``libAtoms::Hello World`` and
        ``libAtoms::Finalise``), None until printed.
    n_descriptors
        Descriptors in the fit (multispecies ones counted), once gap_fit has reported them.
    descriptor
        The descriptor (1-based) whose covariance is being built, in the ``covariance`` stage.
    percent
        The covariance bar's percentage for that descriptor, once printed.
    stage_elapsed_s, stage_estimate_s
        Seconds spent and gap_fit's estimate of the total for that descriptor's covariance.
    """

    stage: str = STAGES[0]
    stages: list[str] = field(default_factory=lambda: [STAGES[0]])
    started_at: datetime | None = None
    finished_at: datetime | None = None
    n_descriptors: int | None = None
    descriptor: int | None = None
    percent: int | None = None
    stage_elapsed_s: float | None = None
    stage_estimate_s: float | None = None

    def enter(self, stage: str) -> None:
        """Move to a stage (and record it)."""
        if stage != self.stage:
            self.stage = stage
            self.stages.append(stage)
            self.percent = self.stage_elapsed_s = self.stage_estimate_s = None

    def elapsed_s(self, now: datetime | None = None) -> float | None:
        """Return the seconds since gap_fit started (to its end if it finished).

        Parameters
        ----------
        now
            The current local time (default: now).

        Returns
        -------
        float or None
            None before gap_fit printed its start time.
        """
        if self.started_at is None:
            return None
        end = self.finished_at or now or datetime.now()
        return max(0.0, (end - self.started_at).total_seconds())

    def describe(self) -> str:
        """Return the stage in a few words, e.g. ``covariance 2/2 43% (3.1/7.3 s)``."""
        text = self.stage
        if self.stage == "covariance" and self.descriptor is not None:
            text += f" {self.descriptor}/{self.n_descriptors or '?'}"
            if self.percent is not None:
                text += f" {self.percent}%"
                if self.stage_elapsed_s is not None and self.stage_estimate_s is not None:
                    text += f" ({self.stage_elapsed_s:.0f}/{self.stage_estimate_s:.0f} s)"
        return text


class GapFitLogReader:
    """Follow a gap_fit log as it grows; each :meth:`read` parses only the new bytes.

    Parameters
    ----------
    path
        The log (it may not exist yet).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.progress = GapFitProgress()
        self._offset = 0
        self._partial = ""
        self._in_descriptor_report = False

    def read(self) -> GapFitProgress:
        """Parse what was added to the log since the last call.

        Returns
        -------
        GapFitProgress
            The current progress (the same object each time, updated).
        """
        try:
            with self.path.open("rb") as handle:
                handle.seek(self._offset)
                data = handle.read()
        except OSError:
            return self.progress
        self._offset += len(data)
        self.feed(data.decode("utf-8", errors="replace"))
        return self.progress

    def feed(self, text: str) -> None:
        """Parse more log text (lines end with newlines or carriage returns).

        Parameters
        ----------
        text
            The next piece of the log; a last line without its end is kept for the next call
            (its covariance bar, if complete, is read at once).
        """
        pieces = re.split(r"[\r\n]", self._partial + text)
        self._partial = pieces.pop()
        for line in pieces:
            self._line(line)
        bar = _COVARIANCE_BAR.search(self._partial)
        if bar and self.progress.stage == "covariance":
            self._bar(bar)

    def _bar(self, match: re.Match[str]) -> None:
        progress = self.progress
        progress.percent = int(match.group(1))
        progress.stage_elapsed_s = float(match.group(2))
        progress.stage_estimate_s = float(match.group(3))

    def _line(self, line: str) -> None:
        progress = self.progress
        if progress.stage in ("finished", FAILED):
            return
        stamp = _TIMESTAMP.match(line)
        if stamp:
            when = datetime.strptime(stamp.group(2), "%Y-%m-%d %H:%M:%S")
            if stamp.group(1) == "Hello World":
                progress.started_at = progress.started_at or when
            else:
                progress.finished_at = when
        if _ABORT.search(line):
            progress.enter(FAILED)
            return
        if "Report on number of descriptors found" in line:
            self._in_descriptor_report = True
        elif self._in_descriptor_report:
            found = _N_DESCRIPTORS.match(line)
            if found:
                progress.n_descriptors = int(found.group(1))
            elif line.startswith("====") and "Report" not in line:
                self._in_descriptor_report = False
        if _SPARSE_START.match(line):
            progress.enter("sparse points")
        elif _SPARSE_END.match(line):
            progress.enter("descriptors")
        covariance = _COVARIANCE_START.search(line)
        if covariance:
            progress.enter("covariance")
            progress.descriptor = int(covariance.group(1))
            progress.percent = progress.stage_elapsed_s = progress.stage_estimate_s = None
        bar = _COVARIANCE_BAR.search(line)
        if bar and progress.stage == "covariance":
            self._bar(bar)
        for mark, stage in _MARKS:
            if line.startswith(mark):
                progress.enter(stage)


def parse_gap_fit_log(text: str) -> GapFitProgress:
    """Return the progress of a gap_fit run from its log text (complete or partial).

    Parameters
    ----------
    text
        The log so far.

    Returns
    -------
    GapFitProgress
        Its stage, the stages seen, the start (and end) time and the covariance counts.
    """
    reader = GapFitLogReader(Path())
    reader.feed(text)
    return reader.progress
