"""Documents of the phonon benchmark: per structure and for a whole run."""

from __future__ import annotations

from emmet.core.structure import StructureMetadata
from pydantic import BaseModel, Field, field_validator
from pymatgen.phonon.bandstructure import PhononBandStructureSymmLine

from phonogap.schemas.fit import FitSummary
from phonogap.schemas.kappa import KappaRow
from phonogap.schemas.structures import DroppedStructure


class BandData(BaseModel):
    """Band structures of reference and potential on one q-point path (data store)."""

    qpoints: list[list[float]] = Field(description="Fractional, reference primitive basis")
    distances: list[float] = Field(description="Cumulative path length (1/Å), for plots")
    labels: list[str]
    connections: list[bool]
    segment_lengths: list[int]
    reference_thz: list[list[float]]
    potential_thz: list[list[float]]


class DosData(BaseModel):
    """Total phonon DOS of reference and potential on the same frequency grid (data store)."""

    frequencies_thz: list[float]
    reference_states_per_thz: list[float]
    potential_states_per_thz: list[float]


class BenchmarkRow(BaseModel):
    """One structure's phonon benchmark in a run's table (results.json, CLI, figures).

    Fields of older stored rows that may be missing default to None.
    """

    name: str = Field(description="Structure name")
    mp_id: str | None = Field(None, description="Materials Project id, if known")
    formula: str | None = Field(None, description="Reduced formula of the unit cell")
    rms_thz: float = Field(description="RMS frequency error over all bands and path q-points")
    max_abs_error_thz: float | None = Field(None, description="Largest |Δν| on the path (THz)")
    imaginary_reference: bool = Field(description="Reference has imaginary modes")
    imaginary_potential: bool = Field(description="Potential has imaginary modes")
    false_instability: bool = Field(description="Imaginary with the potential, not the reference")
    volume_reference_ang3_per_atom: float | None = Field(
        None, description="Reference-relaxed volume (Å³/atom)"
    )
    volume_potential_ang3_per_atom: float | None = Field(
        None, description="Volume the potential's phonons were computed at (Å³/atom)"
    )


class PhononBenchmarkDocument(StructureMetadata):
    """Phonons of a fitted potential against the reference for one structure.

    Carries emmet's structure metadata of the unit cell (``formula_pretty``, ``chemsys``,
    ``elements``, ``nsites``, ``volume`` (Å³), ``density`` (g/cm³), ``symmetry``, ...) so a
    store can be queried the Materials Project way; build it with
    :meth:`~emmet.core.structure.StructureMetadata.from_structure`.
    """

    name: str
    mp_id: str | None = None
    formula: str
    n_atoms: int
    rms_thz: float = Field(
        description="RMS frequency error over all bands and path q-points (polar crystals: "
        "with the reference's NAC on both sides)"
    )
    rms_thz_without_nac: float | None = Field(
        None, description="Polar crystals: the RMS with the NAC (LO-TO) switched off on both sides"
    )
    max_abs_error_thz: float
    imaginary_reference: bool
    imaginary_potential: bool
    false_instability: bool = Field(description="Imaginary with the potential, not the reference")
    min_frequency_reference_thz: float
    min_frequency_potential_thz: float
    volume_reference_ang3_per_atom: float
    volume_potential_ang3_per_atom: float
    potential_relax_converged: bool
    supercell_matrix: list[list[int]]
    n_displacements: int
    potential_sha256: str
    settings: dict = Field(default_factory=dict)
    bands: BandData | None = None
    dos: DosData | None = None
    versions: dict[str, str] = Field(default_factory=dict)
    reference_phonopy_yaml: str | None = Field(
        None,
        description="Reference phonopy params YAML (displacements, forces, force constants), "
        "loadable by phonopy.load (data store)",
    )
    potential_phonopy_yaml: str | None = Field(
        None, description="The potential's phonopy params YAML (data store)"
    )
    reference_band_structure: PhononBandStructureSymmLine | None = Field(
        None, description="Reference bands on the benchmark path, pymatgen (data store)"
    )
    potential_band_structure: PhononBandStructureSymmLine | None = Field(
        None, description="The potential's bands on the same path, pymatgen (data store)"
    )

    def row(self) -> BenchmarkRow:
        """Return the flat record written to results.json and tables.

        Returns
        -------
        BenchmarkRow
            name, mp_id, formula, rms_thz, max_abs_error_thz, imaginary flags,
            false_instability and volumes.
        """
        return BenchmarkRow.model_validate(self.model_dump(include=set(BenchmarkRow.model_fields)))


class BenchmarkSummaryDocument(BaseModel):
    """All structures of one PhononAccurateGap run, in one table."""

    run_name: str
    rows: list[BenchmarkRow] = Field(description="One PhononBenchmarkDocument.row() per structure")
    failed: list[str] = Field(default_factory=list, description="Structures whose job failed")
    dropped: list[DroppedStructure] = Field(
        default_factory=list, description="Dropped structures + reasons"
    )
    median_rms_thz: float | None
    n_false_instabilities: int
    fit: FitSummary | None = Field(None, description="Fit settings and training errors")
    settings: dict = Field(
        default_factory=dict, description="Run settings (free-form: depends on the Maker)"
    )
    kappa: list[KappaRow] = Field(
        default_factory=list, description="Kappa rows: name, temperatures_k, kappa_w_per_mk"
    )

    @field_validator("fit", mode="before")
    @classmethod
    def _empty_fit(cls, value: object) -> object:
        return None if value == {} else value

    def row(self, name: str) -> BenchmarkRow | None:
        """Return the row of one structure.

        Parameters
        ----------
        name
            Structure name.

        Returns
        -------
        BenchmarkRow or None
            None if the structure has no row (dropped or failed).
        """
        return next((row for row in self.rows if row.name == name), None)
