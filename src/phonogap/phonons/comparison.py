"""Phonon band-structure comparison: RMS error in THz and (false) instability flags.

The paper's phonon error is the RMS difference between reference (DFT) and potential
frequencies over all bands at all q-points of the Setyawan–Curtarolo path (51 points per
segment) of the reference primitive cell, bands sorted by frequency at each q-point. A
structure is flagged *falsely unstable* when the potential has an imaginary mode and the
reference has none; the flag is reported next to the RMS, not averaged into it.

Imaginary tolerance
-------------------
A mode counts as imaginary when its frequency is below ``-IMAGINARY_TOLERANCE_THZ``
(phonopy returns imaginary frequencies as negative numbers). The lowest frequency is
taken over the band path *and* a Γ-centred mesh (:data:`~.harmonic.DEFAULT_MESH`), on
both sides. The value, 0.05 THz, comes from the numerical noise measured on the 13
dynamically stable DFT datasets (bundled ``george2020_castep``, CASTEP forces,
0.01 Å displacements), processed exactly as here:

* force constants symmetrised with the symfc projector (the default of
  ``phonopy.load`` and of :func:`~.harmonic.set_forces`): on all 13 the lowest
  frequency on the path and on the mesh is within ±7e-7 THz of zero (acoustic modes at
  Γ, the square root of round-off);
* raw (unsymmetrised) force constants: the acoustic sum rule is broken by the DFT force
  noise and the acoustic modes at Γ reach -0.021 THz (mp-1079297), -0.019 (mp-1203790),
  -0.011 (mp-971662, mp-1095269), -0.002 to -0.009 for six others, -0.0005 for
  mp-999200 and ~0 for diamond and mp-165.

0.05 THz is more than twice the worst raw noise, so a stable structure is not flagged
even without symmetrisation (or with a slightly noisier potential), while a branch that
is really soft by a tenth of a THz or more is. Frequencies between -0.05 THz and 0 are
treated as zero-frequency acoustic noise; the minimum frequencies are reported so that a
stricter threshold can be applied afterwards.
"""

from __future__ import annotations

import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import phonopy
from numpy.typing import ArrayLike
from phonopy import Phonopy
from phonopy.interface.phonopy_yaml import PhonopyYaml
from phonopy.structure.dataset import forces_in_dataset

from phonogap.errors import PhonogapError
from phonogap.phonons.band_path import BandPath, setyawan_curtarolo_path
from phonogap.phonons.harmonic import (
    DEFAULT_MESH,
    MeshSpec,
    band_frequencies,
    mesh_min_frequency,
)

__all__ = [
    "IMAGINARY_TOLERANCE_THZ",
    "PhononComparison",
    "compare_phonons",
    "compare_phonopy_files",
    "load_phonopy_file",
    "qpoints_in_other_basis",
    "rms_error_thz",
]

logger = logging.getLogger(__name__)


class PhononComparisonError(PhonogapError, ValueError):
    """Raised when a phonopy file is unusable or two crystals cannot be compared."""


#: A mode is imaginary when its frequency is below minus this value (THz); see module doc.
IMAGINARY_TOLERANCE_THZ: float = 0.05


@dataclass(frozen=True)
class PhononComparison:
    """Result of comparing a potential's phonons with the reference.

    Attributes
    ----------
    rms_thz
        RMS frequency difference over all bands at all path q-points (THz).
    max_abs_thz
        Largest absolute frequency difference on the path (THz).
    n_qpoints, n_bands
        Size of the compared frequency arrays.
    imaginary_reference, imaginary_potential
        Whether the lowest frequency (path and mesh) is below ``-imaginary_tolerance_thz``.
    false_instability
        Imaginary for the potential but not for the reference.
    min_frequency_reference_thz, min_frequency_potential_thz
        Lowest frequency over path and mesh (THz, negative = imaginary).
    imaginary_tolerance_thz
        The tolerance used for the flags.
    """

    rms_thz: float
    max_abs_thz: float
    n_qpoints: int
    n_bands: int
    imaginary_reference: bool
    imaginary_potential: bool
    false_instability: bool
    min_frequency_reference_thz: float
    min_frequency_potential_thz: float
    imaginary_tolerance_thz: float = IMAGINARY_TOLERANCE_THZ

    def as_dict(self) -> dict[str, Any]:
        """Return the fields as a plain dictionary of Python scalars."""
        return asdict(self)


def rms_error_thz(reference: ArrayLike, other: ArrayLike) -> float:
    """Return the RMS difference of two frequency arrays.

    Parameters
    ----------
    reference, other
        Frequencies (THz) of the same shape, e.g. ``(n_q, n_bands)`` sorted per q-point.

    Returns
    -------
    float
        ``sqrt(mean((other - reference)**2))`` over all entries.

    Raises
    ------
    ValueError
        If the shapes differ, the arrays are empty or contain NaN/inf.
    """
    ref, oth = np.asarray(reference, dtype=float), np.asarray(other, dtype=float)
    if ref.shape != oth.shape:
        raise ValueError(
            f"frequency arrays differ in shape: reference {ref.shape}, other {oth.shape} "
            "(same q-points and same number of bands, i.e. atoms, are required)"
        )
    if ref.size == 0:
        raise ValueError("frequency arrays are empty")
    if not (np.isfinite(ref).all() and np.isfinite(oth).all()):
        raise ValueError("frequency arrays contain NaN or inf")
    return float(np.sqrt(np.mean((oth - ref) ** 2)))


def qpoints_in_other_basis(
    reference: Phonopy,
    other: Phonopy,
    qpoints: ArrayLike,
    *,
    max_cell_strain: float = 0.15,
) -> np.ndarray:
    """Express reference-primitive fractional q-points in the other primitive basis.

    Both objects must describe the same crystal in the same *unit-cell* setting (the
    potential side is the reference unit cell relaxed with the potential); their
    primitive matrices may differ (phonopy's ``"auto"`` can pick another primitive basis
    than the one stored in a reference YAML). With primitive rows ``P = Mᵀ U`` for
    primitive matrix ``M`` and unit cell ``U``, the other primitive basis is
    ``T = M_otherᵀ (M_refᵀ)⁻¹`` times the reference one and ``f_other = T f_ref``:
    the same fractional q-points with respect to the unit cell, i.e. the physically
    corresponding points of the (strained) Brillouin zone.

    Parameters
    ----------
    reference, other
        phonopy objects.
    qpoints
        ``(n_q, 3)`` fractional q-points of ``reference.primitive``.
    max_cell_strain
        Largest accepted relative difference of the unit-cell metric tensors
        ``max|G_other - G_ref| / max|G_ref|`` (0.15 allows a few % of strain).

    Returns
    -------
    numpy.ndarray
        ``(n_q, 3)`` fractional q-points of ``other.primitive``.

    Raises
    ------
    PhononComparisonError
        If atom counts differ, the unit cells are too different, or the primitive cells
        are not related by an integer unimodular matrix.
    """
    if len(reference.unitcell) != len(other.unitcell) or len(reference.primitive) != len(
        other.primitive
    ):
        raise PhononComparisonError(
            f"cells differ: reference {len(reference.unitcell)} atoms in the unit cell / "
            f"{len(reference.primitive)} primitive, other {len(other.unitcell)} / "
            f"{len(other.primitive)}; build the potential's phonopy object from the "
            "reference unit cell relaxed with the potential"
        )
    g_ref = reference.unitcell.cell @ reference.unitcell.cell.T
    g_oth = other.unitcell.cell @ other.unitcell.cell.T
    strain = float(np.abs(g_oth - g_ref).max() / np.abs(g_ref).max())
    if strain > max_cell_strain:
        raise PhononComparisonError(
            f"unit cells differ by a relative metric change of {strain:.3f} "
            f"(> max_cell_strain={max_cell_strain}); the other structure is not the "
            "reference unit cell in the same setting (or it relaxed into another phase)"
        )
    transform = other.primitive_matrix.T @ np.linalg.inv(reference.primitive_matrix.T)
    t_int = np.rint(transform)
    if not np.allclose(transform, t_int, atol=1e-6) or round(abs(np.linalg.det(t_int))) != 1:
        raise PhononComparisonError(
            "primitive cells of reference and other are not related by an integer "
            f"unimodular matrix (got {np.round(transform, 4).tolist()}); use the same "
            "primitive_matrix for both"
        )
    return np.asarray(qpoints, dtype=float) @ t_int.T


def _min_frequency(phonon: Phonopy, path_freqs: np.ndarray, mesh: MeshSpec | None) -> float:
    lowest = float(path_freqs.min())
    if mesh is not None:
        lowest = min(lowest, mesh_min_frequency(phonon, mesh))
    return lowest


def compare_phonons(
    reference: Phonopy,
    other: Phonopy,
    *,
    points_per_segment: int = 51,
    mesh: MeshSpec | None = DEFAULT_MESH,
    imaginary_tolerance_thz: float = IMAGINARY_TOLERANCE_THZ,
    max_cell_strain: float = 0.15,
) -> tuple[PhononComparison, BandPath, np.ndarray, np.ndarray]:
    """Compare the phonons of a potential with the reference along the band path.

    Parameters
    ----------
    reference
        Reference phonopy object with force constants; its primitive cell defines the path.
    other
        Potential's phonopy object of the same crystal (see :func:`qpoints_in_other_basis`).
    points_per_segment
        q-points per path segment, end points included (the paper: 51).
    mesh
        Γ-centred mesh (3 ints or a length in Å) also searched for imaginary modes on both
        sides; ``None`` uses the path only.
    imaginary_tolerance_thz
        Frequencies below ``-imaginary_tolerance_thz`` count as imaginary.
    max_cell_strain
        Passed to :func:`qpoints_in_other_basis`.

    Returns
    -------
    tuple
        ``(comparison, path, reference_thz, other_thz)`` with the frequency arrays of
        shape ``(path.n_qpoints, n_bands)``, sorted per q-point.
    """
    path = setyawan_curtarolo_path(reference, points_per_segment)
    q_other = qpoints_in_other_basis(
        reference, other, path.qpoints, max_cell_strain=max_cell_strain
    )
    ref = band_frequencies(reference, path.qpoints)
    oth = band_frequencies(other, q_other)
    diff = oth - ref
    min_ref = _min_frequency(reference, ref, mesh)
    min_oth = _min_frequency(other, oth, mesh)
    imag_ref = min_ref < -imaginary_tolerance_thz
    imag_oth = min_oth < -imaginary_tolerance_thz
    comparison = PhononComparison(
        rms_thz=rms_error_thz(ref, oth),
        max_abs_thz=float(np.abs(diff).max()),
        n_qpoints=int(ref.shape[0]),
        n_bands=int(ref.shape[1]),
        imaginary_reference=bool(imag_ref),
        imaginary_potential=bool(imag_oth),
        false_instability=bool(imag_oth and not imag_ref),
        min_frequency_reference_thz=min_ref,
        min_frequency_potential_thz=min_oth,
        imaginary_tolerance_thz=float(imaginary_tolerance_thz),
    )
    logger.info(
        "phonon RMS %.4f THz (max %.4f) over %d q x %d bands; min freq ref %.4f, pot %.4f",
        comparison.rms_thz,
        comparison.max_abs_thz,
        comparison.n_qpoints,
        comparison.n_bands,
        min_ref,
        min_oth,
    )
    return comparison, path, ref, oth


def load_phonopy_file(path: str | os.PathLike, *, symmetrize: bool = True) -> Phonopy:
    """Load a phonopy YAML that holds forces (or force constants) of its displacements.

    Parameters
    ----------
    path
        ``phonopy.yaml``/``phonopy_params.yaml``-like file (optionally ``.xz``).
    symmetrize
        Symmetrise force constants produced from forces (phonopy.load's default).

    Returns
    -------
    Phonopy
        With force constants. Non-analytical correction is off (no ``BORN`` lookup in
        the working directory); force data are taken from the file only.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    PhononComparisonError
        If it is not a phonopy YAML, has no unit cell, or has neither forces nor force
        constants.
    """
    file = Path(path)
    if not file.is_file():
        where = "" if file.is_absolute() else f" (looked for {file.resolve()})"
        raise FileNotFoundError(f"phonopy file not found: {file}{where}")
    try:
        content = PhonopyYaml().read(file)
    except Exception as exc:
        raise PhononComparisonError(f"{file}: not a readable phonopy YAML ({exc})") from exc
    if content.unitcell is None:
        raise PhononComparisonError(f"{file}: no 'unit_cell' section; is this a phonopy YAML?")
    if content.force_constants is None and not forces_in_dataset(content.dataset):
        raise PhononComparisonError(
            f"{file}: no forces and no force constants (the 'displacements' have no "
            "'forces'). Fix: compute the forces of the displaced supercells, set "
            "Phonopy.forces (or phonogap.phonons.harmonic.set_forces) and write the file "
            "with Phonopy.save(path)."
        )
    if content.nac_params is not None:
        logger.warning("%s: NAC parameters present but ignored (silicon needs none)", file)
    return phonopy.load(file, produce_fc=True, is_nac=False, symmetrize_fc=symmetrize)


def compare_phonopy_files(
    reference_path: str | os.PathLike, other_path: str | os.PathLike, **kwargs: Any
) -> PhononComparison:
    """Compare two phonopy YAML files (reference first).

    Parameters
    ----------
    reference_path, other_path
        Files readable by :func:`load_phonopy_file`.
    **kwargs
        Passed to :func:`compare_phonons`.

    Returns
    -------
    PhononComparison
        The summary; use :func:`compare_phonons` for the path and frequency arrays.
    """
    reference = load_phonopy_file(reference_path)
    other = load_phonopy_file(other_path)
    return compare_phonons(reference, other, **kwargs)[0]
