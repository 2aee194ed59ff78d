"""Run ``gap_fit`` as a child process and keep its log.

The launcher (:mod:`phonogap.fitting.launcher`: a prefix such as ``mpirun -np 8``, the
executable, threads) is resolved here; ``OMP_NUM_THREADS`` is set only for an OpenMP build.

The subprocess gets an argument list from :func:`phonogap.fitting.gap_fit.gap_fit_arguments`
(no shell), its whole process group is killed on timeout or interruption, it gets the
parent-death signal (:mod:`phonogap.processes`; quippy's wrapper script on PATH is bypassed
for its bundled binary so the signal reaches gap_fit itself), and failures raise
:class:`GapFitError` quoting gap_fit's abort messages and the log tail. The potential's
checksum covers the xml and its sparseX files in the order the xml lists them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from phonogap.errors import PhonogapError
from phonogap.fitting.gap_fit import (
    GAP_FIT_EXECUTABLE,
    IGNORE,
    LOG_NAME,
    format_command,
)
from phonogap.fitting.launcher import GapFitLaunch, GapFitLauncher, launch_command, resolve_launcher
from phonogap.fitting.potential_files import potential_checksum, potential_files
from phonogap.processes import die_with_parent
from phonogap.progress import report_progress

__all__ = [
    "GapFitError",
    "GapFitRun",
    "finished_run",
    "output_xml_path",
    "run_gap_fit",
]

logger = logging.getLogger(__name__)

_TAIL_LINES = 30


class GapFitError(PhonogapError, RuntimeError):
    """gap_fit failed: non-zero exit, timeout, or no potential written.

    Attributes
    ----------
    log_path
        The gap_fit log (stdout and stderr).
    returncode
        Exit status, or None after a timeout.
    """

    def __init__(self, message: str, log_path: Path, returncode: int | None = None) -> None:
        super().__init__(message)
        self.log_path = log_path
        self.returncode = returncode


@dataclass
class GapFitRun:
    """The outcome of one successful gap_fit run.

    Attributes
    ----------
    xml_path
        The potential (load it with ``Potential(param_filename=str(xml_path))``).
    log_path
        gap_fit's stdout and stderr.
    wall_time_s
        Wall-clock time of the run (s).
    arguments
        The exact argument list that was run.
    sha256
        :func:`potential_checksum` of the xml and its sparseX files.
    sparse_paths
        The sparseX files the xml refers to, in the order it lists them; they
        must stay next to the xml.
    n_targets
        Number of fitted observables gap_fit reported, keyed ``energies``,
        ``forces`` (components), ``virials`` (components).
    n_sigma_overrides
        Regularisation read from the data that gap_fit reported, keyed
        ``energy_sigma``, ``force_sigma``, ``virial_sigma`` (configurations)
        and ``force_atom_sigma`` (atoms).
    n_sparse
        Sparse points actually used by each descriptor, in ``gap={...}`` order
        (gap_fit lowers a request to the number of available environments).
    warnings
        gap_fit's ``WARNING`` lines.
    launch
        How gap_fit was started: command prefix and executable, ranks, threads, and the
        build's OpenMP/MPI capabilities (None when not known).
    """

    xml_path: Path
    log_path: Path
    wall_time_s: float
    arguments: list[str]
    sha256: str
    sparse_paths: list[Path] = field(default_factory=list)
    n_targets: dict[str, int] = field(default_factory=dict)
    n_sigma_overrides: dict[str, int] = field(default_factory=dict)
    n_sparse: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    launch: GapFitLaunch | None = None

    @property
    def files(self) -> list[Path]:
        """All files that make up the potential: the xml first, then the sparseX files."""
        return [self.xml_path, *self.sparse_paths]


def output_xml_path(arguments: Sequence[str], workdir: Path) -> Path:
    """Return where gap_fit writes the potential (``gap_file``; default ``gap_new.xml``).

    Parameters
    ----------
    arguments
        The gap_fit argument list.
    workdir
        Where gap_fit runs (relative paths are relative to it).

    Returns
    -------
    Path
        The xml path.
    """
    for token in arguments:
        key, _, value = token.partition("=")
        if key in ("gap_file", "gp_file"):
            path = Path(value)
            return path if path.is_absolute() else workdir / path
    return workdir / "gap_new.xml"  # gap_fit's default


def _log_excerpt(log_path: Path, n_lines: int = _TAIL_LINES) -> str:
    try:
        lines = log_path.read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    # gap_fit writes aborts to unbuffered stderr, so they can land far from the
    # end of the merged log; quote them separately.
    aborts: list[str] = []
    for index, line in enumerate(lines):
        if (
            "SYSTEM ABORT" in line
            or "Program received signal" in line
            or re.search(r"\bERROR\b", line)
        ):
            # the abort message may continue on the next lines, up to "STOP n"
            for follow in lines[index : index + 5]:
                if follow.strip().startswith("STOP"):
                    break
                aborts.append(follow.rstrip())
    tail = [ln for ln in lines if ln.strip()][-n_lines:]
    aborts = list(dict.fromkeys(aborts))
    parts = []
    if aborts:
        parts.append("gap_fit reported:\n" + "\n".join(aborts[:10]))
    parts.append(f"last {len(tail)} lines of the log:\n" + "\n".join(tail))
    return "\n".join(parts)


_TARGET_PATTERN = re.compile(
    r"Number of target (energies|forces|virials) \(property name: .*\) found: (\d+)"
)
_OVERRIDE_PATTERN = re.compile(
    r"Number of per-(?:configuration|atom) setting of "
    r"(energy_sigma|force_sigma|virial_sigma|force_atom_sigma) found:\s*(\d+)"
)
_EXPECTED_WARNING = "Both e0 and e0_offset"
"""gap_fit warns whenever e0 and e0_offset are both given, which we always do on purpose."""


def _parse_log(log_path: Path) -> tuple[dict[str, int], dict[str, int], list[str]]:
    """Return target counts, sigma-override counts and WARNING lines from a gap_fit log."""
    text = log_path.read_text(errors="replace")
    targets = {kind: int(n) for kind, n in _TARGET_PATTERN.findall(text)}
    overrides = {kind: int(n) for kind, n in _OVERRIDE_PATTERN.findall(text)}
    warnings = [ln.strip() for ln in text.splitlines() if ln.startswith("WARNING")]
    return targets, overrides, warnings


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def run_gap_fit(
    arguments: list[str],
    workdir: Path,
    *,
    n_threads: int | None = None,
    timeout_s: float | None = None,
    launcher: GapFitLauncher | None = None,
) -> GapFitRun:
    """Run gap_fit and return where the potential is.

    Parameters
    ----------
    arguments
        Argument list from :func:`gap_fit_arguments` (first element the executable).
    workdir
        Directory to run in (created if needed); relative paths in
        ``arguments`` are relative to it. stdout and stderr go to
        ``workdir / "gap_fit.log"``. A potential already at the output path
        (and its sparseX files) is removed first.
    n_threads
        OpenMP threads (``OMP_NUM_THREADS``) when the launcher sets none; default: the
        cores divided among the ranks. Set only for a build with OpenMP.
    timeout_s
        Kill gap_fit (its whole process group) after this many seconds.
    launcher
        Prefix (``mpirun -np 8``), executable and threads; None: ``$PHONOGAP_GAP_FIT_COMMAND``
        else ``arguments[0]`` on PATH (:func:`~phonogap.fitting.launcher.resolve_launcher`).

    Returns
    -------
    GapFitRun
        Paths, timing, the exact arguments and the potential's checksum.

    Raises
    ------
    FileNotFoundError
        If the executable is not on ``PATH`` (with an install hint).
    GapFitError
        If gap_fit exits non-zero, times out, or writes no potential. The
        message quotes gap_fit's error lines and the last 30 lines of the log.
    """
    if not arguments:
        raise ValueError("empty gap_fit argument list")
    launcher, source = resolve_launcher(launcher)
    if source == "default" and arguments[0] != GAP_FIT_EXECUTABLE:
        launcher = launcher.model_copy(update={"executable": arguments[0]})
    if n_threads is not None and launcher.n_threads is None:
        launcher = launcher.model_copy(update={"n_threads": n_threads})
    command, launch = launch_command(launcher, source)
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    log_path = workdir / LOG_NAME
    xml_path = output_xml_path(arguments, workdir)
    # gap_fit does not create the output directory (it segfaults writing sparseX)
    xml_path.parent.mkdir(parents=True, exist_ok=True)
    if xml_path.is_file():
        # a stale potential must not pass for the result of this run
        stale = [p for p in potential_files(xml_path) if p.is_file()]
        logger.info("removing the previous potential %s", [str(p) for p in stale])
        for path in stale:
            path.unlink()

    env = os.environ.copy()
    if launch.openmp:
        env["OMP_NUM_THREADS"] = str(launch.threads)
    # gfortran buffers stdout to a file: unbuffered, the log shows each stage as it starts
    # (the live display reads it: phonogap.fitting.gap_fit_progress)
    env.setdefault("GFORTRAN_UNBUFFERED_PRECONNECTED", "y")

    logger.info(
        "running gap_fit in %s (%s ranks, %d threads; from %s): %s",
        workdir,
        launch.ranks if launch.ranks is not None else "?",
        launch.threads,
        source,
        format_command([*command, *arguments[1:]]),
    )
    start = time.perf_counter()
    report_progress("gap_fit", log=str(log_path.resolve()))
    with log_path.open("wb") as log:
        # A new session makes gap_fit (and any wrapper that launches it) one process
        # group, killed together; the parent-death signal ends it if phonogap is killed.
        process = subprocess.Popen(
            [*command, *arguments[1:]],
            cwd=workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent(),
        )
        try:
            returncode = process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            raise GapFitError(
                f"gap_fit timed out after {timeout_s} s in {workdir} and was killed; "
                f"log: {log_path}\n{_log_excerpt(log_path)}",
                log_path,
                None,
            ) from None
        except BaseException:
            _kill_group(process)
            raise
    wall_time_s = time.perf_counter() - start

    if returncode != 0:
        raise GapFitError(
            f"gap_fit exited with status {returncode} in {workdir}; log: {log_path}\n"
            f"{_log_excerpt(log_path)}",
            log_path,
            returncode,
        )
    if not xml_path.is_file():
        raise GapFitError(
            f"gap_fit exited normally but wrote no potential at {xml_path}; log: {log_path}\n"
            f"{_log_excerpt(log_path)}",
            log_path,
            returncode,
        )
    run = finished_run(arguments, xml_path, log_path, wall_time_s, returncode)
    run.launch = launch
    return run


def finished_run(
    arguments: Sequence[str], xml_path: Path, log_path: Path, wall_time_s: float, returncode: int
) -> GapFitRun:
    """Check the files of a finished (or reused) fit, report its log and describe it.

    Parameters
    ----------
    arguments
        The gap_fit argument list.
    xml_path, log_path
        The potential and gap_fit's log.
    wall_time_s
        Wall time of the fit.
    returncode
        gap_fit's exit status.

    Returns
    -------
    GapFitRun
        The fit, with its checksum and the sparse points gap_fit really used.

    Raises
    ------
    GapFitError
        If a sparseX file the xml names is missing.
    """
    files = potential_files(xml_path)
    missing = [p for p in files[1:] if not p.is_file()]
    if missing:
        raise GapFitError(
            f"gap_fit wrote {xml_path} but not its sparse files {missing}; log: {log_path}",
            log_path,
            returncode,
        )

    n_targets, n_overrides, warnings = _parse_log(log_path)
    for line in warnings:
        if _EXPECTED_WARNING in line:
            logger.debug("gap_fit: %s", line)
        else:
            logger.warning("gap_fit: %s", line)
    virial_names = [t.split("=", 1)[1] for t in arguments if t.startswith("virial_parameter_name=")]
    if virial_names and virial_names[-1] != IGNORE and n_targets.get("virials") == 0:
        logger.warning(
            "gap_fit found no virials under %r: check that they are written as 9 numbers "
            "(ASE writes other 3x3 info arrays as '_JSON [[...]]', which gap_fit ignores)",
            virial_names[-1],
        )
    sha = potential_checksum(xml_path)
    logger.info(
        "gap_fit finished in %.1f s: %s (sha256 %s, targets %s)",
        wall_time_s,
        xml_path,
        sha,
        n_targets,
    )
    return GapFitRun(
        xml_path=xml_path,
        log_path=log_path,
        wall_time_s=wall_time_s,
        arguments=list(arguments),
        sha256=sha,
        sparse_paths=files[1:],
        n_targets=n_targets,
        n_sigma_overrides=n_overrides,
        n_sparse=[int(n) for n in re.findall(r'n_sparseX="(\d+)"', xml_path.read_text())],
        warnings=warnings,
    )
