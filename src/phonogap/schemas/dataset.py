"""Documents of the training database: unlabelled configurations and labelled datasets."""

from __future__ import annotations

from pydantic import BaseModel, Field
from pymatgen.core import Structure

from phonogap.schemas.configuration import Configuration
from phonogap.schemas.provenance import ReferenceProvenance


class PhononSetup(BaseModel):
    """Everything needed to rebuild a structure's phonopy calculation from its labels."""

    name: str
    unitcell: Structure = Field(description="The relaxed unit cell phonopy was built from")
    supercell_matrix: list[list[int]]
    displacement_ang: float
    symprec: float = Field(1e-5, description="phonopy symmetry tolerance (Å)")
    primitive_matrix: str | list[list[float]] = Field(
        "auto", description="phonopy primitive matrix (imported datasets keep their own)"
    )
    displacement_dataset: dict = Field(
        description="phonopy's displacement dataset: first_atoms, or displacements (type-2)"
    )
    n_displacements: int
    nac_params: dict | None = Field(
        None,
        description="Reference NAC parameters (born, dielectric, factor) of a polar crystal, "
        "applied to both sides of the phonon benchmark",
    )


class DatabaseDocument(BaseModel):
    """Unlabelled training configurations and the phonon setups behind them."""

    strategy: str = Field(description="single_displacement, randomised or both")
    configurations: list[Configuration]
    phonon_setups: list[PhononSetup]
    summary: dict = Field(description="Counts of configurations and atoms per config_type")
    settings: dict = Field(default_factory=dict)
    versions: dict[str, str] = Field(default_factory=dict)


class LabelledDatasetDocument(BaseModel):
    """Configurations labelled by a reference: the fit's training set."""

    reference: ReferenceProvenance = Field(
        description="Reference provenance (imported data: files and checksums as extra keys)"
    )
    configurations: list[Configuration]
    summary: dict = Field(description="Counts per config_type and observables present")
    wall_time_s: float
    input_checksum: str = Field(description="SHA-256 of the unlabelled configurations")
    versions: dict[str, str] = Field(default_factory=dict)


class ImportedDatabaseDocument(LabelledDatasetDocument):
    """A training set imported from existing labelled data, with the phonons it holds."""

    phonon_setups: list[PhononSetup] = Field(
        default_factory=list, description="Reference phonon setups of the benchmark datasets"
    )
    mp_ids: dict[str, str] = Field(default_factory=dict, description="Structure name to mp id")
    equilibrium: dict = Field(
        default_factory=dict, description="Zero-stress constraint settings (if enabled)"
    )
