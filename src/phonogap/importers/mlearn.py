"""Import the mlearn json datasets (Zuo et al., J. Phys. Chem. A 124, 731 (2020)).

Each file is a list of entries ``{"structure": <pymatgen Structure dict>, "outputs":
{"energy", "forces", "virial_stress"}, "group", "description", ...}`` computed with VASP.

Conventions (checked in ``tests/importers/test_mlearn.py`` on the strained 'Elastic' cells):

* ``outputs.energy``: total energy of the cell (eV) → ``REF_energy``;
* ``outputs.forces``: eV/Å, in the structure's site order → ``REF_forces``;
* ``outputs.virial_stress``: VASP's stress in kBar, positive = compressive, in VASP's order
  ``xx yy zz xy yz zx`` (a cell compressed along x has ``xx > 0``; a shear of the a-b angle
  shows up in the 4th number, xy). It is made the symmetric 3x3 ``[[xx, xy, zx], [xy, yy,
  yz], [zx, yz, zz]]``, converted to ASE's stress (eV/Å³, positive = tensile) as
  ``-virial_stress / 1602.1766`` and to ``REF_virial = -stress * volume`` (eV), the same
  conversion as :func:`phonogap.importers.vasprun.vasp_stress_to_virial`;
* ``config_type`` = the entry's ``group`` (``AIMD-NVT``, ``Vacancy``, ``Elastic``,
  ``Surface``) unless the ``config_type`` option renames groups (dict) or sets one name
  (str); ``source`` = the option or the file's stem; ``description`` kept in ``info``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from ase import Atoms
from pymatgen.core import Structure

from phonogap.importers.registry import (
    DatasetImportError,
    ImportedDataset,
    existing_file,
    file_record,
    label,
    register_importer,
)
from phonogap.importers.vasprun import vasp_stress_to_virial
from phonogap.schemas.provenance import package_versions

__all__ = ["import_mlearn", "virial_stress_to_3x3"]

logger = logging.getLogger(__name__)


def virial_stress_to_3x3(virial_stress: Sequence[float]) -> np.ndarray:
    """Arrange mlearn's ``virial_stress`` (VASP order xx yy zz xy yz zx) as a symmetric 3x3.

    Parameters
    ----------
    virial_stress
        Six numbers (kBar, positive = compressive).

    Returns
    -------
    numpy.ndarray
        3x3 in the same units and sign.
    """
    xx, yy, zz, xy, yz, zx = (float(v) for v in virial_stress)
    return np.array([[xx, xy, zx], [xy, yy, yz], [zx, yz, zz]])


@register_importer("mlearn")
def import_mlearn(
    path: str | Path | Sequence[str | Path],
    *,
    config_type: str | Mapping[str, str] | None = None,
    source: str | None = None,
) -> ImportedDataset:
    """Import the entries of one or more mlearn json files.

    Parameters
    ----------
    path
        ``training.json``/``test.json`` or a list of them.
    config_type
        ``None``: each entry's ``group``; a dict: group → config_type (unlisted groups keep
        their name); a string: that config_type for every entry.
    source
        ``source`` of every entry (default: the file's stem).

    Returns
    -------
    ImportedDataset
        Configurations with energy, forces and virial.
    """
    paths = [path] if isinstance(path, str | Path) else list(path)
    configurations = []
    for file in paths:
        file = existing_file(file, "mlearn json", "fix the path")
        try:
            entries = json.loads(file.read_text())
        except json.JSONDecodeError as exc:
            raise DatasetImportError(f"{file}: not valid json ({exc})") from exc
        if not isinstance(entries, list):
            raise DatasetImportError(f"{file}: expected a list of entries, got {type(entries)}")
        for i, entry in enumerate(entries):
            group = str(entry.get("group", "unknown"))
            where = f"{file}[{i}] (group {group})"
            configurations.append(
                _configuration(entry, where, _config_type(config_type, group), source or file.stem)
            )
    provenance = {
        "importer": "mlearn",
        "files": [file_record(p) for p in paths],
        "options": {"config_type": config_type, "source": source},
        "conventions": {
            "energy": "outputs.energy, eV total",
            "forces": "outputs.forces, eV/Å",
            "virial": "REF_virial = -stress_ase * V; stress_ase = -virial_stress(kBar, "
            "positive = compressive, order xx yy zz xy yz zx) / 1602.1766 eV/Å³",
        },
        "versions": package_versions("phonogap", "ase", "pymatgen"),
    }
    return ImportedDataset(configurations, provenance)


def _config_type(option: str | Mapping[str, str] | None, group: str) -> str:
    if option is None:
        return group
    if isinstance(option, str):
        return option
    return str(option.get(group, group))


def _configuration(entry: Mapping[str, Any], where: str, config_type: str, source: str) -> Atoms:
    if "structure" not in entry:
        raise DatasetImportError(f"{where}: no 'structure'; each entry needs a pymatgen dict")
    try:
        structure = Structure.from_dict(entry["structure"])
    except Exception as exc:
        raise DatasetImportError(f"{where}: 'structure' is not a pymatgen dict ({exc})") from exc
    outputs = entry.get("outputs") or {}
    energy, forces = outputs.get("energy"), outputs.get("forces")
    if energy is None and forces is None:
        raise DatasetImportError(
            f"{where}: 'outputs.energy' and 'outputs.forces' are missing; a fit needs at "
            "least one. Add them or drop the entry"
        )
    atoms = Atoms(
        symbols=[site.specie.symbol for site in structure],
        positions=structure.cart_coords,
        cell=structure.lattice.matrix,
        pbc=True,
    )
    stress = outputs.get("virial_stress")
    virial = None
    if stress is not None:
        if np.size(stress) != 6:
            raise DatasetImportError(
                f"{where}: 'outputs.virial_stress' has {np.size(stress)} numbers, expected 6 "
                "(kBar, xx yy zz xy yz zx); fix or remove it"
            )
        virial = vasp_stress_to_virial(virial_stress_to_3x3(stress), atoms.get_volume())
    label(
        atoms,
        origin=where,
        config_type=config_type,
        source=source,
        energy=energy,
        forces=forces,
        virial=virial,
    )
    if "description" in entry:
        atoms.info["description"] = str(entry["description"])
    return atoms
