"""Application layer: write the files of a run, scan or extension from the store.

results.json (or scan.json, melt_quench.json) and the figures, one directory per run.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from phonogap.phonons.band_path import BandPath
from phonogap.report.exports import write_json, write_results_json
from phonogap.report.figures import plot_band_overlay, plot_kappa, plot_rms_bars, plot_scan
from phonogap.report.figures_md import (
    plot_melt_quench_errors,
    plot_phase_errors,
    plot_rms_comparison,
)
from phonogap.schemas.scans import ScanSummaryDocument
from phonogap.store.queries import benchmark_document

if TYPE_CHECKING:
    from jobflow import JobStore

    from phonogap.schemas.md import MeltQuenchErrorsDocument
    from phonogap.schemas.phonons import BenchmarkSummaryDocument


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
    dump = document.model_dump(mode="json")
    payload = {
        key: dump[key]
        for key in (
            "phase_errors",
            "phase_diagnostics",
            "potentials",
            "reference",
            "settings",
            "n_atoms",
            "n_snapshots",
        )
    }
    return [
        write_json(payload, out_dir / "melt_quench.json"),
        plot_phase_errors(dump["phase_errors"], out_dir / "melt_quench_phase_errors.png"),
        plot_melt_quench_errors(dump["snapshot_errors"], out_dir / "melt_quench_errors.png"),
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
        Label to an entry of :func:`phonogap.store.queries.find_summaries`.
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
        label: {row.name: row.rms_thz for row in found["summary"].rows}
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
        An entry of :func:`phonogap.store.queries.find_summaries`.
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
        rows = [row.model_dump() for row in summary.rows]
        written.append(plot_rms_bars(rows, out_dir / "rms.png", title=title))
    for row in summary.rows:
        document = benchmark_document(store, found["uuid"], row.name)
        if not document or not document.get("bands"):
            continue
        bands = document["bands"]
        png = out_dir / f"bands_{row.name}.png"
        plot_band_overlay(
            band_path_from_document(bands),
            np.asarray(bands["reference_thz"]),
            np.asarray(bands["potential_thz"]),
            png,
            title=f"{row.name} ({row.formula}): RMS {row.rms_thz:.3f} THz",
            labels=(summary.settings.get("reference", "reference"), "GAP"),
        )
        written.append(png)
    if summary.kappa:
        written.append(
            plot_kappa(
                [row.model_dump() for row in summary.kappa],
                out_dir / "kappa.png",
                title=f"{summary.run_name}: κ(T)",
            )
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
    dump = summary.model_dump(mode="json")
    written = [write_json(dump, out_dir / "scan.json")]
    if summary.rows:
        png = out_dir / f"scan_{summary.parameter}.png"
        written.append(plot_scan(dump["rows"], summary.parameter, png, title=summary.run_name))
    return written
