"""Import phonopy finite-displacement datasets: training configurations and reference phonons.

Input: a phonopy YAML (any format ``phonopy.load`` reads, e.g. the phonopy 2.4 files of the
CASTEP allotrope data) with forces, or with the forces in a ``FORCE_SETS`` given by option or
beside the YAML (never ``./FORCE_SETS``, which ``phonopy.load`` would read), or its directory.
Output: one configuration per displaced supercell, in phonopy's dataset order:

* atoms in phonopy's supercell order, positions exactly ``supercells_with_displacements``
  (perfect supercell + displacement), cell = phonopy supercell, periodic;
* ``REF_forces`` as written in the file (no drift removal, no residual-force subtraction);
* ``REF_energy`` only if the dataset holds supercell energies (``phonopy_params.yaml`` of
  recent phonopy); no ``REF_virial`` (phonopy datasets have no stress);
* ``config_type`` (default ``single_displacement``), ``source`` (default: the YAML's stem),
  ``displacement_index`` and, for single displacements, ``displaced_atom``.

Units: data of calculators with other native units (``qe``, ``cp2k``, ``abinit``, ...) are
converted to Å, eV/Å, eV with phonopy's factors (recorded in the provenance).
Reference phonons: :func:`load_reference_phonopy` is ``phonopy.load(path, produce_fc=True)``;
:func:`phonopy_from_dataset` rebuilds them from the imported setup and forces with
:func:`phonogap.phonons.harmonic.set_forces`: identical force constants and frequencies.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import phonopy
from ase import Atoms
from phonopy import Phonopy
from phonopy.interface.calculator import get_calculator_physical_units
from phonopy.interface.phonopy_yaml import PhonopyYaml
from phonopy.structure.dataset import forces_in_dataset

from phonogap.importers.registry import (
    DatasetImportError,
    ImportedDataset,
    existing_file,
    file_record,
    label,
    register_importer,
)
from phonogap.phonons.harmonic import phonopy_atoms_to_structure, set_forces
from phonogap.phonons.nac import nac_to_json
from phonogap.phonons.setup import phonopy_from_setup
from phonogap.schemas.keys import (
    DISPLACED_ATOM_KEY,
    DISPLACEMENT_INDEX_KEY,
    FORCES_KEY,
    SINGLE_DISPLACEMENT,
)
from phonogap.schemas.provenance import package_versions

YAML_NAMES = ("phonopy_params.yaml", "phonopy.yaml", "phonopy_disp.yaml")


@register_importer("phonopy")
def import_phonopy(
    path: str | Path,
    *,
    force_sets: str | Path | None = None,
    config_type: str = SINGLE_DISPLACEMENT,
    source: str | None = None,
) -> ImportedDataset:
    """Import every displaced supercell of a phonopy dataset with its forces.

    Parameters
    ----------
    path
        phonopy YAML, or a directory with ``phonopy_params.yaml``/``phonopy[_disp].yaml``.
    force_sets
        ``FORCE_SETS`` file; default: the one next to the YAML if the YAML has no forces.
    config_type
        config_type of every configuration.
    source
        Structure name stored under ``source`` (default: the YAML's stem).

    Returns
    -------
    ImportedDataset
        Configurations, ``phonopy_yaml``, ``phonon`` (no force constants) and
        ``phonon_setup`` (the dict of :class:`~phonogap.schemas.dataset.PhononSetup` plus
        ``primitive_matrix``; single-displacement datasets only).
    """
    yaml_path, sets = _resolve(path, force_sets)
    phonon = _load(yaml_path, sets, produce_fc=False)
    name = source or default_source(yaml_path, YAML_NAMES)
    factors = unit_factors(phonon.calculator)
    configurations = displacement_configurations(
        phonon.dataset,
        phonon.supercells_with_displacements,
        origin=str(sets or yaml_path),
        config_type=config_type,
        source=name,
        factors=factors,
    )
    provenance = {
        "importer": "phonopy",
        "files": [file_record(p) for p in (yaml_path, sets) if p is not None],
        "options": {"config_type": config_type, "source": name},
        "conventions": conventions("phonopy", phonon.calculator, factors),
        "versions": package_versions("phonogap", "ase", "phonopy"),
    }
    return ImportedDataset(
        configurations,
        provenance,
        phonopy_yaml=yaml_path,
        phonon=phonon,
        phonon_setup=_setup(phonon, factors, _yaml_nac(yaml_path)),
    )


def load_reference_phonopy(path: str | Path, *, force_sets: str | Path | None = None) -> Phonopy:
    """Return ``phonopy.load(path, produce_fc=True)``, finding files as :func:`import_phonopy`.

    The force constants are symmetrised (symfc) and the primitive cell is the file's.
    """
    return _load(*_resolve(path, force_sets), produce_fc=True)


def phonopy_from_dataset(dataset: ImportedDataset, *, symmetrize: bool = True) -> Phonopy:
    """Rebuild phonopy (with force constants) from an imported dataset's setup and forces.

    :func:`~phonogap.phonons.setup.phonopy_from_setup` with the file's primitive
    matrix, then :func:`~phonogap.phonons.harmonic.set_forces` (``symmetrize``: symfc, as
    ``phonopy.load``) on ``REF_forces`` ordered by ``displacement_index``.
    """
    setup = dataset.phonon_setup
    if setup is None:
        raise DatasetImportError(
            "this dataset has no single-displacement phonon setup (type-2 or not phonopy "
            "data); use load_reference_phonopy(dataset.phonopy_yaml) instead"
        )
    phonon = phonopy_from_setup(setup, primitive_matrix=setup["primitive_matrix"])
    by_index = {
        int(atoms.info[DISPLACEMENT_INDEX_KEY]): atoms.arrays[FORCES_KEY]
        for atoms in dataset.configurations
    }
    forces = [by_index[i] for i in range(setup["n_displacements"])]
    return set_forces(phonon, forces, symmetrize=symmetrize)


def unit_factors(calculator: str | None) -> dict[str, float]:
    """Return phonopy's ``distance_to_A``, ``force_to_eVperA``, ``energy_to_eV`` factors."""
    units = get_calculator_physical_units(calculator)
    return {k: float(units[k]) for k in ("distance_to_A", "force_to_eVperA", "energy_to_eV")}


def displacement_configurations(
    dataset: dict[str, Any],
    supercells: Sequence[Any],
    *,
    origin: str,
    config_type: str,
    source: str,
    factors: dict[str, float],
    hint: str = "give the FORCE_SETS (option force_sets) or a YAML with forces",
) -> list[Atoms]:
    """Label the displaced supercells with the forces (and energies) of their dataset entries.

    ``dataset`` is type-1 (``first_atoms``, with phono3py's ``second_atoms`` nested) or type-2
    (``displacements``/``forces``); ``supercells`` are ``supercells_with_displacements`` in the
    same order (``None``, pairs phono3py skipped, are dropped). ``factors`` come from
    :func:`unit_factors`; ``hint`` says how to fix missing forces.
    """
    entries = list(_entries(dataset))
    if len(entries) != len(supercells):
        raise DatasetImportError(f"{origin}: {len(entries)} entries, {len(supercells)} cells")
    configurations = []
    for index, (entry, cell) in enumerate(zip(entries, supercells, strict=True)):
        if cell is None:
            continue
        where = f"{origin}: displacement {index + 1}"
        if entry.get("forces") is None:
            raise DatasetImportError(f"{where} has no forces; {hint}")
        length = factors["distance_to_A"]
        atoms = Atoms(
            symbols=list(cell.symbols),
            positions=np.asarray(cell.positions) * length,
            cell=np.asarray(cell.cell) * length,
            pbc=True,
        )
        energy = entry.get("energy")
        label(
            atoms,
            origin=where,
            config_type=config_type,
            source=source,
            energy=None if energy is None else float(energy) * factors["energy_to_eV"],
            forces=np.asarray(entry["forces"], dtype=float) * factors["force_to_eVperA"],
        )
        atoms.info[DISPLACEMENT_INDEX_KEY] = index
        if "number" in entry and "second" not in entry:
            atoms.info[DISPLACED_ATOM_KEY] = int(entry["number"])
        if "id" in entry:
            atoms.info["displacement_id"] = int(entry["id"])
        configurations.append(atoms)
    return configurations


def _entries(dataset: dict[str, Any] | None) -> Iterable[dict[str, Any]]:
    if not dataset:
        return
    if "first_atoms" in dataset:
        for first in dataset["first_atoms"]:
            yield {**first, "energy": first.get("supercell_energy")}
            for second in first.get("second_atoms", []):
                yield {**second, "second": True, "energy": second.get("supercell_energy")}
        return
    forces, energies = dataset.get("forces"), dataset.get("supercell_energies")
    for i in range(len(dataset["displacements"])):
        yield {"forces": None if forces is None else forces[i], "energy": _item(energies, i)}


def _yaml_nac(yaml_path: Path) -> dict[str, Any] | None:
    """NAC parameters written in the YAML itself (never a BORN from the working directory)."""
    content = PhonopyYaml()
    content.read(yaml_path)
    return nac_to_json(content.nac_params)


def _setup(
    phonon: Phonopy, factors: dict[str, float], nac: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    if "first_atoms" not in phonon.dataset or factors["distance_to_A"] != 1.0:
        return None
    first = [
        {"number": int(e["number"]), "displacement": np.asarray(e["displacement"]).tolist()}
        for e in phonon.dataset["first_atoms"]
    ]
    return {
        "unitcell": phonopy_atoms_to_structure(phonon.unitcell),
        "supercell_matrix": np.asarray(phonon.supercell_matrix).tolist(),
        "primitive_matrix": np.asarray(phonon.primitive_matrix).tolist(),
        "displacement_ang": float(np.linalg.norm(first[0]["displacement"])),
        "symprec": float(phonon.symmetry.tolerance),
        "displacement_dataset": {"natom": len(phonon.supercell), "first_atoms": first},
        "n_displacements": len(first),
        "nac_params": nac,
    }


def conventions(program: str, calculator: str | None, factors: dict) -> dict[str, Any]:
    """Describe the units and signs of a phonopy/phono3py import for the provenance."""
    return {
        "calculator": calculator or "default (Å, eV/Å, eV)",
        "unit_factors": factors,
        "forces": "eV/Å as in the dataset; no drift or residual-force subtraction",
        "positions": f"{program} supercells_with_displacements, {program} atom order",
        "energy": "supercell energies if present, else none (forces-only)",
        "virial": f"none ({program} datasets carry no stress)",
    }


def default_source(yaml_path: Path, generic_names: Sequence[str]) -> str:
    """Name a dataset by its YAML's stem, or its directory for generic names."""
    return yaml_path.resolve().parent.name if yaml_path.name in generic_names else yaml_path.stem


def find_yaml(path: str | Path, names: Sequence[str], program: str) -> Path:
    """Return ``path`` or the first of ``names`` in directory ``path``; fail saying what to give."""
    path = existing_file(path, f"{program} dataset", f"give a {program} YAML or its directory")
    if path.is_dir():
        found = [path / name for name in names if (path / name).is_file()]
        if not found:
            raise FileNotFoundError(
                f"no {program} YAML ({', '.join(names)}) in directory {str(path)!r}; "
                "give the YAML file itself"
            )
        path = found[0]
    return path


def _resolve(path: str | Path, force_sets: str | Path | None) -> tuple[Path, Path | None]:
    path = find_yaml(path, YAML_NAMES, "phonopy")
    if force_sets is not None:
        return path, existing_file(force_sets, "FORCE_SETS", "fix the force_sets option")
    candidate = path.parent / "FORCE_SETS"
    return path, candidate if candidate.is_file() else None


def _load(yaml_path: Path, force_sets: Path | None, *, produce_fc: bool) -> Phonopy:
    try:
        phonon = phonopy.load(yaml_path, produce_fc=produce_fc, force_sets_filename=force_sets)
    except Exception as exc:
        raise DatasetImportError(f"phonopy could not read {str(yaml_path)!r}: {exc}") from exc
    if force_sets is None and Path("FORCE_SETS").is_file():
        # phonopy.load falls back to ./FORCE_SETS when the YAML has no forces: refuse that.
        yaml = PhonopyYaml()
        yaml.read(yaml_path)
        if not forces_in_dataset(yaml.dataset):
            raise DatasetImportError(
                f"{str(yaml_path)!r} has no forces and no FORCE_SETS beside it; pass the "
                "FORCE_SETS with the force_sets option (./FORCE_SETS is not used implicitly)"
            )
    if not phonon.dataset or (produce_fc and phonon.force_constants is None):
        raise DatasetImportError(
            f"{str(yaml_path)!r} has no displacements or no forces; give a phonopy YAML "
            "written by 'phonopy -d' and its forces (in the YAML or a FORCE_SETS)"
        )
    return phonon


def _item(values: Any, index: int) -> Any:
    return None if values is None else values[index]
