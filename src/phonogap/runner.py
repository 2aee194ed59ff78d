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
from phonogap.plotting_md import plot_melt_quench_errors, plot_phase_errors, plot_rms_comparison
from phonogap.results import (
    benchmark_document,
    find_melt_quench_errors,
    find_scans,
    find_summaries,
    write_results_json,
)
from phonogap.schemas.scans import ScanSummaryDocument

if TYPE_CHECKING:
    from jobflow import Flow, JobStore

    from phonogap.schemas.md import MeltQuenchErrorsDocument
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
    responses = _run_locally(flow, store, out_dir)
    for found in [*find_scans(store, flow.name), *find_summaries(store, flow.name)]:
        if found["uuid"] in responses:
            return found
    raise FlowFailedError(_no_summary_message(flow, out_dir))


def _run_locally(flow: Flow, store: JobStore, out_dir: Path) -> dict[str, Any]:
    jobs_dir = (out_dir / "jobs").resolve()
    jobs_dir.mkdir(parents=True, exist_ok=True)
    responses = run_locally(flow, store=store, create_folders=True, root_dir=jobs_dir, log=False)
    store.connect()
    return responses


def _no_summary_message(flow: Flow, out_dir: Path) -> str:
    return (
        f"flow {flow.name} produced no benchmark summary; see the log above for the job that "
        f"failed and its directory under {(out_dir / 'jobs').resolve()}. Its finished outputs "
        "are kept in the store."
    )


def run_extension_flow(
    flow: Flow, store: JobStore, out_dir: Path, run_names: dict[str, str]
) -> tuple[dict[str, dict[str, Any]], MeltQuenchErrorsDocument | None]:
    """Run an ``extend_database`` flow and collect its summaries and melt–quench errors.

    Parameters
    ----------
    flow
        The flow of :func:`phonogap.workflow_extend.extension_flow`.
    store
        Where outputs go.
    out_dir
        Job directories are created under ``out_dir/jobs``.
    run_names
        Label (``extended``, ``base``) to the ``run_name`` of its benchmark summary.

    Returns
    -------
    tuple
        Label to ``{"uuid", "completed_at", "summary"}`` for the summaries this run produced
        (labels whose summary is missing are left out), and the melt–quench errors document
        of this run, or None.

    Raises
    ------
    FlowFailedError
        If no summary was produced at all (a step before the benchmarks failed).
    """
    responses = _run_locally(flow, store, out_dir)
    summaries = {}
    for label, run_name in run_names.items():
        mine = [found for found in find_summaries(store, run_name) if found["uuid"] in responses]
        if mine:
            summaries[label] = mine[0]
    if not summaries:
        raise FlowFailedError(_no_summary_message(flow, out_dir))
    return summaries, find_melt_quench_errors(store, responses)


def write_melt_quench_outputs(document: MeltQuenchErrorsDocument, out_dir: Path) -> list[Path]:
    """Write melt_quench.json and the per-phase and per-snapshot error plots.

    Parameters
    ----------
    document
        The melt–quench errors of the candidate potentials.
    out_dir
        Output directory.

    Returns
    -------
    list of Path
        The files written.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / "melt_quench.json"
    payload = {
        "phase_errors": document.phase_errors,
        "phase_diagnostics": document.phase_diagnostics,
        "potentials": document.potentials,
        "reference": document.reference,
        "settings": document.settings,
        "n_atoms": document.n_atoms,
        "n_snapshots": document.n_snapshots,
    }
    json_path.write_text(json.dumps(payload, indent=2, default=str))
    return [
        json_path,
        plot_phase_errors(document.phase_errors, out_dir / "melt_quench_phase_errors.png"),
        plot_melt_quench_errors(document.snapshot_errors, out_dir / "melt_quench_errors.png"),
    ]


def write_extension_outputs(
    store: JobStore,
    summaries: dict[str, dict[str, Any]],
    melt_quench: MeltQuenchErrorsDocument | None,
    out_dir: Path,
) -> list[Path]:
    """Write the outputs of an ``extend_database`` run.

    One directory per summary (``out_dir/extended``, ``out_dir/base``) as
    :func:`write_outputs` writes them, ``rms_comparison.png`` (base vs extended per
    structure) and, if the melt–quench benchmark ran, its JSON and plots.

    Parameters
    ----------
    store
        The store holding the run.
    summaries
        Label to an entry of :func:`phonogap.results.find_summaries`.
    melt_quench
        The melt–quench errors, or None.
    out_dir
        Output directory.

    Returns
    -------
    list of Path
        The files written.
    """
    written = []
    for label, found in summaries.items():
        written += write_outputs(store, found, out_dir / label)
    rms = {
        label: {row["name"]: row["rms_thz"] for row in found["summary"].rows}
        for label, found in summaries.items()
    }
    if any(rms.values()):
        title = "GAP vs reference phonons: " + " vs ".join(rms)
        written.append(plot_rms_comparison(rms, out_dir / "rms_comparison.png", title=title))
    if melt_quench is not None:
        written += write_melt_quench_outputs(melt_quench, out_dir)
    return written


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
