"""Application layer: results as files (results.json, campaign tables, phonopy/pymatgen files)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from phonogap.errors import PhonogapError
from phonogap.schemas.campaign import CampaignStructureRow

if TYPE_CHECKING:
    from jobflow import JobStore

    from phonogap.schemas.phonons import BenchmarkSummaryDocument

BENCHMARK_FILES = {
    "reference_phonopy_yaml": "reference_phonopy.yaml",
    "potential_phonopy_yaml": "potential_phonopy.yaml",
    "reference_band_structure": "reference_band_structure.json",
    "potential_band_structure": "potential_band_structure.json",
}
"""Field of a stored phonon benchmark document -> file written by :func:`export_benchmarks`."""


class ExportError(PhonogapError, ValueError):
    """Raised when an export file cannot be written as asked (e.g. an unknown suffix)."""


def write_json(payload: Any, path: Path) -> Path:
    """Write a JSON file (indented; objects JSON does not know as ``str``).

    Parameters
    ----------
    payload
        What to write.
    path
        Output file; parent directories are created.

    Returns
    -------
    Path
        The written file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, default=str))
    return path


def results_payload(summary: BenchmarkSummaryDocument) -> dict[str, Any]:
    """Build the results.json content of a run.

    Parameters
    ----------
    summary
        The run's summary document.

    Returns
    -------
    dict
        ``run_name``, ``settings``, ``fit``, ``structures`` (one row each), ``failed``,
        ``dropped``, ``median_rms_thz``, ``n_false_instabilities`` and ``kappa``.
    """
    document = summary.model_dump(mode="json")
    return {
        "run_name": document["run_name"],
        "settings": document["settings"],
        "fit": document["fit"] or {},
        "median_rms_thz": document["median_rms_thz"],
        "n_false_instabilities": document["n_false_instabilities"],
        "structures": document["rows"],
        "failed": document["failed"],
        "dropped": document["dropped"],
        "kappa": document["kappa"],
    }


def write_results_json(summary: BenchmarkSummaryDocument, path: Path) -> Path:
    """Write results.json.

    Parameters
    ----------
    summary
        The run's summary.
    path
        Output file.

    Returns
    -------
    Path
        The written file.
    """
    return write_json(results_payload(summary), path)


def write_rows(rows: list[CampaignStructureRow], path: Path) -> Path:
    """Export campaign rows as CSV or JSON (by the file's suffix).

    Parameters
    ----------
    rows
        One row per structure.
    path
        ``*.csv`` (list fields joined with ``;``) or ``*.json``.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    ExportError
        If the suffix is neither ``.csv`` nor ``.json``.
    """
    records = [row.model_dump() for row in rows]
    if path.suffix == ".json":
        return write_json(records, path)
    if path.suffix != ".csv":
        raise ExportError(f"export file {path} must end in .csv or .json; rename it")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(CampaignStructureRow.model_fields))
        writer.writeheader()
        for record in records:
            writer.writerow(
                {
                    key: ";".join(f"{v:g}" for v in value) if isinstance(value, list) else value
                    for key, value in record.items()
                }
            )
    return path


def write_benchmark_files(document: dict[str, Any], directory: Path) -> list[Path]:
    """Write one benchmark's phonopy YAMLs and pymatgen band structures.

    Parameters
    ----------
    document
        A phonon benchmark document loaded from the store (data fields included).
    directory
        Output folder (created).

    Returns
    -------
    list of Path
        The files written (:data:`BENCHMARK_FILES` present in the document; older
        documents without them give none).
    """
    from monty.json import MontyEncoder, jsanitize

    written = []
    for field, name in BENCHMARK_FILES.items():
        value = document.get(field)
        if value is None:
            continue
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / name
        if isinstance(value, str):
            path.write_text(value)
        else:
            payload = value.as_dict() if hasattr(value, "as_dict") else value
            path.write_text(json.dumps(jsanitize(payload, strict=True), cls=MontyEncoder))
        written.append(path)
    return written


def export_benchmarks(store: JobStore, found: list[dict[str, Any]], directory: Path) -> list[Path]:
    """Export the benchmarks of runs as files others can read.

    Writes ``directory/<run>/<structure>/`` ``reference_phonopy.yaml``,
    ``potential_phonopy.yaml`` (``phonopy.load``, ``phonogap compare-phonons``),
    ``reference_band_structure.json`` and ``potential_band_structure.json`` (pymatgen
    ``PhononBandStructureSymmLine.as_dict()``).

    Parameters
    ----------
    store
        A connected JobStore.
    found
        Runs as :func:`phonogap.store.queries.find_summaries` returns them, newest first;
        of several runs with the same name only the newest is exported.
    directory
        Output directory.

    Returns
    -------
    list of Path
        Every file written.
    """
    from phonogap.store.queries import benchmark_document

    written: list[Path] = []
    done: set[str] = set()
    for item in found:
        summary = item["summary"]
        if summary.run_name in done:
            continue
        done.add(summary.run_name)
        for row in summary.rows:
            document = benchmark_document(store, item["uuid"], row.name)
            if document is not None:
                folder = directory / summary.run_name / row.name
                written += write_benchmark_files(document, folder)
    return written
