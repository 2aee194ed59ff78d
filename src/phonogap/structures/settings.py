"""Settings of the relaxation and structure filters."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from phonogap.structures.relax_guard import RelaxGuard


class RelaxSettings(BaseModel):
    """How structures are relaxed (cell and positions).

    A relaxation whose volume per atom leaves ``min_volume_ratio``–``max_volume_ratio`` times
    the starting one, or that brings two atoms closer than ``min_distance_ang``, is stopped
    with an error naming the structure, the volume change and the likely cause (see
    :mod:`phonogap.structures.relax_guard`).
    """

    model_config = ConfigDict(extra="forbid")

    fmax_ev_per_ang: float = Field(1e-5, gt=0, description="Force convergence (eV/Å)")
    max_steps: int = Field(2000, gt=0, description="Optimiser step limit")
    relax_cell: bool = Field(True, description="Relax lattice vectors as well as positions")
    min_volume_ratio: float = Field(
        0.5, gt=0, lt=1, description="Stop if the volume falls below this fraction of the start"
    )
    max_volume_ratio: float = Field(
        2.0, gt=1, description="Stop if the volume grows beyond this multiple of the start"
    )
    min_distance_ang: float = Field(
        0.5, ge=0, description="Stop if two atoms come closer than this (Å)"
    )

    def guard(self, name: str = "", likely_cause: str | None = None) -> RelaxGuard:
        """Return the relaxation guard of these settings.

        Parameters
        ----------
        name
            Structure name for the error message.
        likely_cause
            Likely cause for the error message (default: a generic one).

        Returns
        -------
        RelaxGuard
            The window of these settings.
        """
        return RelaxGuard(
            min_volume_ratio=self.min_volume_ratio,
            max_volume_ratio=self.max_volume_ratio,
            min_distance_ang=self.min_distance_ang,
            name=name,
            likely_cause=likely_cause,
        )


class FilterSettings(BaseModel):
    """Which structures enter the database (the paper's StructureMatcher filter)."""

    model_config = ConfigDict(extra="forbid")

    ltol: float = Field(0.1, gt=0, description="StructureMatcher fractional length tolerance")
    stol: float = Field(0.1, gt=0, description="StructureMatcher site tolerance")
    angle_tol: float = Field(3.0, gt=0, description="StructureMatcher angle tolerance (degrees)")
    max_atoms: int | None = Field(None, gt=0, description="Drop unit cells with more atoms")
