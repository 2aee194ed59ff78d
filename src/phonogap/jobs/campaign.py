"""Workflow layer: the campaign summary job."""

from __future__ import annotations

from typing import Any

from jobflow import JobConfig, OnMissing, job

from phonogap.phonons.campaign_rows import structure_row, summarise_rows
from phonogap.schemas.campaign import CampaignStructureRow, CampaignSummaryDocument
from phonogap.schemas.phonons import BenchmarkSummaryDocument

CAMPAIGN_JOB = "summarise_campaign"
"""Name of the campaign summary job (found in stores by it)."""


@job(
    name=CAMPAIGN_JOB,
    output_schema=CampaignSummaryDocument,
    config=JobConfig(on_missing_references=OnMissing.NONE),
)
def summarise_campaign(
    campaign: str,
    identities: list[dict[str, Any]],
    summaries: list[BenchmarkSummaryDocument | None],
    finished: list[dict[str, Any]],
) -> CampaignSummaryDocument:
    """Collect the structures of a campaign; runs even when some structures failed.

    Parameters
    ----------
    campaign
        Campaign name.
    identities
        ``{"structure", "formula", "mp_id"}`` of each structure run now.
    summaries
        Their flows' summaries, same order (``None`` where a flow failed).
    finished
        Rows (dicts) of structures finished in earlier runs and skipped now.

    Returns
    -------
    CampaignSummaryDocument
        One row per structure.
    """
    rows = [CampaignStructureRow.model_validate(row) for row in finished]
    for identity, summary in zip(identities, summaries, strict=True):
        rows.append(
            structure_row(
                campaign,
                identity["structure"],
                summary,
                identity["formula"],
                identity["mp_id"],
            )
        )
    return summarise_rows(campaign, rows)
