"""Application layer: campaigns against a store (skip finished structures, build the Flow).

The Flow itself is built by :class:`~phonogap.flows.campaign.CampaignMaker`; this module
adds what needs a JobStore (which structures already finished) and a workflow file.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from phonogap.phonons.campaign_rows import FINISHED_STATES, structure_row
from phonogap.schemas.campaign import CampaignStructureRow
from phonogap.schemas.phonons import BenchmarkSummaryDocument
from phonogap.store.queries import SUMMARY_JOB, document_query

if TYPE_CHECKING:
    from jobflow import Flow, JobStore
    from pymatgen.core import Structure

    from phonogap.config import WorkflowFile

logger = logging.getLogger(__name__)


def finished_structures(store: JobStore, campaign: str) -> dict[str, CampaignStructureRow]:
    """Find structures of a campaign whose flows finished (done or dropped) in a store.

    Parameters
    ----------
    store
        A connected JobStore.
    campaign
        Campaign name.

    Returns
    -------
    dict
        Structure name to its newest finished row.
    """
    found: dict[str, CampaignStructureRow] = {}
    docs = store.query(
        document_query(BenchmarkSummaryDocument, SUMMARY_JOB, **{"metadata.campaign": campaign}),
        properties=["uuid", "output", "metadata", "completed_at"],
        sort={"completed_at": -1},
    )
    for doc in docs:
        metadata = doc.get("metadata") or {}
        name = metadata.get("structure")
        if name is None or name in found:
            continue
        row = structure_row(
            campaign, name, doc["output"], metadata.get("formula"), metadata.get("mp_id"),
            summary_uuid=doc["uuid"],
        )  # fmt: skip
        if row.state in FINISHED_STATES:
            found[name] = row
    return found


@dataclass
class Campaign:
    """A campaign Flow and what it leaves out.

    Attributes
    ----------
    name
        Campaign name (``metadata.campaign`` of every job).
    flow
        One sub-flow per structure to run, then the ``summarise_campaign`` job.
    structures
        Name to structure of the structures run now.
    mp_ids
        Name to Materials Project id where known.
    skipped
        Structures finished in earlier runs (not run again), with their rows.
    """

    name: str
    flow: Flow
    structures: dict[str, Structure]
    mp_ids: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, CampaignStructureRow] = field(default_factory=dict)


def build_campaign(
    workflow: WorkflowFile,
    structures: dict[str, Structure],
    mp_ids: dict[str, str] | None = None,
    store: JobStore | None = None,
) -> Campaign:
    """Build one flow per structure of a workflow, plus the campaign summary job.

    Parameters
    ----------
    workflow
        A validated workflow file (its ``campaign`` section, or defaults if absent).
    structures
        Name to structure.
    mp_ids
        Name to Materials Project id.
    store
        Where earlier results live; structures finished there are skipped when the
        campaign's ``skip_finished`` is true. ``None``: run everything.

    Returns
    -------
    Campaign
        The Flow and the skipped structures.
    """
    from phonogap.config.sections import CampaignSection

    mp_ids = mp_ids or {}
    maker = (workflow.campaign or CampaignSection()).maker(workflow.maker)
    finished: dict[str, CampaignStructureRow] = {}
    if store is not None and maker.skip_finished:
        store.connect()
        finished = {
            key: row
            for key, row in finished_structures(store, maker.name).items()
            if key in structures
        }
    return Campaign(
        name=maker.name,
        flow=maker.make(structures, mp_ids, finished=finished),
        structures={k: s for k, s in structures.items() if k not in finished},
        mp_ids=mp_ids,
        skipped=finished,
    )
