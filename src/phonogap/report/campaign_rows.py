"""Application layer: one row per structure of the campaigns in a store."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from phonogap.jobs.campaign import CAMPAIGN_JOB
from phonogap.phonons.campaign_rows import structure_row
from phonogap.schemas.campaign import CampaignStructureRow, CampaignSummaryDocument
from phonogap.schemas.phonons import BenchmarkSummaryDocument
from phonogap.store.launchpad import launchpad_states
from phonogap.store.queries import SUMMARY_JOB, document_query

if TYPE_CHECKING:
    from fireworks import LaunchPad
    from jobflow import JobStore


def campaign_rows(
    store: JobStore,
    campaign: str | None = None,
    formula: str | None = None,
    mp_id: str | None = None,
    launchpad: LaunchPad | None = None,
) -> list[CampaignStructureRow]:
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
        for key, state in launchpad_states(launchpad, campaign).items():
            if key in rows and rows[key].state in ("incomplete", "failed"):
                rows[key] = rows[key].model_copy(update={"state": state})
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
    selected = [
        row
        for row in rows.values()
        if (formula is None or row.formula == formula) and (mp_id is None or row.mp_id == mp_id)
    ]
    return sorted(selected, key=lambda row: (row.campaign, row.structure))
