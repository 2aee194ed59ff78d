"""Import extended-XYZ files that already hold reference energies, forces and virials.

Keys are configurable (defaults ``energy``, ``forces``, ``virial``, ``stress``,
``config_type``, ``source``); a phonogap training file is read with
``energy_key="REF_energy", forces_key="REF_forces", virial_key="REF_virial"``. Values are
looked up in ``info``/``arrays`` and, for the names ASE turns into a single-point calculator
(``energy``, ``forces``, ``stress``, ``free_energy``), in the calculator's results.

Conventions (ASE's, which the file is assumed to follow):

* energy: total energy (eV); forces: eV/Å;
* virial: eV, 9 numbers read in Fortran order (as ASE and QUIP write it) or 3x3; used as is;
* stress: eV/Å³, positive = tensile (ASE), 6 Voigt numbers (xx yy zz yz xz xy) or 3x3 /
  9 numbers; converted to ``REF_virial = -stress * volume``. When a frame has both, the
  virial is used;
* ``config_type`` from the frame, else ``default_config_type``; the ``config_type`` option
  overrides every frame. ``source`` from the frame, else the option, else the file's stem.

The mapped keys are removed from the configuration, so the training file carries each label
once, under its phonogap key; other ``info``/``arrays`` entries are kept.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from ase import Atoms
from ase.io import read
from ase.stress import voigt_6_to_full_3x3_stress

from phonogap.importers.registry import (
    DatasetImportError,
    ImportedDataset,
    existing_file,
    file_record,
    label,
    register_importer,
)
from phonogap.schemas.provenance import package_versions

__all__ = ["import_extxyz"]

logger = logging.getLogger(__name__)


@register_importer("extxyz")
def import_extxyz(
    path: str | Path | Sequence[str | Path],
    *,
    energy_key: str = "energy",
    forces_key: str = "forces",
    virial_key: str = "virial",
    stress_key: str = "stress",
    config_type_key: str = "config_type",
    source_key: str = "source",
    default_config_type: str = "imported",
    config_type: str | None = None,
    source: str | None = None,
    index: str = ":",
) -> ImportedDataset:
    """Import labelled frames of one or more extended-XYZ files.

    Parameters
    ----------
    path
        File or list of files.
    energy_key, forces_key, virial_key, stress_key
        Names of the labels in the file (see the module docstring for units and signs).
    config_type_key, source_key
        ``info`` keys holding each frame's config_type and source name.
    default_config_type
        config_type of frames without one.
    config_type
        If given, the config_type of every frame (overrides the file).
    source
        ``source`` of frames without one (default: the file's stem).
    index
        ASE index string selecting frames, e.g. ``":"`` or ``"::10"``.

    Returns
    -------
    ImportedDataset
        Configurations labelled with phonogap keys.
    """
    paths = [path] if isinstance(path, str | Path) else list(path)
    keys = {
        "energy": energy_key,
        "forces": forces_key,
        "virial": virial_key,
        "stress": stress_key,
        "config_type": config_type_key,
        "source": source_key,
    }
    configurations: list[Atoms] = []
    records = []
    for file in paths:
        file = existing_file(file, "extxyz file", "fix the path")
        try:
            frames = read(file, index=index, format="extxyz")
        except Exception as exc:
            raise DatasetImportError(f"{file}: not a readable extxyz file ({exc})") from exc
        for i, atoms in enumerate(frames):
            where = f"{file}: frame {i}"
            labels = _labels(atoms, keys, where)
            label(
                atoms,
                origin=where,
                config_type=config_type or str(labels["config_type"] or default_config_type),
                source=str(labels["source"] or source or file.stem),
                energy=labels["energy"],
                forces=labels["forces"],
                virial=labels["virial"],
            )
            configurations.append(atoms)
        records.append(file_record(file))
    options = {**{f"{k}_key": v for k, v in keys.items()}, "config_type": config_type}
    provenance = {
        "importer": "extxyz",
        "files": records,
        "options": {**options, "default_config_type": default_config_type, "index": index},
        "conventions": {
            "energy": "eV total, as in the file",
            "forces": "eV/Å, as in the file",
            "virial": "virial (eV) as in the file; else -stress*V with ASE stress (eV/Å³, "
            "positive = tensile)",
        },
        "versions": package_versions("phonogap", "ase"),
    }
    return ImportedDataset(configurations, provenance)


def _labels(atoms: Atoms, keys: dict[str, str], where: str) -> dict[str, Any]:
    """Pop the mapped labels from a frame and convert them to phonogap units."""
    results = dict(atoms.calc.results) if atoms.calc is not None else {}

    def pop(key: str, per_atom: bool = False) -> Any:
        store = atoms.arrays if per_atom else atoms.info
        if key in store and key not in ("numbers", "positions"):
            return store.pop(key)
        return results.get(key)

    found = {name: pop(key, per_atom=name == "forces") for name, key in keys.items()}
    if found["energy"] is None and found["forces"] is None:
        available = sorted(set(atoms.info) | set(atoms.arrays) | set(results))
        raise DatasetImportError(
            f"{where}: no energy ({keys['energy']!r}) and no forces ({keys['forces']!r}); "
            f"a fit needs at least one. The frame has {available}: set energy_key / "
            "forces_key to the names used in the file"
        )
    virial, stress = found.pop("virial"), found.pop("stress")
    if virial is not None:
        found["virial"] = _three_by_three(virial, where, keys["virial"])
    elif stress is not None:
        found["virial"] = -_three_by_three(stress, where, keys["stress"]) * atoms.get_volume()
    else:
        found["virial"] = None
    return found


def _three_by_three(value: Any, where: str, key: str) -> np.ndarray:
    array = np.asarray(value, dtype=float)
    if array.size == 6:
        return voigt_6_to_full_3x3_stress(array.ravel())
    if array.size == 9:
        return array.reshape(3, 3) if array.ndim == 2 else array.reshape(3, 3, order="F")
    raise DatasetImportError(
        f"{where}: {key!r} has {array.size} numbers; give 6 (Voigt) or 9 (3x3), or map another key"
    )
