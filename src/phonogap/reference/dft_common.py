"""What every DFT reference shares: k-point grids, spins, work directories, units, errors.

One rule holds for all DFT backends (QE, VASP, CP2K): the same settings label every
configuration of a fit, so that energies of different cells are comparable. The k-point grid
is therefore derived from one spacing (Å⁻¹, 2π included, as VASP's ``KSPACING``), and the
isolated atom, which fixes gap_fit's ``e0``, is computed with the same cutoff and
pseudopotential, spin-polarised with its Hund's-rule moment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from ase.units import GPa

from phonogap.errors import PhonogapError
from phonogap.schemas.keys import CONFIG_TYPE_KEY, ISOLATED_ATOM
from phonogap.schemas.provenance import checksum_of

if TYPE_CHECKING:
    from ase import Atoms
    from pymatgen.core import Structure

HUND_MOMENTS: dict[str, float] = {
    "H": 1.0,
    "Li": 1.0,
    "B": 1.0,
    "C": 2.0,
    "N": 3.0,
    "O": 2.0,
    "F": 1.0,
    "Na": 1.0,
    "Al": 1.0,
    "Si": 2.0,
    "P": 3.0,
    "S": 2.0,
    "Cl": 1.0,
    "Ga": 1.0,
    "Ge": 2.0,
    "As": 3.0,
    "Sn": 2.0,
}
"""Ground-state spin moments (μB) of free atoms by Hund's rules; Si (3P) has 2 μB.

A spin-polarised silicon atom is 0.75 eV lower than a non-polarised one (PBE, measured with
QE 6.7 and ``Si.pbe-rrkj.UPF``), so ``e0`` would be wrong by that much per atom without it.
"""

KBAR_TO_EV_PER_ANG3 = 0.1 * GPa
"""1 kBar in eV/Å³ (1 eV/Å³ = 1602.1766 kBar)."""

SCRATCH_ENV = "PHONOGAP_SCRATCH_DIR"
"""Environment variable naming the root of restart-safe per-configuration work directories."""


class ReferenceSetupError(PhonogapError, RuntimeError):
    """A DFT reference cannot start: missing executable, pseudopotential or settings."""


class DftCalculationError(PhonogapError, RuntimeError):
    """A DFT calculation ran but gave no usable labels (SCF not converged, killed, crashed)."""


def default_scratch_dir() -> Path:
    """Return the root of per-configuration work directories.

    Returns
    -------
    Path
        ``$PHONOGAP_SCRATCH_DIR`` if set, else ``./phonogap_scratch``, made absolute now (the
        current directory when the reference is built, not that of a later job).
    """
    return Path(os.environ.get(SCRATCH_ENV, "phonogap_scratch")).expanduser().resolve()


def monkhorst_pack_grid(atoms: Atoms, kspacing_inv_ang: float) -> tuple[int, int, int] | None:
    """Derive a Monkhorst–Pack grid from a k-point spacing.

    Parameters
    ----------
    atoms
        The cell; non-periodic directions get one k-point.
    kspacing_inv_ang
        Largest distance between k-points (Å⁻¹, reciprocal vectors including 2π), as VASP's
        ``KSPACING``: ``n_i = max(1, ceil(|b_i| / kspacing))``.

    Returns
    -------
    tuple of int or None
        The grid, or ``None`` for a single Γ point in a non-periodic (molecule, atom) cell.
    """
    if kspacing_inv_ang <= 0:
        raise ValueError(f"kspacing must be positive, got {kspacing_inv_ang} 1/Å")
    if not any(atoms.pbc):
        return None
    reciprocal = 2 * np.pi * np.linalg.norm(atoms.cell.reciprocal(), axis=1)
    grid = np.maximum(1, np.ceil(reciprocal / kspacing_inv_ang - 1e-6)).astype(int)
    grid[~np.asarray(atoms.pbc)] = 1
    return (int(grid[0]), int(grid[1]), int(grid[2]))


def is_isolated_atom(atoms: Atoms) -> bool:
    """Tell whether a configuration is the free atom that sets ``e0``.

    Parameters
    ----------
    atoms
        A configuration.

    Returns
    -------
    bool
        True for ``config_type`` ``isolated_atom`` or a single atom in a non-periodic box.
    """
    return atoms.info.get(CONFIG_TYPE_KEY) == ISOLATED_ATOM or (
        len(atoms) == 1 and not any(atoms.pbc)
    )


def atom_moment(symbol: str, moments: dict[str, float]) -> float | None:
    """Look up the spin moment of a free atom.

    Parameters
    ----------
    symbol
        Chemical symbol.
    moments
        Symbol to moment (μB), e.g. :data:`HUND_MOMENTS` updated by the user.

    Returns
    -------
    float or None
        The moment, or None if unknown (the code then relaxes the spin freely).
    """
    return moments.get(symbol)


def configuration_key(atoms: Atoms, settings: dict[str, Any]) -> str:
    """Hash a configuration and the reference settings into a stable directory name.

    Positions and cell are rounded to 1e-8 Å, so a rerun of the same workflow finds the same
    directory (and its finished labels), while any change of geometry or settings does not.

    Parameters
    ----------
    atoms
        The configuration.
    settings
        JSON-serialisable reference settings.

    Returns
    -------
    str
        24 hexadecimal characters.
    """
    payload = {
        "numbers": atoms.numbers.tolist(),
        "positions": (np.round(atoms.positions, 8) + 0.0).tolist(),
        "cell": (np.round(np.asarray(atoms.cell), 8) + 0.0).tolist(),
        "pbc": [bool(p) for p in atoms.pbc],
        "isolated_atom": is_isolated_atom(atoms),
        "settings": settings,
    }
    return checksum_of(payload)[:24]


def vasp_stress_to_virial(stress_kbar: Any, volume: float) -> np.ndarray:
    """Convert a VASP stress (kBar, positive = compressive) to a virial (eV).

    Parameters
    ----------
    stress_kbar
        3x3 stress as VASP writes it.
    volume
        Cell volume (Å³).

    Returns
    -------
    numpy.ndarray
        Symmetric 3x3 virial ``-stress_ase * volume`` with ``stress_ase = -0.1 GPa * s``.
    """
    stress = np.asarray(stress_kbar, dtype=float).reshape(3, 3)
    stress_ase = -0.5 * (stress + stress.T) * KBAR_TO_EV_PER_ANG3
    return -stress_ase * volume


def structure_of(atoms: Atoms) -> Structure:
    """Convert a configuration to the periodic pymatgen Structure that VASP/CP2K get.

    Parameters
    ----------
    atoms
        A configuration; a non-periodic one (the free atom) keeps its box as the cell.

    Returns
    -------
    Structure
        Same atoms and order.
    """
    from pymatgen.io.ase import AseAtomsAdaptor

    periodic = atoms.copy()
    periodic.pbc = True
    for key in list(periodic.info):
        periodic.info.pop(key)
    return AseAtomsAdaptor.get_structure(periodic)
