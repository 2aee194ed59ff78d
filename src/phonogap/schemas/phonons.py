"""Documents of the phonon benchmark: per structure and for a whole run."""

from __future__ import annotations

from pydantic import BaseModel, Field
from pymatgen.phonon.bandstructure import PhononBandStructureSymmLine


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


class PhononBenchmarkDocument(BaseModel):
    """Phonons of a fitted potential against the reference for one structure."""

    name: str
    mp_id: str | None = None
    formula: str
    n_atoms: int
    rms_thz: float = Field(description="RMS frequency error over all bands and path q-points")
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

    def row(self) -> dict:
        """Return the flat record written to results.json and tables.

        Returns
        -------
        dict
            name, mp_id, rms_thz, imaginary flags, false_instability and volumes.
        """
        return {
            "name": self.name,
            "mp_id": self.mp_id,
            "formula": self.formula,
            "rms_thz": self.rms_thz,
            "max_abs_error_thz": self.max_abs_error_thz,
            "imaginary_reference": self.imaginary_reference,
            "imaginary_potential": self.imaginary_potential,
            "false_instability": self.false_instability,
            "volume_reference_ang3_per_atom": self.volume_reference_ang3_per_atom,
            "volume_potential_ang3_per_atom": self.volume_potential_ang3_per_atom,
        }


class BenchmarkSummaryDocument(BaseModel):
    """All structures of one PhononAccurateGap run, in one table."""

    run_name: str
    rows: list[dict] = Field(description="One PhononBenchmarkDocument.row() per structure")
    failed: list[str] = Field(default_factory=list, description="Structures whose job failed")
    dropped: list[dict] = Field(default_factory=list, description="Dropped structures + reasons")
    median_rms_thz: float | None
    n_false_instabilities: int
    fit: dict = Field(default_factory=dict, description="Fit settings and training errors")
    settings: dict = Field(default_factory=dict)
    kappa: list[dict] = Field(
        default_factory=list, description="Kappa rows: name, temperatures_k, kappa_w_per_mk"
    )
