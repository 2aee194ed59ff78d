"""Read benchmark results back from a JobStore and export them."""

from __future__ import annotations

import json
from collections.abc import Container
from pathlib import Path
from typing import TYPE_CHECKING, Any

from phonogap.schemas.md import MeltQuenchErrorsDocument
from phonogap.schemas.phonons import BenchmarkSummaryDocument
from phonogap.schemas.scans import ScanSummaryDocument

if TYPE_CHECKING:
    from jobflow import JobStore

SUMMARY_JOB = "summarise_benchmarks"
MELT_QUENCH_JOB = "melt_quench_errors"
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
    docs = store.query({"name": MELT_QUENCH_JOB}, properties=["uuid"], sort={"completed_at": -1})
    for doc in docs:
        if doc["uuid"] in uuids:
            return _as_model(store.get_output(doc["uuid"], load=True), MeltQuenchErrorsDocument)
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


def _launchpad_states(launchpad: Any, campaign: str | None) -> dict[tuple[str, str], str]:
    """Map (campaign, structure) to a state from the Fireworks of a launchpad."""
    query: dict[str, Any] = {"spec.structure": {"$exists": True}}
    query["spec.campaign"] = campaign if campaign else {"$exists": True}
    states: dict[tuple[str, str], set[str]] = {}
    for fw in launchpad.fireworks.find(
        query, {"state": 1, "spec.campaign": 1, "spec.structure": 1}
    ):
        key = (fw["spec"]["campaign"], fw["spec"]["structure"])
        states.setdefault(key, set()).add(fw["state"])
    result = {}
    for key, found in states.items():
        if "FIZZLED" in found:
            result[key] = "failed"
        elif found & {"RUNNING", "RESERVED"}:
            result[key] = "running"
        elif found & {"READY", "WAITING"}:
            result[key] = "waiting"
        else:
            result[key] = "incomplete"
    return result


def campaign_rows(
    store: JobStore,
    campaign: str | None = None,
    formula: str | None = None,
    mp_id: str | None = None,
    launchpad: Any = None,
) -> list[Any]:
    """One row per structure of the campaigns in a store: state, RMS, flags, kappa.

    A structure is ``done``/``dropped`` when its summary is in the store; otherwise its state
    comes from the launchpad if given (``failed``, ``running``, ``waiting``), else from the
    campaign summary job (``failed``), else it is ``incomplete``.

    Parameters
    ----------
    store
        A connected JobStore.
    campaign
        Only this campaign.
    formula
        Only this reduced formula (e.g. ``Si``).
    mp_id
        Only this Materials Project id.
    launchpad
        A FireWorks ``LaunchPad`` to ask for the state of unfinished structures.

    Returns
    -------
    list of CampaignStructureRow
        Sorted by campaign and structure.
    """
    from phonogap.campaign import CAMPAIGN_JOB, structure_row
    from phonogap.schemas.campaign import CampaignStructureRow

    selector: Any = campaign if campaign else {"$exists": True}
    rows: dict[tuple[str, str], CampaignStructureRow] = {}
    # structures known from any job (incomplete until something better is known)
    for doc in store.query({"metadata.campaign": selector}, properties=["metadata"]):
        metadata = doc.get("metadata") or {}
        if metadata.get("structure"):
            key = (metadata["campaign"], metadata["structure"])
            rows.setdefault(
                key,
                CampaignStructureRow(
                    campaign=key[0],
                    structure=key[1],
                    formula=metadata.get("formula"),
                    mp_id=metadata.get("mp_id"),
                    state="incomplete",
                ),
            )
    # failed structures recorded by campaign summary jobs (oldest first, newer overwrite)
    summaries = store.query(
        {"name": CAMPAIGN_JOB, "metadata.campaign": selector},
        properties=["output"],
        sort={"completed_at": 1},
    )
    for doc in summaries:
        for row in doc["output"].get("rows", []):
            key = (row["campaign"], row["structure"])
            known = rows.get(key)
            if row["state"] == "failed" and (known is None or known.state != "done"):
                rows[key] = CampaignStructureRow.model_validate(row)
    if launchpad is not None:
        for key, state in _launchpad_states(launchpad, campaign).items():
            if key in rows and rows[key].state in ("incomplete", "failed"):
                rows[key] = rows[key].model_copy(update={"state": state})
    # finished structures: their newest benchmark summary
    docs = store.query(
        {"name": SUMMARY_JOB, "metadata.campaign": selector},
        properties=["uuid", "output", "metadata"],
        sort={"completed_at": 1},
    )
    for doc in docs:
        metadata = doc["metadata"]
        key = (metadata["campaign"], metadata.get("structure"))
        if key[1] is not None:
            rows[key] = structure_row(
                key[0], key[1], doc["output"], metadata.get("formula"), metadata.get("mp_id"),
                summary_uuid=doc["uuid"],
            )  # fmt: skip
    selected = [
        row
        for row in rows.values()
        if (formula is None or row.formula == formula) and (mp_id is None or row.mp_id == mp_id)
    ]
    return sorted(selected, key=lambda row: (row.campaign, row.structure))


def write_rows(rows: list[Any], path: Path) -> Path:
    """Export campaign rows as CSV or JSON (by the file's suffix).

    Parameters
    ----------
    rows
        :class:`~phonogap.schemas.campaign.CampaignStructureRow` objects.
    path
        ``*.csv`` (list fields joined with ``;``) or ``*.json``.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    ValueError
        If the suffix is neither ``.csv`` nor ``.json``.
    """
    import csv

    from phonogap.schemas.campaign import CampaignStructureRow

    records = [row.model_dump() for row in rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".json":
        path.write_text(json.dumps(records, indent=2))
    elif path.suffix == ".csv":
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
    else:
        raise ValueError(f"export file {path} must end in .csv or .json; rename it")
    return path
