"""Application layer: find phonogap's output documents in a JobStore.

Results are found by the class of their output document: jobflow stores a pydantic output
with its class name in ``output.@class`` (and module in ``output.@module``), so
``{"output.@class": "BenchmarkSummaryDocument"}`` finds every run summary whatever its job is
called (:func:`document_query`). Outputs without the class key (hand-written or exported
documents) are still found by the job names below, kept as a fallback. Stored outputs become
pydantic documents again with :func:`as_model`.
"""

from __future__ import annotations

from collections.abc import Container
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from phonogap.errors import PhonogapError
from phonogap.schemas.md import MeltQuenchErrorsDocument
from phonogap.schemas.phonons import BenchmarkSummaryDocument, PhononBenchmarkDocument
from phonogap.schemas.scans import ScanSummaryDocument

if TYPE_CHECKING:
    from jobflow import JobStore

SUMMARY_JOB = "summarise_benchmarks"
"""Default name of the job whose output is a run's :class:`BenchmarkSummaryDocument`
(fallback for outputs stored without ``@class``)."""
MELT_QUENCH_JOB = "melt_quench_errors"
"""Default name of the job whose output is a :class:`MeltQuenchErrorsDocument` (fallback)."""
SCAN_SUMMARY_JOB = "summarise_scan"
"""Default name of the job whose output is a :class:`ScanSummaryDocument` (fallback)."""
BENCHMARK_JOB_PREFIX = "phonon_benchmark "
"""Prefix of the per-structure benchmark jobs, followed by the structure name (fallback)."""

Model = TypeVar("Model", bound=BaseModel)


class ResultNotFoundError(PhonogapError, ValueError):
    """Raised when the store holds no result of the kind or name asked for."""


def as_model(output: Model | dict[str, Any], model: type[Model]) -> Model:
    """Return a stored output as its pydantic document.

    Parameters
    ----------
    output
        A job output as the store returns it (a dict with ``@module``/``@class`` keys) or
        already a ``model``.
    model
        The document class.

    Returns
    -------
    BaseModel
        ``output`` validated as ``model`` (serialisation keys starting with ``@`` dropped).
    """
    if isinstance(output, model):
        return output
    fields = {k: v for k, v in output.items() if not k.startswith("@")}
    return model.model_validate(fields)


def document_query(
    model: type[BaseModel], job_name: str | None = None, **criteria: Any
) -> dict[str, Any]:
    """Build a JobStore query for the outputs of one document class.

    Parameters
    ----------
    model
        The document class; matched on ``output.@class`` (its ``__name__``).
    job_name
        Name of the job that wrote such outputs by default: outputs stored without
        ``output.@class`` are matched by it instead (old or hand-written documents).
    **criteria
        Further criteria, e.g. ``{"output.run_name": "si"}`` (keys with dots: pass a dict
        with ``**``).

    Returns
    -------
    dict
        A MongoDB-style query.
    """
    by_class = {"output.@class": model.__name__}
    if job_name is None:
        return {**by_class, **criteria}
    legacy = {"output.@class": {"$exists": False}, "name": job_name}
    return {"$or": [by_class, legacy], **criteria}


def _find(
    store: JobStore, job_name: str, model: type[BaseModel], run_name: str | None
) -> list[dict[str, Any]]:
    extra = {"output.run_name": run_name} if run_name else {}
    criteria = document_query(model, job_name, **extra)
    found = [
        {
            "uuid": doc["uuid"],
            "completed_at": str(doc.get("completed_at", "")),
            "summary": as_model(doc["output"], model),
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


def find_melt_quench_errors(
    store: JobStore, uuids: Container[str]
) -> MeltQuenchErrorsDocument | None:
    """Load the newest melt–quench errors document among some jobs.

    Parameters
    ----------
    store
        A connected JobStore.
    uuids
        Job uuids to choose from (e.g. the responses of one ``run_locally``).

    Returns
    -------
    MeltQuenchErrorsDocument or None
        With the per-snapshot errors and thermo log loaded from the data store.
    """
    docs = store.query(
        document_query(MeltQuenchErrorsDocument, MELT_QUENCH_JOB),
        properties=["uuid"],
        sort={"completed_at": -1},
    )
    for doc in docs:
        if doc["uuid"] in uuids:
            return as_model(store.get_output(doc["uuid"], load=True), MeltQuenchErrorsDocument)
    return None


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
    by_class = {"output.@class": PhononBenchmarkDocument.__name__, "output.name": name}
    legacy = {"output.@class": {"$exists": False}, "name": BENCHMARK_JOB_PREFIX + name}
    criteria: dict[str, Any] = {"$or": [by_class, legacy]}
    if summary and summary.get("hosts"):
        criteria["hosts"] = summary["hosts"][0]
    doc = store.query_one(criteria, properties=["uuid"], sort={"completed_at": -1})
    if doc is None:
        return None
    return store.get_output(doc["uuid"], load=True)
