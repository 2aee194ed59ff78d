"""Settings of the relaxation and structure filters."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class RelaxSettings(BaseModel):
    """How structures are relaxed (cell and positions)."""

    model_config = ConfigDict(extra="forbid")

    fmax_ev_per_ang: float = Field(1e-5, gt=0, description="Force convergence (eV/Å)")
    max_steps: int = Field(2000, gt=0, description="Optimiser step limit")
    relax_cell: bool = Field(True, description="Relax lattice vectors as well as positions")


class FilterSettings(BaseModel):
    """Which structures enter the database (the paper's StructureMatcher filter)."""

    model_config = ConfigDict(extra="forbid")

    ltol: float = Field(0.1, gt=0, description="StructureMatcher fractional length tolerance")
    stol: float = Field(0.1, gt=0, description="StructureMatcher site tolerance")
    angle_tol: float = Field(3.0, gt=0, description="StructureMatcher angle tolerance (degrees)")
    max_atoms: int | None = Field(None, gt=0, description="Drop unit cells with more atoms")
