"""Document of a GAP fit."""

from __future__ import annotations

from pydantic import BaseModel, Field


class GapFitDocument(BaseModel):
    """A fitted GAP: where it is, how it was made, how well it fits its training set."""

    potential_xml: str = Field(description="Absolute path of the gap_fit xml (sparseX beside it)")
    potential_sha256: str = Field(description="Checksum of the xml and its sparseX files")
    hyperparameters: dict
    f: float | None = Field(description="Eq. 8 regularisation factor (None: fixed sigmas only)")
    f_min_ev_per_ang: float = Field(description="Eq. 8 force floor F_min (eV/Å)")
    atomwise_config_types: list[str] = Field(description="config_types given Eq. 8 sigmas")
    observables: list[str] = Field(description="Observables fitted: energy, forces, virial")
    dataset_summary: dict
    training_errors: dict = Field(description="energy meV/atom, force RMS eV/Å, per config_type")
    n_training_configurations: int
    gap_fit_arguments: list[str]
    wall_time_s: float
    sparse_points_used: dict[str, int] = Field(
        default_factory=dict,
        description="Sparse points per descriptor read back from the xml (gap_fit lowers M "
        "to the number of distinct environments)",
    )
    reference: dict = Field(default_factory=dict)
    versions: dict[str, str] = Field(default_factory=dict)
    potential_relative_path: str | None = Field(
        None,
        description="The xml's path relative to the job directory that fitted it (e.g. gap.xml)",
    )
    potential_files: dict[str, str] = Field(
        default_factory=dict,
        description="File name -> text of the xml and its sparseX files (data store); "
        "phonogap.store.potentials.fetch_potential writes them anywhere by potential_sha256",
    )
