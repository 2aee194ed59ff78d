"""Settings and documents of the lattice thermal conductivity (phono3py, RTA).

:class:`KappaSettings` lives here, beside the documents that embed it, and is re-exported by
:mod:`phonogap.phonons.kappa`.

Where the force constants go (chosen for the 16 MB MongoDB document limit):

* **fc3** stays on disk: ``fc3.hdf5`` in the job directory, phono3py's own format (compact,
  ``(n_primitive, n_supercell, n_supercell, 3, 3, 3)``, gzip), with its SHA-256 in the
  document. It is 1.8 MB for 64-atom diamond Si but 20 MB for a 216-atom cell and grows as
  N², too big for one JSON document even in the data store. ``phono3py-load --fc3 --fc2``
  or :func:`phono3py.file_IO.read_fc3_from_hdf5` reads it back.
* **fc2** is small (``(n_primitive, n_supercell, 3, 3)``): written as ``fc2.hdf5`` beside fc3
  *and* stored in the JobStore's ``data`` store (field ``fc2_ev_per_ang2``).
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from emmet.core.structure import StructureMetadata
from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    PositiveInt,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pymatgen.core import Structure

from phonogap.schemas.provenance import ReferenceProvenance
from phonogap.schemas.structures import fill_structure_metadata

VOIGT_ORDER = ("xx", "yy", "zz", "yz", "xz", "xy")
"""Order of the six kappa tensor components, phono3py's."""


KappaMethod = Literal["finite_displacement", "random_displacements"]
Matrix = list[list[int]]


def _as_matrix(value: object, field_name: str) -> Matrix | None:
    if value is None:
        return None
    matrix = np.asarray(value, dtype=float)
    if matrix.shape == (3,):
        matrix = np.diag(matrix)
    if matrix.shape != (3, 3) or not np.allclose(matrix, np.rint(matrix)):
        raise ValueError(f"{field_name} must be 3 integers or a 3x3 integer matrix, got {value}")
    if round(np.linalg.det(matrix)) <= 0:
        raise ValueError(f"{field_name} must have a positive determinant, got {value}")
    return np.rint(matrix).astype(int).tolist()


class KappaSettings(BaseModel):
    """How phono3py computes the lattice thermal conductivity.

    ``is_isotope`` is False by default: the values published with phono3py's Si data (119.5
    W/m K, PBE, 11³) and the paper's table are for a pure crystal; isotope scattering of
    natural Si lowers kappa at 300 K by ~10 % (phono3py's 9³ fixture: 107.7 → 97.3 W/m K).

    Without ``supercell_matrix`` the (conventional) unit cell is repeated until every lattice
    vector is at least ``min_length_ang`` long: 10 Å gives the paper script's 2x2x2 for Si
    (its text says 15 Å: 3x3x3, 216 atoms).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    method: KappaMethod = "finite_displacement"
    displacement_ang: float = Field(0.03, gt=0, description="Displacement length (Å)")
    min_length_ang: float = Field(
        10.0, gt=0, description="Minimum supercell lattice-vector length (Å) without a matrix"
    )
    supercell_matrix: Matrix | None = Field(None, description="fc3 supercell (unit-cell basis)")
    phonon_supercell_matrix: Matrix | None = Field(
        None, description="Separate, usually larger, fc2 supercell (None: the fc3 one)"
    )
    conventional: bool = Field(
        True, description="Use the conventional standard cell as phono3py's unit cell"
    )
    mesh: tuple[PositiveInt, PositiveInt, PositiveInt] = Field(
        (11, 11, 11), description="q-mesh of the primitive cell"
    )
    temperatures_k: tuple[Annotated[float, Field(ge=0)], ...] = Field(
        (300.0, 600.0, 900.0),
        min_length=1,
        validation_alias=AliasChoices("temperatures_k", "temperatures"),
    )
    n_random_supercells: int = Field(
        16, ge=2, description="random_displacements: supercells computed (even: ± pairs)"
    )
    random_seed: int = 0
    max_supercell_atoms: int | None = Field(
        500,
        gt=0,
        description=(
            "Refuse phono3py supercells (fc3 and fc2) with more atoms, before they are built "
            "(None: no limit); Si 3x3x3 conventional has 216"
        ),
    )
    boundary_mfp_um: float | None = Field(None, gt=0, description="Boundary mean free path (µm)")
    is_isotope: bool = Field(False, description="Isotope scattering (natural abundances)")
    symprec: float = Field(1e-3, gt=0, description="Tolerance (Å) to find the conventional cell")

    @field_validator("supercell_matrix", "phonon_supercell_matrix", mode="before")
    @classmethod
    def _matrix(cls, value: object, info: ValidationInfo) -> Matrix | None:
        return _as_matrix(value, info.field_name)

    @model_validator(mode="after")
    def _even_random(self) -> KappaSettings:
        if self.method == "random_displacements" and self.n_random_supercells % 2:
            raise ValueError(
                f"n_random_supercells={self.n_random_supercells} must be even: random "
                "displacements come in ± pairs"
            )
        return self


class KappaResult(BaseModel):
    """Thermal conductivity at several temperatures (RTA)."""

    temperatures_k: list[float] = Field(description="Temperatures (K)")
    kappa_tensors_w_per_mk: list[list[float]] = Field(
        description="Per temperature, the tensor in W/(m K) as Voigt 6: xx yy zz yz xz xy"
    )
    kappa_mean_diagonal_w_per_mk: list[float] = Field(
        description="Per temperature, (xx + yy + zz) / 3 in W/(m K)"
    )
    mesh: list[int] = Field(description="q-point sampling mesh of the primitive cell")

    def at(self, temperature_k: float) -> float:
        """Return the mean diagonal kappa at one of the computed temperatures.

        Parameters
        ----------
        temperature_k
            A temperature in :attr:`temperatures_k` (K).

        Returns
        -------
        float
            Mean of the diagonal, W/(m K).

        Raises
        ------
        KeyError
            If the temperature was not computed; the message lists those that were.
        """
        for temperature, kappa in zip(
            self.temperatures_k, self.kappa_mean_diagonal_w_per_mk, strict=True
        ):
            if abs(temperature - temperature_k) < 1e-6:
                return kappa
        raise KeyError(
            f"kappa was not computed at {temperature_k} K; temperatures: {self.temperatures_k}"
        )


class ForceConstantsFiles(BaseModel):
    """fc2/fc3 written in the job directory, phono3py's hdf5 format."""

    directory: str = Field(description="Absolute path of the directory holding the files")
    fc2_hdf5: str = Field(description="File name of fc2 (phono3py fc2.hdf5 format)")
    fc3_hdf5: str = Field(description="File name of fc3 (phono3py fc3.hdf5 format)")
    fc2_sha256: str
    fc3_sha256: str
    fc2_shape: list[int] = Field(description="Compact: (n_primitive, n_supercell, 3, 3)")
    fc3_shape: list[int] = Field(description="Compact: (n_primitive, n_super, n_super, 3, 3, 3)")


class KappaDocument(StructureMetadata):
    """Lattice thermal conductivity of one structure with one force source.

    Carries emmet's structure metadata of ``structure`` (``formula_pretty``, ``chemsys``,
    ``nsites``, ``volume`` (Å³), ``density`` (g/cm³), ``symmetry``, ...), filled in on
    validation when not given.
    """

    name: str = Field(description="Label of the calculation (structure or dataset name)")
    formula: str
    structure: Structure = Field(description="Unit cell phono3py was built from (Å)")
    method: str = Field(
        description="finite_displacement, random_displacements or imported (a phono3py dataset)"
    )
    temperatures_k: list[float]
    kappa_tensors_w_per_mk: list[list[float]] = Field(
        description="Per temperature, W/(m K), Voigt 6 in phono3py's order: xx yy zz yz xz xy"
    )
    kappa_mean_diagonal_w_per_mk: list[float] = Field(
        description="Per temperature, (xx + yy + zz) / 3 in W/(m K)"
    )
    mesh: list[int]
    supercell_matrix: list[list[int]] = Field(description="fc3 supercell, unit-cell basis")
    phonon_supercell_matrix: list[list[int]] | None = Field(
        None, description="Separate fc2 supercell, if any"
    )
    primitive_matrix: list[list[float]]
    n_atoms_supercell: int
    n_supercells: int = Field(description="Displaced fc3 supercells whose forces were used")
    n_phonon_supercells: int = Field(0, description="Displaced fc2 supercells (separate fc2)")
    settings: KappaSettings
    reference: ReferenceProvenance = Field(
        description="Force source: reference/potential provenance, or the imported files + sha256"
    )
    relaxation: dict | None = Field(
        None, description="Relaxation with the force source before phono3py, if done"
    )
    force_constants: ForceConstantsFiles | None = Field(
        None, description="Where fc2/fc3 were written (job directory)"
    )
    fc2_ev_per_ang2: list | None = Field(None, description="Compact fc2, nested lists (data store)")
    timings_s: dict[str, float] = Field(
        default_factory=dict, description="Wall time of forces, force constants, conductivity"
    )
    wall_time_s: float
    versions: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _metadata(self) -> KappaDocument:
        fill_structure_metadata(self, self.structure)
        return self

    def row(self) -> dict:
        """Return the flat record for tables: name, method, supercells and kappa per T.

        Returns
        -------
        dict
            ``kappa_<T>K`` keys hold the mean diagonal (W/m K).
        """
        row = {
            "name": self.name,
            "method": self.method,
            "n_supercells": self.n_supercells + self.n_phonon_supercells,
            "wall_time_s": self.wall_time_s,
        }
        for temperature, kappa in zip(
            self.temperatures_k, self.kappa_mean_diagonal_w_per_mk, strict=True
        ):
            row[f"kappa_{temperature:g}K"] = kappa
        return row


class KappaAttribution(BaseModel):
    """Where a potential's kappa error comes from, on a DFT dataset's own displaced cells.

    Four RTA solutions share the dataset's supercells, displacements and symmetrisation, so
    geometry and displacement choices cancel and only the forces differ: the dataset's
    (``reference``), the potential's (``potential``), the potential's fc2 with the dataset's
    fc3 (``potential_fc2``: the harmonic part of the error) and the dataset's fc2 with the
    potential's fc3 (``potential_fc3``: the anharmonic part).
    """

    temperatures_k: list[float] = Field(description="Temperatures (K)")
    reference: KappaResult = Field(description="Dataset fc2 and fc3")
    potential: KappaResult = Field(description="Potential fc2 and fc3")
    potential_fc2: KappaResult = Field(description="Potential fc2, dataset fc3")
    potential_fc3: KappaResult = Field(description="Dataset fc2, potential fc3")
    force_rmse_ev_per_ang: float = Field(
        description="RMS force-component error of the potential on the dataset's supercells"
    )
    force_max_error_ev_per_ang: float = Field(description="Largest force-component error")
    fc2_relative_error: float = Field(description="||fc2_pot - fc2_ref|| / ||fc2_ref||")
    fc3_relative_error: float = Field(description="||fc3_pot - fc3_ref|| / ||fc3_ref||")

    def deviations_percent(self) -> dict[str, list[float]]:
        """Return each variant's mean diagonal kappa relative to the reference, in percent.

        Returns
        -------
        dict
            ``potential``, ``potential_fc2``, ``potential_fc3`` to one value per temperature.
        """
        reference = self.reference.kappa_mean_diagonal_w_per_mk
        return {
            name: [
                100.0 * (value / ref - 1.0)
                for value, ref in zip(
                    getattr(self, name).kappa_mean_diagonal_w_per_mk, reference, strict=True
                )
            ]
            for name in ("potential", "potential_fc2", "potential_fc3")
        }


class KappaAttributionDocument(BaseModel):
    """Output of the ``kappa_attribution`` job: a potential's kappa error on a DFT dataset."""

    name: str = Field(description="Label (default: the dataset's name)")
    dataset: ReferenceProvenance = Field(description="Dataset files and their SHA-256")
    potential: ReferenceProvenance = Field(description="Provenance of the potential")
    attribution: KappaAttribution = Field(description="The four RTA solutions and errors")
    deviations_percent: dict[str, list[float]] = Field(
        description="potential / potential_fc2 / potential_fc3 vs the dataset, per temperature"
    )
    wall_time_s: float = Field(description="Wall time of the job (s)")


class KappaRow(BaseModel):
    """One kappa calculation in a run's summary (tables, results.json, figures)."""

    name: str = Field(description="e.g. 'Si GAP' or 'Si reference'")
    temperatures_k: list[float] = Field(description="Temperatures (K)")
    kappa_w_per_mk: list[float] = Field(
        description="Per temperature, mean of the diagonal, W/(m K)"
    )
    method: str | None = Field(None, description="finite_displacement, random_displacements, ...")
    n_supercells: int | None = Field(None, description="Displaced fc3 supercells")

    def at(self, temperature_k: float) -> float | None:
        """Return kappa at one temperature, if computed.

        Parameters
        ----------
        temperature_k
            Temperature (K).

        Returns
        -------
        float or None
            Mean diagonal kappa (W/m K); None if not computed at that temperature.
        """
        for temperature, kappa in zip(self.temperatures_k, self.kappa_w_per_mk, strict=True):
            if abs(temperature - temperature_k) < 1e-6:
                return kappa
        return None


def kappa_row(document: KappaDocument) -> KappaRow:
    """Flatten a kappa document for tables and results.json.

    Parameters
    ----------
    document
        A phono3py kappa document.

    Returns
    -------
    KappaRow
        ``name``, ``temperatures_k``, ``kappa_w_per_mk`` (mean of the diagonal), ``method``
        and ``n_supercells``.
    """
    return KappaRow(
        name=document.name,
        temperatures_k=list(document.temperatures_k),
        kappa_w_per_mk=list(document.kappa_mean_diagonal_w_per_mk),
        method=document.method,
        n_supercells=document.n_supercells,
    )
