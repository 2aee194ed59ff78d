"""Application layer: results as JSON and CSV files (results.json, campaign tables)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from phonogap.errors import PhonogapError
from phonogap.schemas.campaign import CampaignStructureRow

if TYPE_CHECKING:
    from phonogap.schemas.phonons import BenchmarkSummaryDocument


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
