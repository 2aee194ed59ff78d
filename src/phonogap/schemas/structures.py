"""Documents of the structure preparation step (reference relaxation and filters)."""

from __future__ import annotations

from pydantic import BaseModel, Field
from pymatgen.core import Structure


class DroppedStructureRecord(BaseModel):
    """A structure that left the workflow, and why."""

    name: str
    reason: str


class RelaxedStructure(BaseModel):
    """One structure relaxed with the reference."""

    name: str
    mp_id: str | None = None
    initial: Structure
    relaxed: Structure
    energy_ev_per_atom: float
    max_force_ev_per_ang: float = Field(description="Largest residual force after relaxation")
    n_steps: int
    converged: bool


class RelaxationDocument(BaseModel):
    """Output of ``relax_with_reference``: kept structures and the dropped ones with reasons."""

    reference: dict = Field(description="Reference provenance (backend, settings, versions)")
    structures: list[RelaxedStructure] = Field(description="Structures kept for the workflow")
    dropped: list[DroppedStructureRecord] = Field(default_factory=list)
    settings: dict = Field(default_factory=dict, description="Relaxation and filter settings")
    versions: dict[str, str] = Field(default_factory=dict)

    def kept(self) -> dict[str, Structure]:
        """Map names of kept structures to their relaxed structures.

        Returns
        -------
        dict
            Name to relaxed pymatgen Structure.
        """
        return {item.name: item.relaxed for item in self.structures}
