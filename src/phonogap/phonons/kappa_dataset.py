"""Import a phono3py dataset (``phono3py_disp.yaml`` + ``FORCES_FC3``) as force constants.

This is phonogap's one phono3py reader (:mod:`phonogap.importers.phono3py_data` builds its
training configurations with :func:`read_phono3py_dataset`). It deliberately does not call
``phono3py.load``: that also picks up ``fc3.hdf5``, ``fc2.hdf5``, ``FORCES_FC3`` and ``BORN``
from the *current directory* when they exist (``fc3.hdf5`` even with ``produce_fc=False``,
phono3py 4.10), so a job rerun in a directory holding an older ``fc3.hdf5`` would silently use
it. Here every file is named explicitly. The force constants are built by finite differences
and symmetrised with phono3py's own symmetrisation (its CLI's ``--sym-fc``), which reproduces
the published values (see :func:`symmetrised_force_constants`).

Accepted layouts: a folder holding exactly one ``phono3py*.yaml`` (``phono3py_disp.yaml``
preferred) and one ``FORCES_FC3*`` (phono3py's own test fixture names them
``phono3py_si_pbesol.yaml`` and ``FORCES_FC3_si_pbesol``), plus ``FORCES_FC2*`` when the yaml
has a separate phonon supercell; or a yaml that already holds the forces
(``phono3py_params.yaml``); or the files given explicitly. Forces must be in eV/Å (VASP units).

Polar crystals: NAC parameters (Born charges, dielectric tensor) come from a ``BORN`` file
beside the yaml (or given explicitly), else from the yaml's own ``nac`` section; they are set
as ``Phono3py.nac_params``, so kappa includes the LO–TO splitting as phono3py's CLI does.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from phono3py import Phono3py
from phono3py.interface.phono3py_yaml import Phono3pyYaml
from phonopy.interface.phonopy_yaml import get_io_module_to_decompress

from phonogap.errors import PhonogapError
from phonogap.phonons.nac import nac_from_json, read_born_file

logger = logging.getLogger(__name__)

YAML_PATTERNS = ("phono3py_disp.yaml*", "phono3py_params*.yaml*", "phono3py*.yaml*")


class Phono3pyDatasetError(PhonogapError, ValueError):
    """Raised when a phono3py dataset is missing, incomplete or inconsistent."""


@dataclass(frozen=True)
class Phono3pyFiles:
    """The files of one phono3py dataset."""

    yaml: Path
    forces_fc3: Path | None = None
    forces_fc2: Path | None = None
    born: Path | None = None


def _single(folder: Path, patterns: tuple[str, ...], what: str) -> Path | None:
    for pattern in patterns:
        found = sorted(p for p in folder.glob(pattern) if p.is_file())
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise Phono3pyDatasetError(
                f"{folder}: several {what} files match {pattern!r} "
                f"({', '.join(p.name for p in found)}); pass the files explicitly"
            )
    return None


def find_phono3py_files(path: str | Path | tuple[str | Path, ...]) -> Phono3pyFiles:
    """Locate the yaml and force files of a phono3py dataset.

    Parameters
    ----------
    path
        A folder, or ``(yaml, FORCES_FC3[, FORCES_FC2])`` / a single yaml with forces.

    Returns
    -------
    Phono3pyFiles
        Resolved paths (forces may be None when the yaml holds them).

    Raises
    ------
    Phono3pyDatasetError
        Naming the path and what is missing.
    """
    if isinstance(path, tuple | list):
        files = [Path(p).expanduser().resolve() for p in path]
        if not 1 <= len(files) <= 3:
            raise Phono3pyDatasetError(
                f"expected (yaml, FORCES_FC3[, FORCES_FC2]), got {len(files)} paths"
            )
        for file in files:
            if not file.is_file():
                raise Phono3pyDatasetError(f"phono3py dataset file {file} does not exist")
        return Phono3pyFiles(*files)
    target = Path(path).expanduser().resolve()
    if target.is_file():
        return Phono3pyFiles(target)
    if not target.is_dir():
        raise Phono3pyDatasetError(f"phono3py dataset {target} does not exist")
    yaml = _single(target, YAML_PATTERNS, "phono3py yaml")
    if yaml is None:
        content = ", ".join(sorted(p.name for p in target.iterdir())) or "nothing"
        raise Phono3pyDatasetError(
            f"{target} holds no phono3py yaml (phono3py_disp.yaml or phono3py*.yaml with the "
            f"cells and displacements); it holds: {content}"
        )
    return Phono3pyFiles(
        yaml,
        _single(target, ("FORCES_FC3*",), "FORCES_FC3"),
        _single(target, ("FORCES_FC2*",), "FORCES_FC2"),
        _single(target, ("BORN",), "BORN"),
    )


def read_forces_file(filename: Path, n_supercells: int, n_atoms: int, yaml: Path) -> np.ndarray:
    """Read a type-1 ``FORCES_FC3``/``FORCES_FC2`` file (3 columns, ``#`` comments).

    Parameters
    ----------
    filename
        The forces file (may be compressed: .xz, .gz, .bz2).
    n_supercells
        Displaced supercells listed in the yaml.
    n_atoms
        Atoms per supercell.
    yaml
        The yaml (for messages).

    Returns
    -------
    numpy.ndarray
        ``(n_supercells, n_atoms, 3)`` in the file's units (eV/Å for VASP).

    Raises
    ------
    Phono3pyDatasetError
        If the file is unreadable or its number of force lines does not match the yaml.
    """
    opener = get_io_module_to_decompress(str(filename))
    try:
        with opener.open(filename, "rt") as handle:
            values = np.loadtxt(handle, comments="#", ndmin=2)
    except (OSError, ValueError) as exc:
        raise Phono3pyDatasetError(f"{filename}: could not read forces ({exc})") from exc
    expected = n_supercells * n_atoms
    if values.shape != (expected, 3):
        raise Phono3pyDatasetError(
            f"{filename}: {values.shape[0]} force lines of {values.shape[1]} columns, expected "
            f"{expected} lines of 3 ({n_supercells} displaced supercells x {n_atoms} atoms as "
            f"listed in {yaml.name}); the file is truncated or belongs to another dataset"
        )
    if not np.all(np.isfinite(values)):
        raise Phono3pyDatasetError(f"{filename}: forces contain NaN/inf")
    return values.reshape(n_supercells, n_atoms, 3)


def load_phono3py_dataset(path: str | Path | tuple[str | Path, ...]) -> Phono3py:
    """Build a :class:`phono3py.Phono3py` with fc2 and fc3 from an imported dataset.

    Parameters
    ----------
    path
        See :func:`find_phono3py_files`.

    Returns
    -------
    Phono3py
        Cells, primitive matrix and displacements from the yaml; forces from the files;
        compact fc2/fc3 from :func:`symmetrised_force_constants`.

    Raises
    ------
    Phono3pyDatasetError
        Naming the file and what is missing or inconsistent.
    """
    ph3 = read_phono3py_dataset(find_phono3py_files(path))
    symmetrised_force_constants(ph3)
    return ph3


def read_phono3py_dataset(files: Phono3pyFiles) -> Phono3py:
    """Read a phono3py dataset's cells, displacements and forces, without force constants.

    phonogap's one phono3py reader (the kappa jobs and the ``phono3py`` importer use it):
    every file is named explicitly, see the module docstring for why not ``phono3py.load``.

    Parameters
    ----------
    files
        The yaml and force files (see :func:`find_phono3py_files`).

    Returns
    -------
    Phono3py
        With ``dataset`` (and ``phonon_dataset``) holding the forces.

    Raises
    ------
    Phono3pyDatasetError
        Naming the file and what is missing or inconsistent.
    """
    try:
        data = Phono3pyYaml().read(files.yaml)
    except Exception as exc:  # yaml and phono3py raise many types on malformed files
        raise Phono3pyDatasetError(f"{files.yaml}: not a readable phono3py yaml ({exc})") from exc
    if data.unitcell is None or data.dataset is None:
        raise Phono3pyDatasetError(
            f"{files.yaml}: no unit cell or displacement dataset ('displacement_pairs'); "
            "write it with 'phono3py -d' (phono3py_disp.yaml)"
        )
    if data.calculator not in (None, "vasp"):
        raise Phono3pyDatasetError(
            f"{files.yaml}: calculator {data.calculator!r}; only eV/Å (VASP-unit) data is supported"
        )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*primitive_matrix.*")
        ph3 = Phono3py(
            data.unitcell,
            supercell_matrix=data.supercell_matrix,
            primitive_matrix=data.primitive_matrix if data.primitive_matrix is not None else "auto",
            phonon_supercell_matrix=data.phonon_supercell_matrix,
            symprec=1e-5,
        )
    ph3.dataset = data.dataset
    n_fc3 = len(ph3.supercells_with_displacements)
    if files.forces_fc3 is not None:
        ph3.forces = read_forces_file(files.forces_fc3, n_fc3, len(ph3.supercell), files.yaml)
    elif ph3.forces is None:
        raise Phono3pyDatasetError(
            f"{files.yaml} lists {n_fc3} displaced supercells but holds no forces, and no "
            f"FORCES_FC3 file was found beside it; add FORCES_FC3 (phono3py --cf3 ...)"
        )
    if data.phonon_supercell_matrix is not None:
        ph3.phonon_dataset = data.phonon_dataset
        n_fc2 = len(ph3.phonon_supercells_with_displacements)
        if files.forces_fc2 is not None:
            ph3.phonon_forces = read_forces_file(
                files.forces_fc2, n_fc2, len(ph3.phonon_supercell), files.yaml
            )
        elif ph3.phonon_forces is None:
            raise Phono3pyDatasetError(
                f"{files.yaml} has a separate phonon supercell ({n_fc2} displacements) but no "
                "fc2 forces; add FORCES_FC2 (phono3py --cf2 ...)"
            )
    ph3.nac_params = _nac_params(files, data.nac_params, ph3)
    logger.info("read phono3py dataset %s: %d fc3 supercells", files.yaml, n_fc3)
    return ph3


def _nac_params(files: Phono3pyFiles, in_yaml: dict | None, ph3: Phono3py) -> dict | None:
    """NAC parameters of the dataset: a BORN file given or beside the yaml wins over the yaml's."""
    if files.born is not None:
        return read_born_file(files.born, ph3.primitive)
    return nac_from_json(in_yaml, len(ph3.primitive)) if in_yaml is not None else None


def is_random_dataset(dataset: dict | None) -> bool:
    """Return True for a type-2 dataset (every atom displaced: ``displacements`` array)."""
    return bool(dataset) and "displacements" in dataset


def symmetrised_force_constants(ph3: Phono3py) -> Phono3py:
    """Build fc3 (and the separate fc2, if any) by finite differences and symmetrise them.

    phono3py's own symmetrisation (its CLI's ``--sym-fc``) reproduces the published values;
    the symfc projector moved phono3py's Si-PBEsol fixture from 107.69 to 107.83 W/m K
    between dependency sets (same phonopy/phono3py 4.10.0, 2026-11). Random-displacement
    (type-2) datasets, e.g. phono3py's NaCl example, cannot be differenced: their force
    constants are fitted by symfc, as phono3py does for them.

    Parameters
    ----------
    ph3
        With displacement dataset(s) and forces. Modified in place.

    Returns
    -------
    Phono3py
        The same object with ``fc2`` and ``fc3``.
    """
    if is_random_dataset(ph3.dataset):
        ph3.produce_fc3(fc_calculator="symfc")
    else:
        ph3.produce_fc3()
        ph3.symmetrize_fc3()
    fc2_random = is_random_dataset(
        ph3.phonon_dataset if ph3.phonon_supercell_matrix is not None else ph3.dataset
    )
    if ph3.phonon_supercell_matrix is not None:
        ph3.produce_fc2(fc_calculator="symfc" if fc2_random else None)
    if not fc2_random:
        ph3.symmetrize_fc2()
    return ph3
