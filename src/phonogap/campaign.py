"""Screening campaigns: one PhononAccurateGap flow per structure, plus a summary job.

Each structure gets its own Flow (its own database, GAP fit and phonon benchmark), tagged with
``metadata`` ``{campaign, structure, formula, mp_id}`` on every job, so its documents can be
found in the JobStore and its Fireworks on a launchpad. A failed structure never blocks the
others: the flows are independent and the summary job accepts missing outputs. Rebuilding a
campaign against a store skips structures whose results are already there.
"""

from __future__ import annotations

import dataclasses
import logging
import statistics
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from jobflow import Flow, JobConfig, OnMissing, job

from phonogap.schemas.campaign import CampaignStructureRow, CampaignSummaryDocument
from phonogap.schemas.phonons import BenchmarkSummaryDocument
from phonogap.store.launchpad import structure_metadata
from phonogap.store.queries import SUMMARY_JOB, as_model

if TYPE_CHECKING:
    from jobflow import JobStore
    from pymatgen.core import Structure

    from phonogap.workflow_file import WorkflowFile

logger = logging.getLogger(__name__)

CAMPAIGN_JOB = "summarise_campaign"
FINISHED_STATES = ("done", "dropped")


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
    summary = as_model(summary, BenchmarkSummaryDocument)
    base["summary_uuid"] = summary_uuid
    rows = [row for row in summary.rows if row["name"] == name]
    if rows:
        (row,) = rows
        kappa = {item["name"]: item for item in summary.kappa}
        gap, reference = kappa.get(f"{name} GAP"), kappa.get(f"{name} reference")
        return CampaignStructureRow(
            **{
                **base,
                "formula": row.get("formula") or formula,
                "mp_id": row.get("mp_id") or mp_id,
            },
            state="done",
            rms_thz=row["rms_thz"],
            max_abs_error_thz=row.get("max_abs_error_thz"),
            imaginary_reference=row["imaginary_reference"],
            imaginary_potential=row["imaginary_potential"],
            false_instability=row["false_instability"],
            kappa_temperatures_k=(gap or reference or {}).get("temperatures_k", []),
            kappa_gap_w_per_mk=(gap or {}).get("kappa_w_per_mk", []),
            kappa_reference_w_per_mk=(reference or {}).get("kappa_w_per_mk", []),
        )
    dropped = [item for item in summary.dropped if item.get("name") == name]
    if dropped:
        return CampaignStructureRow(**base, state="dropped", reason=dropped[0].get("reason"))
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


@job(name=CAMPAIGN_JOB, config=JobConfig(on_missing_references=OnMissing.NONE))
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
        {"name": SUMMARY_JOB, "metadata.campaign": campaign},
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
    from phonogap.workflow_file import CampaignSection, maker_from_workflow

    mp_ids = mp_ids or {}
    section = workflow.campaign or CampaignSection()
    name = section.name or workflow.name
    skipped: dict[str, CampaignStructureRow] = {}
    if store is not None and section.skip_finished:
        store.connect()
        skipped = {
            key: row for key, row in finished_structures(store, name).items() if key in structures
        }
    base_maker = maker_from_workflow(workflow)
    flows, identities, to_run = [], [], {}
    for structure_name, structure in sorted(structures.items()):
        if structure_name in skipped:
            logger.info("%s: %s already finished, skipping", name, structure_name)
            continue
        to_run[structure_name] = structure
        maker = dataclasses.replace(
            base_maker,
            name=f"{name} {structure_name}",
            kappa_structures=[k for k in base_maker.kappa_structures if k == structure_name],
        )
        ids = {structure_name: mp_ids[structure_name]} if structure_name in mp_ids else None
        flow = maker.make({structure_name: structure}, mp_ids=ids)
        metadata = structure_metadata(name, {structure_name: structure}, mp_ids)
        flow.update_metadata(metadata)
        flows.append(flow)
        identities.append({key: metadata[key] for key in ("structure", "formula", "mp_id")})
    summary = summarise_campaign(
        name,
        identities,
        [flow.output for flow in flows],
        [row.model_dump() for row in skipped.values()],
    )
    summary.update_metadata({"campaign": name})
    return Campaign(
        name=name,
        flow=Flow([*flows, summary], output=summary.output, name=name),
        structures=to_run,
        mp_ids=mp_ids,
        skipped=skipped,
    )
