"""Import phono3py finite-displacement datasets as forces-only training configurations.

Input: ``phono3py_disp.yaml`` (or ``phono3py.yaml``/``phono3py_params.yaml``, or a directory
holding one) with the forces in it or in ``FORCES_FC3`` (and, when the YAML has a separate
fc2 supercell, ``FORCES_FC2``) beside it or named by the options. Force files are never taken
from the current directory.

Output, in phono3py's dataset order (displacement ids 1, 2, ...): one configuration per
supercell with one displaced atom or a displaced pair; pairs phono3py skipped (``included:
false``, beyond a pair cutoff) are left out. Conventions as in
:mod:`phonogap.importers.phonopy_data`: phono3py atom order, positions exactly
``supercells_with_displacements``, forces as written (eV/Å; other calculators' units are
converted with phonopy's factors), energies only if the dataset holds supercell energies, no
virial. ``config_type`` defaults to ``pair_displacement`` for the fc3 set and
``single_displacement`` for a separate fc2 set; ``displacement_id`` is phono3py's id.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import phono3py
from phono3py import Phono3py
from phono3py.interface.phono3py_yaml import Phono3pyYaml
from phonopy.structure.dataset import forces_in_dataset

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
    package_versions,
    register_importer,
)
from phonogap.schemas.keys import SINGLE_DISPLACEMENT

__all__ = ["PAIR_DISPLACEMENT", "import_phono3py", "load_reference_phono3py"]

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
    yaml_path, fc3, fc2 = _resolve(path, forces_fc3, forces_fc2)
    phonon = _load(yaml_path, fc3, fc2, produce_fc=False)
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
    files = [file_record(p) for p in (yaml_path, fc3, fc2) if p is not None]
    provenance = {
        "importer": "phono3py",
        "files": files,
        "options": {"config_type": config_type, "fc2_config_type": fc2_config_type},
        "conventions": conventions("phono3py", phonon.calculator, factors),
        "versions": package_versions("phono3py", "phonopy"),
    }
    return ImportedDataset(configurations, provenance, phonopy_yaml=yaml_path, phonon=phonon)


def load_reference_phono3py(
    path: str | Path,
    *,
    forces_fc3: str | Path | None = None,
    forces_fc2: str | Path | None = None,
) -> Phono3py:
    """Return the reference ``Phono3py`` with fc2 and fc3 produced from the dataset.

    Parameters
    ----------
    path
        phono3py YAML or a directory holding one.
    forces_fc3, forces_fc2
        Force files, found as in :func:`import_phono3py` when omitted.

    Returns
    -------
    Phono3py
        With force constants (phono3py's defaults, as ``phono3py-load``).
    """
    return _load(*_resolve(path, forces_fc3, forces_fc2), produce_fc=True)


def _resolve(
    path: str | Path, fc3: str | Path | None, fc2: str | Path | None
) -> tuple[Path, Path | None, Path | None]:
    path = find_yaml(path, YAML_NAMES, "phono3py")
    resolved = []
    for given, name in ((fc3, "FORCES_FC3"), (fc2, "FORCES_FC2")):
        if given is not None:
            resolved.append(existing_file(given, name, f"fix the {name.lower()} option"))
        else:
            candidate = path.parent / name
            resolved.append(candidate if candidate.is_file() else None)
    return path, resolved[0], resolved[1]


def _load(yaml_path: Path, fc3: Path | None, fc2: Path | None, *, produce_fc: bool) -> Phono3py:
    if fc3 is None and Path("FORCES_FC3").is_file() and not _yaml_has_forces(yaml_path):
        raise DatasetImportError(
            f"{str(yaml_path)!r} has no forces and no FORCES_FC3 beside it; pass the force "
            "file with the forces_fc3 option (./FORCES_FC3 is not used implicitly)"
        )
    try:
        phonon = phono3py.load(
            yaml_path,
            forces_fc3_filename=fc3,
            forces_fc2_filename=fc2,
            produce_fc=produce_fc,
            log_level=0,
        )
    except Exception as exc:
        raise DatasetImportError(f"phono3py could not read {str(yaml_path)!r}: {exc}") from exc
    if not phonon.dataset:
        raise DatasetImportError(
            f"{str(yaml_path)!r} has no displacement dataset; write it with 'phono3py -d'"
        )
    return phonon


def _yaml_has_forces(yaml_path: Path) -> bool:
    yaml = Phono3pyYaml()
    yaml.read(yaml_path)
    dataset: Any = yaml.dataset
    return bool(dataset) and forces_in_dataset(dataset)
