"""Document of a GAP fit."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator

from phonogap.schemas.provenance import ReferenceProvenance


def _is_none(value: object) -> bool:
    return value is None


class BuildCapabilities(BaseModel):
    """What a gap_fit build can do in parallel, read from its libraries and symbols."""

    openmp: bool = Field(description="Linked to an OpenMP runtime: OMP_NUM_THREADS applies")
    mpi: bool = Field(description="Linked to MPI / ScaLAPACK: can run as several ranks")
    libraries: list[str] = Field(
        default_factory=list, description="The OpenMP/MPI libraries found (names)"
    )


class GapFitLaunch(BaseModel):
    """How a fit was run: recorded in the fit document."""

    command: list[str] = Field(description="Prefix and executable as run (arguments follow)")
    source: str = Field(description="fit.launcher, PHONOGAP_GAP_FIT_COMMAND or default")
    ranks: int | None = Field(description="MPI ranks (None: the prefix does not say)")
    threads: int = Field(description="OpenMP threads (1 for a build without OpenMP)")
    openmp: bool = Field(description="The build has OpenMP")
    mpi: bool = Field(description="The build has MPI / ScaLAPACK")
    reused: bool = Field(False, description="The fit was reused from the fit cache")


class TrainingErrors(BaseModel):
    """Errors of a GAP on its own training set (isolated atoms excluded).

    Same fields as :class:`phonogap.fitting.errors.TrainingErrors` (a dataclass, whose
    ``as_dict()`` validates into this model).
    """

    energy_rmse_mev_per_atom: float | None = Field(description="Energy RMSE (meV/atom)")
    force_rmse_ev_per_ang: float | None = Field(description="Force-component RMSE (eV/Å)")
    virial_rmse_ev_per_atom: float | None = Field(description="Virial RMSE / N (eV/atom)")
    n_configurations: int = Field(description="Configurations evaluated")
    per_config_type: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="config_type to n_configurations and whichever of the three RMSEs have "
        "data (keys vary with the observables, so a dict)",
    )
    force_max_abs_error_ev_per_ang: float | None = Field(
        None, description="Largest absolute force-component error (eV/Å)"
    )


class FitSummary(BaseModel):
    """The fit in a benchmark summary: where the potential is, its settings and errors."""

    potential_xml: str = Field(description="Absolute path of the gap_fit xml")
    potential_sha256: str = Field(description="Checksum of the xml and its sparseX files")
    f: float | None = Field(description="Eq. 8 regularisation factor (None: fixed sigmas)")
    f_min_ev_per_ang: float = Field(description="Eq. 8 force floor F_min (eV/Å)")
    training_errors: TrainingErrors
    dataset_summary: dict[str, Any] = Field(
        default_factory=dict, description="Counts per config_type (free-form, see labels)"
    )
    wall_time_s: float = Field(description="gap_fit wall time (s)")
    n_sparse_soap: int | None = Field(None, description="M requested for the SOAP descriptor")
    sparse_points_used: dict[str, int] | None = Field(
        None,
        exclude_if=_is_none,
        description="Sparse points per descriptor gap_fit kept (the fit document's "
        "sparse_points_used); None: not recorded, and then left out of the dump, so summaries "
        "stored before this field load and dump back unchanged",
    )

    def soap_sparse_points_used(self) -> int | None:
        """Return how many SOAP sparse points the potential really has.

        Returns
        -------
        int or None
            The sum over the SOAP descriptors (``soap``, ``soap_2``, ...) of
            :attr:`sparse_points_used`; None if not recorded or no SOAP descriptor.
        """
        counts = [
            count
            for name, count in (self.sparse_points_used or {}).items()
            if name == "soap" or name.startswith("soap_")
        ]
        return sum(counts) if counts else None

    launch: GapFitLaunch | None = Field(
        None,
        exclude_if=_is_none,
        description="How gap_fit ran: command, ranks, threads, OpenMP/MPI build; None: not "
        "recorded, and then left out of the dump (summaries written before it dump unchanged)",
    )


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
    training_errors: TrainingErrors = Field(
        description="energy meV/atom, force RMS eV/Å, per config_type"
    )
    n_training_configurations: int
    gap_fit_arguments: list[str]
    wall_time_s: float
    sparse_points_used: dict[str, int] = Field(
        default_factory=dict,
        description="Sparse points per descriptor read back from the xml (gap_fit lowers M "
        "to the number of distinct environments)",
    )
    launch: GapFitLaunch | None = Field(
        None,
        description="How gap_fit ran: launcher prefix and executable, ranks, OpenMP threads, "
        "and whether the build has OpenMP and MPI",
    )
    reference: ReferenceProvenance | None = Field(
        None, description="Provenance of the training labels"
    )
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

    @field_validator("reference", mode="before")
    @classmethod
    def _empty_reference(cls, value: object) -> object:
        return None if value == {} else value
