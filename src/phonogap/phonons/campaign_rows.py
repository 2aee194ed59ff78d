"""Campaign rows: one structure's benchmark summary (or its absence) as a row, and totals."""

from __future__ import annotations

import statistics

from phonogap.schemas.campaign import CampaignStructureRow, CampaignSummaryDocument
from phonogap.schemas.phonons import BenchmarkSummaryDocument

FINISHED_STATES = ("done", "dropped")
"""Row states of a structure whose flow finished (not run again by a campaign rerun)."""


def structure_row(
    campaign: str,
    name: str,
    summary: BenchmarkSummaryDocument | dict | None,
    formula: str | None = None,
    mp_id: str | None = None,
    summary_uuid: str | None = None,
) -> CampaignStructureRow:
    """Turn one structure's benchmark summary (or its absence) into a campaign row.

    Parameters
    ----------
    campaign
        Campaign name.
    name
        Structure name.
    summary
        The structure flow's summary output; ``None`` if the flow failed.
    formula, mp_id
        Identity of the structure.
    summary_uuid
        uuid of the summary job, for tracing.

    Returns
    -------
    CampaignStructureRow
        State ``done`` with numbers, ``dropped`` with a reason, or ``failed``.
    """
    base = {"campaign": campaign, "structure": name, "formula": formula, "mp_id": mp_id}
    if summary is None:
        return CampaignStructureRow(**base, state="failed", reason="a job of its flow failed")
    if not isinstance(summary, BenchmarkSummaryDocument):
        summary = BenchmarkSummaryDocument.model_validate(summary)
    base["summary_uuid"] = summary_uuid
    row = summary.row(name)
    if row is not None:
        kappa = {item.name: item for item in summary.kappa}
        gap, reference = kappa.get(f"{name} GAP"), kappa.get(f"{name} reference")
        return CampaignStructureRow(
            **{**base, "formula": row.formula or formula, "mp_id": row.mp_id or mp_id},
            state="done",
            rms_thz=row.rms_thz,
            max_abs_error_thz=row.max_abs_error_thz,
            imaginary_reference=row.imaginary_reference,
            imaginary_potential=row.imaginary_potential,
            false_instability=row.false_instability,
            kappa_temperatures_k=(gap or reference).temperatures_k if gap or reference else [],
            kappa_gap_w_per_mk=gap.kappa_w_per_mk if gap else [],
            kappa_reference_w_per_mk=reference.kappa_w_per_mk if reference else [],
        )
    dropped = [item for item in summary.dropped if item.name == name]
    if dropped:
        return CampaignStructureRow(**base, state="dropped", reason=dropped[0].reason)
    return CampaignStructureRow(**base, state="failed", reason="no benchmark row in its summary")


def summarise_rows(campaign: str, rows: list[CampaignStructureRow]) -> CampaignSummaryDocument:
    """Build the campaign summary of a list of rows.

    Parameters
    ----------
    campaign
        Campaign name.
    rows
        One row per structure.

    Returns
    -------
    CampaignSummaryDocument
        Rows sorted by structure, counts and the median RMS over done structures.
    """
    rows = sorted(rows, key=lambda row: row.structure)
    rms = [row.rms_thz for row in rows if row.rms_thz is not None]
    return CampaignSummaryDocument(
        campaign=campaign,
        rows=rows,
        n_done=sum(row.state == "done" for row in rows),
        n_failed=sum(row.state == "failed" for row in rows),
        median_rms_thz=statistics.median(rms) if rms else None,
        n_false_instabilities=sum(bool(row.false_instability) for row in rows),
    )
