"""Read benchmark results back from a JobStore and export them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from phonogap.schemas.phonons import BenchmarkSummaryDocument
from phonogap.schemas.scans import ScanSummaryDocument

if TYPE_CHECKING:
    from jobflow import JobStore

SUMMARY_JOB = "summarise_benchmarks"
SCAN_SUMMARY_JOB = "summarise_scan"
BENCHMARK_JOB_PREFIX = "phonon_benchmark "


def _as_model(output: Any, model: type[Any]) -> Any:
    if isinstance(output, model):
        return output
    fields = {k: v for k, v in output.items() if not k.startswith("@")}
    return model.model_validate(fields)


def _find(
    store: JobStore, job_name: str, model: type[Any], run_name: str | None
) -> list[dict[str, Any]]:
    criteria: dict[str, Any] = {"name": job_name}
    if run_name:
        criteria["output.run_name"] = run_name
    found = [
        {
            "uuid": doc["uuid"],
            "completed_at": str(doc.get("completed_at", "")),
            "summary": _as_model(doc["output"], model),
        }
        for doc in store.query(criteria, properties=["uuid", "completed_at", "output"])
        if doc.get("output") is not None
    ]
    return sorted(found, key=lambda item: item["completed_at"], reverse=True)


def find_summaries(store: JobStore, run_name: str | None = None) -> list[dict[str, Any]]:
    """Find benchmark summaries in a store, newest first.

    Parameters
    ----------
    store
        A connected JobStore.
    run_name
        Only runs of this name.

    Returns
    -------
    list of dict
        ``{"uuid", "completed_at", "summary": BenchmarkSummaryDocument}``.
    """
    return _find(store, SUMMARY_JOB, BenchmarkSummaryDocument, run_name)


def find_scans(store: JobStore, run_name: str | None = None) -> list[dict[str, Any]]:
    """Find scan summaries (f scans, learning curves) in a store, newest first.

    Parameters
    ----------
    store
        A connected JobStore.
    run_name
        Only scans of this name.

    Returns
    -------
    list of dict
        ``{"uuid", "completed_at", "summary": ScanSummaryDocument}``.
    """
    return _find(store, SCAN_SUMMARY_JOB, ScanSummaryDocument, run_name)


def benchmark_document(store: JobStore, summary_uuid: str, name: str) -> dict[str, Any] | None:
    """Load one structure's full benchmark document (with band data) of a run.

    Parameters
    ----------
    store
        A connected JobStore.
    summary_uuid
        uuid of the run's summary job (its siblings share the flow hierarchy).
    name
        Structure name.

    Returns
    -------
    dict or None
        The document with ``bands`` loaded from the data store.
    """
    summary = store.query_one({"uuid": summary_uuid}, properties=["hosts"])
    criteria: dict[str, Any] = {"name": BENCHMARK_JOB_PREFIX + name}
    if summary and summary.get("hosts"):
        criteria["hosts"] = summary["hosts"][0]
    doc = store.query_one(criteria, properties=["uuid"], sort={"completed_at": -1})
    if doc is None:
        return None
    return store.get_output(doc["uuid"], load=True)


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
    return {
        "run_name": summary.run_name,
        "settings": summary.settings,
        "fit": summary.fit,
        "median_rms_thz": summary.median_rms_thz,
        "n_false_instabilities": summary.n_false_instabilities,
        "structures": summary.rows,
        "failed": summary.failed,
        "dropped": summary.dropped,
        "kappa": summary.kappa,
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
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results_payload(summary), indent=2, default=str))
    return path
