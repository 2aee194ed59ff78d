"""Finished fits kept by the checksum of their inputs, so a rerun reuses them.

A fit's key is the sha256 of its gap_fit command line and training file(s)
(:func:`fit_key`). How gap_fit is launched (``mpirun -np 2``, another build of the same
gap_fit, threads) is not part of the key: it changes the time a fit takes, not the potential
(beyond floating-point round-off of the parallel linear algebra), so a fit made with
``mpirun -np 2`` is reused by a serial run and vice versa; the fit document's ``launch``
records how the reused fit was made (``reused: true``).

:func:`run_gap_fit_or_reuse` copies a cached fit into the job folder, or runs gap_fit and
stores the result whole (staged, then renamed) under ``$PHONOGAP_FIT_CACHE_DIR/<key>``;
``phonogap run`` points it at ``OUT/jobs/.fits``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from phonogap.fitting.gap_fit import LOG_NAME
from phonogap.fitting.gap_fit_run import GapFitRun, finished_run, output_xml_path, run_gap_fit
from phonogap.fitting.launcher import GapFitLaunch, GapFitLauncher

logger = logging.getLogger(__name__)

FIT_CACHE_VARIABLE = "PHONOGAP_FIT_CACHE_DIR"
"""Directory of finished fits keyed by :func:`fit_key`; ``phonogap run`` sets ``OUT/jobs/.fits``."""

_CACHE_RECORD = "fit.json"


def _input_files(arguments: Sequence[str], workdir: Path) -> list[Path]:
    files = []
    for token in arguments:
        key, _, value = token.partition("=")
        if key in ("atoms_filename", "at_file"):
            path = Path(value)
            files.append(path if path.is_absolute() else workdir / path)
    return files


def fit_key(arguments: Sequence[str], workdir: Path) -> str:
    """Checksum of a fit's inputs: the training file(s) and the gap_fit command line.

    Parameters
    ----------
    arguments
        The gap_fit argument list (relative paths are relative to ``workdir``).
    workdir
        Where gap_fit runs.

    Returns
    -------
    str
        sha256 hex digest; equal inputs give equal keys, in any directory.
    """
    digest = hashlib.sha256("\0".join(arguments).encode())
    for path in _input_files(arguments, Path(workdir)):
        digest.update(b"\0" + path.read_bytes())
    return digest.hexdigest()


def run_gap_fit_or_reuse(
    arguments: list[str],
    workdir: Path,
    *,
    n_threads: int | None = None,
    timeout_s: float | None = None,
    cache_dir: str | Path | None = None,
    launcher: GapFitLauncher | None = None,
) -> GapFitRun:
    """Reuse a finished fit with the same inputs, else run gap_fit and remember the result.

    Parameters
    ----------
    arguments, workdir, n_threads, timeout_s, launcher
        As for :func:`run_gap_fit`; the launcher is not part of the key (see above).
    cache_dir
        Finished fits, one folder per :func:`fit_key`; default ``$PHONOGAP_FIT_CACHE_DIR``.
        Without either, gap_fit always runs.

    Returns
    -------
    GapFitRun
        The fit, its files in ``workdir`` either way (copied from the cache when reused).
    """
    cache_dir = cache_dir or os.environ.get(FIT_CACHE_VARIABLE)
    if not cache_dir:
        return run_gap_fit(
            arguments, workdir, n_threads=n_threads, timeout_s=timeout_s, launcher=launcher
        )
    workdir = Path(workdir)
    key = fit_key(arguments, workdir)
    entry = Path(cache_dir) / key
    xml_path = output_xml_path(arguments, workdir)
    record = entry / _CACHE_RECORD
    if record.is_file() and (entry / xml_path.name).is_file():
        logger.info("reusing the finished fit %s from %s", key[:12], entry)
        xml_path.parent.mkdir(parents=True, exist_ok=True)
        for path in entry.iterdir():
            if path.name == LOG_NAME:
                shutil.copy2(path, workdir / LOG_NAME)
            elif path.name != _CACHE_RECORD:
                shutil.copy2(path, xml_path.parent / path.name)
        saved = json.loads(record.read_text())
        run = finished_run(arguments, xml_path, workdir / LOG_NAME, float(saved["wall_time_s"]), 0)
        if saved.get("launch"):
            run.launch = GapFitLaunch.model_validate({**saved["launch"], "reused": True})
        return run
    run = run_gap_fit(
        arguments, workdir, n_threads=n_threads, timeout_s=timeout_s, launcher=launcher
    )
    staging = entry.with_name(f".{key}.{os.getpid()}")
    try:
        staging.mkdir(parents=True, exist_ok=True)
        for path in [*run.files, run.log_path]:
            shutil.copy2(path, staging / path.name)
        launch = run.launch.model_dump() if run.launch else None
        record_text = json.dumps({"wall_time_s": run.wall_time_s, "launch": launch})
        (staging / _CACHE_RECORD).write_text(record_text)
        staging.rename(entry)  # whole or not at all
    except OSError as exc:
        logger.warning("could not keep the finished fit in %s for reuse: %s", entry, exc)
        shutil.rmtree(staging, ignore_errors=True)
    return run
