"""Non-analytical term correction (NAC) of polar crystals: Born charges and dielectric tensor.

In a polar crystal the long-range dipole–dipole interaction splits longitudinal and
transverse optical modes at Γ (LO–TO splitting). phonopy and phono3py add it to the dynamical
matrix from the Born effective charges Z* of every atom of the primitive cell, the
high-frequency dielectric tensor ε∞ and a unit factor (phonopy's ``nac_params`` dict).

A GAP (or any short-ranged potential) predicts no Born charges, so a benchmark applies the
*reference's* NAC parameters to both sides of a comparison: the correction is then the same
on both sides and the comparison measures the short-ranged force constants the potential
learned. These helpers read the parameters (``BORN`` files, phono3py/phonopy YAMLs) and turn
them to and from JSON (lists) for job documents.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from phonogap.errors import PhonogapError

if TYPE_CHECKING:
    from phonopy.structure.atoms import PhonopyAtoms

__all__ = [
    "NacParametersError",
    "nac_from_json",
    "nac_to_json",
    "read_born_file",
    "vasp_nac_factor",
]


class NacParametersError(PhonogapError, ValueError):
    """Raised for NAC parameters (BORN file or ``nac_params``) that do not fit the crystal."""


def read_born_file(path: str | Path, primitive: PhonopyAtoms) -> dict[str, Any]:
    """Read a phonopy ``BORN`` file for a primitive cell.

    Parameters
    ----------
    path
        The ``BORN`` file (dielectric tensor, then Z* of the symmetry-independent atoms).
    primitive
        The primitive cell the charges belong to (phonopy expands them by symmetry).

    Returns
    -------
    dict
        phonopy ``nac_params``: ``born`` ``(n_primitive, 3, 3)``, ``dielectric`` ``(3, 3)``
        and ``factor`` (phonopy's default for VASP units).

    Raises
    ------
    NacParametersError
        Naming the file when phonopy cannot read it for this cell.
    """
    from phonopy.file_IO import parse_BORN

    try:
        nac = dict(parse_BORN(primitive, filename=str(path)))
        nac.setdefault("factor", vasp_nac_factor())
        return nac
    except Exception as exc:  # phonopy raises several types on malformed files
        raise NacParametersError(
            f"{path}: not a BORN file for this {len(primitive)}-atom primitive cell ({exc}); "
            "give the BORN file of this dataset or remove it"
        ) from exc


def vasp_nac_factor() -> float:
    """Return phonopy's NAC unit factor for VASP units (Å, eV), as ``phonopy.load`` adds it."""
    from phonopy.interface.calculator import get_calculator_physical_units

    return float(get_calculator_physical_units("vasp").nac_factor)


def nac_to_json(nac: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Return NAC parameters as plain lists and floats (for documents), or None."""
    if nac is None:
        return None
    out: dict[str, Any] = {
        "born": np.asarray(nac["born"], dtype=float).tolist(),
        "dielectric": np.asarray(nac["dielectric"], dtype=float).tolist(),
    }
    if nac.get("factor") is not None:
        out["factor"] = float(nac["factor"])
    return out


def nac_from_json(nac: Mapping[str, Any] | None, n_primitive: int | None = None) -> dict | None:
    """Return phonopy ``nac_params`` (arrays) from their JSON form, checking the shapes.

    Parameters
    ----------
    nac
        ``born``, ``dielectric`` and optionally ``factor``; None gives None.
    n_primitive
        Atoms in the primitive cell, if known: ``born`` must hold one tensor per atom.

    Returns
    -------
    dict or None
        For ``Phonopy.nac_params``/``Phono3py.nac_params``; without ``factor`` phonopy's VASP
        unit factor (phono3py, unlike phonopy, requires one).

    Raises
    ------
    NacParametersError
        If a key is missing or a shape is wrong.
    """
    if nac is None:
        return None
    missing = [key for key in ("born", "dielectric") if key not in nac]
    if missing:
        raise NacParametersError(f"nac_params lack {missing}; give 'born' and 'dielectric'")
    born = np.asarray(nac["born"], dtype=float)
    dielectric = np.asarray(nac["dielectric"], dtype=float)
    n = born.shape[0] if born.ndim == 3 else -1
    if born.shape != (n, 3, 3) or dielectric.shape != (3, 3):
        raise NacParametersError(
            f"nac_params have born {born.shape} and dielectric {dielectric.shape}; expected "
            "(n_primitive, 3, 3) and (3, 3)"
        )
    if n_primitive is not None and n != n_primitive:
        raise NacParametersError(
            f"nac_params hold Born charges of {n} atoms, but the primitive cell has "
            f"{n_primitive}; give one tensor per primitive-cell atom"
        )
    factor = nac.get("factor")
    return {
        "born": born,
        "dielectric": dielectric,
        "factor": vasp_nac_factor() if factor is None else float(factor),
    }
