"""Application layer: one row per structure of the campaigns and runs in a store."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from phonogap.jobs.campaign import CAMPAIGN_JOB
from phonogap.phonons.campaign_rows import structure_row
from phonogap.schemas.campaign import CampaignStructureRow, CampaignSummaryDocument
from phonogap.schemas.phonons import BenchmarkSummaryDocument
from phonogap.store.launchpad import launchpad_structures
from phonogap.store.queries import SUMMARY_JOB, as_model, document_query

if TYPE_CHECKING:
    from fireworks import LaunchPad
    from jobflow import JobStore

Key = tuple[str, str]
"""(campaign or run name, structure name)."""


def campaign_rows(
    store: JobStore,
    campaign: str | None = None,
    formula: str | None = None,
    mp_id: str | None = None,
    launchpad: LaunchPad | None = None,
) -> list[CampaignStructureRow]:
    """One row per structure of the campaigns and runs in a store: state, RMS, flags, kappa.

    A structure is ``done``/``dropped`` when its summary is in the store; otherwise its state
    comes from the launchpad if given (``failed``, ``running``, ``waiting``, ``completed``),
    else from the campaign summary job (``failed``), else it is ``incomplete``. With a
    launchpad, every structure submitted there is listed, also before any of its jobs ran.

    Runs that are not campaigns (``phonogap run``, or a workflow of several structures
    submitted as one flow) give one row per structure of their newest summary, with the run's
    name as ``campaign``, so ``formula`` and ``mp_id`` select them too.

    Parameters
    ----------
    store
        A connected JobStore.
    campaign
        Only this campaign (or run).
    formula
        Only this reduced formula (e.g. ``Si``; ``Si2`` matches as well).
    mp_id
        Only this Materials Project id.
    launchpad
        A FireWorks ``LaunchPad`` to ask for the submitted structures and their state.

    Returns
    -------
    list of CampaignStructureRow
        Sorted by campaign and structure.
    """
    selector: Any = campaign if campaign else {"$exists": True}
    rows: dict[Key, CampaignStructureRow] = {}
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
        document_query(CampaignSummaryDocument, CAMPAIGN_JOB, **{"metadata.campaign": selector}),
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
        _add_launchpad_states(rows, launchpad, campaign)
    # finished structures: their newest benchmark summary
    docs = store.query(
        document_query(BenchmarkSummaryDocument, SUMMARY_JOB, **{"metadata.campaign": selector}),
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
    rows.update(run_rows(store, campaign))
    wanted = _reduced(formula)
    selected = [
        row
        for row in rows.values()
        if (formula is None or _reduced(row.formula) == wanted)
        and (mp_id is None or row.mp_id == mp_id)
    ]
    return sorted(selected, key=lambda row: (row.campaign, row.structure))


def _add_launchpad_states(
    rows: dict[Key, CampaignStructureRow], launchpad: LaunchPad, campaign: str | None
) -> None:
    """Add the structures submitted to a launchpad; give unfinished ones its state."""
    for key, found in launchpad_structures(launchpad, campaign).items():
        known = rows.get(key)
        if known is None:
            rows[key] = CampaignStructureRow(campaign=key[0], structure=key[1], **found)
        elif known.state in ("incomplete", "failed"):
            rows[key] = known.model_copy(update={"state": found["state"]})


def run_rows(store: JobStore, run_name: str | None = None) -> dict[Key, CampaignStructureRow]:
    """One row per structure of the runs that are not campaigns, from their newest summary.

    These are the benchmark summaries without ``metadata.structure``: ``phonogap run`` (and
    ``demo``, scans' variants, extension benchmarks) and flows of several structures
    submitted as one. A structure of a newer summary of the same run replaces the older row.

    Parameters
    ----------
    store
        A connected JobStore.
    run_name
        Only summaries of this ``run_name`` (or ``metadata.campaign``).

    Returns
    -------
    dict
        ``(run name, structure)`` to its row (``done``, ``dropped`` or ``failed``).
    """
    criteria: dict[str, Any] = {"metadata.structure": {"$exists": False}}
    if run_name:
        criteria["$and"] = [
            {"$or": [{"output.run_name": run_name}, {"metadata.campaign": run_name}]}
        ]
    docs = store.query(
        document_query(BenchmarkSummaryDocument, SUMMARY_JOB, **criteria),
        properties=["uuid", "output"],
        sort={"completed_at": 1},
    )
    rows: dict[Key, CampaignStructureRow] = {}
    for doc in docs:
        summary = as_model(doc["output"], BenchmarkSummaryDocument)
        names = [row.name for row in summary.rows] + summary.failed
        names += [item.name for item in summary.dropped]
        for name in names:
            row = summary.row(name)
            key = (summary.run_name, name)
            rows[key] = structure_row(
                summary.run_name, name, summary, row.formula if row else None,
                row.mp_id if row else None, summary_uuid=doc["uuid"],
            )  # fmt: skip
    return rows


def _reduced(formula: str | None) -> str | None:
    """Return pymatgen's reduced formula (``Si2`` -> ``Si``), or the text if unparsable."""
    if formula is None:
        return None
    from pymatgen.core import Composition

    try:
        return Composition(formula).reduced_formula
    except (ValueError, KeyError):
        return formula
