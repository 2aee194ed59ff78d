"""Output document of a screening campaign's summary job."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

StructureState = Literal[
    "done", "dropped", "failed", "running", "waiting", "completed", "incomplete"
]


class CampaignStructureRow(BaseModel):
    """One structure of a campaign: its state and, when done, its benchmark numbers."""

    campaign: str
    structure: str
    formula: str | None = None
    mp_id: str | None = None
    state: StructureState = Field(
        description="done, dropped (StructureMatcher filter), failed, running, waiting, "
        "completed (every Firework completed but no summary in this store: another store?), "
        "or incomplete (no result yet and no launchpad to ask)"
    )
    rms_thz: float | None = Field(None, description="Phonon RMS error over the band path, THz")
    max_abs_error_thz: float | None = None
    imaginary_reference: bool | None = None
    imaginary_potential: bool | None = None
    false_instability: bool | None = None
    kappa_temperatures_k: list[float] = Field(default_factory=list)
    kappa_gap_w_per_mk: list[float] = Field(
        default_factory=list, description="Lattice thermal conductivity of the GAP, W/(m K)"
    )
    kappa_reference_w_per_mk: list[float] = Field(
        default_factory=list, description="Lattice thermal conductivity of the reference, W/(m K)"
    )
    reason: str | None = Field(None, description="Why a structure was dropped or failed")
    summary_uuid: str | None = Field(None, description="uuid of the structure's summary job")


class CampaignSummaryDocument(BaseModel):
    """All structures of a campaign, one row each (finished earlier or in this run)."""

    campaign: str
    rows: list[CampaignStructureRow]
    n_done: int
    n_failed: int
    median_rms_thz: float | None
    n_false_instabilities: int
