"""Import phono3py finite-displacement datasets as forces-only training configurations.

Input: ``phono3py_disp.yaml`` (or ``phono3py.yaml``/``phono3py_params.yaml``, or a directory
holding one) with the forces in it or in ``FORCES_FC3`` (and, when the YAML has a separate
fc2 supercell, ``FORCES_FC2``) beside it or named by the options, read by
:func:`phonogap.phonons.kappa_dataset.read_phono3py_dataset` (phonogap's one phono3py reader),
so no file is ever taken from the current directory.

Output, in phono3py's dataset order (displacement ids 1, 2, ...): one configuration per
supercell with one displaced atom or a displaced pair; pairs phono3py skipped (``included:
false``, beyond a pair cutoff) are left out. Conventions as in
:mod:`phonogap.importers.phonopy_data`: phono3py atom order, positions exactly
``supercells_with_displacements``, forces as written (eV/Å: VASP-unit datasets only, others
are refused), energies only if the dataset holds supercell energies, no virial.
``config_type`` defaults to ``pair_displacement`` for the fc3 set and ``single_displacement``
for a separate fc2 set; ``displacement_id`` is phono3py's id.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
from phono3py import Phono3py

from phonogap.importers.phonopy_data import (
    conventions,
    default_source,
    displacement_configurations,
    find_yaml,
    unit_factors,
)
from phonogap.importers.registry import (
    DatasetImportError,
    ImportedDataset,
    existing_file,
    file_record,
    register_importer,
)
from phonogap.phonons.harmonic import phonopy_atoms_to_structure
from phonogap.phonons.kappa_dataset import (
    Phono3pyDatasetError,
    Phono3pyFiles,
    read_phono3py_dataset,
    symmetrised_force_constants,
)
from phonogap.phonons.nac import nac_to_json
from phonogap.schemas.keys import SINGLE_DISPLACEMENT
from phonogap.schemas.provenance import package_versions

__all__ = ["PAIR_DISPLACEMENT", "fc2_setup", "import_phono3py", "load_reference_phono3py"]

logger = logging.getLogger(__name__)

PAIR_DISPLACEMENT = "pair_displacement"
"""Default config_type of phono3py's fc3 supercells."""

YAML_NAMES = ("phono3py_params.yaml", "phono3py_disp.yaml", "phono3py.yaml")


@register_importer("phono3py")
def import_phono3py(
    path: str | Path,
    *,
    forces_fc3: str | Path | None = None,
    forces_fc2: str | Path | None = None,
    born: str | Path | None = None,
    config_type: str = PAIR_DISPLACEMENT,
    fc2_config_type: str = SINGLE_DISPLACEMENT,
    source: str | None = None,
) -> ImportedDataset:
    """Import every displaced supercell of a phono3py dataset with its forces.

    Parameters
    ----------
    path
        phono3py YAML or a directory holding one.
    forces_fc3, forces_fc2
        Force files; default ``FORCES_FC3``/``FORCES_FC2`` beside the YAML if present.
    born
        ``BORN`` file (polar crystals); default ``BORN`` beside the YAML if present, else the
        YAML's own ``nac`` section.
    config_type
        config_type of the fc3 supercells (single and pair displacements).
    fc2_config_type
        config_type of the supercells of a separate fc2 dataset, if any.
    source
        Structure name under ``source`` (default: the YAML's directory name for the
        standard names, else its stem).

    Returns
    -------
    ImportedDataset
        Configurations, ``phonopy_yaml`` (the phono3py YAML) and ``phonon`` (the
        ``Phono3py`` object without force constants).
    """
    yaml_path, fc3, fc2, born = _resolve(path, forces_fc3, forces_fc2, born)
    phonon = _load(yaml_path, fc3, fc2, born, produce_fc=False)
    name = source or default_source(yaml_path, YAML_NAMES)
    factors = unit_factors(phonon.calculator)
    configurations = displacement_configurations(
        phonon.dataset,
        phonon.supercells_with_displacements,
        origin=str(fc3 or yaml_path),
        config_type=config_type,
        source=name,
        factors=factors,
        hint="give FORCES_FC3 (option forces_fc3) or a phono3py YAML with forces",
    )
    if phonon.phonon_supercell_matrix is not None and phonon.phonon_dataset:
        configurations += displacement_configurations(
            phonon.phonon_dataset,
            phonon.phonon_supercells_with_displacements,
            origin=str(fc2 or yaml_path),
            config_type=fc2_config_type,
            source=name,
            factors=factors,
            hint="give FORCES_FC2 (option forces_fc2)",
        )
    files = [file_record(p) for p in (yaml_path, fc3, fc2, born) if p is not None]
    provenance = {
        "importer": "phono3py",
        "files": files,
        "options": {"config_type": config_type, "fc2_config_type": fc2_config_type},
        "conventions": conventions("phono3py", phonon.calculator, factors),
        "versions": package_versions("phonogap", "ase", "phono3py", "phonopy"),
    }
    return ImportedDataset(
        configurations,
        provenance,
        phonopy_yaml=yaml_path,
        phonon=phonon,
        phonon_setup=fc2_setup(phonon),
    )


def load_reference_phono3py(
    path: str | Path,
    *,
    forces_fc3: str | Path | None = None,
    forces_fc2: str | Path | None = None,
    born: str | Path | None = None,
) -> Phono3py:
    """Return the reference ``Phono3py`` with fc2 and fc3 produced from the dataset.

    Parameters
    ----------
    path
        phono3py YAML or a directory holding one.
    forces_fc3, forces_fc2, born
        Force and BORN files, found as in :func:`import_phono3py` when omitted.

    Returns
    -------
    Phono3py
        With fc2 and fc3 by finite differences, symmetrised as phono3py's ``--sym-fc``
        (:func:`~phonogap.phonons.kappa_dataset.symmetrised_force_constants`).
    """
    return _load(*_resolve(path, forces_fc3, forces_fc2, born), produce_fc=True)


def _resolve(
    path: str | Path,
    fc3: str | Path | None,
    fc2: str | Path | None,
    born: str | Path | None = None,
) -> tuple[Path, Path | None, Path | None, Path | None]:
    path = find_yaml(path, YAML_NAMES, "phono3py")
    resolved = []
    for given, name in ((fc3, "FORCES_FC3"), (fc2, "FORCES_FC2"), (born, "BORN")):
        if given is not None:
            resolved.append(existing_file(given, name, f"fix the {name.lower()} option"))
        else:
            candidate = path.parent / name
            resolved.append(candidate if candidate.is_file() else None)
    return path, resolved[0], resolved[1], resolved[2]


def _load(
    yaml_path: Path, fc3: Path | None, fc2: Path | None, born: Path | None, *, produce_fc: bool
) -> Phono3py:
    try:
        phonon = read_phono3py_dataset(Phono3pyFiles(yaml_path, fc3, fc2, born))
    except Phono3pyDatasetError as exc:
        raise DatasetImportError(str(exc)) from exc
    return symmetrised_force_constants(phonon) if produce_fc else phonon


def fc2_setup(phonon: Phono3py) -> dict[str, Any] | None:
    """Return the phonon setup of a separate fc2 set (for the phonon benchmark), else None.

    The setup holds the fc2 supercells' displacements, single (type-1) or every atom
    displaced (type-2, fitted by symfc), and the dataset's NAC parameters; the forces are
    the configurations labelled ``fc2_config_type`` with their ``displacement_index``.
    Datasets without a separate fc2 set (fc2 from the fc3 pairs' first atoms) give None.
    """
    dataset = phonon.phonon_dataset
    if phonon.phonon_supercell_matrix is None or not dataset:
        return None
    natom = len(phonon.phonon_supercell)
    if "displacements" in dataset:
        displacements = np.asarray(dataset["displacements"], dtype=float)
        stored = {"natom": natom, "displacements": displacements.tolist()}
        length = float(np.linalg.norm(displacements, axis=2).mean())
        count = len(displacements)
    else:
        first = [
            {"number": int(e["number"]), "displacement": np.asarray(e["displacement"]).tolist()}
            for e in dataset["first_atoms"]
        ]
        stored = {"natom": natom, "first_atoms": first}
        length = float(np.linalg.norm(first[0]["displacement"]))
        count = len(first)
    return {
        "unitcell": phonopy_atoms_to_structure(phonon.unitcell),
        "supercell_matrix": np.asarray(phonon.phonon_supercell_matrix).tolist(),
        "primitive_matrix": np.asarray(phonon.primitive_matrix).tolist(),
        "displacement_ang": length,
        "symprec": float(phonon.symmetry.tolerance),
        "displacement_dataset": stored,
        "n_displacements": count,
        "nac_params": nac_to_json(phonon.nac_params),
    }
