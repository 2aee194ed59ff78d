"""Documents of the structure preparation step (reference relaxation and filters)."""

from __future__ import annotations

from emmet.core.structure import StructureMetadata
from pydantic import BaseModel, Field, model_validator
from pymatgen.core import Structure

from phonogap.schemas.provenance import ReferenceProvenance


class DroppedStructure(BaseModel):
    """A structure that left the workflow, and why."""

    name: str = Field(description="Structure name")
    reason: str = Field(description="Why it was dropped (filter, failed relaxation, ...)")


DroppedStructureRecord = DroppedStructure
"""Former name of :class:`DroppedStructure`."""


def fill_structure_metadata(document: StructureMetadata, structure: Structure) -> None:
    """Set emmet's structure metadata of a document from a structure, if not set yet.

    Parameters
    ----------
    document
        A document subclassing :class:`~emmet.core.structure.StructureMetadata`.
    structure
        The structure it describes.
    """
    if document.formula_pretty is not None:
        return
    metadata = StructureMetadata.from_structure(structure)
    for name in StructureMetadata.model_fields:
        setattr(document, name, getattr(metadata, name))


class RelaxedStructure(StructureMetadata):
    """One structure relaxed with the reference.

    Carries emmet's structure metadata of the *relaxed* structure (``formula_pretty``,
    ``chemsys``, ``nsites``, ``volume`` (Å³), ``density`` (g/cm³), ``symmetry``, ...): build it
    with ``RelaxedStructure.from_structure(relaxed, ...)``.
    """

    name: str
    mp_id: str | None = None
    initial: Structure
    relaxed: Structure
    energy_ev_per_atom: float
    max_force_ev_per_ang: float = Field(description="Largest residual force after relaxation")
    n_steps: int
    converged: bool

    @model_validator(mode="after")
    def _metadata(self) -> RelaxedStructure:
        fill_structure_metadata(self, self.relaxed)
        return self


class RelaxationDocument(BaseModel):
    """Output of ``relax_with_reference``: kept structures and the dropped ones with reasons."""

    reference: ReferenceProvenance = Field(
        description="Reference provenance (backend, settings, versions)"
    )
    structures: list[RelaxedStructure] = Field(description="Structures kept for the workflow")
    dropped: list[DroppedStructure] = Field(default_factory=list)
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
