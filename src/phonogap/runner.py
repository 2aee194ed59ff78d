"""Run a Flow locally into a JobStore and write the user-facing outputs."""

from __future__ import annotations

import itertools
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from jobflow import run_locally

from phonogap.phonons.band_path import BandPath
from phonogap.plotting import plot_band_overlay, plot_kappa, plot_rms_bars, plot_scan
from phonogap.results import benchmark_document, find_scans, find_summaries, write_results_json
from phonogap.schemas.scans import ScanSummaryDocument

if TYPE_CHECKING:
    from jobflow import Flow, JobStore

    from phonogap.schemas.phonons import BenchmarkSummaryDocument

logger = logging.getLogger(__name__)


class FlowFailedError(RuntimeError):
    """Raised when a flow finished without a benchmark summary."""


def run_flow(flow: Flow, store: JobStore, out_dir: Path) -> dict[str, Any]:
    """Run a flow with jobflow in ``out_dir/jobs`` and return its summary.

    Parameters
    ----------
    flow
        A PhononAccurateGapMaker flow.
    store
        Where outputs go.
    out_dir
        Job directories are created under ``out_dir/jobs``.

    Returns
    -------
    dict
        ``{"uuid", "completed_at", "summary"}`` of the run's summary job (a scan summary
        for scan flows).

    Raises
    ------
    FlowFailedError
        If no summary was produced (a step before the benchmarks failed).
    """
    jobs_dir = (out_dir / "jobs").resolve()
    jobs_dir.mkdir(parents=True, exist_ok=True)
    responses = run_locally(flow, store=store, create_folders=True, root_dir=jobs_dir, log=False)
    store.connect()
    for found in [*find_scans(store, flow.name), *find_summaries(store, flow.name)]:
        if found["uuid"] in responses:
            return found
    raise FlowFailedError(
        f"flow {flow.name} produced no benchmark summary; see the log above for the job that "
        f"failed and its directory under {jobs_dir}. Its finished outputs are kept in the store."
    )


def band_path_from_document(bands: dict[str, Any]) -> BandPath:
    """Rebuild a BandPath from stored band data.

    Parameters
    ----------
    bands
        The ``bands`` field of a benchmark document.

    Returns
    -------
    BandPath
        The q-point path.
    """
    qpoints = np.asarray(bands["qpoints"])
    bounds = np.cumsum([0, *bands["segment_lengths"]])
    segments = [qpoints[start:stop] for start, stop in itertools.pairwise(bounds)]
    return BandPath(
        qpoints=qpoints,
        segment_qpoints=segments,
        labels=list(bands["labels"]),
        connections=list(bands["connections"]),
        distances=np.asarray(bands["distances"]),
    )


def write_outputs(store: JobStore, found: dict[str, Any], out_dir: Path) -> list[Path]:
    """Write results.json, one band-overlay PNG per structure and κ(T) if computed.

    Parameters
    ----------
    store
        The store holding the run.
    found
        An entry of :func:`phonogap.results.find_summaries`.
    out_dir
        Output directory.

    Returns
    -------
    list of Path
        The files written.
    """
    if isinstance(found["summary"], ScanSummaryDocument):
        return write_scan_outputs(found["summary"], out_dir)
    summary: BenchmarkSummaryDocument = found["summary"]
    written = [write_results_json(summary, out_dir / "results.json")]
    if summary.rows:
        title = f"{summary.run_name}: GAP vs {summary.settings.get('reference', 'reference')}"
        written.append(plot_rms_bars(summary.rows, out_dir / "rms.png", title=title))
    for row in summary.rows:
        document = benchmark_document(store, found["uuid"], row["name"])
        if not document or not document.get("bands"):
            continue
        bands = document["bands"]
        png = out_dir / f"bands_{row['name']}.png"
        plot_band_overlay(
            band_path_from_document(bands),
            np.asarray(bands["reference_thz"]),
            np.asarray(bands["potential_thz"]),
            png,
            title=f"{row['name']} ({row['formula']}): RMS {row['rms_thz']:.3f} THz",
            labels=(summary.settings.get("reference", "reference"), "GAP"),
        )
        written.append(png)
    if summary.kappa:
        written.append(
            plot_kappa(summary.kappa, out_dir / "kappa.png", title=f"{summary.run_name}: κ(T)")
        )
    return written


def write_scan_outputs(summary: ScanSummaryDocument, out_dir: Path) -> list[Path]:
    """Write scan.json and the RMS-vs-parameter plot of a scan.

    Parameters
    ----------
    summary
        The scan summary.
    out_dir
        Output directory.

    Returns
    -------
    list of Path
        The files written.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / "scan.json"
    json_path.write_text(json.dumps(summary.model_dump(), indent=2, default=str))
    written = [json_path]
    if summary.rows:
        png = out_dir / f"scan_{summary.parameter}.png"
        written.append(plot_scan(summary.rows, summary.parameter, png, title=summary.run_name))
    return written
