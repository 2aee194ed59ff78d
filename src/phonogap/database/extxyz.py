"""Write and read the extended-XYZ training file that gap_fit reads.

Reading uses ``ase.io.read(format="extxyz")``. Writing produces the same format, but
every per-atom number is written with Python's shortest exact representation instead of
ASE's fixed ``%16.8f``: that would cut ``force_atom_sigma`` values such as
``f * F_min = 1e-6 eV/Å`` (f = 0.0001) to one significant digit and forces to 1e-8 eV/Å.
Comment-line values go through ASE's own serialiser (``key_val_dict_to_str``), so the
file round-trips bit for bit through :func:`read_training_xyz`.

Conventions: reference labels use the keys of :mod:`phonogap.schemas.keys`; the virial
(3x3) is written as 9 numbers in Fortran order (as ASE and QUIP write ``virial``) and read
back as 3x3; calculators are never written (no ``energy``/``forces`` columns from an
attached calculator), and ``info``/``arrays`` entries named like calculator results
(``energy``, ``forces``, ``stress``, ...) are dropped so gap_fit cannot pick them up.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from ase import Atoms
from ase.calculators.calculator import all_properties
from ase.io import read
from ase.io.extxyz import key_val_dict_to_str

from phonogap.schemas.keys import (
    CONFIG_TYPE_KEY,
    ENERGY_KEY,
    FORCE_ATOM_SIGMA_KEY,
    FORCES_KEY,
    SOURCE_KEY,
    VIRIAL_KEY,
)

logger = logging.getLogger(__name__)

OBSERVABLES = {
    "energy": ENERGY_KEY,
    "forces": FORCES_KEY,
    "virial": VIRIAL_KEY,
    "force_atom_sigma": FORCE_ATOM_SIGMA_KEY,
}
"""Names used in summaries, mapped to the extxyz keys that hold them."""

_PROPERTY_TYPES = {"f": "R", "i": "I", "u": "I", "b": "L", "U": "S", "S": "S", "O": "S"}


def write_training_xyz(configurations: Sequence[Atoms], path: str | Path) -> Path:
    """Validate configurations and write them as one extended-XYZ file.

    Parameters
    ----------
    configurations
        Configurations with labels under the :mod:`phonogap.schemas.keys` names.
    path
        Output file (overwritten).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ValueError
        If a configuration has non-finite or malformed labels, positions or cell, a
        non-positive ``force_atom_sigma``, or ``info`` values that extxyz cannot hold;
        the message names the configuration index, its source and the field. Nothing is
        written then.
    """
    frames = [_frame_text(atoms, index) for index, atoms in enumerate(configurations)]
    path = Path(path)
    path.write_text("".join(frames))
    logger.info("wrote %d configurations to %s", len(frames), path)
    return path


def read_training_xyz(path: str | Path) -> list[Atoms]:
    """Read a training file written by :func:`write_training_xyz` (or any extxyz).

    Parameters
    ----------
    path
        Extended-XYZ file.

    Returns
    -------
    list of Atoms
        One per frame, ``REF_virial`` reshaped to 3x3.
    """
    frames = read(Path(path), index=":", format="extxyz")
    for atoms in frames:
        virial = atoms.info.get(VIRIAL_KEY)
        if virial is not None:
            atoms.info[VIRIAL_KEY] = np.reshape(np.asarray(virial, dtype=float), (3, 3), "F")
    return frames


def labelled_summary(configurations: Sequence[Atoms]) -> dict[str, Any]:
    """Count configurations, atoms and labels per ``config_type``.

    Parameters
    ----------
    configurations
        Configurations (labelled or not); a missing ``config_type`` counts as
        ``"unknown"``.

    Returns
    -------
    dict
        ``n_configurations``, ``n_atoms``, ``configurations_per_config_type``,
        ``atoms_per_config_type``, ``observables`` (configurations carrying each of
        ``energy``, ``forces``, ``virial``, ``force_atom_sigma``; only those present),
        and ``observables_per_config_type``. Config types are sorted by name.
    """
    n_configs: Counter[str] = Counter()
    n_atoms: Counter[str] = Counter()
    per_type: dict[str, Counter[str]] = {}
    for atoms in configurations:
        config_type = str(atoms.info.get(CONFIG_TYPE_KEY, "unknown"))
        n_configs[config_type] += 1
        n_atoms[config_type] += len(atoms)
        counts = per_type.setdefault(config_type, Counter())
        for name, key in OBSERVABLES.items():
            if key in atoms.info or key in atoms.arrays:
                counts[name] += 1
    types = sorted(n_configs)
    total: Counter[str] = sum(per_type.values(), Counter())
    return {
        "n_configurations": sum(n_configs.values()),
        "n_atoms": sum(n_atoms.values()),
        "configurations_per_config_type": {t: n_configs[t] for t in types},
        "atoms_per_config_type": {t: n_atoms[t] for t in types},
        "observables": {name: total[name] for name in OBSERVABLES if total[name]},
        "observables_per_config_type": {
            t: {name: per_type[t][name] for name in OBSERVABLES if per_type[t][name]} for t in types
        },
    }


def _frame_text(atoms: Atoms, index: int) -> str:
    where = f"configuration {index} (source {atoms.info.get(SOURCE_KEY, '?')!r})"

    def fail(field: str, problem: str) -> ValueError:
        return ValueError(f"{where}: {field} {problem}")

    n = len(atoms)
    cell = np.asarray(atoms.cell.array, dtype=float)
    if not np.all(np.isfinite(cell)) or abs(np.linalg.det(cell)) < 1e-8:
        raise fail("cell", "must be finite and non-singular (gap_fit needs a Lattice)")
    if not np.all(np.isfinite(atoms.positions)):
        raise fail("positions", "contain NaN or inf")
    info = {k: v for k, v in atoms.info.items() if k not in all_properties}
    arrays = {
        k: np.asarray(v)
        for k, v in atoms.arrays.items()
        if k not in all_properties and k not in ("numbers", "positions")
    }
    if ENERGY_KEY in info:
        energy = info[ENERGY_KEY]
        if np.ndim(energy) != 0 or not np.isfinite(float(energy)):
            raise fail(ENERGY_KEY, f"must be a finite number, got {energy!r}")
        info[ENERGY_KEY] = float(energy)
    if VIRIAL_KEY in info:
        virial = np.asarray(info[VIRIAL_KEY], dtype=float)
        if virial.size != 9 or not np.all(np.isfinite(virial)):
            raise fail(VIRIAL_KEY, f"must be 3x3 finite numbers, got {virial.tolist()}")
        info[VIRIAL_KEY] = np.reshape(virial, (3, 3)).ravel(order="F")
    if FORCES_KEY in arrays:
        forces = arrays[FORCES_KEY]
        if forces.shape != (n, 3) or not np.all(np.isfinite(forces)):
            raise fail(FORCES_KEY, f"must be finite with shape ({n}, 3) (NaN, inf or shape)")
    if FORCE_ATOM_SIGMA_KEY in arrays:
        sigma = arrays[FORCE_ATOM_SIGMA_KEY]
        if sigma.shape != (n,) or not np.all(np.isfinite(sigma)) or np.any(sigma <= 0):
            raise fail(FORCE_ATOM_SIGMA_KEY, f"must be {n} finite positive numbers")
    for key, value in info.items():
        if isinstance(value, np.ndarray) and value.ndim > 1:
            raise fail(f"info[{key!r}]", "is a multi-dimensional array; store it flat")
        if not isinstance(value, str | int | float | bool | np.generic | np.ndarray):
            raise fail(f"info[{key!r}]", f"has type {type(value).__name__}, not extxyz-able")
    info["pbc"] = atoms.pbc

    columns = [("species", "S", 1, np.array(atoms.get_chemical_symbols())[:, None])]
    columns.append(("pos", "R", 3, np.asarray(atoms.positions, dtype=float)))
    for key, value in arrays.items():
        if value.dtype.kind not in _PROPERTY_TYPES or value.shape[0] != n or value.ndim > 2:
            raise fail(f"arrays[{key!r}]", f"cannot be written (dtype {value.dtype})")
        column = value.reshape(n, -1)
        columns.append((key, _PROPERTY_TYPES[value.dtype.kind], column.shape[1], column))
    properties = ":".join(f"{name}:{kind}:{width}" for name, kind, width, _ in columns)
    lattice = " ".join(repr(float(x)) for x in cell.ravel())
    header = f'Lattice="{lattice}" Properties={properties} {key_val_dict_to_str(info)}'
    rows = [[] for _ in range(n)]
    for _, kind, _, column in columns:
        for i, row in enumerate(column):
            rows[i].extend(_format(x, kind) for x in row)
    body = "".join(" ".join(row) + "\n" for row in rows)
    return f"{n}\n{header}\n{body}"


def _format(value: Any, kind: str) -> str:
    if kind == "R":
        return f"{float(value)!r:>24}"
    if kind == "I":
        return f"{int(value):>8d}"
    if kind == "L":
        return "T" if value else "F"
    return str(value)
